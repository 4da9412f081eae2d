/**
 * The receiving half of the transfer reducer (lib/transfer/transfer.ts): new offers and offers
 * made again, pieces and chunks as they arrive, strikes and rewinds, and the agent's reports
 * that a piece was checked or stored.
 */
import { fromHex, toHex } from '../bytes';
import { type FileFrame, type FileOfferFrame, pieceLength, type StopReasonName } from '../protocol/file-frame';
import {
  finish,
  have,
  type IncomingTransfer,
  isFinished,
  MAX_OPEN_OFFERS,
  MAX_STRIKES,
  put,
  type Rejection,
  stopReasonOf,
  type TransferEffect,
  type TransferStep,
  type TransfersState,
  want,
} from './transfer-model';

/** Accepted (or offered again after a break): say where to start, or check the file if all is in. */
export function startReceiving(state: TransfersState, t: IncomingTransfer): TransferStep {
  const effects: TransferEffect[] = [{ type: 'save', transfer: t }];
  if (t.stored >= t.meta.pieces && t.pending === 0) {
    const verifying: IncomingTransfer = { ...t, status: 'verifying' };
    return { state: put(state, verifying), effects: [...effects, { type: 'verify', id: t.id }] };
  }
  if (t.online && !t.rewinding) effects.push(want(t, t.received));
  return { state: put(state, t), effects };
}

export function newOffer(state: TransfersState, contactKey: string, frame: FileOfferFrame, at: number): TransferStep {
  const id = toHex(frame.id);
  let open = 0;
  for (const t of state.transfers.values())
    if (t.direction === 'incoming' && t.contactKey === contactKey && !isFinished(t)) open += 1;
  if (open >= MAX_OPEN_OFFERS)
    return {
      state,
      effects: [
        { type: 'send', contactKey, frame: { kind: 'file-stop', id: frame.id, reason: 'declined' } },
        { type: 'rejected', contactKey, id, why: 'too-many-offers' },
      ],
    };
  const t: IncomingTransfer = {
    direction: 'incoming',
    id,
    contactKey,
    meta: {
      name: frame.name,
      type: frame.type,
      size: frame.size,
      pieceBytes: frame.pieceBytes,
      pieces: frame.pieces,
      root: frame.root,
    },
    createdAt: at,
    online: true,
    status: 'offered',
    stored: 0,
    received: 0,
    pending: 0,
    rewinding: false,
    strikes: 0,
  };
  return {
    state: put(state, t),
    effects: [
      { type: 'save', transfer: t },
      { type: 'offer-arrived', id },
    ],
  };
}

/** The sender offers again after a break: answer with this side's state. */
export function offeredAgain(state: TransfersState, t: IncomingTransfer): TransferStep {
  const stop = (reason: StopReasonName): TransferStep => ({
    state,
    effects: [{ type: 'send', contactKey: t.contactKey, frame: { kind: 'file-stop', id: fromHex(t.id), reason } }],
  });
  switch (t.status) {
    case 'offered':
      return { state, effects: [] };
    case 'accepted': {
      // Whatever was half-filled is gone with the old link's frames; resume after what is whole.
      const resumed: IncomingTransfer = { ...t, filling: undefined };
      if (resumed.rewinding) return { state: put(state, resumed), effects: [] };
      return { state: put(state, resumed), effects: [want(t, t.received)] };
    }
    case 'verifying':
      return { state, effects: [] };
    case 'done':
      return { state, effects: [have(t, t.meta.pieces)] };
    case 'declined':
    case 'cancelled':
    case 'failed':
      return stop(stopReasonOf(t));
  }
}

