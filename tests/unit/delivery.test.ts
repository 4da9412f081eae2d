/**
 * The delivery reducer, event by event and over a hostile wire: whatever the wire does (loses,
 * duplicates, reorders) and whenever either side restarts, every message is delivered exactly
 * once and in order.
 */
import { describe, expect, it } from 'vitest';
import {
  type DeliveryEffect,
  type DeliveryEvent,
  type DeliveryState,
  MAX_HELD,
  MAX_IN_FLIGHT,
  newDelivery,
  type OutgoingMessage,
  type PersistedDelivery,
  reduceDelivery,
  restoreDelivery,
} from '../../lib/sessions/delivery';

const hexId = (n: number) => n.toString(16).padStart(32, '0');

function run(state: DeliveryState, events: DeliveryEvent[]) {
  let current = state;
  const effects: DeliveryEffect[][] = [];
  for (const event of events) {
    const step = reduceDelivery(current, event);
    current = step.state;
    effects.push(step.effects);
  }
  return { state: current, effects, last: effects.at(-1) ?? [] };
}

const queued = (n: number): DeliveryEvent => ({ type: 'queued', id: hexId(n), text: `m${n}`, sentAt: n });
const chatFrom = (
  stream: number,
  seq: number,
  text = `m${seq}`,
): Extract<DeliveryEvent, { type: 'chat-received' }> => ({
  type: 'chat-received',
  stream,
  seq,
  id: hexId(seq),
  text,
  sentAt: seq,
});

describe('sending', () => {
  it('a message written while the link is down is stored, and sent when the link comes up', () => {
    const { state, effects } = run(newDelivery(7), [queued(1)]);
    expect(effects[0]).toEqual([{ type: 'store-outgoing', message: { id: hexId(1), seq: 1, text: 'm1', sentAt: 1 } }]);
    const up = run(state, [{ type: 'link-up' }]);
    expect(up.last).toEqual([
      { type: 'transmit', stream: 7, floor: 1, message: { id: hexId(1), seq: 1, text: 'm1', sentAt: 1 } },
    ]);
  });

  it('on a live link a message is stored before it is transmitted', () => {
    const { last } = run(newDelivery(7), [{ type: 'link-up' }, queued(1)]);
    expect(last.map((e) => e.type)).toEqual(['store-outgoing', 'transmit']);
  });

  it('an ack clears the outbox up to it and reports those messages delivered', () => {
    const { state, last } = run(newDelivery(7), [
      { type: 'link-up' },
      queued(1),
      queued(2),
      queued(3),
      { type: 'ack-received', stream: 7, upTo: 2 },
    ]);
    expect(last).toEqual([{ type: 'delivered', ids: [hexId(1), hexId(2)], upTo: 2 }]);
    expect(state.outbox.map((m) => m.seq)).toEqual([3]);
  });

  it('every reconnect sends everything unacknowledged again, in order', () => {
    const { last } = run(newDelivery(7), [
      { type: 'link-up' },
      queued(1),
      queued(2),
      { type: 'link-down' },
      { type: 'link-up' },
    ]);
    expect(last.filter((e) => e.type === 'transmit').map((e) => e.type === 'transmit' && e.message.seq)).toEqual([
      1, 2,
    ]);
  });

  it(`no more than ${MAX_IN_FLIGHT} unacknowledged messages are on the wire; acks let the rest out`, () => {
    const events = Array.from({ length: MAX_IN_FLIGHT + 10 }, (_, i) => queued(i + 1));
    const down = run(newDelivery(7), events).state;
    const up = run(down, [{ type: 'link-up' }]);
    expect(up.last.filter((e) => e.type === 'transmit')).toHaveLength(MAX_IN_FLIGHT);
    const acked = run(up.state, [{ type: 'ack-received', stream: 7, upTo: 10 }]);
    const more = acked.last.filter((e) => e.type === 'transmit').map((e) => e.type === 'transmit' && e.message.seq);
    expect(more).toEqual(Array.from({ length: 10 }, (_, i) => MAX_IN_FLIGHT + 1 + i));
  });

  it.each<[string, DeliveryEvent]>([
    ['an ack for another stream', { type: 'ack-received', stream: 8, upTo: 5 }],
    ['an ack for nothing new', { type: 'ack-received', stream: 7, upTo: 0 }],
  ])('%s changes nothing', (_, ack) => {
    const before = run(newDelivery(7), [{ type: 'link-up' }, queued(1)]).state;
    const { state, last } = run(before, [ack]);
    expect(state).toEqual(before);
    expect(last).toEqual([]);
  });

  it('an ack beyond what was ever sent clears only what was sent (a peer cannot make us drop later messages)', () => {
    const { state, last } = run(newDelivery(7), [
      { type: 'link-up' },
      queued(1),
      { type: 'ack-received', stream: 7, upTo: 1_000 },
    ]);
    expect(last).toEqual([{ type: 'delivered', ids: [hexId(1)], upTo: 1 }]);
    const next = run(state, [queued(2)]);
    expect(next.state.outbox.map((m) => m.seq)).toEqual([2]);
  });
});

