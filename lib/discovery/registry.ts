/**
 * The registry of one network namespace as a pure reducer: `(state, event) → { state, effects }`.
 * The router keeps one and pushes every change to its members as it happens; each member keeps
 * a cached copy fed by those pushes, so that a new router starts from it (DESIGN.md,
 * "Discovery"). No clock, timer or network in here: events carry `now`, the adapter carries out
 * the effects.
 *
 * Records arrive already verified (presence-record.ts `verifyPresence`): the reducer trusts
 * their signatures, never their claims. A record is placed only by the member it names — the
 * router knows which channel each one came on — so nobody can place or replace someone else's.
 */

import { equalBytes } from '../crypto/primitives';
import { parseDiscoveryId } from './network-namespace';
import { MAX_PRESENCE_BYTES, type VerifiedPresence } from './presence-record';

export const MAX_REGISTRY_ENTRIES = 256;
/** A member silent for this many pings in a row is gone (it may have lost power, not closed). */
export const MAX_MISSED_PINGS = 2;
/** An honest member checks in once a heartbeat, or when its name changes: 5 in 10 s is plenty. */
export const CHECK_IN_WINDOW_MS = 10_000;
export const MAX_CHECK_INS_PER_WINDOW = 5;
/** Past twice the limit within one window it is a flood, not a burst: the member is dropped. */
const FLOOD_CHECK_INS = 2 * MAX_CHECK_INS_PER_WINDOW;

type CheckIns = { start: number; count: number };

export type RegistryState = {
  /** `{root}-{ns}`: every discovery id placed here starts with it. */
  readonly namespace: string;
  readonly entries: ReadonlyMap<string, VerifiedPresence>;
  readonly missedPings: ReadonlyMap<string, number>;
  readonly checkIns: ReadonlyMap<string, CheckIns>;
  /**
   * Records a new router took over (from its cache or a handed-over registry) whose members have
   * not checked in with it yet. Those still there do so within moments; the rest are gone (a
   * crashed router among them) and leave at `unconfirmed-dropped` once their deadline passed.
   * A deadline is never extended: handing the same records over again keeps nobody longer.
   */
  readonly unconfirmed: ReadonlyMap<string, number>;
};

export function emptyRegistry(namespace: string): RegistryState {
  return { namespace, entries: new Map(), missedPings: new Map(), checkIns: new Map(), unconfirmed: new Map() };
}

export type RegistryEvent =
  /** Router: a member checked in with a record, on the channel of discovery id `from`. */
  | { type: 'record-received'; from: string; presence: VerifiedPresence; now: number }
  /** Member's cache: the router pushed a record. */
  | { type: 'record-relayed'; presence: VerifiedPresence; now: number }
  /** Member's cache: the router pushed a removal. */
  | { type: 'record-removed'; discoveryId: string }
  /** Router: the member's channel closed. */
  | { type: 'member-departed'; discoveryId: string }
  | { type: 'ping-answered'; discoveryId: string }
  | { type: 'ping-missed'; discoveryId: string }
  /** Time passed: records whose expiry is at or before `now` go. */
  | { type: 'expired'; now: number }
  /**
   * A handed-over registry (another router's, or a member's cache when this one took over).
   * `confirmBy`: its new entries stay only if their members check in by then.
   */
  | { type: 'merge'; records: readonly VerifiedPresence[]; now: number; confirmBy?: number }
  /** Entries whose members did not check in by their deadline (at or before `now`) go. */
  | { type: 'unconfirmed-dropped'; now: number };

export type RegistryChange =
  | { kind: 'upsert'; discoveryId: string; bytes: Uint8Array }
  | { kind: 'remove'; discoveryId: string };

export type RefusalReason =
  | 'forged-placement'
  | 'wrong-namespace'
  | 'oversized'
  | 'oversized-registry'
  | 'rate-limited'
  | 'registry-full'
  | 'key-changed'
  | 'stale'
  | 'expired';

export type EvictReason = 'missed-pings' | 'forged-placement' | 'wrong-namespace' | 'oversized' | 'flood';

