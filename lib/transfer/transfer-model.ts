/**
 * What lib/transfer/transfer.ts reduces over: transfers, events, effects, and the few steps both
 * directions share (recording a transfer, ending it, the Want and Have a receiver sends).
 */
import { fromHex } from '../bytes';
import type { FileFrame, FileOfferFrame, StopReasonName } from '../protocol/file-frame';

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

export type Final = 'done' | 'declined' | 'cancelled' | 'failed';
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

export const put = (state: TransfersState, transfer: Transfer): TransfersState => {
  const transfers = new Map(state.transfers);
  transfers.set(transfer.id, transfer);
  return { transfers };
};

export const offerFrame = (t: OutgoingTransfer): FileOfferFrame => ({
  kind: 'file-offer',
  id: fromHex(t.id),
  ...t.meta,
});

export const stopReasonOf = (t: Transfer): StopReasonName =>
  t.status === 'declined' ? 'declined' : t.status === 'cancelled' ? 'cancelled' : 'failed';

/** A transfer ends, either side: record it, tell the peer (when reachable), let its bytes go. */
export function finish(
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
      frame: { kind: 'file-stop', id: fromHex(t.id), reason: stopReasonOf(finished) },
    });
  // A finished incoming file stays until it reached downloads; anything else is let go (a sent
  // file's stored copy too, once no other transfer of it is under way).
  if (status !== 'done' || t.direction === 'outgoing') effects.push({ type: 'discard', id: t.id });
  return { state: put(state, finished), effects };
}

export const have = (t: Transfer, upTo: number): TransferEffect => ({
  type: 'send',
  contactKey: t.contactKey,
  frame: { kind: 'file-have', id: fromHex(t.id), upTo },
});

export const want = (t: Transfer, from: number): TransferEffect => ({
  type: 'send',
  contactKey: t.contactKey,
  frame: { kind: 'file-want', id: fromHex(t.id), from },
});