describe('a receiver that lost its state while keeping the contact', () => {
  it('catches up from the sender’s floor instead of waiting forever for what it acknowledged before', () => {
    // Alice sent 1–3, Bob acknowledged them, then Bob's chat store was wiped; Alice sends 4.
    let alice = newDelivery(7);
    for (const event of [{ type: 'link-up' } as const, queued(1), queued(2), queued(3)]) {
      alice = reduceDelivery(alice, event).state;
    }
    alice = reduceDelivery(alice, { type: 'ack-received', stream: 7, upTo: 3 }).state;
    const sent = reduceDelivery(alice, queued(4)).effects.find((e) => e.type === 'transmit');
    expect(sent).toMatchObject({ floor: 4, message: { seq: 4 } });
    if (sent?.type !== 'transmit') throw new Error('no transmit');
    const bob = newDelivery(9);
    const { effects, state } = reduceDelivery(bob, {
      type: 'chat-received',
      stream: 7,
      seq: 4,
      floor: sent.floor,
      id: sent.message.id,
      text: sent.message.text,
      sentAt: 4,
    });
    expect(effects).toEqual([
      { type: 'deliver', messages: [{ id: hexId(4), seq: 4, text: 'm4', sentAt: 4 }] },
      { type: 'send-ack', stream: 7, upTo: 4 },
    ]);
    expect(state.receivedUpTo).toBe(4);
  });

  it('a floor below what the receiver holds changes nothing', () => {
    const { state } = run(newDelivery(1), [chatFrom(9, 1), chatFrom(9, 2), { ...chatFrom(9, 2), floor: 1 }]);
    expect(state.receivedUpTo).toBe(2);
  });
});

