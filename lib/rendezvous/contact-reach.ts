/**
 * How the agent keeps one saved contact reachable, as a pure reducer (the contact state machine):
 *
 *   connected → reconnecting (its address fails: try the rendezvous slots)
 *             → recovering (its address answers with another key: block that id, slots)
 *             → connected (a session with the contact, from wherever it came)
 *
 * A special contact's slots are joined as soon as it is not connected — not after the direct dial
 * times out — so a meeting takes one election, not a dial timeout plus one. A paused or ordinary
 * contact is only dialled at its last known address (at start, when a session ends, on retry).
 * When our own transport id changes, connected contacts are told; for the others, being in the
 * slot is the note they will find.
 *
 * The address is only ever what the contact introduced (`address-learned`): a session may come
 * in through a rendezvous or discovery id, which is a meeting place, not somewhere to dial later.
 * The adapter must settle every dial it starts (answered, unreachable or wrong key, within its
 * own timeout): while one is out, `retry` does not start another.
 */

export type ReachPhase =
  | { kind: 'idle' }
  | { kind: 'connected'; address: string }
  /**
   * Not connected; `dialing` while a direct dial of the last known address is out. `unanswered`
   * once a dial of this address went unanswered: later retries go on without the popup flicking
   * between "reconnecting" and "offline" every tick.
   */
  | { kind: 'reconnecting'; dialing: boolean; unanswered: boolean }
  /** The last known address answered with someone else's key: blocked, looking elsewhere. */
  | { kind: 'recovering'; dialing: boolean };

export type ContactReach = {
  contactKey: string;
  special: boolean;
  paused: boolean;
  /** Last known transport address ('' when none). */
  address: string;
  /** Ids that answered with someone else's key: never dialled again for this contact. */
  blocked: string[];
  /** Whether we are in the contact's rendezvous slots (the adapter follows join/leave-slots). */
  inSlots: boolean;
  phase: ReachPhase;
};

export type ReachEvent =
  | { type: 'start' }
  | { type: 'stop' }
  /** A periodic tick: dial again if there is something to dial. */
  | { type: 'retry' }
  /** A session with this contact (its key checked), at a direct address or a rendezvous id. */
  | { type: 'session-ready'; address: string }
  | { type: 'session-lost' }
  | { type: 'dial-failed'; address: string; problem: 'unreachable' | 'wrong-key' }
  /** The contact introduced a (new) transport address. */
  | { type: 'address-learned'; address: string }
  | { type: 'options'; special: boolean; paused: boolean }
  | { type: 'own-address-changed'; address: string };

export type ReachEffect =
  | { type: 'dial'; address: string }
  | { type: 'join-slots' }
  | { type: 'leave-slots' }
  | { type: 'block-address'; address: string }
  /** Tell this connected contact our new transport address. */
  | { type: 'announce'; address: string };

export type ReachStep = { state: ContactReach; effects: ReachEffect[] };

export function newContactReach(init: {
  contactKey: string;
  special: boolean;
  paused: boolean;
  address: string;
  blocked: string[];
}): ContactReach {
  return { ...init, inSlots: false, phase: { kind: 'idle' } };
}

const usesSlots = (s: ContactReach) => s.special && !s.paused;
const dialable = (s: ContactReach) => s.address !== '' && !s.blocked.includes(s.address);
const isConnected = (s: ContactReach) => s.phase.kind === 'connected';
const isDialing = (s: ContactReach) =>
  (s.phase.kind === 'reconnecting' || s.phase.kind === 'recovering') && s.phase.dialing;

/** In the slots exactly when the contact uses them and is not connected. */
function slotsFor(state: ContactReach): ReachStep {
  const want = usesSlots(state) && !isConnected(state) && state.phase.kind !== 'idle';
  if (want === state.inSlots) return { state, effects: [] };
  return { state: { ...state, inSlots: want }, effects: [{ type: want ? 'join-slots' : 'leave-slots' }] };
}

type Looking = 'reconnecting' | 'recovering';

