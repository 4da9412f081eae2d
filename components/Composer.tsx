import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { describeError } from './describe';
import { ErrorLine } from './ErrorLine';

export function Composer({
  enabled,
  placeholder,
  onSend,
  before,
}: {
  enabled: boolean;
  placeholder: string;
  onSend: (text: string) => Promise<void>;
  /** Beside the text, before it (a contact's chat puts its file button here). */
  before?: ComponentChildren;
}) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState('');
  const send = async () => {
    const text = draft.trim();
    if (!text || !enabled) return;
    setError('');
    try {
      await onSend(text);
      setDraft(''); // only once the agent took it: a failed send keeps what was typed
    } catch (problem) {
      setError(describeError(problem));
    }
  };
  return (
    <>
      <form
        class="composer row"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        {before}
        <textarea
          data-testid="composer"
          placeholder={placeholder}
          value={draft}
          rows={2}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <button type="submit" disabled={!enabled || !draft.trim()} data-testid="send-button">
          Send
        </button>
      </form>
      <ErrorLine error={error} testId="send-error" />
    </>
  );
}
