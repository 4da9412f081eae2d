/**
 * File transfer as a pure reducer: `(state, event) → (state, effects)`. It decides what to
 * offer, which piece to send next, what to accept from a peer and when a file is complete;
 * reading, hashing, storing and sending bytes are effects the agent carries out
 * (lib/agent/agent-transfers.ts) and reports back as events.
 *
 * Sender: offer → (the receiver's Want) → pieces from `next`, at most WINDOW_PIECES ahead of
 * what the receiver holds → Have(all) → done. A Want rewinds (accept, resume, re-request).
 * Receiver: a piece is a header (its hash) and chunks in order; whole, it is checked, then
 * stored, then acknowledged (Have). Anything out of turn is ignored when a rewind explains it,
 * and counted as a strike when nothing honest could have sent it; too many strikes fail the
 * transfer. A link that drops changes nothing stored: the sender offers again when the
 * contact is back, and the receiver answers with where to resume.
 */
import { toHex } from '../bytes';
import type { FileFrame } from '../protocol/file-frame';
import {
  type Final,
  finish,
  have,
  type IncomingTransfer,
  isFinished,
  type OutgoingTransfer,
  offerFrame,
  put,
  type Rejection,
  type TransferEffect,
  type TransferEvent,
  type TransferStep,
  type TransfersState,
  WINDOW_PIECES,
} from './transfer-model';
import { newOffer, offeredAgain, pieceChecked, pieceStored, receiverFrame, startReceiving } from './transfer-receiving';

export {
  emptyTransfers,
  type FileMeta,
  type IncomingTransfer,
  isFinished,
  MAX_OPEN_OFFERS,
  MAX_STRIKES,
  type OutgoingTransfer,
  type Rejection,
  type Transfer,
  type TransferEffect,
  type TransferEvent,
  type TransferProblemKind,
  type TransferStep,
  type TransfersState,
  WINDOW_PIECES,
} from './transfer-model';

/** What the sender should be doing now: at most one piece at a time per transfer. */
function pump(t: OutgoingTransfer): { transfer: OutgoingTransfer; effects: TransferEffect[] } {
  if (t.status !== 'accepted' || !t.online || t.next === undefined || t.sending !== undefined)
    return { transfer: t, effects: [] };
  if (t.next >= t.meta.pieces || t.next >= t.acked + WINDOW_PIECES) return { transfer: t, effects: [] };
  const transfer = { ...t, sending: t.next };
  return { transfer, effects: [{ type: 'send-piece', id: t.id, index: t.next, epoch: t.epoch }] };
}

function withPump(state: TransfersState, t: OutgoingTransfer, effects: TransferEffect[]): TransferStep {
  const pumped = pump(t);
  return { state: put(state, pumped.transfer), effects: [...effects, ...pumped.effects] };
}

export function reduceTransfers(state: TransfersState, event: TransferEvent): TransferStep {
  switch (event.type) {
    case 'created': {
      const t = event.transfer;
      const effects: TransferEffect[] = [{ type: 'save', transfer: t }];
      if (t.online) effects.push({ type: 'send', contactKey: t.contactKey, frame: offerFrame(t) });
      return { state: put(state, t), effects };
    }
    case 'restored': {
      const transfers = new Map(state.transfers);
      const effects: TransferEffect[] = [];
      for (const t of event.transfers) {
        if (transfers.has(t.id)) continue;
        // Stopped after the last piece was stored and before the check finished: check again.
        const whole = t.direction === 'incoming' && t.status === 'accepted' && t.stored >= t.meta.pieces;
        transfers.set(t.id, whole ? { ...t, online: false, status: 'verifying' } : { ...t, online: false });
        if (whole) effects.push({ type: 'verify', id: t.id });
      }
      return { state: { transfers }, effects };
    }
    case 'link-up':
      return linkChanged(state, event.contactKey, true);
    case 'link-down':
      return linkChanged(state, event.contactKey, false);
    case 'frame':
      return receiveFrame(state, event.contactKey, event.frame, event.at);
    case 'answer': {
      const t = state.transfers.get(event.id);
      if (t?.direction !== 'incoming' || t.status !== 'offered') return { state, effects: [] };
      if (!event.accept) return finish(state, t, 'declined');
      const accepted: IncomingTransfer = { ...t, status: 'accepted' };
      return startReceiving(state, accepted);
    }
    case 'cancel': {
      const t = state.transfers.get(event.id);
      if (!t || isFinished(t)) return { state, effects: [] };
      return finish(state, t, 'cancelled');
    }
    case 'piece-sent': {
      const t = state.transfers.get(event.id);
      // A piece cut short by a rewind or a lost link moves nothing: its epoch is over, and the
      // copy now in `sending` (the same piece, after a Want for it) is still going out.
      if (t?.direction !== 'outgoing' || t.sending !== event.index || t.epoch !== event.epoch)
        return { state, effects: [] };
      return withPump(state, { ...t, sending: undefined, next: event.index + 1 }, []);
    }
    case 'piece-unreadable': {
      const t = state.transfers.get(event.id);
      if (t?.direction !== 'outgoing' || isFinished(t)) return { state, effects: [] };
      return finish(state, t, 'failed', { kind: 'storage', detail: `The file could not be read: ${event.detail}` });
    }
    case 'piece-checked':
      return pieceChecked(state, event.id, event.index, event.ok);
    case 'piece-stored':
      return pieceStored(state, event.id, event.index);
    case 'store-failed': {
      const t = state.transfers.get(event.id);
      if (t?.direction !== 'incoming' || isFinished(t)) return { state, effects: [] };
      return finish(state, t, 'failed', { kind: 'storage', detail: `The file could not be stored: ${event.detail}` });
    }
    case 'verified': {
      const t = state.transfers.get(event.id);
      if (t?.direction !== 'incoming' || t.status !== 'verifying') return { state, effects: [] };
      if (!event.ok)
        return finish(state, t, 'failed', {
          kind: 'damaged',
          detail: event.detail ?? 'The file does not match what was offered.',
        });
      const done: IncomingTransfer = { ...t, status: 'done', saved: false };
      const effects: TransferEffect[] = [
        { type: 'save', transfer: done },
        { type: 'deliver', id: t.id },
      ];
      if (t.online) effects.push(have(t, t.meta.pieces));
      return { state: put(state, done), effects };
    }
    case 'saved': {
      const t = state.transfers.get(event.id);
      if (t?.direction !== 'incoming' || t.status !== 'done') return { state, effects: [] };
      const saved: IncomingTransfer = {
        ...t,
        saved: event.ok,
        problem: event.ok ? undefined : { kind: 'download', detail: event.detail ?? 'The download failed.' },
      };
      return { state: put(state, saved), effects: [{ type: 'save', transfer: saved }] };
    }
    case 'forget': {
      const t = state.transfers.get(event.id);
      if (!t) return { state, effects: [] };
      const transfers = new Map(state.transfers);
      transfers.delete(event.id);
      return { state: { transfers }, effects: [{ type: 'discard', id: event.id }] };
    }
  }
}