const looking = (kind: Looking, dialing: boolean, unanswered: boolean): ReachPhase =>
  kind === 'reconnecting' ? { kind, dialing, unanswered } : { kind, dialing };

/** Not connected: dial the last known address (if usable and no dial is out), and the slots. */
function lookFor(state: ContactReach, kind: Looking): ReachStep {
  const dial = dialable(state) && !isDialing(state);
  const unanswered = state.phase.kind === 'reconnecting' && state.phase.unanswered;
  const next: ContactReach = { ...state, phase: looking(kind, dial || isDialing(state), unanswered) };
  const slots = slotsFor(next);
  return {
    state: slots.state,
    effects: [...(dial ? [{ type: 'dial' as const, address: state.address }] : []), ...slots.effects],
  };
}

/** A squatter (or someone the id passed on to) answered: never this contact's address again. */
function block(state: ContactReach, address: string): ReachStep {
  const blocked: ContactReach = { ...state, blocked: [...state.blocked, address] };
  const { phase } = state;
  const looked =
    phase.kind === 'reconnecting' || phase.kind === 'recovering'
      ? slotsFor({ ...blocked, phase: { kind: 'recovering', dialing: false } })
      : { state: blocked, effects: [] };
  return { state: looked.state, effects: [{ type: 'block-address', address }, ...looked.effects] };
}

export function reduceContactReach(state: ContactReach, event: ReachEvent): ReachStep {
  const { phase } = state;
  const notConnected = phase.kind === 'reconnecting' || phase.kind === 'recovering';
  switch (event.type) {
    case 'start':
      return phase.kind === 'idle' ? lookFor(state, 'reconnecting') : { state, effects: [] };
    case 'stop':
      return slotsFor({ ...state, phase: { kind: 'idle' } });
    case 'retry':
      return notConnected ? lookFor(state, phase.kind) : { state, effects: [] };
    case 'session-ready':
      return slotsFor({ ...state, phase: { kind: 'connected', address: event.address } });
    case 'session-lost':
      if (phase.kind !== 'connected') return { state, effects: [] };
      return lookFor({ ...state, phase: looking('reconnecting', false, false) }, 'reconnecting');
    case 'dial-failed': {
      // Only a dial of the current address counts; a late answer about an old one says nothing.
      if (event.address !== state.address || state.blocked.includes(event.address)) return { state, effects: [] };
      // Another key at the address is worth knowing whenever it arrives (even with a session up
      // through the slot), so the next loss does not dial the squatter again.
      if (event.problem === 'wrong-key') return block(state, event.address);
      if (!isDialing(state) || !notConnected) return { state, effects: [] };
      return slotsFor({ ...state, phase: looking(phase.kind, false, true) });
    }
    case 'address-learned': {
      // Nothing to do with no address, the same one, or one already found taken by someone else.
      const { address } = event;
      if (address === '' || address === state.address || state.blocked.includes(address)) return { state, effects: [] };
      const moved: ContactReach = { ...state, address };
      if (!notConnected) return { state: moved, effects: [] };
      // A new place to look: dial it now (a dial of the old one still out is ignored when it fails).
      return lookFor({ ...moved, phase: looking(phase.kind, false, false) }, phase.kind);
    }
    case 'options':
      return slotsFor({ ...state, special: event.special, paused: event.paused });
    case 'own-address-changed':
      return phase.kind === 'connected'
        ? { state, effects: [{ type: 'announce', address: event.address }] }
        : { state, effects: [] };
  }
}

/** One word for the popup. */
export function reachLabel(state: ContactReach): 'online' | 'reconnecting' | 'recovering' | 'offline' {
  switch (state.phase.kind) {
    case 'connected':
      return 'online';
    case 'recovering':
      return 'recovering';
    case 'reconnecting':
      // Actively looking: in the slots, or a first dial of this address still out.
      return state.inSlots || (state.phase.dialing && !state.phase.unanswered) ? 'reconnecting' : 'offline';
    case 'idle':
      return 'offline';
  }
}
