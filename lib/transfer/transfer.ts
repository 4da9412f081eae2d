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
import { type FileFrame, type FileOfferFrame, pieceLength, type StopReasonName } from '../protocol/file-frame';

/** Pieces sent ahead of the receiver's acknowledgement: covers storage latency and the link's delay. */
export const WINDOW_PIECES = 4;
/** Pieces that failed their check (or came out of turn) before a transfer gives up. */
export const MAX_STRIKES = 5;
/** Offers from one contact not yet finished; more are declined unseen. */
export const MAX_OPEN_OFFERS = 32;

export type FileMeta = {
  name: string;
  type: string;
  size: number;
  pieceBytes: number;
  pieces: number;
  root: Uint8Array;
};

type Final = 'done' | 'declined' | 'cancelled' | 'failed';
export type TransferProblemKind = 'damaged' | 'storage' | 'download';

type Common = {
  id: string;
  contactKey: string;
  meta: FileMeta;
  createdAt: number;
  /** A ready session with the contact exists now. */
  online: boolean;
  problem?: { kind: TransferProblemKind; detail: string };
};

export type OutgoingTransfer = Common & {
  direction: 'outgoing';
  sourceId: string;
  status: 'offered' | 'accepted' | Final;
  /** Pieces the receiver holds, by its last word. */
  acked: number;
  /** The next piece to send; undefined until the receiver says where to start. */
  next?: number;
  /** The piece the agent is sending now. */
  sending?: number;
  /** Bumped whenever the piece being sent stops mattering (a rewind, a lost link). */
  epoch: number;
};

export type IncomingTransfer = Common & {
  direction: 'incoming';
  status: 'offered' | 'accepted' | 'verifying' | Final;
  /** Pieces stored, from the first. */
  stored: number;
  /** Pieces received whole (handed on to be checked and stored): stored ≤ received. */
  received: number;
  /** Pieces handed on whose check or store has not come back yet. */
  pending: number;
  /** A rewind waits for the pieces before it to be stored before asking the sender to go back. */
  rewinding: boolean;
  /** The piece being filled. */
  filling?: { index: number; hash: Uint8Array; offset: number };
  strikes: number;
  /** Done and handed to downloads. */
  saved?: boolean;
};

export type Transfer = OutgoingTransfer | IncomingTransfer;
export type TransfersState = { transfers: ReadonlyMap<string, Transfer> };
export const emptyTransfers: TransfersState = { transfers: new Map() };

export type TransferEvent =
  /** A new outgoing transfer (its source hashed and stored). */
  | { type: 'created'; transfer: OutgoingTransfer }
  /** Read back after a restart; every link is down until said otherwise. */
  | { type: 'restored'; transfers: readonly Transfer[] }
  | { type: 'link-up'; contactKey: string }
  | { type: 'link-down'; contactKey: string }
  | { type: 'frame'; contactKey: string; frame: FileFrame; at: number }
  | { type: 'answer'; id: string; accept: boolean }
  | { type: 'cancel'; id: string }
  | { type: 'piece-sent'; id: string; index: number; epoch: number }
  | { type: 'piece-unreadable'; id: string; detail: string }
  | { type: 'piece-checked'; id: string; index: number; ok: boolean }
  | { type: 'piece-stored'; id: string; index: number }
  | { type: 'store-failed'; id: string; detail: string }
  | { type: 'verified'; id: string; ok: boolean; detail?: string }
  | { type: 'saved'; id: string; ok: boolean; detail?: string }
  /** A finished transfer leaves the list (and storage). */
  | { type: 'forget'; id: string };

/** Why a peer's file frame was not used, for counters and tests; none of it is written. */
export type Rejection =
  | 'unknown-transfer'
  | 'wrong-direction'
  | 'not-accepted'
  | 'out-of-range'
  | 'out-of-turn'
  | 'too-long'
  | 'bad-hash'
  | 'duplicate'
  | 'too-many-offers';

