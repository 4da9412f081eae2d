import { beforeAll, describe, expect, it } from 'vitest';
import { signPresence, type VerifiedPresence, verifyPresence } from '../../../lib/discovery/presence-record';
import {
  CHECK_IN_WINDOW_MS,
  emptyRegistry,
  MAX_CHECK_INS_PER_WINDOW,
  MAX_REGISTRY_ENTRIES,
  type RegistryEffect,
  type RegistryEvent,
  type RegistryState,
  reduceRegistry,
  registryRecords,
} from '../../../lib/discovery/registry';

const NOW = 1_750_000_000_000;
const NS = 'tincan-abcdefghijklmnop';
const idOf = (n: number) =>
  `${NS}-d-${'abcdefghijklmnopqrstuvwxyz234567'[n % 32]}${'a'.repeat(15)}${n >= 32 ? 'b'.repeat(Math.floor(n / 32)) : ''}`;
const seedOf = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? n & 0xff : i === 1 ? n >> 8 : 7));

async function presence(n: number, options: { expiresAt?: number; name?: string; seed?: number; id?: string } = {}) {
  const bytes = signPresence(
    {
      name: options.name ?? `member ${n}`,
      discoveryId: options.id ?? idOf(n),
      contactTag: new Uint8Array(32).fill(n & 0xff),
      expiresAt: options.expiresAt ?? NOW + 120_000,
    },
    seedOf(options.seed ?? n),
  );
  const result = await verifyPresence(bytes, NOW);
  if (!result.ok) throw new Error(`fixture ${n}: ${result.kind}`);
  return { record: result.record, bytes: result.bytes };
}

function run(events: RegistryEvent[], from: RegistryState = emptyRegistry(NS)) {
  let state = from;
  const effects: RegistryEffect[][] = [];
  for (const event of events) {
    const step = reduceRegistry(state, event);
    state = step.state;
    effects.push(step.effects);
  }
  return { state, effects, last: effects.at(-1) ?? [] };
}

const checkIn = (p: VerifiedPresence, now = NOW, from = p.record.discoveryId): RegistryEvent => ({
  type: 'record-received',
  from,
  presence: p,
  now,
});
const ids = (state: RegistryState) => registryRecords(state).map((p) => p.record.discoveryId);

let ada: VerifiedPresence;
let bob: VerifiedPresence;
let adaRenamed: VerifiedPresence;
let adaOlder: VerifiedPresence;
let adaOtherKey: VerifiedPresence;
let foreign: VerifiedPresence;
let fleeting: VerifiedPresence;

beforeAll(async () => {
  ada = await presence(1, { name: 'Ada' });
  bob = await presence(2, { name: 'Bob' });
  adaRenamed = await presence(1, { name: 'Ada L.', expiresAt: NOW + 180_000 });
  adaOlder = await presence(1, { name: 'Ada old', expiresAt: NOW + 60_000 });
  adaOtherKey = await presence(1, { seed: 99 });
  fleeting = await presence(4, { expiresAt: NOW + 1 });
  foreign = await presence(3, { id: 'tincan-qrstuvwxyz234567-d-aaaaaaaaaaaaaaaa' });
});

