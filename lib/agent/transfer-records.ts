/**
 * A transfer as stored (lib/store/transfer-store.ts) and back: what survives a restart is what
 * it is and how it ended; where it stood comes from the pieces stored and from the other side.
 */
import type { TransferRecord, TransferStore } from '../store/transfer-store';
import { isFinished, type Transfer } from '../transfer/transfer';
import { FINISHED_TRANSFER_VISIBLE_MS } from '../transfer/transfer-view';

/** Ended a day ago or more (a received file not yet in downloads stays). */
export function isStale(t: Transfer, now: number): boolean {
  const unsaved = t.direction === 'incoming' && t.status === 'done' && !t.saved;
  return isFinished(t) && !unsaved && now - t.createdAt > FINISHED_TRANSFER_VISIBLE_MS;
}

export function toRecord(t: Transfer): TransferRecord {
  return {
    id: t.id,
    direction: t.direction,
    contactKey: t.contactKey,
    name: t.meta.name,
    type: t.meta.type,
    size: t.meta.size,
    pieceBytes: t.meta.pieceBytes,
    pieces: t.meta.pieces,
    root: t.meta.root,
    status: t.status === 'verifying' ? 'accepted' : t.status,
    createdAt: t.createdAt,
    sourceId: t.direction === 'outgoing' ? t.sourceId : undefined,
    problem: t.problem,
    saved: t.direction === 'incoming' ? t.saved : undefined,
  };
}

export async function fromRecord(store: TransferStore, r: TransferRecord): Promise<Transfer> {
  const meta = { name: r.name, type: r.type, size: r.size, pieceBytes: r.pieceBytes, pieces: r.pieces, root: r.root };
  const common = {
    id: r.id,
    contactKey: r.contactKey,
    meta,
    createdAt: r.createdAt,
    online: false,
    problem: r.problem,
  };
  if (r.direction === 'outgoing') {
    return { ...common, direction: 'outgoing', sourceId: r.sourceId ?? '', status: r.status, acked: 0, epoch: 0 };
  }
  const stored = r.status === 'accepted' ? Math.min(r.pieces, await store.pieces.count(r.id)) : 0;
  return {
    ...common,
    direction: 'incoming',
    status: r.status,
    stored,
    received: stored,
    pending: 0,
    rewinding: false,
    strikes: 0,
    saved: r.saved,
  };
}