describe('receiving', () => {
  it('messages in order are delivered and acked', () => {
    const { last, state } = run(newDelivery(1), [chatFrom(9, 1), chatFrom(9, 2)]);
    expect(last).toEqual([
      { type: 'deliver', messages: [{ id: hexId(2), seq: 2, text: 'm2', sentAt: 2 }] },
      { type: 'send-ack', stream: 9, upTo: 2 },
    ]);
    expect(state.receivedUpTo).toBe(2);
  });

  it('a duplicate is not delivered again, but acked again (its ack may have been lost)', () => {
    const { last } = run(newDelivery(1), [chatFrom(9, 1), chatFrom(9, 1)]);
    expect(last).toEqual([{ type: 'send-ack', stream: 9, upTo: 1 }]);
  });

  it('a message ahead of a gap is held and delivered, in order, once the gap fills', () => {
    const { effects, state } = run(newDelivery(1), [chatFrom(9, 3), chatFrom(9, 2), chatFrom(9, 1)]);
    expect(effects[0]).toEqual([{ type: 'send-ack', stream: 9, upTo: 0 }]);
    const delivered = effects.flat().flatMap((e) => (e.type === 'deliver' ? e.messages.map((m) => m.seq) : []));
    expect(delivered).toEqual([1, 2, 3]);
    expect(state.held).toEqual([]);
  });

  it(`messages more than ${MAX_HELD} ahead of a gap are not held; they come again on the next reconnect`, () => {
    const events = Array.from({ length: MAX_HELD + 5 }, (_, i) => chatFrom(9, i + 2));
    const { state, last } = run(newDelivery(1), events);
    expect(state.held.map((m) => m.seq)).toEqual(Array.from({ length: MAX_HELD - 1 }, (_, i) => i + 2));
    expect(last).toEqual([{ type: 'send-ack', stream: 9, upTo: 0 }]);
  });

  it('what is held survives a dropped link, and the retransmission that fills the gap releases it', () => {
    const { state, last } = run(newDelivery(1), [
      chatFrom(9, 2),
      chatFrom(9, 3),
      { type: 'link-down' },
      { type: 'link-up' },
      chatFrom(9, 1),
    ]);
    expect(last[0]).toMatchObject({ type: 'deliver', messages: [{ seq: 1 }, { seq: 2 }, { seq: 3 }] });
    expect(state.held).toEqual([]);
  });

  it('a new stream from the contact (its state was reset) starts counting again', () => {
    const { state, last } = run(newDelivery(1), [chatFrom(9, 1), chatFrom(9, 2), chatFrom(10, 1, 'after reset')]);
    expect(last[0]).toEqual({ type: 'deliver', messages: [{ id: hexId(1), seq: 1, text: 'after reset', sentAt: 1 }] });
    expect(state).toMatchObject({ peerStream: 10, receivedUpTo: 1 });
  });

  it('on link-up the receiver says at once what it holds', () => {
    const { last } = run(newDelivery(1), [chatFrom(9, 1), { type: 'link-up' }]);
    expect(last).toEqual([{ type: 'send-ack', stream: 9, upTo: 1 }]);
  });
});

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

/** Fisher–Yates with the seeded generator. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

type WireFrame = Extract<DeliveryEffect, { type: 'transmit' | 'send-ack' }>;

/** What arrives at the other end when `frame` is received: the event the adapter reduces. */
function arrival(frame: WireFrame): DeliveryEvent {
  if (frame.type === 'send-ack') return { type: 'ack-received', stream: frame.stream, upTo: frame.upTo };
  const { message } = frame;
  return { type: 'chat-received', stream: frame.stream, ...message };
}

const wireOf = (effects: DeliveryEffect[]) =>
  effects.filter((e): e is WireFrame => e.type === 'transmit' || e.type === 'send-ack');
const deliveredSeqs = (effects: DeliveryEffect[]) =>
  effects.flatMap((e) => (e.type === 'deliver' ? e.messages.map((m) => m.seq) : []));

/** A side restarted: back from what its adapter stored at every step (counters, outbox), through JSON. */
function restarted(state: DeliveryState, outbox: readonly OutgoingMessage[]): DeliveryState {
  const saved: PersistedDelivery = {
    stream: state.stream,
    nextSeq: state.nextSeq,
    peerStream: state.peerStream,
    receivedUpTo: state.receivedUpTo,
  };
  return restoreDelivery(JSON.parse(JSON.stringify(saved)), JSON.parse(JSON.stringify(outbox)));
}

