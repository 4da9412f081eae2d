/**
 * Words and numbers for file transfers: sizes, speeds, time left, and one status line for every
 * state a transfer can be in. Pure, so every wording is tested without a browser.
 */
import type { TransferStatus, TransferView } from '@/lib/transfer/transfer-view';

// Decimal units, as the names say (1 MB = 1 000 000 bytes), the way file managers on most
// systems now count.
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** "0 B", "512 B", "12.4 MB", "512 MB", "1.5 GB": one decimal below 100, none above. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  if (bytes < 999.5) return `${Math.round(bytes)} B`;
  let value = bytes / 1000;
  let unit = 1;
  // Rounded, 999.7 KB would read "1000 KB": it is 1.0 MB.
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 99.95 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "8 s left", "2 min left", "1 h 5 min left", "over a day left"; nothing when unknown. */
export function formatTimeLeft(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s left`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min left`;
  if (minutes >= 24 * 60) return 'over a day left';
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h left` : `${hours} h ${minutes % 60} min left`;
}

/** No more bytes will move; the card stays until it is removed or a day has passed. */
export function isFinished(status: TransferStatus): boolean {
  return status === 'done' || status === 'declined' || status === 'cancelled' || status === 'failed';
}

/** Bytes are being read, sent, waited for or checked: the progress bar means something. */
export function showsProgress(status: TransferStatus): boolean {
  return status === 'preparing' || status === 'moving' || status === 'waiting' || status === 'verifying';
}

/** "3.1 MB of 8.4 MB", and while bytes move, "· 2.3 MB/s · 3 s left". */
export function progressLine(
  t: Pick<TransferView, 'status' | 'bytesDone' | 'size' | 'bytesPerSecond' | 'secondsLeft'>,
) {
  const parts = [`${formatBytes(t.bytesDone)} of ${formatBytes(t.size)}`];
  if (t.status === 'moving' && t.bytesPerSecond > 0) {
    parts.push(formatSpeed(t.bytesPerSecond));
    const left = formatTimeLeft(t.secondsLeft);
    if (left) parts.push(left);
  }
  return parts.join(' · ');
}

export type StatusTone = 'ok' | 'busy' | 'bad' | 'muted';

/** What the transfer is doing, in a line; `peer` is the contact's name as the chat shows it. */
export function statusLine(t: Pick<TransferView, 'status' | 'direction' | 'problem' | 'saved'>, peer: string) {
  const outgoing = t.direction === 'outgoing';
  const line = (text: string, tone: StatusTone) => ({ text, tone });
  switch (t.status) {
    case 'preparing':
      return line('Getting the file ready…', 'busy');
    case 'offered':
      return outgoing
        ? line(`Waiting for ${peer} to accept`, 'busy')
        : line(`${peer} wants to send you this file`, 'busy');
    case 'moving':
      return line(outgoing ? 'Sending…' : 'Receiving…', 'busy');
    case 'waiting':
      return line(`Paused — resumes when ${peer} is back`, 'muted');
    case 'verifying':
      return line(outgoing ? `${peer} is checking the file…` : 'Checking the file…', 'busy');
    case 'done':
      if (outgoing) return line('Sent', 'ok');
      if (t.saved) return line('Saved to downloads', 'ok');
      return t.problem?.kind === 'download'
        ? line(`Received, not saved: ${t.problem.detail}`, 'bad')
        : line('Received — not in downloads yet', 'busy');
    case 'declined':
      return line(outgoing ? `${peer} declined` : 'You declined', 'muted');
    case 'cancelled':
      return line('Cancelled', 'muted');
    case 'failed':
      return line(failure(t), 'bad');
  }
}

function failure({ direction, problem }: Pick<TransferView, 'direction' | 'problem'>): string {
  if (!problem) return 'Failed';
  switch (problem.kind) {
    case 'damaged':
      return `Failed: the file arrived damaged again and again (${problem.detail})`;
    case 'storage':
      return direction === 'outgoing'
        ? `Failed: the file could not be read (${problem.detail})`
        : `Failed: the file could not be stored (${problem.detail})`;
    case 'download':
      return `Failed: ${problem.detail}`;
  }
}