describe('the router registry', () => {
  it('places a member’s record and pushes the change at once', () => {
    const { state, last } = run([checkIn(ada)]);
    expect(ids(state)).toEqual([ada.record.discoveryId]);
    expect(last).toEqual([
      { type: 'push-change', change: { kind: 'upsert', discoveryId: ada.record.discoveryId, bytes: ada.bytes } },
    ]);
  });

  it('refuses a record placed by anyone but the member it names, and drops that member', () => {
    const { state, last } = run([checkIn(ada), checkIn(adaRenamed, NOW, bob.record.discoveryId)]);
    expect(registryRecords(state)[0]?.record.name).toBe('Ada');
    expect(last).toEqual([{ type: 'evict', discoveryId: bob.record.discoveryId, reason: 'forged-placement' }]);
  });

  it('a refresh with the same bytes pushes nothing; a new name pushes the new record', () => {
    const { state, effects } = run([checkIn(ada), checkIn(ada, NOW + 1), checkIn(adaRenamed, NOW + 2)]);
    expect(effects[1]).toEqual([]);
    expect(effects[2]).toMatchObject([{ type: 'push-change', change: { kind: 'upsert', bytes: adaRenamed.bytes } }]);
    expect(registryRecords(state)[0]?.record.name).toBe('Ada L.');
  });

  it('keeps the first key for a discovery id and never goes back to an older record', () => {
    const { state, effects } = run([checkIn(adaRenamed), checkIn(adaOtherKey, NOW + 1), checkIn(adaOlder, NOW + 2)]);
    expect(effects[1]).toEqual([{ type: 'refused', discoveryId: ada.record.discoveryId, reason: 'key-changed' }]);
    expect(effects[2]).toEqual([{ type: 'refused', discoveryId: ada.record.discoveryId, reason: 'stale' }]);
    expect(registryRecords(state)[0]?.bytes).toEqual(adaRenamed.bytes);
  });

  it('refuses records of another namespace, and those that expired on the way', () => {
    const wrong = run([checkIn(foreign)]);
    expect(wrong.last).toEqual([{ type: 'evict', discoveryId: foreign.record.discoveryId, reason: 'wrong-namespace' }]);
    const late = run([checkIn(ada, ada.record.expiresAt)]);
    expect(late.last).toEqual([{ type: 'refused', discoveryId: ada.record.discoveryId, reason: 'expired' }]);
    expect(ids(late.state)).toEqual([]);
  });

  it('drops a member whose record is oversized', () => {
    const padded = { record: ada.record, bytes: new Uint8Array(1000) };
    const { state, last } = run([checkIn(padded)]);
    expect(last).toEqual([{ type: 'evict', discoveryId: ada.record.discoveryId, reason: 'oversized' }]);
    expect(ids(state)).toEqual([]);
  });

  it('removes a departed member at once and tells everyone', () => {
    const { state, last } = run([
      checkIn(ada),
      checkIn(bob),
      { type: 'member-departed', discoveryId: ada.record.discoveryId },
    ]);
    expect(ids(state)).toEqual([bob.record.discoveryId]);
    expect(last).toEqual([{ type: 'push-change', change: { kind: 'remove', discoveryId: ada.record.discoveryId } }]);
  });

  it('evicts a member after two missed pings in a row, not one', () => {
    const id = ada.record.discoveryId;
    const once = run([checkIn(ada), { type: 'ping-missed', discoveryId: id }]);
    expect(once.last).toEqual([]);
    expect(ids(once.state)).toEqual([id]);
    const twice = run([{ type: 'ping-missed', discoveryId: id }], once.state);
    expect(twice.last).toEqual([
      { type: 'evict', discoveryId: id, reason: 'missed-pings' },
      { type: 'push-change', change: { kind: 'remove', discoveryId: id } },
    ]);
    expect(ids(twice.state)).toEqual([]);
  });

  it('an answered ping (or a check-in) starts the count again', () => {
    const id = ada.record.discoveryId;
    const missed: RegistryEvent = { type: 'ping-missed', discoveryId: id };
    const answered = run([checkIn(ada), missed, { type: 'ping-answered', discoveryId: id }, missed]);
    expect(ids(answered.state)).toEqual([id]);
    const checkedIn = run([checkIn(ada), missed, checkIn(ada, NOW + 1), missed]);
    expect(ids(checkedIn.state)).toEqual([id]);
  });

  it('a member silent from the start is evicted too, with nothing to remove', () => {
    const missed: RegistryEvent = { type: 'ping-missed', discoveryId: bob.record.discoveryId };
    expect(run([missed, missed]).last).toEqual([
      { type: 'evict', discoveryId: bob.record.discoveryId, reason: 'missed-pings' },
    ]);
  });

  it('records expire as time passes, each removal pushed', () => {
    const { state, effects } = run([
      checkIn(adaOlder),
      checkIn(bob),
      { type: 'expired', now: NOW + 59_999 },
      { type: 'expired', now: NOW + 60_000 },
    ]);
    expect(effects[2]).toEqual([]);
    expect(effects[3]).toEqual([
      { type: 'push-change', change: { kind: 'remove', discoveryId: ada.record.discoveryId } },
    ]);
    expect(ids(state)).toEqual([bob.record.discoveryId]);
  });

  it('rate-limits a flood of check-ins per discovery id, then drops the flooder; honest members are unaffected', () => {
    const flood = Array.from({ length: MAX_CHECK_INS_PER_WINDOW * 2 + 1 }, (_, i) => checkIn(ada, NOW + i));
    const { state, effects } = run([
      ...flood.slice(0, MAX_CHECK_INS_PER_WINDOW),
      checkIn(bob),
      ...flood.slice(MAX_CHECK_INS_PER_WINDOW),
    ]);
    expect(effects[MAX_CHECK_INS_PER_WINDOW + 1]).toEqual([
      { type: 'refused', discoveryId: ada.record.discoveryId, reason: 'rate-limited' },
    ]);
    expect(effects.at(-1)).toEqual([
      { type: 'evict', discoveryId: ada.record.discoveryId, reason: 'flood' },
      { type: 'push-change', change: { kind: 'remove', discoveryId: ada.record.discoveryId } },
    ]);
    expect(ids(state)).toEqual([bob.record.discoveryId]);
  });

  it('a new window allows check-ins again', () => {
    const burst = Array.from({ length: MAX_CHECK_INS_PER_WINDOW }, () => checkIn(ada));
    const { last } = run([...burst, checkIn(adaRenamed, NOW + CHECK_IN_WINDOW_MS)]);
    expect(last).toMatchObject([{ type: 'push-change', change: { kind: 'upsert' } }]);
  });

  it(`holds at most ${MAX_REGISTRY_ENTRIES} members`, async () => {
    const many = await Promise.all(Array.from({ length: MAX_REGISTRY_ENTRIES + 1 }, (_, i) => presence(i + 10)));
    const { state, last } = run(many.map((p) => checkIn(p)));
    expect(state.entries.size).toBe(MAX_REGISTRY_ENTRIES);
    expect(last).toEqual([{ type: 'refused', discoveryId: many.at(-1)?.record.discoveryId, reason: 'registry-full' }]);
  });
});

