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
 */

export type ReachPhase =
  | { kind: 'idle' }
  | { kind: 'connected'; address: string }
  /** Not connected; `dialing` while a direct dial of the last known address is out. */
  | { kind: 'reconnecting'; dialing: boolean }
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
  inSlots: boolean;
  phase: ReachPhase;
};

export type ReachEvent =
  | { type: 'start' }
  | { type: 'stop' }
  /** A periodic tick: dial again if there is something to dial. */
  | { type: 'retry' }
  | { type: 'session-ready'; address: string }
  | { type: 'session-lost' }
  | { type: 'dial-failed'; address: string; problem: 'unreachable' | 'wrong-key' }
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

/** Not connected: dial the last known address (if usable and not already out), and the slots. */
function lookFor(state: ContactReach, kind: 'reconnecting' | 'recovering'): ReachStep {
  const dial = dialable(state) && !isDialing(state);
  const dialing = dial || isDialing(state);
  const next: ContactReach = { ...state, phase: { kind, dialing } };
  const slots = slotsFor(next);
  return {
    state: slots.state,
    effects: [...(dial ? [{ type: 'dial' as const, address: state.address }] : []), ...slots.effects],
  };
}

export function reduceContactReach(state: ContactReach, event: ReachEvent): ReachStep {
  const { phase } = state;
  switch (event.type) {
    case 'start':
      return phase.kind === 'idle' ? lookFor(state, 'reconnecting') : { state, effects: [] };
    case 'stop': {
      const stopped: ContactReach = { ...state, phase: { kind: 'idle' } };
      return slotsFor(stopped);
    }
    case 'retry':
      if (phase.kind !== 'reconnecting' && phase.kind !== 'recovering') return { state, effects: [] };
      return lookFor(state, phase.kind);
    case 'session-ready': {
      const connected: ContactReach = { ...state, phase: { kind: 'connected', address: event.address } };
      return slotsFor(connected);
    }
    case 'session-lost':
      if (phase.kind !== 'connected') return { state, effects: [] };
      return lookFor({ ...state, phase: { kind: 'reconnecting', dialing: false } }, 'reconnecting');
    case 'dial-failed': {
      // Only the dial of the current address counts; a late answer about an old one says nothing.
      if (event.address !== state.address || !isDialing(state)) return { state, effects: [] };
      const settled = phase.kind === 'recovering' ? 'recovering' : 'reconnecting';
      if (event.problem === 'unreachable') {
        return slotsFor({ ...state, phase: { kind: settled, dialing: false } });
      }
      // A squatter (or someone the id passed on to): never this contact's address again.
      const blocked: ContactReach = {
        ...state,
        blocked: [...state.blocked, event.address],
        phase: { kind: 'recovering', dialing: false },
      };
      const slots = slotsFor(blocked);
      return { state: slots.state, effects: [{ type: 'block-address', address: event.address }, ...slots.effects] };
    }
    case 'address-learned': {
      if (event.address === state.address || event.address === '') return { state, effects: [] };
      const moved: ContactReach = { ...state, address: event.address };
      if (phase.kind !== 'reconnecting' && phase.kind !== 'recovering') return { state: moved, effects: [] };
      // A new place to look: dial it now (a dial of the old one still out is ignored when it fails).
      return lookFor({ ...moved, phase: { kind: phase.kind, dialing: false } }, phase.kind);
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
      return state.phase.dialing || state.inSlots ? 'reconnecting' : 'offline';
    case 'idle':
      return 'offline';
  }
}
