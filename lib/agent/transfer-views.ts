/**
 * What the popup sees of transfers: a status in its words, bytes done, and speed and time left
 * smoothed over the last few seconds.
 */
import type { Transfer } from '../transfer/transfer';
import type { TransferView } from '../transfer/transfer-view';

/** Speed is measured over this much recent time. */
const SPEED_WINDOW_MS = 3_000;

/** A source being read and hashed before it is offered. */
export type Preparing = {
  id: string;
  contactKeys: string[];
  name: string;
  size: number;
  read: number;
  createdAt: number;
};

/** Bytes the receiver holds, as this side knows it (whole pieces). */
export const bytesDone = (t: Transfer) =>
  Math.min(t.meta.size, (t.direction === 'outgoing' ? t.acked : t.stored) * t.meta.pieceBytes);

export function preparingViews(jobs: Iterable<Preparing>): TransferView[] {
  const list: TransferView[] = [];
  for (const job of jobs) {
    for (const contactKey of job.contactKeys) {
      list.push({
        id: job.id,
        contactKey,
        direction: 'outgoing',
        name: job.name,
        size: job.size,
        type: '',
        status: 'preparing',
        bytesDone: job.read,
        bytesPerSecond: 0,
        createdAt: job.createdAt,
      });
    }
  }
  return list;
}

/** Views with speeds: it keeps each transfer's recent progress between snapshots. */
export function transferSpeedometer() {
  const samples = new Map<string, Array<{ at: number; bytes: number }>>();

  const speedOf = (t: Transfer, now: number): number => {
    const done = bytesDone(t);
    const list = (samples.get(t.id) ?? []).filter((s) => now - s.at <= SPEED_WINDOW_MS);
    if (list.at(-1)?.bytes !== done) list.push({ at: now, bytes: done });
    samples.set(t.id, list);
    const first = list[0];
    if (!first || now - first.at < 200 || t.status !== 'accepted' || !t.online) return 0;
    return ((done - first.bytes) * 1000) / (now - first.at);
  };

  return {
    view(t: Transfer, now: number): TransferView {
      const speed = speedOf(t, now);
      const done = bytesDone(t);
      const status =
        t.status === 'accepted' ? (t.online ? 'moving' : 'waiting') : t.status === 'verifying' ? 'verifying' : t.status;
      return {
        id: t.id,
        contactKey: t.contactKey,
        direction: t.direction,
        name: t.meta.name,
        size: t.meta.size,
        type: t.meta.type,
        status,
        bytesDone: done,
        bytesPerSecond: speed,
        secondsLeft: speed > 0 ? Math.ceil((t.meta.size - done) / speed) : undefined,
        problem: t.problem,
        createdAt: t.createdAt,
        saved: t.direction === 'incoming' ? t.saved : undefined,
      };
    },
  };
}
