/**
 * The transfer reducer, event by event, then a sender and a receiver against each other over a
 * wire that drops links, loses what was in flight, and carries duplicated and damaged chunks:
 * the file always arrives whole, little is sent twice, and nothing is stored before it is checked.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../lib/bytes';
import {
  CHUNK_HEAD_BYTES,
  type FileFrame,
  MIN_PIECE_BYTES,
  pieceLength,
  piecesFor,
} from '../../lib/protocol/file-frame';
import { decodeFrame, encodeFrame } from '../../lib/protocol/frame';
import {
  emptyTransfers,
  type FileMeta,
  type IncomingTransfer,
  MAX_OPEN_OFFERS,
  MAX_STRIKES,
  type OutgoingTransfer,
  reduceTransfers,
  type Transfer,
  type TransferEffect,
  type TransferEvent,
  type TransfersState,
  WINDOW_PIECES,
} from '../../lib/transfer/transfer';

const ALICE = 'a1'.repeat(32);
const BOB = 'b2'.repeat(32);
const CAROL = 'c3'.repeat(32);
const ID = '0f'.repeat(16);
const FID = fromHex(ID);
const PIECE = MIN_PIECE_BYTES;
const CHUNK = 4096;

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

/** Enough pieces to fill the window and go past it; the last one short. */
const PIECES = WINDOW_PIECES + 3;
const SIZE = (PIECES - 1) * PIECE + 1000;
const pieceBytes = (index: number) =>
  Uint8Array.from({ length: pieceLength(SIZE, PIECE, index) }, (_, i) => (index * 31 + i) & 0xff);
const pieceHash = (index: number) => sha256(pieceBytes(index));

function metaOf(size: number): FileMeta {
  return {
    name: 'notes.txt',
    type: 'text/plain',
    size,
    pieceBytes: PIECE,
    pieces: piecesFor(size, PIECE),
    root: sha256(new Uint8Array(0)),
  };
}
const META = metaOf(SIZE);

/** One side's reducer, driven event by event. */
class Side {
  state: TransfersState = emptyTransfers;
  on(event: TransferEvent): TransferEffect[] {
    const step = reduceTransfers(this.state, event);
    this.state = step.state;
    return step.effects;
  }
  /** What `on` says, in words (see `said`). */
  say(event: TransferEvent): string[] {
    return said(this.on(event));
  }
  get(id = ID): Transfer {
    const t = this.state.transfers.get(id);
    if (!t) throw new Error(`no transfer ${id}`);
    return t;
  }
  out(id = ID): OutgoingTransfer {
    const t = this.get(id);
    if (t.direction !== 'outgoing') throw new Error('not outgoing');
    return t;
  }
  in(id = ID): IncomingTransfer {
    const t = this.get(id);
    if (t.direction !== 'incoming') throw new Error('not incoming');
    return t;
  }
}

const who = (key: string) => (key === ALICE ? 'alice' : key === BOB ? 'bob' : key === CAROL ? 'carol' : key);

function frameWords(frame: FileFrame): string {
  switch (frame.kind) {
    case 'file-offer':
      return 'offer';
    case 'file-want':
      return `want ${frame.from}`;
    case 'file-have':
      return `have ${frame.upTo}`;
    case 'file-piece':
      return `piece ${frame.index}`;
    case 'file-chunk':
      return `chunk ${frame.index}@${frame.offset}`;
    case 'file-stop':
      return `stop ${frame.reason}`;
  }
}

/** Effects in words, so a test reads as the conversation it checks. */
function said(effects: TransferEffect[]): string[] {
  return effects.map((e) => {
    switch (e.type) {
      case 'send':
        return `${frameWords(e.frame)} → ${who(e.contactKey)}`;
      case 'save':
        return `save ${e.transfer.status}`;
      case 'send-piece':
        return `send-piece ${e.index}`;
      case 'append':
        return `append ${e.index}@${e.offset}`;
      case 'check':
        return `check ${e.index}`;
      case 'store':
        return `store ${e.index}`;
      case 'drop':
        return `drop from ${e.from}`;
      case 'rejected':
        return `rejected ${e.why}`;
      default:
        return e.type;
    }
  });
}

const frame = (contactKey: string, f: FileFrame, at = 1000): TransferEvent => ({
  type: 'frame',
  contactKey,
  frame: f,
  at,
});
const want = (from: number, id = FID): FileFrame => ({ kind: 'file-want', id, from });
const have = (upTo: number, id = FID): FileFrame => ({ kind: 'file-have', id, upTo });
const header = (index: number, hash = pieceHash(index)): FileFrame => ({ kind: 'file-piece', id: FID, index, hash });
const chunk = (index: number, offset: number, bytes: Uint8Array): FileFrame => ({
  kind: 'file-chunk',
  id: FID,
  index,
  offset,
  bytes,
});
const stop = (reason: 'declined' | 'cancelled' | 'failed' | 'unknown', id = FID): FileFrame => ({
  kind: 'file-stop',
  id,
  reason,
});
const offerOf = (meta: FileMeta, id = FID): FileFrame => ({ kind: 'file-offer', id, ...meta });

/** A piece as an honest sender sends it: its header, then chunks in order. */
function pieceFrames(index: number): FileFrame[] {
  const bytes = pieceBytes(index);
  const frames: FileFrame[] = [header(index)];
  for (let at = 0; at < bytes.length; at += CHUNK) frames.push(chunk(index, at, bytes.subarray(at, at + CHUNK)));
  return frames;
}

function outgoing(extra: Partial<OutgoingTransfer> = {}): OutgoingTransfer {
  return {
    direction: 'outgoing',
    id: ID,
    contactKey: BOB,
    sourceId: 'source-1',
    meta: META,
    createdAt: 1,
    online: true,
    status: 'offered',
    acked: 0,
    epoch: 0,
    ...extra,
  };
}

function incoming(extra: Partial<IncomingTransfer> = {}): IncomingTransfer {
  return {
    direction: 'incoming',
    id: ID,
    contactKey: ALICE,
    meta: META,
    createdAt: 1,
    online: false,
    status: 'accepted',
    stored: 0,
    received: 0,
    pending: 0,
    rewinding: false,
    strikes: 0,
    ...extra,
  };
}

/** Alice, who offered the file to Bob. */
function sender(extra: Partial<OutgoingTransfer> = {}): Side {
  const side = new Side();
  side.on({ type: 'created', transfer: outgoing(extra) });
  return side;
}

/** Alice, once Bob asked for pieces from `from`: piece `from` is being sent. */
function sending(from = 0): Side {
  const side = sender();
  side.on(frame(BOB, want(from)));
  return side;
}

/** Sends pieces through to `upTo` (exclusive) as far as the window lets it. */
function sendThrough(side: Side, upTo: number) {
  while (side.out().sending !== undefined && (side.out().sending ?? 0) < upTo) {
    const t = side.out();
    side.on({ type: 'piece-sent', id: ID, index: t.sending ?? 0, epoch: t.epoch });
  }
}

/** Bob, with Alice's offer in front of him. */
function offered(): Side {
  const side = new Side();
  side.on(frame(ALICE, offerOf(META)));
  return side;
}