export type RegistryEffect =
  | { type: 'push-change'; change: RegistryChange }
  /** Close this member's channel. */
  | { type: 'evict'; discoveryId: string; reason: EvictReason }
  /** Nothing changed; said so the adapter can log and tests can see why. */
  | { type: 'refused'; discoveryId: string; reason: RefusalReason };

export type RegistryStep = { state: RegistryState; effects: RegistryEffect[] };

const remove = (discoveryId: string): RegistryEffect => ({
  type: 'push-change',
  change: { kind: 'remove', discoveryId },
});
const refuse = (discoveryId: string, reason: RefusalReason): RegistryEffect => ({
  type: 'refused',
  discoveryId,
  reason,
});

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  return new Map(map).set(key, value);
}

/** The checks every record passes, however it arrived: size, namespace, expiry. */
function admissible(state: RegistryState, presence: VerifiedPresence, now: number): RefusalReason | undefined {
  if (presence.bytes.length > MAX_PRESENCE_BYTES) return 'oversized';
  const id = parseDiscoveryId(presence.record.discoveryId);
  if (!id || `${id.root}-${id.ns}` !== state.namespace) return 'wrong-namespace';
  if (presence.record.expiresAt <= now) return 'expired';
  return undefined;
}

/** Places a record that passed `admissible`: a discovery id keeps its first key, expiries only move forward. */
function place(state: RegistryState, presence: VerifiedPresence): RegistryStep {
  const { discoveryId } = presence.record;
  const held = state.entries.get(discoveryId);
  if (held) {
    if (!equalBytes(held.record.discoveryKey, presence.record.discoveryKey)) {
      return { state, effects: [refuse(discoveryId, 'key-changed')] };
    }
    if (presence.record.expiresAt < held.record.expiresAt) return { state, effects: [refuse(discoveryId, 'stale')] };
    if (equalBytes(held.bytes, presence.bytes)) return { state, effects: [] };
  } else if (state.entries.size >= MAX_REGISTRY_ENTRIES) {
    return { state, effects: [refuse(discoveryId, 'registry-full')] };
  }
  return {
    state: { ...state, entries: withEntry(state.entries, discoveryId, presence) },
    effects: [{ type: 'push-change', change: { kind: 'upsert', discoveryId, bytes: presence.bytes } }],
  };
}

function departed(state: RegistryState, discoveryId: string): RegistryState {
  return {
    ...state,
    entries: without(state.entries, discoveryId),
    missedPings: without(state.missedPings, discoveryId),
    unconfirmed: without(state.unconfirmed, discoveryId),
  };
}

function evict(state: RegistryState, discoveryId: string, reason: EvictReason): RegistryStep {
  const effects: RegistryEffect[] = [{ type: 'evict', discoveryId, reason }];
  if (state.entries.has(discoveryId)) effects.push(remove(discoveryId));
  return { state: departed(state, discoveryId), effects };
}

function checkIn(state: RegistryState, event: Extract<RegistryEvent, { type: 'record-received' }>): RegistryStep {
  const { from, presence, now } = event;
  // Every check-in counts, refused ones too: a flood of forgeries is still a flood.
  const window = state.checkIns.get(from);
  const checkIns =
    window && now - window.start < CHECK_IN_WINDOW_MS
      ? { start: window.start, count: window.count + 1 }
      : { start: now, count: 1 };
  const counted: RegistryState = {
    ...state,
    checkIns: withEntry(state.checkIns, from, checkIns),
    missedPings: without(state.missedPings, from),
  };
  // A taken-over record not yet confirmed gives way to its member's own check-in, whatever its
  // key: the member is here on its own channel, the taken-over copy is hearsay.
  const claimable: RegistryState = counted.unconfirmed.has(from)
    ? { ...counted, entries: without(counted.entries, from) }
    : counted;
  if (checkIns.count > FLOOD_CHECK_INS) return evict(counted, from, 'flood');
  if (checkIns.count > MAX_CHECK_INS_PER_WINDOW) return { state: counted, effects: [refuse(from, 'rate-limited')] };
  if (presence.record.discoveryId !== from) return evict(counted, from, 'forged-placement');
  const problem = admissible(counted, presence, now);
  if (problem === 'oversized' || problem === 'wrong-namespace') return evict(counted, from, problem);
  if (problem) return { state: counted, effects: [refuse(from, problem)] };
  const step = place(claimable, presence);
  // From here on the member speaks for itself: its record no longer hangs on a deadline.
  if (!step.state.entries.has(from) || step.effects.some((e) => e.type === 'refused')) return step;
  return { state: { ...step.state, unconfirmed: without(step.state.unconfirmed, from) }, effects: step.effects };
}

