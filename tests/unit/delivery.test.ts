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
const chatFrom = (stream: number, seq: number, text = `m${seq}`): DeliveryEvent => ({
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
      { type: 'transmit', stream: 7, message: { id: hexId(1), seq: 1, text: 'm1', sentAt: 1 } },
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

  it(`at most ${MAX_HELD} messages are held; more wait for the next reconnect`, () => {
    const events = Array.from({ length: MAX_HELD + 5 }, (_, i) => chatFrom(9, i + 2));
    const { state } = run(newDelivery(1), events);
    expect(state.held).toHaveLength(MAX_HELD);
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

type Wire = Array<Extract<DeliveryEffect, { type: 'transmit' | 'send-ack' }>>;

/** Two sides over a wire that loses, duplicates and reorders, with restarts (the persisted parts only). */
function simulate(seed: number, count: number) {
  const random = prng(seed);
  let a = newDelivery(1);
  let b = newDelivery(2);
  const outboxA: OutgoingMessage[] = [];
  const got: number[] = [];
  let wireAB: Wire = [];
  let wireBA: Wire = [];
  const persisted = (s: DeliveryState): PersistedDelivery => ({
    stream: s.stream,
    nextSeq: s.nextSeq,
    peerStream: s.peerStream,
    receivedUpTo: s.receivedUpTo,
  });
  const applyA = (event: DeliveryEvent) => {
    const step = reduceDelivery(a, event);
    a = step.state;
    for (const e of step.effects) {
      if (e.type === 'store-outgoing') outboxA.push(e.message);
      if (e.type === 'delivered') outboxA.splice(0, outboxA.length, ...outboxA.filter((m) => m.seq > e.upTo));
      if (e.type === 'transmit' || e.type === 'send-ack') wireAB.push(e);
    }
  };
  const applyB = (event: DeliveryEvent) => {
    const step = reduceDelivery(b, event);
    b = step.state;
    for (const e of step.effects) {
      if (e.type === 'deliver') got.push(...e.messages.map((m) => Number(m.text.slice(1))));
      if (e.type === 'transmit' || e.type === 'send-ack') wireBA.push(e);
    }
  };
  const deliver = (wire: Wire, to: (event: DeliveryEvent) => void) => {
    const shuffled = [...wire];
    // Reorder a little, lose some, duplicate some.
    for (let i = shuffled.length - 1; i > 0; i--) {
      if (random() < 0.2) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j] as Wire[number], shuffled[i] as Wire[number]];
      }
    }
    for (const e of shuffled) {
      if (random() < 0.1) continue;
      const times = random() < 0.1 ? 2 : 1;
      for (let k = 0; k < times; k++) {
        to(
          e.type === 'transmit'
            ? {
                type: 'chat-received',
                stream: e.stream,
                seq: e.message.seq,
                id: e.message.id,
                text: e.message.text,
                sentAt: e.message.sentAt,
              }
            : { type: 'ack-received', stream: e.stream, upTo: e.upTo },
        );
      }
    }
  };
  let next = 1;
  applyA({ type: 'link-up' });
  applyB({ type: 'link-up' });
  for (let round = 0; round < 10_000 && (next <= count || outboxA.length > 0); round++) {
    const burst = Math.floor(random() * 20);
    for (let i = 0; i < burst && next <= count; i++, next++) applyA(queued(next));
    const [ab, ba] = [wireAB, wireBA];
    wireAB = [];
    wireBA = [];
    deliver(ab, applyB);
    deliver(ba, applyA);
    const r = random();
    if (r < 0.05) {
      // A restarts: only what it stored survives; whatever was on the wire is gone.
      a = restoreDelivery(persisted(a), outboxA);
      wireAB = [];
      applyA({ type: 'link-up' });
      applyB({ type: 'link-down' });
      applyB({ type: 'link-up' });
    } else if (r < 0.1) {
      b = restoreDelivery(persisted(b), []);
      wireBA = [];
      applyB({ type: 'link-up' });
      applyA({ type: 'link-down' });
      applyA({ type: 'link-up' });
    } else if (r < 0.15) {
      applyA({ type: 'link-down' });
      applyB({ type: 'link-down' });
      wireAB = [];
      wireBA = [];
      applyA({ type: 'link-up' });
      applyB({ type: 'link-up' });
    }
  }
  return { got, outbox: outboxA.length };
}

describe('over a wire that loses, duplicates and reorders, with restarts on either side', () => {
  it('50 seeded runs of 1000 messages: each delivered exactly once, in order', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { got, outbox } = simulate(seed, 1000);
      expect({ seed, got: got.length, outbox }).toEqual({ seed, got: 1000, outbox: 0 });
      expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    }
  });
});