/** Bob, who accepted (and asked for piece 0). */
function receiving(): Side {
  const side = offered();
  side.on({ type: 'answer', id: ID, accept: true });
  return side;
}

/** Frames of piece `index`, fed to Bob; what he said to the last one. */
function feedPiece(side: Side, index: number): string[] {
  let last: string[] = [];
  for (const f of pieceFrames(index)) last = side.say(frame(ALICE, f));
  return last;
}

/** Bob with pieces [0, count) received, checked and stored. */
function storedThrough(count: number): Side {
  const side = receiving();
  for (let index = 0; index < count; index += 1) {
    feedPiece(side, index);
    side.on({ type: 'piece-checked', id: ID, index, ok: true });
    side.on({ type: 'piece-stored', id: ID, index });
  }
  return side;
}

describe('a sender', () => {
  it('saves a new transfer and offers it at once to a contact who is online', () => {
    const alice = new Side();
    const effects = alice.on({ type: 'created', transfer: outgoing() });
    expect(said(effects)).toEqual(['save offered', 'offer → bob']);
    expect(effects[1]).toEqual({ type: 'send', contactKey: BOB, frame: { kind: 'file-offer', id: FID, ...META } });
  });

  it('offers a transfer made while the contact is away once the link is up', () => {
    const alice = new Side();
    expect(alice.say({ type: 'created', transfer: outgoing({ online: false }) })).toEqual(['save offered']);
    expect(alice.say({ type: 'link-up', contactKey: CAROL })).toEqual([]);
    expect(alice.say({ type: 'link-up', contactKey: BOB })).toEqual(['offer → bob']);
    expect(alice.out().online).toBe(true);
  });

  it('offers again on every link-up while offered or accepted, never once finished', () => {
    const alice = sending(0);
    alice.on({ type: 'link-down', contactKey: BOB });
    expect(alice.say({ type: 'link-up', contactKey: BOB })).toEqual(['offer → bob']);
    alice.on(frame(BOB, have(PIECES)));
    expect(alice.out().status).toBe('done');
    alice.on({ type: 'link-down', contactKey: BOB });
    expect(alice.say({ type: 'link-up', contactKey: BOB })).toEqual([]);
  });

  it('starts at the piece the receiver asks for: accepted, saved, one piece at a time', () => {
    const alice = sender();
    expect(alice.say(frame(BOB, want(0)))).toEqual(['save accepted', 'send-piece 0']);
    expect(alice.out()).toMatchObject({ status: 'accepted', next: 0, sending: 0 });
    const { epoch } = alice.out();
    expect(alice.say({ type: 'piece-sent', id: ID, index: 0, epoch })).toEqual(['send-piece 1']);
  });

  it(`never sends more than ${WINDOW_PIECES} pieces past what the receiver holds; a Have opens the window`, () => {
    const alice = sending(0);
    const sent: number[] = [0];
    for (let round = 0; round < PIECES; round += 1) {
      const t = alice.out();
      if (t.sending === undefined) break;
      for (const e of alice.on({ type: 'piece-sent', id: ID, index: t.sending, epoch: t.epoch }))
        if (e.type === 'send-piece') sent.push(e.index);
    }
    expect(sent).toEqual(Array.from({ length: WINDOW_PIECES }, (_, i) => i));
    expect(alice.out()).toMatchObject({ next: WINDOW_PIECES, sending: undefined, acked: 0 });
    expect(alice.say(frame(BOB, have(1)))).toEqual([`send-piece ${WINDOW_PIECES}`]);
    // A Have that says less than before changes nothing.
    const { epoch } = alice.out();
    alice.on({ type: 'piece-sent', id: ID, index: WINDOW_PIECES, epoch });
    expect(alice.say(frame(BOB, have(0)))).toEqual([]);
    expect(alice.out().acked).toBe(1);
    expect(alice.say(frame(BOB, have(3)))).toEqual([`send-piece ${WINDOW_PIECES + 1}`]);
  });

  it('stops at the last piece and waits for the receiver to say it has them all', () => {
    const alice = sending(0);
    alice.on(frame(BOB, have(PIECES - 1)));
    sendThrough(alice, PIECES);
    expect(alice.out()).toMatchObject({ next: PIECES, sending: undefined, status: 'accepted' });
  });

  it('a piece cut short by a rewind does not move the cursor, nor start the piece twice', () => {
    const alice = sending(0);
    const cut = alice.out().epoch;
    // Bob asks for piece 0 again (a re-offer answered) while the first copy is still going out.
    expect(alice.say(frame(BOB, want(0)))).toEqual(['send-piece 0']);
    expect(alice.out().epoch).toBe(cut + 1);
    // The first copy ends: nothing moves, and the second copy is not started a second time.
    expect(alice.say({ type: 'piece-sent', id: ID, index: 0, epoch: cut })).toEqual([]);
    expect(alice.out()).toMatchObject({ next: 0, sending: 0 });
    expect(alice.say({ type: 'piece-sent', id: ID, index: 0, epoch: cut + 1 })).toEqual(['send-piece 1']);
  });

  it('a piece cut short by a lost link does not move the cursor; the receiver says where to go on', () => {
    const alice = sending(2);
    const cut = alice.out().epoch;
    expect(alice.say({ type: 'link-down', contactKey: BOB })).toEqual([]);
    expect(alice.say({ type: 'piece-sent', id: ID, index: 2, epoch: cut })).toEqual([]);
    expect(alice.say({ type: 'link-up', contactKey: BOB })).toEqual(['offer → bob']);
    // A Have (the receiver's link-up) is not a Want: nothing is sent until Bob says where.
    expect(alice.say(frame(BOB, have(1)))).toEqual([]);
    expect(alice.say(frame(BOB, want(2)))).toEqual(['send-piece 2']);
  });

  it('a Want rewinds, even below what the receiver said it held (it may have lost pieces)', () => {
    const alice = sending(0);
    alice.on(frame(BOB, have(3)));
    sendThrough(alice, 5);
    const before = alice.out().epoch;
    expect(alice.say(frame(BOB, want(1)))).toEqual(['send-piece 1']);
    expect(alice.out()).toMatchObject({ next: 1, sending: 1, acked: 1, epoch: before + 1 });
    // A Want above what was acknowledged keeps the acknowledgement.
    alice.on(frame(BOB, have(2)));
    alice.on(frame(BOB, want(3)));
    expect(alice.out()).toMatchObject({ next: 3, acked: 2 });
  });

  it('a Want past the end is refused; a Want at the end has nothing to send', () => {
    const alice = sending(0);
    const before = alice.state;
    expect(alice.say(frame(BOB, want(PIECES + 1)))).toEqual(['rejected out-of-range']);
    expect(alice.state).toBe(before);
    expect(alice.say(frame(BOB, want(PIECES)))).toEqual([]);
    expect(alice.out()).toMatchObject({ next: PIECES, sending: undefined });
  });

  it('is done when the receiver has every piece: saved, no stop sent', () => {
    const alice = sending(0);
    // Its stored copy of the file is let go (the adapter keeps it while another transfer uses it).
    expect(alice.say(frame(BOB, have(PIECES)))).toEqual(['save done', 'discard']);
    expect(alice.out()).toMatchObject({ status: 'done', sending: undefined, acked: PIECES });
    // Late frames change nothing.
    expect(alice.say(frame(BOB, have(PIECES)))).toEqual([]);
    expect(alice.say(frame(BOB, want(0)))).toEqual([]);
  });

  it('is done when a re-offer is answered with Have(all) (the receiver finished while the link was down)', () => {
    const alice = sender();
    expect(alice.say(frame(BOB, have(PIECES)))).toEqual(['save done', 'discard']);
  });

  it('refuses a Have past the end', () => {
    const alice = sending(0);
    expect(alice.say(frame(BOB, have(PIECES + 1)))).toEqual(['rejected out-of-range']);
    expect(alice.out().status).toBe('accepted');
  });

  it('refuses a Want for a transfer it cancelled', () => {
    const alice = sending(0);
    alice.on({ type: 'cancel', id: ID });
    expect(alice.say(frame(BOB, want(0)))).toEqual(['rejected not-accepted']);
  });

  it('cancelled: saved, the receiver told when reachable, the source let go; once only', () => {
    const online = sending(0);
    expect(online.say({ type: 'cancel', id: ID })).toEqual(['save cancelled', 'stop cancelled → bob', 'discard']);
    expect(online.out()).toMatchObject({ status: 'cancelled', sending: undefined });
    expect(online.say({ type: 'cancel', id: ID })).toEqual([]);
    const offline = sender({ online: false });
    expect(offline.say({ type: 'cancel', id: ID })).toEqual(['save cancelled', 'discard']);
  });

  it('fails when its file cannot be read, and says so', () => {
    const alice = sending(0);
    expect(alice.say({ type: 'piece-unreadable', id: ID, detail: 'gone' })).toEqual([
      'save failed',
      'stop failed → bob',
      'discard',
    ]);
    expect(alice.out().problem).toMatchObject({ kind: 'storage' });
  });

  it.each([
    ['declined', 'declined', undefined],
    ['cancelled', 'cancelled', undefined],
    ['failed', 'failed', 'damaged'],
    ['unknown', 'failed', 'damaged'],
  ] as const)('a stop (%s) from the receiver ends it as %s, without a stop back', (reason, status, problem) => {
    const alice = sending(0);
    expect(alice.say(frame(BOB, stop(reason)))).toEqual([`save ${status}`, 'discard']);
    expect(alice.out().status).toBe(status);
    expect(alice.out().problem?.kind).toBe(problem);
  });

  it('refuses pieces and chunks sent to it for its own transfer', () => {
    const alice = sending(0);
    expect(alice.say(frame(BOB, header(0)))).toEqual(['rejected wrong-direction']);
    expect(alice.say(frame(BOB, chunk(0, 0, Uint8Array.of(1))))).toEqual(['rejected wrong-direction']);
  });
});