function linkChanged(state: TransfersState, contactKey: string, online: boolean): TransferStep {
  let next = state;
  const effects: TransferEffect[] = [];
  for (const t of state.transfers.values()) {
    if (t.contactKey !== contactKey || t.online === online) continue;
    if (t.direction === 'outgoing') {
      // Where to go on is the receiver's to say (its Want): what was in flight may be lost.
      const moved: OutgoingTransfer = { ...t, online, next: undefined, sending: undefined, epoch: t.epoch + 1 };
      next = put(next, moved);
      // Offered again on every reconnect: the receiver answers with where to resume, or that it
      // is done, declined or has never heard of it.
      if (online && (t.status === 'offered' || t.status === 'accepted'))
        effects.push({ type: 'send', contactKey, frame: offerFrame(t) });
    } else {
      const moved: IncomingTransfer = { ...t, online, filling: undefined };
      next = put(next, moved);
      // A sender that lost this transfer answers Have with "unknown"; one that knows it re-offers.
      if (online && t.status === 'accepted') effects.push(have(t, t.stored));
    }
  }
  return { state: next, effects };
}

function receiveFrame(state: TransfersState, contactKey: string, frame: FileFrame, at: number): TransferStep {
  const id = toHex(frame.id);
  const t = state.transfers.get(id);
  const reject = (why: Rejection): TransferStep => ({ state, effects: [{ type: 'rejected', contactKey, id, why }] });
  if (frame.kind === 'file-offer') {
    if (!t) return newOffer(state, contactKey, frame, at);
    if (t.contactKey !== contactKey || t.direction !== 'incoming') return reject('wrong-direction');
    return offeredAgain(state, t);
  }
  if (!t || t.contactKey !== contactKey) {
    // Asked about a transfer we do not have (lost, or forgotten): say so, so it stops waiting.
    if (frame.kind === 'file-want' || frame.kind === 'file-have')
      return {
        state,
        effects: [
          { type: 'send', contactKey, frame: { kind: 'file-stop', id: frame.id, reason: 'unknown' } },
          { type: 'rejected', contactKey, id, why: 'unknown-transfer' },
        ],
      };
    return reject('unknown-transfer');
  }
  if (frame.kind === 'file-stop') {
    if (isFinished(t)) return { state, effects: [] };
    const status: Final =
      frame.reason === 'declined' ? 'declined' : frame.reason === 'cancelled' ? 'cancelled' : 'failed';
    const problem =
      status === 'failed'
        ? {
            kind: 'damaged' as const,
            detail:
              frame.reason === 'unknown'
                ? 'The other side no longer has this transfer.'
                : 'The other side stopped the transfer after an error.',
          }
        : undefined;
    return finish(state, t, status, problem, false);
  }
  if (t.direction === 'outgoing') return senderFrame(state, t, frame, reject);
  return receiverFrame(state, t, frame, reject);
}

function senderFrame(
  state: TransfersState,
  t: OutgoingTransfer,
  frame: FileFrame,
  reject: (why: Rejection) => TransferStep,
): TransferStep {
  switch (frame.kind) {
    case 'file-want': {
      if (isFinished(t)) return t.status === 'done' ? { state, effects: [] } : reject('not-accepted');
      if (frame.from > t.meta.pieces) return reject('out-of-range');
      // The receiver's word on what it holds, even below an earlier ack (it may have lost pieces).
      const rewound: OutgoingTransfer = {
        ...t,
        status: 'accepted',
        acked: Math.min(t.acked, frame.from),
        next: frame.from,
        sending: undefined,
        epoch: t.epoch + 1,
      };
      const effects: TransferEffect[] = t.status === 'offered' ? [{ type: 'save', transfer: rewound }] : [];
      return withPump(state, rewound, effects);
    }
    case 'file-have': {
      if (frame.upTo > t.meta.pieces) return reject('out-of-range');
      if (isFinished(t)) return { state, effects: [] };
      if (frame.upTo === t.meta.pieces) return finish(state, { ...t, acked: frame.upTo }, 'done');
      return withPump(state, { ...t, acked: Math.max(t.acked, frame.upTo) }, []);
    }
    default:
      return reject('wrong-direction');
  }
}