function expire(state: RegistryState, now: number): RegistryStep {
  const gone = [...state.entries.values()].filter((p) => p.record.expiresAt <= now).map((p) => p.record.discoveryId);
  const checkIns = new Map([...state.checkIns].filter(([, w]) => now - w.start < CHECK_IN_WINDOW_MS));
  const entries = new Map(state.entries);
  for (const id of gone) entries.delete(id);
  return { state: { ...state, entries, checkIns }, effects: gone.map(remove) };
}

function merge(
  state: RegistryState,
  records: readonly VerifiedPresence[],
  now: number,
  confirmBy: number | undefined,
): RegistryStep {
  // More records than a registry may hold is no honest registry: all of it is ignored.
  if (records.length > MAX_REGISTRY_ENTRIES) return { state, effects: [refuse('', 'oversized-registry')] };
  let current = state;
  const effects: RegistryEffect[] = [];
  for (const presence of records) {
    const { discoveryId } = presence.record;
    const problem = admissible(current, presence, now);
    const isNew = !current.entries.has(discoveryId);
    const step = problem ? { state: current, effects: [refuse(discoveryId, problem)] } : place(current, presence);
    current = step.state;
    if (confirmBy !== undefined && isNew && current.entries.has(discoveryId)) {
      current = { ...current, unconfirmed: withEntry(current.unconfirmed, discoveryId, confirmBy) };
    }
    effects.push(...step.effects);
  }
  return { state: current, effects };
}

function dropUnconfirmed(state: RegistryState, now: number): RegistryStep {
  const due = [...state.unconfirmed].filter(([, deadline]) => deadline <= now).map(([id]) => id);
  if (due.length === 0) return { state, effects: [] };
  const entries = new Map(state.entries);
  const unconfirmed = new Map(state.unconfirmed);
  const gone = due.filter((id) => entries.delete(id));
  for (const id of due) unconfirmed.delete(id);
  return { state: { ...state, entries, unconfirmed }, effects: gone.map(remove) };
}

export function reduceRegistry(state: RegistryState, event: RegistryEvent): RegistryStep {
  switch (event.type) {
    case 'record-received':
      return checkIn(state, event);
    case 'record-relayed': {
      const problem = admissible(state, event.presence, event.now);
      if (problem) return { state, effects: [refuse(event.presence.record.discoveryId, problem)] };
      return place(state, event.presence);
    }
    case 'record-removed':
    case 'member-departed': {
      const had = state.entries.has(event.discoveryId);
      return { state: departed(state, event.discoveryId), effects: had ? [remove(event.discoveryId)] : [] };
    }
    case 'ping-answered':
      return { state: { ...state, missedPings: without(state.missedPings, event.discoveryId) }, effects: [] };
    case 'ping-missed': {
      const missed = (state.missedPings.get(event.discoveryId) ?? 0) + 1;
      if (missed >= MAX_MISSED_PINGS) return evict(state, event.discoveryId, 'missed-pings');
      return { state: { ...state, missedPings: withEntry(state.missedPings, event.discoveryId, missed) }, effects: [] };
    }
    case 'expired':
      return expire(state, event.now);
    case 'merge':
      return merge(state, event.records, event.now, event.confirmBy);
    case 'unconfirmed-dropped':
      return dropUnconfirmed(state, event.now);
  }
}

/** Every record, in discovery-id order: the list a member shows, and what a router hands over. */
export function registryRecords(state: RegistryState): VerifiedPresence[] {
  return [...state.entries.values()].sort((a, b) => (a.record.discoveryId < b.record.discoveryId ? -1 : 1));
}