describe('a receiver', () => {
  it('keeps an offer for its user to answer', () => {
    const bob = new Side();
    expect(bob.say(frame(ALICE, offerOf(META), 4242))).toEqual(['save offered', 'offer-arrived']);
    expect(bob.in()).toMatchObject({ status: 'offered', online: true, createdAt: 4242, meta: META, contactKey: ALICE });
  });

  it('asks for piece 0 when accepted', () => {
    const bob = offered();
    const effects = bob.on({ type: 'answer', id: ID, accept: true });
    expect(said(effects)).toEqual(['save accepted', 'want 0 → alice']);
    expect(effects[1]).toEqual({ type: 'send', contactKey: ALICE, frame: want(0) });
    expect(bob.say({ type: 'answer', id: ID, accept: true })).toEqual([]);
  });

  it('says Stop(declined) when declined, and keeps nothing', () => {
    const bob = offered();
    expect(bob.say({ type: 'answer', id: ID, accept: false })).toEqual([
      'save declined',
      'stop declined → alice',
      'discard',
    ]);
    expect(bob.in().status).toBe('declined');
  });

  it('accepted while the link is down: asks where to start once the sender offers again', () => {
    const bob = offered();
    bob.on({ type: 'link-down', contactKey: ALICE });
    expect(bob.say({ type: 'answer', id: ID, accept: true })).toEqual(['save accepted']);
    expect(bob.say({ type: 'link-up', contactKey: ALICE })).toEqual(['have 0 → alice']);
    expect(bob.say(frame(ALICE, offerOf(META)))).toEqual(['want 0 → alice']);
  });

  describe('answers an offer made again (after a break) by where it stands', () => {
    it('not answered yet: nothing', () => {
      expect(offered().say(frame(ALICE, offerOf(META)))).toEqual([]);
    });

    it('accepted: Want from the first piece not received', () => {
      const bob = storedThrough(2);
      feedPiece(bob, 2);
      expect(bob.say(frame(ALICE, offerOf(META)))).toEqual(['want 3 → alice']);
    });

    it('accepted, waiting for pieces to be stored before a rewind: nothing yet', () => {
      const bob = receiving();
      feedPiece(bob, 0);
      feedPiece(bob, 1);
      bob.on({ type: 'piece-checked', id: ID, index: 0, ok: true });
      bob.on({ type: 'piece-checked', id: ID, index: 1, ok: false });
      expect(bob.in().rewinding).toBe(true);
      expect(bob.say(frame(ALICE, offerOf(META)))).toEqual([]);
    });

    it('checking the whole file: nothing', () => {
      const bob = storedThrough(PIECES);
      expect(bob.in().status).toBe('verifying');
      expect(bob.say(frame(ALICE, offerOf(META)))).toEqual([]);
    });

    it('done: Have(all)', () => {
      const bob = storedThrough(PIECES);
      bob.on({ type: 'verified', id: ID, ok: true });
      expect(bob.say(frame(ALICE, offerOf(META)))).toEqual([`have ${PIECES} → alice`]);
    });

    it.each(['declined', 'cancelled'] as const)('%s: Stop with that reason', (status) => {
      const bob = offered();
      bob.on(status === 'declined' ? { type: 'answer', id: ID, accept: false } : { type: 'cancel', id: ID });
      expect(bob.say(frame(ALICE, offerOf(META)))).toEqual([`stop ${status} → alice`]);
    });

    it('failed: Stop(failed)', () => {
      const bob = receiving();
      bob.on({ type: 'store-failed', id: ID, detail: 'disk full' });
      expect(bob.say(frame(ALICE, offerOf(META)))).toEqual(['stop failed → alice']);
    });
  });

  it('takes a piece as its header, then chunks in order; whole, it is checked against the header’s hash', () => {
    const bob = receiving();
    const frames = pieceFrames(0);
    expect(bob.say(frame(ALICE, frames[0] as FileFrame))).toEqual([]);
    expect(bob.in().filling).toMatchObject({ index: 0, offset: 0 });
    const words = frames.slice(1).map((f) => bob.say(frame(ALICE, f)));
    expect(words).toEqual([['append 0@0'], ['append 0@4096'], ['append 0@8192'], ['append 0@12288', 'check 0']]);
    expect(bob.in()).toMatchObject({ received: 1, pending: 1, stored: 0, filling: undefined });
    bob.on(frame(ALICE, header(1)));
    expect(feedLast(bob, 1)).toEqual({ type: 'check', id: ID, index: 1, hash: pieceHash(1) });
  });

  it('appends exactly the bytes each chunk carried', () => {
    const bob = receiving();
    const appended: Uint8Array[] = [];
    for (const f of pieceFrames(0))
      for (const e of bob.on(frame(ALICE, f))) if (e.type === 'append') appended.push(e.bytes);
    expect(Buffer.concat(appended)).toEqual(Buffer.from(pieceBytes(0)));
  });

  it('a checked piece is stored; stored, it is acknowledged with Have', () => {
    const bob = receiving();
    feedPiece(bob, 0);
    expect(bob.say({ type: 'piece-checked', id: ID, index: 0, ok: true })).toEqual(['store 0']);
    expect(bob.in()).toMatchObject({ pending: 1, stored: 0 });
    expect(bob.say({ type: 'piece-stored', id: ID, index: 0 })).toEqual(['have 1 → alice']);
    expect(bob.in()).toMatchObject({ pending: 0, stored: 1 });
  });

  it('never says Have(all) before the whole file is read back: the last piece stored starts the check', () => {
    const bob = storedThrough(PIECES - 1);
    feedPiece(bob, PIECES - 1);
    bob.on({ type: 'piece-checked', id: ID, index: PIECES - 1, ok: true });
    expect(bob.say({ type: 'piece-stored', id: ID, index: PIECES - 1 })).toEqual(['save verifying', 'verify']);
    expect(bob.in()).toMatchObject({ status: 'verifying', stored: PIECES });
  });

  it('verified: done, handed to downloads, and Have(all) tells the sender', () => {
    const bob = storedThrough(PIECES);
    expect(bob.say({ type: 'verified', id: ID, ok: true })).toEqual(['save done', 'deliver', `have ${PIECES} → alice`]);
    expect(bob.in()).toMatchObject({ status: 'done', saved: false });
    expect(bob.say({ type: 'saved', id: ID, ok: true })).toEqual(['save done']);
    expect(bob.in().saved).toBe(true);
  });

  it('verified while the link is down: done, and Have(all) waits for the sender’s re-offer', () => {
    const bob = storedThrough(PIECES);
    bob.on({ type: 'link-down', contactKey: ALICE });
    expect(bob.say({ type: 'verified', id: ID, ok: true })).toEqual(['save done', 'deliver']);
    expect(bob.say({ type: 'link-up', contactKey: ALICE })).toEqual([]);
    expect(bob.say(frame(ALICE, offerOf(META)))).toEqual([`have ${PIECES} → alice`]);
  });

  it('a file that does not match its offer when read back fails as damaged', () => {
    const bob = storedThrough(PIECES);
    expect(bob.say({ type: 'verified', id: ID, ok: false })).toEqual(['save failed', 'stop failed → alice', 'discard']);
    expect(bob.in().problem).toMatchObject({ kind: 'damaged' });
  });

  it('a download that failed is said so', () => {
    const bob = storedThrough(PIECES);
    bob.on({ type: 'verified', id: ID, ok: true });
    bob.on({ type: 'saved', id: ID, ok: false, detail: 'no space' });
    expect(bob.in()).toMatchObject({ status: 'done', saved: false, problem: { kind: 'download', detail: 'no space' } });
  });

  it('a store that failed fails the transfer', () => {
    const bob = receiving();
    feedPiece(bob, 0);
    bob.on({ type: 'piece-checked', id: ID, index: 0, ok: true });
    expect(bob.say({ type: 'store-failed', id: ID, detail: 'quota' })).toEqual([
      'save failed',
      'stop failed → alice',
      'discard',
    ]);
    expect(bob.in().problem).toMatchObject({ kind: 'storage' });
  });

  it('refuses pieces before it accepted', () => {
    const bob = offered();
    expect(bob.say(frame(ALICE, header(0)))).toEqual(['rejected not-accepted']);
    expect(bob.say(frame(ALICE, chunk(0, 0, Uint8Array.of(1))))).toEqual(['rejected not-accepted']);
  });

  it('a stop from the sender ends it without a stop back; stored pieces are let go', () => {
    const bob = storedThrough(1);
    expect(bob.say(frame(ALICE, stop('cancelled')))).toEqual(['save cancelled', 'discard']);
    expect(bob.say(frame(ALICE, stop('cancelled')))).toEqual([]);
  });

  it('its user cancels: the sender is told', () => {
    const bob = storedThrough(1);
    expect(bob.say({ type: 'cancel', id: ID })).toEqual(['save cancelled', 'stop cancelled → alice', 'discard']);
  });

  it('forgetting a finished transfer lets it go', () => {
    const bob = storedThrough(1);
    bob.on({ type: 'cancel', id: ID });
    expect(bob.say({ type: 'forget', id: ID })).toEqual(['discard']);
    expect(bob.state.transfers.has(ID)).toBe(false);
    expect(bob.say({ type: 'forget', id: ID })).toEqual([]);
  });

  it('a link lost mid-piece: the piece in hand is dropped and begun afresh when asked for again', () => {
    const bob = storedThrough(1);
    const frames = pieceFrames(1);
    bob.on(frame(ALICE, frames[0] as FileFrame));
    bob.on(frame(ALICE, frames[1] as FileFrame));
    bob.on({ type: 'link-down', contactKey: ALICE });
    expect(bob.in().filling).toBeUndefined();
    expect(bob.say({ type: 'link-up', contactKey: ALICE })).toEqual(['have 1 → alice']);
    expect(bob.say(frame(ALICE, offerOf(META)))).toEqual(['want 1 → alice']);
    bob.on(frame(ALICE, frames[0] as FileFrame));
    expect(bob.say(frame(ALICE, frames[1] as FileFrame))).toEqual(['append 1@0']);
    expect(bob.in().strikes).toBe(0);
  });
});