export function receiverFrame(
  state: TransfersState,
  t: IncomingTransfer,
  frame: FileFrame,
  reject: (why: Rejection) => TransferStep,
): TransferStep {
  if (frame.kind !== 'file-piece' && frame.kind !== 'file-chunk') return reject('wrong-direction');
  if (t.status !== 'accepted') return reject('not-accepted');
  if (frame.index >= t.meta.pieces) return strike(state, t, 'out-of-range');
  if (frame.kind === 'file-piece') {
    // While a piece is being filled only a later one is out of turn. The same piece or an earlier
    // one is the sender going back to answer a second Want (accepting and a re-offer both ask):
    // earlier ones are duplicates, and the piece in hand begins afresh when it comes again.
    if (t.filling && frame.index > t.filling.index) return strike(state, t, 'out-of-turn');
    // Before what we asked for: a duplicate. After it: still in flight from before a rewind.
    if (frame.index !== t.received || t.rewinding)
      return reject(frame.index < t.received ? 'duplicate' : 'out-of-turn');
    return {
      state: put(state, { ...t, filling: { index: frame.index, hash: frame.hash, offset: 0 } }),
      effects: [],
    };
  }
  const filling = t.filling;
  if (!filling || frame.index !== filling.index) return reject(frame.index < t.received ? 'duplicate' : 'out-of-turn');
  const length = pieceLength(t.meta.size, t.meta.pieceBytes, filling.index);
  if (frame.offset !== filling.offset) return strike(state, t, 'out-of-turn');
  if (frame.offset + frame.bytes.length > length) return strike(state, t, 'too-long');
  const offset = filling.offset + frame.bytes.length;
  const append: TransferEffect = {
    type: 'append',
    id: t.id,
    index: filling.index,
    offset: frame.offset,
    bytes: frame.bytes,
  };
  if (offset < length) return { state: put(state, { ...t, filling: { ...filling, offset } }), effects: [append] };
  const whole: IncomingTransfer = { ...t, filling: undefined, received: t.received + 1, pending: t.pending + 1 };
  return {
    state: put(state, whole),
    effects: [append, { type: 'check', id: t.id, index: filling.index, hash: filling.hash }],
  };
}

/** Something no honest sender sends: drop the piece in hand, ask for it again, count it. */
function strike(state: TransfersState, t: IncomingTransfer, why: Rejection): TransferStep {
  return rewind(state, t, t.filling?.index ?? t.received, why);
}

function rewind(state: TransfersState, t: IncomingTransfer, from: number, why: Rejection): TransferStep {
  const rejected: TransferEffect = { type: 'rejected', contactKey: t.contactKey, id: t.id, why };
  const strikes = t.strikes + 1;
  if (strikes > MAX_STRIKES) {
    const failed = finish(state, t, 'failed', {
      kind: 'damaged',
      detail: 'The sender kept sending data that does not match the file; nothing of it was kept.',
    });
    return { state: failed.state, effects: [rejected, ...failed.effects] };
  }
  const rewound: IncomingTransfer = {
    ...t,
    strikes,
    filling: undefined,
    received: from,
    // Pieces before `from` still being checked or stored finish first; then the sender goes back.
    rewinding: t.pending > 0,
  };
  const effects: TransferEffect[] = [rejected, { type: 'drop', id: t.id, from }];
  if (!rewound.rewinding && t.online) effects.push(want(t, from));
  return { state: put(state, rewound), effects };
}

/** After a check or store came back: a rewind waiting for the pipeline may go ahead now. */
function settle(state: TransfersState, t: IncomingTransfer, effects: TransferEffect[]): TransferStep {
  let next = t;
  if (next.rewinding && next.pending === 0) {
    next = { ...next, rewinding: false };
    if (next.online) effects.push(want(next, next.received));
  }
  if (next.stored >= next.meta.pieces && next.pending === 0 && next.status === 'accepted') {
    next = { ...next, status: 'verifying' };
    effects.push({ type: 'save', transfer: next }, { type: 'verify', id: next.id });
  }
  return { state: put(state, next), effects };
}

export function pieceChecked(state: TransfersState, id: string, index: number, ok: boolean): TransferStep {
  const t = state.transfers.get(id);
  if (t?.direction !== 'incoming' || t.status !== 'accepted') return { state, effects: [] };
  const settled: IncomingTransfer = { ...t, pending: t.pending - 1 };
  // A piece past a rewind point was dropped: its check means nothing now.
  if (index >= t.received) return settle(state, settled, []);
  if (!ok) {
    const step = rewind(state, settled, index, 'bad-hash');
    const after = step.state.transfers.get(id);
    return after?.direction === 'incoming' && after.status === 'accepted'
      ? settle(step.state, after, step.effects)
      : step;
  }
  // Still pending until stored.
  return { state, effects: [{ type: 'store', id, index }] };
}

export function pieceStored(state: TransfersState, id: string, index: number): TransferStep {
  const t = state.transfers.get(id);
  if (t?.direction !== 'incoming' || t.status !== 'accepted') return { state, effects: [] };
  const settled: IncomingTransfer = { ...t, pending: t.pending - 1 };
  if (index !== t.stored || index >= t.received) return settle(state, settled, []);
  const stored: IncomingTransfer = { ...settled, stored: index + 1 };
  const effects: TransferEffect[] = [];
  // Have(all) only once the whole file is verified.
  if (stored.online && stored.stored < stored.meta.pieces) effects.push(have(stored, stored.stored));
  return settle(state, stored, effects);
}