describe('a wire that misbehaves, one way at a time', () => {
  /** Alice (stream 1) writes `count` messages on a live link; returns her state and the frames sent. */
  function aliceWrites(count: number) {
    const { state, effects } = run(newDelivery(1), [
      { type: 'link-up' },
      ...Array.from({ length: count }, (_, i) => queued(i + 1)),
    ]);
    return { alice: state, frames: wireOf(effects.flat()) };
  }

  it('a lost message is sent again on the next reconnect and delivered once', () => {
    const { alice, frames } = aliceWrites(3);
    // The second one never arrives.
    const bob = run(newDelivery(2), frames.filter((_, i) => i !== 1).map(arrival));
    expect(deliveredSeqs(bob.effects.flat())).toEqual([1]);
    const acks = wireOf(bob.effects.flat()).map(arrival);
    const aliceAfter = run(alice, [...acks, { type: 'link-down' }, { type: 'link-up' }]);
    expect(aliceAfter.state.outbox.map((m) => m.seq)).toEqual([2, 3]);
    const again = run(bob.state, wireOf(aliceAfter.last).map(arrival));
    expect(deliveredSeqs(again.effects.flat())).toEqual([2, 3]);
    expect(again.state.held).toEqual([]);
  });

  it('every frame arriving twice still shows each message once', () => {
    const { frames } = aliceWrites(5);
    const bob = run(
      newDelivery(2),
      frames.flatMap((f) => [arrival(f), arrival(f)]),
    );
    expect(deliveredSeqs(bob.effects.flat())).toEqual([1, 2, 3, 4, 5]);
  });

  it('messages in any order are held and shown in the order they were written', () => {
    const random = prng(42);
    const { frames } = aliceWrites(20);
    for (let round = 0; round < 50; round++) {
      const bob = run(newDelivery(2), shuffled(frames, random).map(arrival));
      expect(deliveredSeqs(bob.effects.flat())).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(bob.state).toMatchObject({ receivedUpTo: 20, held: [] });
      // The cumulative ack never goes backwards.
      const acked = bob.effects.flat().flatMap((e) => (e.type === 'send-ack' ? [e.upTo] : []));
      expect(acked).toEqual([...acked].sort((a, b) => a - b));
    }
  });

  it('a lost ack: the message comes again, is acked again, and the sender lets go without a second delivery', () => {
    const { alice, frames } = aliceWrites(2);
    const bob = run(newDelivery(2), frames.map(arrival));
    // Bob's acks are lost; the link drops and comes back.
    const aliceAgain = run(alice, [{ type: 'link-down' }, { type: 'link-up' }]);
    const bobAgain = run(bob.state, wireOf(aliceAgain.last).map(arrival));
    expect(deliveredSeqs(bobAgain.effects.flat())).toEqual([]);
    const acks = wireOf(bobAgain.effects.flat());
    expect(acks.at(-1)).toEqual({ type: 'send-ack', stream: 1, upTo: 2 });
    const done = run(aliceAgain.state, acks.map(arrival));
    expect(done.state.outbox).toEqual([]);
    expect(done.effects.flat().filter((e) => e.type === 'delivered')).toEqual([
      { type: 'delivered', ids: [hexId(1), hexId(2)], upTo: 2 },
    ]);
  });
});

describe('a restart in the middle', () => {
  it('a sender restarted with messages in flight sends them again, numbered as before, and numbers on from there', () => {
    const { state } = run(newDelivery(1), [{ type: 'link-up' }, queued(1), queued(2)]);
    const back = restarted(state, state.outbox);
    expect(back).toMatchObject({ stream: 1, nextSeq: 3, linkUp: false, transmittedUpTo: 0 });
    const up = run(back, [{ type: 'link-up' }, queued(3)]);
    expect(up.effects.flat().flatMap((e) => (e.type === 'transmit' ? [e.message.seq] : []))).toEqual([1, 2, 3]);
  });

  it('a receiver restarted after delivering does not deliver those messages again, and forgets what it held', () => {
    const bob = run(newDelivery(2), [chatFrom(1, 1), chatFrom(1, 3)]);
    const back = restarted(bob.state, []);
    expect(back).toMatchObject({ peerStream: 1, receivedUpTo: 1, held: [] });
    const again = run(back, [chatFrom(1, 1), chatFrom(1, 2), chatFrom(1, 3)]);
    expect(deliveredSeqs(again.effects.flat())).toEqual([2, 3]);
  });

  it('a counter stored behind its outbox never hands out a number the outbox already holds', () => {
    const outbox = [2, 1].map((seq) => ({ id: hexId(seq), seq, text: `m${seq}`, sentAt: seq }));
    const back = restoreDelivery({ stream: 1, nextSeq: 1, peerStream: null, receivedUpTo: 0 }, outbox);
    expect(back.outbox.map((m) => m.seq)).toEqual([1, 2]);
    expect(back.nextSeq).toBe(3);
  });
});