/** The last chunk of piece `index` (its header already taken), and the check it brings. */
function feedLast(side: Side, index: number): TransferEffect | undefined {
  let effects: TransferEffect[] = [];
  for (const f of pieceFrames(index).slice(1)) effects = side.on(frame(ALICE, f));
  return effects.find((e) => e.type === 'check');
}

describe('a receiver counts what no honest sender sends as strikes', () => {
  const overLong = () => {
    const bob = receiving();
    bob.on(frame(ALICE, header(0)));
    return { bob, f: chunk(0, 0, new Uint8Array(PIECE + 1)) };
  };
  const wrongOffset = () => {
    const bob = receiving();
    bob.on(frame(ALICE, header(0)));
    return { bob, f: chunk(0, CHUNK, new Uint8Array(CHUNK)) };
  };
  const pastTheEnd = () => {
    const bob = receiving();
    return { bob, f: header(PIECES) };
  };
  const chunkPastTheEnd = () => {
    const bob = receiving();
    bob.on(frame(ALICE, header(0)));
    return { bob, f: chunk(PIECES, 0, Uint8Array.of(1)) };
  };
  const laterHeaderWhileFilling = () => {
    const bob = receiving();
    bob.on(frame(ALICE, header(0)));
    bob.on(frame(ALICE, chunk(0, 0, pieceBytes(0).subarray(0, CHUNK))));
    return { bob, f: header(1) };
  };
  const lastPieceTooLong = () => {
    const bob = storedThrough(PIECES - 1);
    bob.on(frame(ALICE, header(PIECES - 1)));
    return { bob, f: chunk(PIECES - 1, 0, new Uint8Array(1001)) };
  };

  it.each([
    ['a chunk beyond the piece’s length', overLong, 'too-long', 0],
    ['a chunk beyond the last (short) piece’s length', lastPieceTooLong, 'too-long', PIECES - 1],
    ['a chunk at the wrong offset', wrongOffset, 'out-of-turn', 0],
    ['a piece index past the end', pastTheEnd, 'out-of-range', 0],
    ['a chunk index past the end', chunkPastTheEnd, 'out-of-range', 0],
    ['a later piece’s header while a piece is being filled', laterHeaderWhileFilling, 'out-of-turn', 0],
  ])('%s: the piece in hand dropped, asked for again, one strike', (_, setUp, why, from) => {
    const { bob, f } = setUp();
    expect(bob.say(frame(ALICE, f))).toEqual([`rejected ${why}`, `drop from ${from}`, `want ${from} → alice`]);
    expect(bob.in()).toMatchObject({ strikes: 1, filling: undefined, received: from, status: 'accepted' });
  });

  it(`${MAX_STRIKES} strikes are forgiven; one more fails the transfer, tells the sender and keeps nothing`, () => {
    const bob = receiving();
    for (let strike = 1; strike <= MAX_STRIKES; strike += 1) {
      bob.on(frame(ALICE, header(0)));
      bob.on(frame(ALICE, chunk(0, CHUNK, new Uint8Array(10))));
      expect(bob.in()).toMatchObject({ strikes: strike, status: 'accepted' });
    }
    bob.on(frame(ALICE, header(0)));
    expect(bob.say(frame(ALICE, chunk(0, CHUNK, new Uint8Array(10))))).toEqual([
      'rejected out-of-turn',
      'save failed',
      'stop failed → alice',
      'discard',
    ]);
    expect(bob.in()).toMatchObject({ status: 'failed', problem: { kind: 'damaged' } });
    expect(bob.say(frame(ALICE, header(0)))).toEqual(['rejected not-accepted']);
  });

  it('duplicates of what it already has are ignored without a strike', () => {
    const bob = storedThrough(2);
    feedPiece(bob, 2);
    expect(bob.say(frame(ALICE, header(0)))).toEqual(['rejected duplicate']);
    expect(bob.say(frame(ALICE, chunk(1, 0, pieceBytes(1).subarray(0, CHUNK))))).toEqual(['rejected duplicate']);
    expect(bob.say(frame(ALICE, header(2)))).toEqual(['rejected duplicate']);
    // A piece's last chunk again, after the piece was whole.
    expect(bob.say(frame(ALICE, pieceFrames(2).at(-1) as FileFrame))).toEqual(['rejected duplicate']);
    expect(bob.in()).toMatchObject({ strikes: 0, received: 3 });
  });

  it('the piece in hand begun again (the sender answered a second Want for it) starts afresh, no strike', () => {
    const bob = receiving();
    bob.on(frame(ALICE, header(0)));
    bob.on(frame(ALICE, chunk(0, 0, pieceBytes(0).subarray(0, CHUNK))));
    const fresh = new Uint8Array(32).fill(7);
    expect(bob.say(frame(ALICE, header(0, fresh)))).toEqual([]);
    expect(bob.in()).toMatchObject({ filling: { index: 0, offset: 0, hash: fresh }, strikes: 0 });
    expect(bob.say(frame(ALICE, chunk(0, 0, pieceBytes(0).subarray(0, CHUNK))))).toEqual(['append 0@0']);
    // Checked against the hash that came with the copy it kept.
    const effects = pieceFrames(0)
      .slice(2)
      .flatMap((f) => bob.on(frame(ALICE, f)));
    expect(effects.find((e) => e.type === 'check')).toEqual({ type: 'check', id: ID, index: 0, hash: fresh });
    expect(bob.in().strikes).toBe(0);
  });

  it('an earlier piece while one is being filled (the sender went back) is a duplicate, no strike', () => {
    const bob = storedThrough(2);
    const piece2 = pieceFrames(2);
    bob.on(frame(ALICE, piece2[0] as FileFrame));
    bob.on(frame(ALICE, piece2[1] as FileFrame));
    for (const f of [...pieceFrames(0), ...pieceFrames(1)])
      expect(bob.say(frame(ALICE, f))).toEqual(['rejected duplicate']);
    expect(bob.in()).toMatchObject({ strikes: 0, filling: { index: 2, offset: CHUNK } });
    // Piece 2 comes again from its start, and is taken.
    expect(feedPiece(bob, 2)).toEqual(['append 2@12288', 'check 2']);
    expect(bob.in()).toMatchObject({ strikes: 0, received: 3 });
  });

  it('accepting just as the sender offers again (two Wants for piece 0) costs no strike', () => {
    const alice = sender();
    const bob = offered();
    alice.on({ type: 'link-down', contactKey: BOB });
    bob.on({ type: 'link-down', contactKey: ALICE });
    // Both links come back; Alice's re-offer is on its way when Bob accepts.
    expect(alice.say({ type: 'link-up', contactKey: BOB })).toEqual(['offer → bob']);
    bob.on({ type: 'link-up', contactKey: ALICE });
    expect(bob.say({ type: 'answer', id: ID, accept: true })).toEqual(['save accepted', 'want 0 → alice']);
    expect(bob.say(frame(ALICE, offerOf(META)))).toEqual(['want 0 → alice']);
    // Alice starts piece 0 on the first Want, then starts it again on the second.
    alice.on(frame(BOB, want(0)));
    const first = pieceFrames(0);
    for (const f of first.slice(0, 3)) bob.on(frame(ALICE, f));
    const cut = alice.out().epoch;
    expect(alice.say(frame(BOB, want(0)))).toEqual(['send-piece 0']);
    expect(alice.say({ type: 'piece-sent', id: ID, index: 0, epoch: cut })).toEqual([]);
    expect(feedPiece(bob, 0)).toEqual(['append 0@12288', 'check 0']);
    expect(bob.in()).toMatchObject({ strikes: 0, received: 1 });
  });

  it('pieces still in flight from before a rewind are ignored without a strike', () => {
    const bob = storedThrough(1);
    const frames = pieceFrames(1);
    bob.on(frame(ALICE, frames[0] as FileFrame));
    bob.on(frame(ALICE, chunk(1, CHUNK, new Uint8Array(CHUNK))));
    expect(bob.in()).toMatchObject({ strikes: 1, received: 1 });
    // The rest of piece 1 and the start of piece 2, sent before the sender heard the Want.
    for (const f of [...frames.slice(2), ...pieceFrames(2)])
      expect(bob.say(frame(ALICE, f))).toEqual(['rejected out-of-turn']);
    expect(bob.in()).toMatchObject({ strikes: 1, received: 1, filling: undefined });
    // Then piece 1 from its start: taken.
    expect(feedPiece(bob, 1)).toEqual(['append 1@12288', 'check 1']);
  });

  it('a piece that fails its check: later pieces dropped, Want only after the pieces before it are stored', () => {
    const bob = receiving();
    for (const index of [0, 1, 2]) feedPiece(bob, index);
    bob.on(frame(ALICE, header(3)));
    expect(bob.in()).toMatchObject({ received: 3, pending: 3 });
    expect(bob.say({ type: 'piece-checked', id: ID, index: 0, ok: true })).toEqual(['store 0']);
    expect(bob.say({ type: 'piece-checked', id: ID, index: 1, ok: false })).toEqual([
      'rejected bad-hash',
      'drop from 1',
    ]);
    expect(bob.in()).toMatchObject({ received: 1, rewinding: true, strikes: 1, filling: undefined });
    // While it waits, even the piece it will ask for is not taken (the sender has not heard yet).
    expect(bob.say(frame(ALICE, header(1)))).toEqual(['rejected out-of-turn']);
    // Piece 2 passed its check, but it came after the bad one: not stored.
    expect(bob.say({ type: 'piece-checked', id: ID, index: 2, ok: true })).toEqual([]);
    expect(bob.say({ type: 'piece-stored', id: ID, index: 0 })).toEqual(['have 1 → alice', 'want 1 → alice']);
    expect(bob.in()).toMatchObject({ stored: 1, received: 1, pending: 0, rewinding: false });
    feedPiece(bob, 1);
    expect(bob.in()).toMatchObject({ received: 2, pending: 1 });
  });

  it('a piece that fails its check with nothing else in hand is asked for at once', () => {
    const bob = storedThrough(2);
    feedPiece(bob, 2);
    expect(bob.say({ type: 'piece-checked', id: ID, index: 2, ok: false })).toEqual([
      'rejected bad-hash',
      'drop from 2',
      'want 2 → alice',
    ]);
  });

  it('a store that comes back for a piece dropped by a rewind moves nothing', () => {
    const bob = storedThrough(1);
    feedPiece(bob, 1);
    bob.on({ type: 'piece-checked', id: ID, index: 1, ok: true });
    // The adapter answers a store of a dropped piece with index -1.
    expect(bob.say({ type: 'piece-stored', id: ID, index: -1 })).toEqual([]);
    expect(bob.in()).toMatchObject({ stored: 1, pending: 0 });
  });
});

