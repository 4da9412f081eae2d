import { useEffect, useState } from 'preact/hooks';

export function CopyButton({ text, testId, label = 'Copy' }: { text: string; testId?: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
  };
  return (
    <button type="button" onClick={() => void copy().catch(() => {})} disabled={!text} data-testid={testId}>
      {copied ? 'Copied' : label}
    </button>
  );
}
