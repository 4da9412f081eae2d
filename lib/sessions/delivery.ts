/**
 * Message delivery with one contact, as a pure reducer: `(state, event) → { state, effects }`.
 * At-least-once on the wire, exactly-once for the user:
 *
 * - Sending: every message gets the next sequence number of my outgoing *stream* and waits in
 *   the outbox until the contact's cumulative ack covers it; on every link-up the whole outbox
 *   goes again, in order (a window bounds how far ahead of the last ack we go).
 * - Receiving: messages are delivered in sequence order; a duplicate (seq already delivered) is
 *   dropped and acked again, a message ahead of a gap is held (bounded) until the gap fills.
 * - A stream is a random u32 chosen when the chat is first created. A different stream from the
 *   contact means its delivery state was reset (a reinstall): counting starts again for it. A
 *   link is one ordered data channel, so an old stream's frames never follow a new one's.
 * - Duplicates are recognised by seq, not by id: ids are the sender's (16 random bytes), and a
 *   sender that gave one id to two seqs has two messages as far as delivery goes (the chat store,
 *   keyed by id, keeps one of them): refusing one would stall the stream behind it.
 *
 * Effects are ordered so that everything to persist comes before anything sent for the same
 * step: the adapter (lib/agent/chat-book.ts) stores first, then sends — a message is in the
 * outbox before it is on the wire, and an ack never leaves before what it acknowledges is stored.
 */

export type OutgoingMessage = { id: string; seq: number; text: string; sentAt: number };
export type IncomingMessage = { id: string; seq: number; text: string; sentAt: number };

export type DeliveryState = {
  /** My outgoing stream (u32). */
  stream: number;
  /** The sequence number the next queued message gets; the first is 1. */
  nextSeq: number;
  /** Unacknowledged, ascending seq. */
  outbox: OutgoingMessage[];
  linkUp: boolean;
  /** Highest seq transmitted on the current link. */
  transmittedUpTo: number;
  peerStream: number | null;
  /** Every message of `peerStream` up to here has been delivered. */
  receivedUpTo: number;
  /**
   * Arrived ahead of a gap, ascending seq; kept across link drops (the next link's retransmission
   * fills the gap), never persisted (a restart forgets it and the sender sends it again).
   */
  held: IncomingMessage[];
};

/** What survives a restart: the counters. The outbox is stored entry by entry. */
export type PersistedDelivery = Pick<DeliveryState, 'stream' | 'nextSeq' | 'peerStream' | 'receivedUpTo'>;

export type DeliveryEvent =
  /** The user wrote a message. */
  | { type: 'queued'; id: string; text: string; sentAt: number }
  | { type: 'link-up' }
  | { type: 'link-down' }
  | {
      type: 'chat-received';
      stream: number;
      seq: number;
      /** The sender's word that every seq below this one was acknowledged (by us, before). */
      floor?: number;
      id: string;
      text: string;
      sentAt: number;
    }
  | { type: 'ack-received'; stream: number; upTo: number };

export type DeliveryEffect =
  /** Persist before it is transmitted. */
  | { type: 'store-outgoing'; message: OutgoingMessage }
  /** Acknowledged: mark delivered, drop from the outbox (every seq ≤ upTo). */
  | { type: 'delivered'; ids: string[]; upTo: number }
  /** New for the user, in order: show and persist. */
  | { type: 'deliver'; messages: IncomingMessage[] }
  /** `floor`: the first seq not yet acknowledged, so a receiver that lost its state can catch up. */
  | { type: 'transmit'; stream: number; floor: number; message: OutgoingMessage }
  | { type: 'send-ack'; stream: number; upTo: number };

export type DeliveryStep = { state: DeliveryState; effects: DeliveryEffect[] };

/** Unacknowledged messages on the wire at once: a long outbox flows as acks come back. */
export const MAX_IN_FLIGHT = 128;
/**
 * How far ahead of a gap a message is held: farther ones are dropped (they come again on the
 * next link). An honest sender never gets farther ahead than its window, MAX_IN_FLIGHT; bounding
 * by distance rather than count also means far-off numbers cannot crowd out the ones that fill
 * the gap.
 */
export const MAX_HELD = 256;

export function newDelivery(stream: number): DeliveryState {
  return restoreDelivery({ stream, nextSeq: 1, peerStream: null, receivedUpTo: 0 }, []);
}

/** After a restart: the persisted counters and outbox, link down, nothing held. */
export function restoreDelivery(saved: PersistedDelivery, outbox: readonly OutgoingMessage[]): DeliveryState {
  const sorted = [...outbox].sort((a, b) => a.seq - b.seq);
  const highest = sorted.at(-1)?.seq ?? 0;
  return {
    stream: saved.stream,
    // Never reuse a seq the outbox already holds, whatever the counter says.
    nextSeq: Math.max(saved.nextSeq, highest + 1),
    outbox: sorted,
    linkUp: false,
    transmittedUpTo: 0,
    peerStream: saved.peerStream,
    receivedUpTo: saved.receivedUpTo,
    held: [],
  };
}