describe('after a restart', () => {
  it('every transfer read back is offline until its link comes up', () => {
    const side = new Side();
    const out = outgoing({ id: '01'.repeat(16), online: true, status: 'accepted' });
    const inc = incoming({ online: true, stored: 2, received: 2 });
    expect(side.say({ type: 'restored', transfers: [out, inc] })).toEqual([]);
    expect(side.get(out.id).online).toBe(false);
    expect(side.get(inc.id).online).toBe(false);
    expect(side.say({ type: 'link-up', contactKey: BOB })).toEqual(['offer → bob']);
    expect(side.say({ type: 'link-up', contactKey: ALICE })).toEqual(['have 2 → alice']);
  });

  it('an incoming file with every piece stored is checked again', () => {
    const side = new Side();
    expect(side.say({ type: 'restored', transfers: [incoming({ stored: PIECES, received: PIECES })] })).toEqual([
      'verify',
    ]);
    expect(side.in().status).toBe('verifying');
    expect(side.say({ type: 'verified', id: ID, ok: true })).toEqual(['save done', 'deliver']);
  });

  it('a transfer already known is not replaced by one read back', () => {
    const bob = storedThrough(3);
    bob.on({ type: 'restored', transfers: [incoming({ stored: 0, received: 0 })] });
    expect(bob.in().stored).toBe(3);
  });
});