export type TransferEffect =
  | { type: 'send'; contactKey: string; frame: FileFrame }
  /** Persist the transfer's record (status, what it is). */
  | { type: 'save'; transfer: Transfer }
  | { type: 'send-piece'; id: string; index: number; epoch: number }
  /** Incoming bytes of the piece being filled, in order; offset 0 starts the piece afresh. */
  | { type: 'append'; id: string; index: number; offset: number; bytes: Uint8Array }
  /** A piece is whole: hash it and answer `piece-checked`. */
  | { type: 'check'; id: string; index: number; hash: Uint8Array }
  /** A checked piece: store it (with the hash it matched) and answer `piece-stored` or `store-failed`. */
  | { type: 'store'; id: string; index: number }
  /** Buffered pieces from `from` on are worthless (a rewind). */
  | { type: 'drop'; id: string; from: number }
  /** Every piece stored: read the file back against its hashes and answer `verified`. */
  | { type: 'verify'; id: string }
  /** Hand the verified file to downloads; `saved` answers. */
  | { type: 'deliver'; id: string }
  /** Stored pieces (incoming) or the source (outgoing) are no longer needed. */
  | { type: 'discard'; id: string }
  | { type: 'offer-arrived'; id: string }
  | { type: 'rejected'; contactKey: string; id: string; why: Rejection };

export type TransferStep = { state: TransfersState; effects: TransferEffect[] };

const FINAL = new Set<string>(['done', 'declined', 'cancelled', 'failed']);
export const isFinished = (t: Transfer) => FINAL.has(t.status);

const put = (state: TransfersState, transfer: Transfer): TransfersState => {
  const transfers = new Map(state.transfers);
  transfers.set(transfer.id, transfer);
  return { transfers };
};

const offerFrame = (t: OutgoingTransfer): FileOfferFrame => ({
  kind: 'file-offer',
  id: idBytes(t.id),
  ...t.meta,
});

export function idBytes(id: string): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i += 1) out[i] = Number.parseInt(id.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const stopReasonOf = (t: Transfer): StopReasonName =>
  t.status === 'declined' ? 'declined' : t.status === 'cancelled' ? 'cancelled' : 'failed';

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

/** The sender's record is final: tell the peer (when reachable) and stop sending. */
function finish(
  state: TransfersState,
  t: Transfer,
  status: Final,
  problem?: Transfer['problem'],
  tellPeer = true,
): TransferStep {
  const base = { ...t, status, problem } as Transfer;
  const finished: Transfer =
    base.direction === 'outgoing'
      ? { ...base, sending: undefined, epoch: base.epoch + 1 }
      : { ...base, filling: undefined };
  const effects: TransferEffect[] = [{ type: 'save', transfer: finished }];
  if (tellPeer && t.online && status !== 'done')
    effects.push({
      type: 'send',
      contactKey: t.contactKey,
      frame: { kind: 'file-stop', id: idBytes(t.id), reason: stopReasonOf(finished) },
    });
  // A finished incoming file stays until it reached downloads; anything else is let go (a sent
  // file's stored copy too, once no other transfer of it is under way).
  if (status !== 'done' || t.direction === 'outgoing') effects.push({ type: 'discard', id: t.id });
  return { state: put(state, finished), effects };
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

const have = (t: Transfer, upTo: number): TransferEffect => ({
  type: 'send',
  contactKey: t.contactKey,
  frame: { kind: 'file-have', id: idBytes(t.id), upTo },
});

const want = (t: Transfer, from: number): TransferEffect => ({
  type: 'send',
  contactKey: t.contactKey,
  frame: { kind: 'file-want', id: idBytes(t.id), from },
});

/** Accepted (or offered again after a break): say where to start, or check the file if all is in. */
function startReceiving(state: TransfersState, t: IncomingTransfer): TransferStep {
  const effects: TransferEffect[] = [{ type: 'save', transfer: t }];
  if (t.stored >= t.meta.pieces && t.pending === 0) {
    const verifying: IncomingTransfer = { ...t, status: 'verifying' };
    return { state: put(state, verifying), effects: [...effects, { type: 'verify', id: t.id }] };
  }
  if (t.online && !t.rewinding) effects.push(want(t, t.received));
  return { state: put(state, t), effects };
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

function newOffer(state: TransfersState, contactKey: string, frame: FileOfferFrame, at: number): TransferStep {
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
function offeredAgain(state: TransfersState, t: IncomingTransfer): TransferStep {
  const stop = (reason: StopReasonName): TransferStep => ({
    state,
    effects: [{ type: 'send', contactKey: t.contactKey, frame: { kind: 'file-stop', id: idBytes(t.id), reason } }],
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

function receiverFrame(
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

function pieceChecked(state: TransfersState, id: string, index: number, ok: boolean): TransferStep {
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

function pieceStored(state: TransfersState, id: string, index: number): TransferStep {
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