describe('a hostile or odd peer', () => {
  it('a chat numbered 0 is taken for a duplicate: acked, never shown', () => {
    const { last, state } = run(newDelivery(2), [chatFrom(1, 0)]);
    expect(last).toEqual([{ type: 'send-ack', stream: 1, upTo: 0 }]);
    expect(state).toMatchObject({ receivedUpTo: 0, held: [] });
  });

  it('a chat numbered at the top of the range is dropped, not held, and holds nothing up', () => {
    const { state } = run(newDelivery(2), [chatFrom(1, 0xffff_ffff), chatFrom(1, 1), chatFrom(1, 3)]);
    expect(state.receivedUpTo).toBe(1);
    expect(state.held.map((m) => m.seq)).toEqual([3]);
  });

  it('the same held message sent many times takes one place', () => {
    const { state } = run(
      newDelivery(2),
      Array.from({ length: MAX_HELD * 2 }, () => chatFrom(1, 5)),
    );
    expect(state.held).toHaveLength(1);
  });

  it('acks for a stream before mine, at the top of the range or for nothing sent, drop nothing', () => {
    const before = run(newDelivery(7), [queued(1), queued(2)]).state;
    const { state, effects } = run(before, [
      { type: 'ack-received', stream: 6, upTo: 0xffff_ffff },
      { type: 'ack-received', stream: 8, upTo: 2 },
    ]);
    expect(state.outbox.map((m) => m.seq)).toEqual([1, 2]);
    expect(effects.flat()).toEqual([]);
    // Acks may even come before anything went out: still only what exists is covered.
    const early = run(before, [{ type: 'ack-received', stream: 7, upTo: 0xffff_ffff }, queued(3)]);
    expect(early.state.outbox.map((m) => m.seq)).toEqual([3]);
  });
});

type Side = {
  name: string;
  state: DeliveryState;
  /** What the adapter has stored: the outbox and every message shown. */
  outbox: OutgoingMessage[];
  shown: string[];
  /** Frames on their way to the other side. */
  wire: WireFrame[];
  written: number;
};

const side = (name: string, stream: number): Side => ({
  name,
  state: newDelivery(stream),
  outbox: [],
  shown: [],
  wire: [],
  written: 0,
});

/** Chances per frame carried, per batch, or per round of the simulation below. */
const WIRE = {
  shuffleBatch: 0.3,
  lose: 0.05,
  twice: 0.1,
  /** The receiving side restarts right before this frame. */
  crash: 0.0003,
  /** Per round, for each side. */
  restart: 0.004,
  /** Per round: the link drops (both sides see it; everything in flight is gone). */
  drop: 0.03,
  /** Per round while the link is down. */
  reconnect: 0.5,
};

/**
 * Alice and Bob each write `count` messages over a link that loses, duplicates and reorders
 * frames, drops now and then, and where either side restarts at any point (from what it stored,
 * through JSON; frames in flight lost). Returns what each side was shown.
 */