describe('offers and frames from the wrong place', () => {
  const idOf = (n: number) => n.toString(16).padStart(32, '0');
  const offerFrom = (side: Side, contactKey: string, n: number) =>
    side.say(frame(contactKey, offerOf(META, fromHex(idOf(n)))));

  it(`more than ${MAX_OPEN_OFFERS} open offers from one contact: the next is declined unseen`, () => {
    const bob = new Side();
    for (let n = 1; n <= MAX_OPEN_OFFERS; n += 1)
      expect(offerFrom(bob, ALICE, n)).toEqual(['save offered', 'offer-arrived']);
    const effects = bob.on(frame(ALICE, offerOf(META, fromHex(idOf(999)))));
    expect(said(effects)).toEqual(['stop declined → alice', 'rejected too-many-offers']);
    expect(effects[0]).toEqual({ type: 'send', contactKey: ALICE, frame: stop('declined', fromHex(idOf(999))) });
    expect(bob.state.transfers.has(idOf(999))).toBe(false);
    // Another contact's offers are counted apart.
    expect(offerFrom(bob, CAROL, 1000)).toEqual(['save offered', 'offer-arrived']);
    // A finished one no longer counts.
    bob.on({ type: 'answer', id: idOf(1), accept: false });
    expect(offerFrom(bob, ALICE, 1001)).toEqual(['save offered', 'offer-arrived']);
  });

  it('frames for a transfer of another contact are refused, and the transfer is untouched', () => {
    const bob = storedThrough(1);
    const before = bob.state;
    expect(bob.say(frame(CAROL, header(1)))).toEqual(['rejected unknown-transfer']);
    expect(bob.say(frame(CAROL, chunk(1, 0, Uint8Array.of(1))))).toEqual(['rejected unknown-transfer']);
    expect(bob.say(frame(CAROL, stop('cancelled')))).toEqual(['rejected unknown-transfer']);
    expect(bob.say(frame(CAROL, offerOf(META)))).toEqual(['rejected wrong-direction']);
    expect(bob.say(frame(CAROL, want(0)))).toEqual(['stop unknown → carol', 'rejected unknown-transfer']);
    expect(bob.say(frame(CAROL, have(0)))).toEqual(['stop unknown → carol', 'rejected unknown-transfer']);
    expect(bob.state).toBe(before);
  });

  it('an offer reusing the id of our own outgoing transfer is refused', () => {
    const alice = sending(0);
    expect(alice.say(frame(BOB, offerOf(META)))).toEqual(['rejected wrong-direction']);
  });

  it('Want or Have for a transfer we do not know is answered Stop(unknown), so the other side stops waiting', () => {
    const side = new Side();
    const effects = side.on(frame(BOB, want(0)));
    expect(effects[0]).toEqual({ type: 'send', contactKey: BOB, frame: stop('unknown') });
    expect(side.say(frame(BOB, have(3)))).toEqual(['stop unknown → bob', 'rejected unknown-transfer']);
    expect(side.say(frame(BOB, header(0)))).toEqual(['rejected unknown-transfer']);
    expect(side.say(frame(BOB, stop('failed')))).toEqual(['rejected unknown-transfer']);
    expect(side.state.transfers.size).toBe(0);
  });
});

