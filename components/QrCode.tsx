import { useMemo } from 'preact/hooks';
import QRCode from 'qrcode';

/** Quiet zone around the code, in modules: scanners need a light margin. */
const MARGIN = 1;

/**
 * `text` as a QR code, drawn as one SVG path from the module matrix: no markup strings and no
 * data URLs, so nothing in `text` can become HTML.
 */
export function QrCode({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const drawing = useMemo(() => {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    let path = '';
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        if (modules.get(row, col)) path += `M${col + MARGIN} ${row + MARGIN}h1v1h-1z`;
      }
    }
    return { path, size: modules.size + 2 * MARGIN };
  }, [text]);
  return (
    <svg
      class="qr"
      role="img"
      aria-label={label}
      data-testid={testId}
      viewBox={`0 0 ${drawing.size} ${drawing.size}`}
      shape-rendering="crispEdges"
    >
      <rect width={drawing.size} height={drawing.size} fill="#fff" />
      <path d={drawing.path} fill="#000" />
    </svg>
  );
}