describe('handover and a member’s cached copy', () => {
  it('a new router merges a handed-over registry and pushes what it learned', () => {
    const cached = run([checkIn(bob)]).state;
    const { state, last } = run([{ type: 'merge', records: [ada, bob], now: NOW }], cached);
    expect(ids(state)).toEqual([ada.record.discoveryId, bob.record.discoveryId]);
    expect(last).toMatchObject([
      { type: 'push-change', change: { kind: 'upsert', discoveryId: ada.record.discoveryId } },
    ]);
  });

  it('a merge skips expired, foreign and re-keyed records and keeps the newer of two', () => {
    const start = run([checkIn(adaRenamed)]).state;
    const { state, last } = run(
      [{ type: 'merge', records: [adaOlder, adaOtherKey, foreign, fleeting], now: NOW + 1 }],
      start,
    );
    expect(last.map((e) => (e.type === 'refused' ? e.reason : e.type))).toEqual([
      'stale',
      'key-changed',
      'wrong-namespace',
      'expired',
    ]);
    expect(registryRecords(state).map((p) => p.record.name)).toEqual(['Ada L.']);
  });

  it('an oversized registry is ignored whole', () => {
    const records = Array.from({ length: MAX_REGISTRY_ENTRIES + 1 }, () => bob);
    const { state, last } = run([{ type: 'merge', records, now: NOW }]);
    expect(state.entries.size).toBe(0);
    expect(last).toEqual([{ type: 'refused', discoveryId: '', reason: 'oversized-registry' }]);
  });

  it('a member’s cache follows the router’s pushes', () => {
    const { state, effects } = run([
      { type: 'record-relayed', presence: ada, now: NOW },
      { type: 'record-relayed', presence: bob, now: NOW },
      { type: 'record-removed', discoveryId: ada.record.discoveryId },
      { type: 'record-relayed', presence: foreign, now: NOW },
    ]);
    expect(ids(state)).toEqual([bob.record.discoveryId]);
    expect(effects[3]).toEqual([
      { type: 'refused', discoveryId: foreign.record.discoveryId, reason: 'wrong-namespace' },
    ]);
  });

  it('the state before an event is never changed by it', () => {
    const before = run([checkIn(ada)]).state;
    run([{ type: 'member-departed', discoveryId: ada.record.discoveryId }, checkIn(bob)], before);
    expect(ids(before)).toEqual([ada.record.discoveryId]);
  });
});