describe('an empty file', () => {
  const EMPTY = metaOf(0);

  it('has no pieces: accepted, it is checked at once, and done on both sides', () => {
    expect(EMPTY.pieces).toBe(0);
    const alice = new Side();
    expect(alice.say({ type: 'created', transfer: outgoing({ meta: EMPTY }) })).toEqual([
      'save offered',
      'offer → bob',
    ]);
    const bob = new Side();
    bob.on(frame(ALICE, offerOf(EMPTY)));
    expect(bob.say({ type: 'answer', id: ID, accept: true })).toEqual(['save accepted', 'verify']);
    expect(bob.in().status).toBe('verifying');
    expect(bob.say({ type: 'verified', id: ID, ok: true })).toEqual(['save done', 'deliver', 'have 0 → alice']);
    expect(alice.say(frame(BOB, have(0)))).toEqual(['save done', 'discard']);
  });

  it('a Want(0) for it sends nothing', () => {
    const alice = new Side();
    alice.on({ type: 'created', transfer: outgoing({ meta: EMPTY }) });
    expect(alice.say(frame(BOB, want(0)))).toEqual(['save accepted']);
  });
});

// ---------------------------------------------------------------------------------------------
// A sender and a receiver against each other.

/** A small seeded generator (mulberry32): the same scenarios on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = {
  file: Uint8Array;
  delivered?: Uint8Array;
  senderStatus: string;
  receiverStatus: string;
  strikes: number;
  faults: number;
  drops: number;
  chunkBytesSent: number;
  steps: number;
  /** What happened, in order: to replay a failing seed. */
  log: string[];
};

/**
 * Alice sends a file to Bob. Frames travel as bytes (encodeFrame, decodeFrame). Each side's
 * effects are carried out as the agent does (lib/agent/agent-transfers.ts): a piece goes out as
 * a header and chunks, one chunk per step,
 * each after checking its send still matters; a piece is hashed, then stored, in order; a
 * stored piece must be the file's. Every step picks at random what happens next: a frame
 * arrives, a chunk goes out, a check or store finishes, the link drops (losing some of what
 * was in flight), or comes back; some chunks arrive twice or damaged.
 */
function simulate(seed: number, wire: { maxFaults: number; maxDrops: number }): Outcome {
  const random = prng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const pieceCount = seed % 20 === 0 ? 0 : 1 + pick(2 * WINDOW_PIECES + 4);
  const size = pieceCount === 0 ? 0 : (pieceCount - 1) * PIECE + 1 + pick(PIECE);
  const file = Uint8Array.from({ length: size }, () => pick(256));
  const pieceOf = (index: number) => file.subarray(index * PIECE, index * PIECE + pieceLength(size, PIECE, index));
  const hashes = Array.from({ length: pieceCount }, (_, index) => sha256(pieceOf(index)));
  const all = new Uint8Array(pieceCount * 32);
  for (const [index, hash] of hashes.entries()) all.set(hash, index * 32);
  const meta: FileMeta = { name: 'f.bin', type: '', size, pieceBytes: PIECE, pieces: pieceCount, root: sha256(all) };
  const chunkBytes = [1000, 4096, 6000, PIECE][pick(4)] ?? CHUNK;
  const faultBudget = pick(wire.maxFaults + 1);
  const dropBudget = pick(wire.maxDrops + 1);

  const log: string[] = [];
  let linkUp = true;
  let faults = 0;
  let drops = 0;
  let chunkBytesSent = 0;
  const toBob: Uint8Array[] = [];
  const toAlice: Uint8Array[] = [];
  const alice = new Side();
  const bob = new Side();

  // Alice's pieces going out: as `sendPiece` does, one chunk per step.
  type Job = { index: number; epoch: number; offset: number; headerSent: boolean };
  const jobs: Job[] = [];
  const isCurrent = (job: Job) => {
    const t = alice.state.transfers.get(ID);
    return t?.direction === 'outgoing' && t.epoch === job.epoch && t.status === 'accepted' && t.online;
  };

  // Bob's pieces coming in: held bytes, checked pieces, and the in-order work chain.
  let filling: { index: number; parts: Uint8Array[] } | undefined;
  const checked = new Map<number, Uint8Array>();
  const stored: Uint8Array[] = [];
  const work: Array<() => void> = [];
  let delivered: Uint8Array | undefined;
  let answered = false;
  let accept = false;

  const put = (queue: Uint8Array[], f: FileFrame) => {
    if (linkUp) queue.push(encodeFrame(f));
  };
  const decoded = (bytes: Uint8Array): FileFrame => {
    const result = decodeFrame(bytes);
    if (!result.ok || !result.frame.kind.startsWith('file-')) throw new Error(`seed ${seed}: a frame did not decode`);
    return result.frame as FileFrame;
  };
  const deliverToAlice = () =>
    fromAlice({ type: 'frame', contactKey: BOB, frame: decoded(toAlice.shift() as Uint8Array), at: 0 });

  const fromAlice = (event: TransferEvent) => {
    for (const e of alice.on(event)) {
      switch (e.type) {
        case 'send':
          put(toBob, e.frame);
          break;
        case 'send-piece':
          log.push(
            `send-piece ${e.index} epoch ${e.epoch}${jobs.some((j) => j.index === e.index) ? ' while another copy is going' : ''}`,
          );
          jobs.push({ index: e.index, epoch: e.epoch, offset: 0, headerSent: false });
          break;
        case 'save':
        case 'discard':
        case 'rejected':
          break;
        default:
          throw new Error(`seed ${seed}: a sender does not ${e.type}`);
      }
    }
  };

  const fromBob = (event: TransferEvent) => {
    for (const e of bob.on(event)) {
      switch (e.type) {
        case 'send':
          if (e.frame.kind === 'file-have') {
            // Never more than is stored, and "all" only once the file was read back.
            expect(e.frame.upTo).toBeLessThanOrEqual(stored.length);
            if (e.frame.upTo === pieceCount) expect(bob.in().status).toBe('done');
          }
          put(toAlice, e.frame);
          break;
        case 'append':
          if (filling?.index === e.index && e.offset > 0) filling.parts.push(e.bytes.slice());
          else filling = { index: e.index, parts: [e.bytes.slice()] };
          break;
        case 'check': {
          // Taken now: the next piece's chunks may arrive before the hash is done.
          const held = filling;
          filling = undefined;
          work.push(() => {
            if (held?.index !== e.index) return fromBob({ type: 'piece-checked', id: ID, index: e.index, ok: false });
            const bytes = Buffer.concat(held.parts);
            const ok = Buffer.from(sha256(bytes)).equals(Buffer.from(e.hash));
            if (ok) checked.set(e.index, new Uint8Array(bytes));
            fromBob({ type: 'piece-checked', id: ID, index: e.index, ok });
          });
          break;
        }
        case 'store':
          work.push(() => {
            const bytes = checked.get(e.index);
            checked.delete(e.index);
            if (!bytes) return fromBob({ type: 'piece-stored', id: ID, index: -1 });
            // Nothing unchecked is ever stored, and pieces are stored in order.
            expect(e.index).toBe(stored.length);
            expect(Buffer.from(bytes).equals(Buffer.from(pieceOf(e.index)))).toBe(true);
            stored.push(bytes);
            fromBob({ type: 'piece-stored', id: ID, index: e.index });
          });
          break;
        case 'drop':
          if (filling && filling.index >= e.from) filling = undefined;
          for (const index of [...checked.keys()]) if (index >= e.from) checked.delete(index);
          break;
        case 'verify':
          work.push(() => {
            const whole = Buffer.concat(stored);
            const ok = stored.length === pieceCount && whole.equals(Buffer.from(file));
            fromBob({ type: 'verified', id: ID, ok });
          });
          break;
        case 'deliver':
          delivered = new Uint8Array(Buffer.concat(stored));
          break;
        case 'offer-arrived':
          answered = false;
          accept = true;
          break;
        case 'discard':
          stored.length = 0;
          break;
        case 'rejected':
          log.push(`bob rejected ${e.why}`);
          break;
        case 'save':
          break;
        default:
          throw new Error(`seed ${seed}: a receiver does not ${e.type}`);
      }
    }
  };

  /** One step of the oldest (or a random) piece being sent. */
  const stepJob = (at: number) => {
    const job = jobs[at] as Job;
    const finish = () => {
      log.push(`piece-sent ${job.index} epoch ${job.epoch}${job.offset < pieceOf(job.index).length ? ' (cut)' : ''}`);
      jobs.splice(at, 1);
      fromAlice({ type: 'piece-sent', id: ID, index: job.index, epoch: job.epoch });
    };
    if (!linkUp || !isCurrent(job)) return finish();
    if (!job.headerSent) {
      job.headerSent = true;
      put(toBob, { kind: 'file-piece', id: FID, index: job.index, hash: hashes[job.index] as Uint8Array });
      return;
    }
    const piece = pieceOf(job.index);
    const bytes = piece.slice(job.offset, job.offset + chunkBytes);
    put(toBob, { kind: 'file-chunk', id: FID, index: job.index, offset: job.offset, bytes });
    chunkBytesSent += bytes.length;
    job.offset += bytes.length;
    if (job.offset >= piece.length) finish();
  };

  const deliverToBob = () => {
    const bytes = toBob.shift() as Uint8Array;
    const f = decoded(bytes);
    if (f.kind === 'file-chunk' && faults < faultBudget && random() < 0.08) {
      faults += 1;
      log.push(`fault at chunk ${f.index}@${f.offset}`);
      if (random() < 0.5) {
        // The same chunk twice.
        fromBob({ type: 'frame', contactKey: ALICE, frame: decoded(bytes), at: 0 });
      } else {
        // One byte of its data changed.
        const damaged = bytes.slice();
        const at = CHUNK_HEAD_BYTES + pick(damaged.length - CHUNK_HEAD_BYTES);
        damaged[at] = (damaged[at] ?? 0) ^ (1 + pick(255));
        return fromBob({ type: 'frame', contactKey: ALICE, frame: decoded(damaged), at: 0 });
      }
    }
    fromBob({ type: 'frame', contactKey: ALICE, frame: f, at: 0 });
  };

  const dropLink = () => {
    drops += 1;
    log.push('link drop');
    // Some of what was in flight arrives, the rest is lost with the link.
    for (let n = pick(toBob.length + 1); n > 0; n -= 1) deliverToBob();
    for (let n = pick(toAlice.length + 1); n > 0; n -= 1) deliverToAlice();
    toBob.length = 0;
    toAlice.length = 0;
    linkUp = false;
    fromAlice({ type: 'link-down', contactKey: BOB });
    fromBob({ type: 'link-down', contactKey: ALICE });
  };

  const restoreLink = () => {
    linkUp = true;
    const first = random() < 0.5;
    if (first) fromAlice({ type: 'link-up', contactKey: BOB });
    fromBob({ type: 'link-up', contactKey: ALICE });
    if (!first) fromAlice({ type: 'link-up', contactKey: BOB });
  };

  fromAlice({ type: 'created', transfer: outgoing({ meta }) });

  const ended = (side: Side) => {
    const t = side.state.transfers.get(ID);
    return t !== undefined && ['done', 'declined', 'cancelled', 'failed'].includes(t.status);
  };
  const finished = () => ended(alice) && ended(bob);
  let steps = 0;
  while (!finished()) {
    steps += 1;
    if (steps > 200_000) throw new Error(`seed ${seed}: no progress`);
    const actions: Array<() => void> = [];
    if (toBob.length > 0) actions.push(deliverToBob, deliverToBob);
    if (toAlice.length > 0) actions.push(deliverToAlice);
    if (jobs.length > 0)
      actions.push(
        () => stepJob(pick(jobs.length)),
        () => stepJob(0),
      );
    if (work.length > 0) actions.push(() => (work.shift() as () => void)());
    if (accept && !answered)
      actions.push(() => {
        answered = true;
        fromBob({ type: 'answer', id: ID, accept: true });
      });
    if (linkUp && drops < dropBudget && random() < 0.03) {
      dropLink();
      continue;
    }
    if (!linkUp) actions.push(restoreLink);
    if (actions.length === 0)
      throw new Error(
        `seed ${seed}: stuck ${JSON.stringify({ alice: alice.state.transfers.get(ID), bob: bob.state.transfers.get(ID), pieceCount, jobs, accept, answered }, (_, v) => (v instanceof Uint8Array ? v.length : v))}`,
      );
    (actions[pick(actions.length)] as () => void)();
  }
  return {
    file,
    delivered,
    senderStatus: alice.out().status,
    receiverStatus: bob.in().status,
    strikes: bob.in().strikes,
    faults,
    drops,
    chunkBytesSent,
    steps,
    log,
  };
}