export function reduceDelivery(state: DeliveryState, event: DeliveryEvent): DeliveryStep {
  switch (event.type) {
    case 'queued': {
      const message: OutgoingMessage = { id: event.id, seq: state.nextSeq, text: event.text, sentAt: event.sentAt };
      const next = { ...state, nextSeq: state.nextSeq + 1, outbox: [...state.outbox, message] };
      const sent = transmitWindow(next);
      return { state: sent.state, effects: [{ type: 'store-outgoing', message }, ...sent.effects] };
    }
    case 'link-up': {
      // Everything unacknowledged goes again: the last link may have lost any of it.
      const up = { ...state, linkUp: true, transmittedUpTo: 0 };
      const sent = transmitWindow(up);
      const ack: DeliveryEffect[] =
        state.peerStream === null ? [] : [{ type: 'send-ack', stream: state.peerStream, upTo: state.receivedUpTo }];
      return { state: sent.state, effects: [...ack, ...sent.effects] };
    }
    case 'link-down':
      // What is held stays: the retransmission on the next link fills the gap and releases it.
      return { state: { ...state, linkUp: false, transmittedUpTo: 0 }, effects: [] };
    case 'ack-received':
      return acknowledged(state, event.stream, event.upTo);
    case 'chat-received':
      return received(state, event);
  }
}

/** Transmits outbox messages past `transmittedUpTo`, up to the window. */
function transmitWindow(state: DeliveryState): DeliveryStep {
  if (!state.linkUp) return { state, effects: [] };
  const acked = (state.outbox[0]?.seq ?? state.nextSeq) - 1;
  const limit = acked + MAX_IN_FLIGHT;
  const effects: DeliveryEffect[] = [];
  let transmittedUpTo = state.transmittedUpTo;
  for (let i = countUpTo(state.outbox, transmittedUpTo); i < state.outbox.length; i++) {
    const message = state.outbox[i];
    if (message === undefined || message.seq > limit) break;
    effects.push({ type: 'transmit', stream: state.stream, floor: state.outbox[0]?.seq ?? message.seq, message });
    transmittedUpTo = message.seq;
  }
  if (effects.length === 0) return { state, effects };
  return { state: { ...state, transmittedUpTo }, effects };
}

function acknowledged(state: DeliveryState, stream: number, upTo: number): DeliveryStep {
  // An ack for another stream (ours before a reset) or beyond what we ever sent says nothing
  // about what we hold now: a peer cannot make us drop messages it never had.
  if (stream !== state.stream) return { state, effects: [] };
  const covered = Math.min(upTo, state.nextSeq - 1);
  const split = countUpTo(state.outbox, covered);
  if (split === 0) return { state, effects: [] };
  const done = state.outbox.slice(0, split);
  const next = { ...state, outbox: state.outbox.slice(split) };
  const sent = transmitWindow(next);
  return {
    state: sent.state,
    effects: [{ type: 'delivered', ids: done.map((m) => m.id), upTo: covered }, ...sent.effects],
  };
}

function received(state: DeliveryState, event: Extract<DeliveryEvent, { type: 'chat-received' }>): DeliveryStep {
  let current = state;
  if (event.stream !== state.peerStream) {
    // The contact's sender started over (its state was lost): count its new stream from zero.
    current = { ...state, peerStream: event.stream, receivedUpTo: 0, held: [] };
  }
  const stream = event.stream;
  const floor = event.floor ?? 1;
  if (floor - 1 > current.receivedUpTo) {
    // We acknowledged up to here once and no longer know it (our chat store was lost while the
    // contact was kept): those messages will never come again, so waiting for them would stall
    // everything after. A peer can only make us skip its own messages this way.
    current = { ...current, receivedUpTo: floor - 1, held: current.held.filter((m) => m.seq >= floor) };
  }
  const incoming: IncomingMessage = { id: event.id, seq: event.seq, text: event.text, sentAt: event.sentAt };
  // A duplicate (its ack was lost) is not kept; one ahead of a gap is held if it is near; then
  // whatever now follows in order is delivered. Every arrival is answered with what we hold.
  const near = incoming.seq > current.receivedUpTo && incoming.seq <= current.receivedUpTo + MAX_HELD;
  const held = near ? hold(current.held, incoming) : current.held;
  const delivered: IncomingMessage[] = [];
  let upTo = current.receivedUpTo;
  const rest: IncomingMessage[] = [];
  for (const m of held) {
    if (m.seq === upTo + 1) {
      delivered.push(m);
      upTo = m.seq;
    } else if (m.seq > upTo) rest.push(m);
  }
  const ack: DeliveryEffect = { type: 'send-ack', stream, upTo };
  return {
    state: { ...current, receivedUpTo: upTo, held: rest },
    effects: delivered.length > 0 ? [{ type: 'deliver', messages: delivered }, ack] : [ack],
  };
}

/** How many messages of `outbox` (ascending seq) have seq ≤ `seq`: a binary search, as outboxes can be long. */
function countUpTo(outbox: readonly OutgoingMessage[], seq: number): number {
  let low = 0;
  let high = outbox.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((outbox[mid]?.seq ?? Number.POSITIVE_INFINITY) <= seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** `held` with `incoming` in its place by seq (unchanged if it is there already). */
function hold(held: IncomingMessage[], incoming: IncomingMessage): IncomingMessage[] {
  const at = held.findIndex((m) => m.seq >= incoming.seq);
  if (at === -1) return [...held, incoming];
  if (held[at]?.seq === incoming.seq) return held;
  return [...held.slice(0, at), incoming, ...held.slice(at)];
}