describe('a new router takes over records provisionally', () => {
  it('keeps the members who check in within the grace period and drops the rest (a crashed router among them)', () => {
    const { state, last } = run([
      { type: 'merge', records: [ada, bob], now: NOW, confirmBy: NOW + 5_000 },
      checkIn(ada),
      { type: 'unconfirmed-dropped', now: NOW + 5_000 },
    ]);
    expect(ids(state)).toEqual([ada.record.discoveryId]);
    expect(last).toEqual([{ type: 'push-change', change: { kind: 'remove', discoveryId: bob.record.discoveryId } }]);
  });

  it('a record already held and confirmed is not made provisional by a merge that repeats it', () => {
    const { state } = run([
      checkIn(ada),
      { type: 'merge', records: [ada, bob], now: NOW, confirmBy: NOW + 5_000 },
      { type: 'unconfirmed-dropped', now: NOW + 5_000 },
    ]);
    expect(ids(state)).toEqual([ada.record.discoveryId]);
  });

  it('a merge that is not provisional (moving down to a lower id) keeps everything', () => {
    const { state, last } = run([
      { type: 'merge', records: [ada, bob], now: NOW },
      { type: 'unconfirmed-dropped', now: NOW + 5_000 },
    ]);
    expect(ids(state).sort()).toEqual([ada.record.discoveryId, bob.record.discoveryId].sort());
    expect(last).toEqual([]);
  });

  it('a provisional member who departs or expires before the deadline is simply gone', () => {
    const { state, last } = run([
      { type: 'merge', records: [ada, bob], now: NOW, confirmBy: NOW + 5_000 },
      { type: 'member-departed', discoveryId: ada.record.discoveryId },
      { type: 'unconfirmed-dropped', now: NOW + 5_000 },
    ]);
    expect(ids(state)).toEqual([]);
    expect(last).toEqual([{ type: 'push-change', change: { kind: 'remove', discoveryId: bob.record.discoveryId } }]);
  });
});

describe('a taken-over record and its own member', () => {
  it('the member’s own check-in replaces a taken-over copy signed with another key (a forgery handed over)', () => {
    const { state } = run([
      { type: 'merge', records: [adaOtherKey], now: NOW, confirmBy: NOW + 5_000 },
      checkIn(ada),
      { type: 'unconfirmed-dropped', now: NOW + 5_000 },
    ]);
    expect(registryRecords(state).map((p) => p.bytes)).toEqual([ada.bytes]);
  });

  it('a deadline is never extended by handing the same records over again', () => {
    const { state } = run([
      { type: 'merge', records: [bob], now: NOW, confirmBy: NOW + 5_000 },
      { type: 'merge', records: [bob], now: NOW + 4_000, confirmBy: NOW + 9_000 },
      { type: 'unconfirmed-dropped', now: NOW + 5_000 },
    ]);
    expect(ids(state)).toEqual([]);
  });

  it('records handed over later keep their own, later deadline', () => {
    const { state } = run([
      { type: 'merge', records: [ada], now: NOW, confirmBy: NOW + 5_000 },
      { type: 'merge', records: [bob], now: NOW + 3_000, confirmBy: NOW + 8_000 },
      { type: 'unconfirmed-dropped', now: NOW + 5_000 },
    ]);
    expect(ids(state)).toEqual([bob.record.discoveryId]);
  });
});