function simulate(seed: number, count: number) {
  const random = prng(seed);
  const alice = side('a', 0x1000 + seed);
  const bob = side('b', 0x2000 + seed);
  let linked = false;
  const peerOf = (s: Side) => (s === alice ? bob : alice);

  const apply = (s: Side, event: DeliveryEvent) => {
    const { state, effects } = reduceDelivery(s.state, event);
    s.state = state;
    for (const e of effects) {
      if (e.type === 'store-outgoing') s.outbox.push(e.message);
      else if (e.type === 'delivered') {
        // An ack never leaves before what it acknowledges is stored on the other side.
        if (peerOf(s).shown.length < e.upTo) throw new Error(`${s.name}: acked before it was shown`);
        s.outbox = s.outbox.slice(e.ids.length);
      } else if (e.type === 'deliver') s.shown.push(...e.messages.map((m) => m.text));
      else if (linked) {
        if (e.type === 'transmit') {
          const acked = (s.outbox[0]?.seq ?? s.state.nextSeq) - 1;
          if (e.message.seq > acked + MAX_IN_FLIGHT) throw new Error(`${s.name}: window overrun`);
        }
        s.wire.push(e);
      }
    }
  };
  const write = (s: Side) => {
    s.written += 1;
    const n = s.written;
    apply(s, { type: 'queued', id: hexId(n), text: `${s.name}${n}`, sentAt: n });
  };
  const connect = () => {
    linked = true;
    for (const s of random() < 0.5 ? [alice, bob] : [bob, alice]) apply(s, { type: 'link-up' });
  };
  const disconnect = () => {
    linked = false;
    for (const s of [alice, bob]) {
      s.wire = [];
      if (s.state.linkUp) apply(s, { type: 'link-down' });
    }
  };
  const restart = (s: Side) => {
    s.state = restarted(s.state, s.outbox);
    disconnect();
  };
  /** Hands a batch of frames to `to`: some lost, some twice, reordered; `to` may restart midway. */
  const carry = (frames: WireFrame[], to: Side) => {
    const order = random() < WIRE.shuffleBatch ? shuffled(frames, random) : frames;
    for (const frame of order) {
      if (!linked) return;
      if (random() < WIRE.crash) return restart(to);
      if (random() < WIRE.lose) continue;
      apply(to, arrival(frame));
      if (random() < WIRE.twice) apply(to, arrival(frame));
    }
  };

  const done = () =>
    [alice, bob].every((s) => s.written === count && s.outbox.length === 0) &&
    alice.shown.length >= count &&
    bob.shown.length >= count;
  for (let round = 0; !done(); round++) {
    if (round > 100_000) throw new Error(`seed ${seed}: no progress`);
    for (const s of [alice, bob]) {
      const burst = Math.floor(random() * 6);
      for (let i = 0; i < burst && s.written < count; i++) write(s);
    }
    if (!linked) {
      if (random() < WIRE.reconnect) connect();
      continue;
    }
    const toBob = alice.wire;
    const toAlice = bob.wire;
    alice.wire = [];
    bob.wire = [];
    carry(toBob, bob);
    carry(toAlice, alice);
    if (random() < WIRE.restart) restart(alice);
    if (random() < WIRE.restart) restart(bob);
    if (linked && random() < WIRE.drop) disconnect();
  }
  return { alice: alice.shown, bob: bob.shown };
}

describe('over a wire that loses, duplicates and reorders, with restarts on either side', () => {
  const SCENARIOS = 200;
  const MESSAGES = 1000;
  it(`${SCENARIOS} seeded runs of ${MESSAGES} messages each way: each shown exactly once, in order`, () => {
    const expected = (name: string) => Array.from({ length: MESSAGES }, (_, i) => `${name}${i + 1}`);
    for (let seed = 1; seed <= SCENARIOS; seed++) {
      const shown = simulate(seed, MESSAGES);
      if (shown.bob.join() !== expected('a').join())
        expect({ seed, shown: shown.bob }).toEqual({ seed, shown: expected('a') });
      if (shown.alice.join() !== expected('b').join())
        expect({ seed, shown: shown.alice }).toEqual({ seed, shown: expected('b') });
    }
  });
});