describe('a sender and a receiver over a wire that drops links and damages chunks', () => {
  const SEEDS = 200;

  function check(seed: number, run: Outcome) {
    expect({ seed, sender: run.senderStatus, receiver: run.receiverStatus }).toEqual({
      seed,
      sender: 'done',
      receiver: 'done',
    });
    const same = run.delivered !== undefined && Buffer.from(run.delivered).equals(Buffer.from(run.file));
    expect({ seed, same }).toEqual({ seed, same: true });
    // Each drop or fault wastes at most what the window had in flight, and the piece in hand.
    const bound = run.file.length + (run.drops + run.faults) * (WINDOW_PIECES + 1) * PIECE;
    expect({ seed, sent: run.chunkBytesSent, withinBound: run.chunkBytesSent <= bound }).toMatchObject({
      seed,
      withinBound: true,
    });
  }

  it(`${SEEDS} seeded runs with links dropping: the file arrives whole, no strike, little sent twice`, () => {
    let drops = 0;
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const run = simulate(seed, { maxFaults: 0, maxDrops: 8 });
      check(seed, run);
      // A lost link, whatever it cut, is never taken for a sender's fault.
      expect({ seed, strikes: run.strikes }).toEqual({ seed, strikes: 0 });
      drops += run.drops;
    }
    expect(drops).toBeGreaterThan(SEEDS);
  });

  it(`${SEEDS} seeded runs with links dropping and up to ${MAX_STRIKES} chunks duplicated or damaged: the file still arrives whole`, () => {
    let faults = 0;
    for (let seed = 10_001; seed <= 10_000 + SEEDS; seed += 1) {
      const run = simulate(seed, { maxFaults: MAX_STRIKES, maxDrops: 4 });
      check(seed, run);
      // Only a duplicated or damaged chunk costs a strike, and at most one each.
      expect({ seed, strikes: run.strikes, atMost: run.faults }).toEqual({
        seed,
        strikes: Math.min(run.strikes, run.faults),
        atMost: run.faults,
      });
      faults += run.faults;
    }
    expect(faults).toBeGreaterThan(SEEDS);
  });
});
