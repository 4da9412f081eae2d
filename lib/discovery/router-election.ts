/**
 * Who serves a network namespace's registry, as a pure reducer: `(state, event) → { state, effects }`.
 * No clock, timers, randomness or network in here: events carry what the adapter saw (and the
 * jitter it drew), effects ask it to register ids, connect, probe and start named timers.
 *
 * The signaling server is the only arbiter: an id is registered by one peer at a time, so
 * "claim r1, else join r1" elects one router without any vote. A crashed router's id stays
 * reserved for a while, so the ladder r1, r2, … gives members somewhere to go meanwhile, and
 * routers above r1 keep looking down so the namespace ends up back at r1.
 */

/** 1 for `r1`, 2 for `r2`, … */
export type RouterRank = number;

/** Past this rank something other than crashed routers is wrong (a squatter, a broken server). */
export const MAX_ROUTER_RANK = 8;
/** Every member loses the router at the same moment; jitter spreads their claims on r1. */
export const MAX_JITTER_MS = 3_000;
/** How often a router above r1 looks for a lower router (or a lower id that became free). */
export const PROBE_EVERY_MS = 5_000;
/** After giving up, when to try the whole ladder again. */
export const RETRY_AFTER_MS = 60_000;

export type ElectionTimer = 'jitter' | 'probe' | 'retry';

export type ElectionPhase =
  | { kind: 'idle' }
  /** Our registration of the router id at `rank` is on its way to the server. */
  | { kind: 'claiming'; rank: RouterRank }
  /** That id was taken: we are connecting to it as a member. */
  | { kind: 'joining'; rank: RouterRank }
  | { kind: 'member'; rank: RouterRank }
  /** We hold the router id at `rank`; `movingTo` is a lower id we are claiming to move down to. */
  | { kind: 'router'; rank: RouterRank; movingTo?: RouterRank }
  /** The router is gone; waiting out the jitter before claiming r1. */
  | { kind: 'waiting' }
  /** Every rank up to MAX_ROUTER_RANK was taken and unreachable; a retry timer is running. */
  | { kind: 'gave-up'; reason: 'no-free-rank' };

export type RouterElection = {
  root: string;
  ns: string;
  phase: ElectionPhase;
  /** We have been in this namespace before, so a registry cache exists to start a new router from. */
  hasCache: boolean;
};

export type ProbeOutcome =
  /** A router holds the id and answered: hand over to it. */
  | 'answered'
  /** Nobody holds the id (a crashed router's reservation expired): move down to it. */
  | 'free'
  /** The id is held but nobody answers: still a crashed router's reservation. */
  | 'silent';

export type RouterElectionEvent =
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'claimed'; rank: RouterRank }
  | { type: 'claim-refused'; rank: RouterRank }
  | { type: 'joined'; rank: RouterRank }
  /** The id is registered but nobody answered (peer unavailable, or the connection timed out). */
  | { type: 'join-failed'; rank: RouterRank }
  /**
   * The id answered, then closed on us: a router on its way out, not a crashed one. Climbing the
   * ladder would split the namespace; waiting out the jitter finds whoever takes its place.
   */
  | { type: 'join-refused'; rank: RouterRank; jitterMs: number }
  /**
   * A member's router channel closed or missed its pings, or a router lost its own
   * registration. `jitterMs` is the adapter's random draw in [0, MAX_JITTER_MS].
   */
  | { type: 'router-lost'; jitterMs: number }
  | { type: 'probe-result'; rank: RouterRank; outcome: ProbeOutcome }
  | { type: 'timer-fired'; timer: ElectionTimer };

/**
 * Carried out in order. Timers are named: starting one replaces the pending timer of that name
 * (as `alarms.create` does), so a stale timer never fires into a later phase.
 */
export type RouterElectionEffect =
  /** Register `id` on the signaling server. */
  | { type: 'claim'; rank: RouterRank; id: string }
  /** Open a member's channel to the router at `id` and check in. */
  | { type: 'join'; rank: RouterRank; id: string }
  /**
   * Serve the registry at `id`: `cache` starts from what we cached as a member, `current` keeps
   * the registry we already serve (moving down), `empty` is a namespace nobody served before.
   */
  | { type: 'serve'; rank: RouterRank; id: string; registry: 'cache' | 'current' | 'empty' }
  /** Ask whether a router answers at a lower id. */
  | { type: 'probe'; rank: RouterRank; id: string }
  /**
   * Merge our registry into the router at `id`, then release `from`: our members lose us, and
   * their re-election finds the lower router.
   */
  | { type: 'hand-over'; rank: RouterRank; id: string; from: string }
  /** Drop our registration of `id`, closing its members' channels. */
  | { type: 'release'; rank: RouterRank; id: string }
  /** Close our member's channel to the router at `id`. */
  | { type: 'leave'; rank: RouterRank; id: string }
  | { type: 'start-timer'; timer: ElectionTimer; ms: number }
  | { type: 'cancel-timers' };

export type ElectionStep = { state: RouterElection; effects: RouterElectionEffect[] };

/** The PeerJS id of the router at `rank` in namespace `ns` (DESIGN.md, "Identifiers"). */
export function routerId(root: string, ns: string, rank: RouterRank): string {
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`router rank must be a positive integer, got ${rank}`);
  return `${root}-${ns}-r${rank}`;
}

export function newRouterElection(root: string, ns: string): RouterElection {
  return { root, ns, phase: { kind: 'idle' }, hasCache: false };
}

/** The rank of the router we serve or belong to, once settled. */
export function settledRank(state: RouterElection): RouterRank | undefined {
  const { phase } = state;
  return phase.kind === 'router' || phase.kind === 'member' ? phase.rank : undefined;
}

export function reduceRouterElection(state: RouterElection, event: RouterElectionEvent): ElectionStep {
  const { phase } = state;
  switch (event.type) {
    case 'start':
      if (phase.kind !== 'idle' && phase.kind !== 'gave-up') return unchanged(state);
      return claim(state, 1);
    case 'stop':
      return { state: { ...state, phase: { kind: 'idle' } }, effects: [...letGo(state), { type: 'cancel-timers' }] };
    case 'claimed':
      return claimed(state, event.rank);
    case 'claim-refused':
      if (phase.kind === 'claiming' && phase.rank === event.rank) return join(state, event.rank);
      // Someone else moved into the lower id first: it will answer our next probe.
      if (phase.kind === 'router' && phase.movingTo === event.rank) {
        return { state: { ...state, phase: { kind: 'router', rank: phase.rank } }, effects: [] };
      }
      return unchanged(state);
    case 'joined':
      if (phase.kind !== 'joining' || phase.rank !== event.rank) return unchanged(state);
      return { state: { ...state, phase: { kind: 'member', rank: event.rank }, hasCache: true }, effects: [] };
    case 'join-failed':
      if (phase.kind !== 'joining' || phase.rank !== event.rank) return unchanged(state);
      // Taken but silent: a crashed router's reservation. The next rank up is where members meet.
      return claim(state, event.rank + 1);
    case 'join-refused':
      if (phase.kind !== 'joining' || phase.rank !== event.rank) return unchanged(state);
      return {
        state: { ...state, phase: { kind: 'waiting' } },
        effects: [{ type: 'start-timer', timer: 'jitter', ms: clampJitter(event.jitterMs) }],
      };
    case 'router-lost':
      if (phase.kind !== 'member' && phase.kind !== 'router') return unchanged(state);
      return {
        state: { ...state, phase: { kind: 'waiting' }, hasCache: true },
        effects: [{ type: 'start-timer', timer: 'jitter', ms: clampJitter(event.jitterMs) }],
      };
    case 'probe-result':
      return probed(state, event.rank, event.outcome);
    case 'timer-fired':
      return timerFired(state, event.timer);
  }
}

function unchanged(state: RouterElection): ElectionStep {
  return { state, effects: [] };
}

function clampJitter(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_JITTER_MS, Math.max(0, ms)) : MAX_JITTER_MS;
}

function claim(state: RouterElection, rank: RouterRank): ElectionStep {
  if (rank > MAX_ROUTER_RANK) {
    return {
      state: { ...state, phase: { kind: 'gave-up', reason: 'no-free-rank' } },
      effects: [{ type: 'start-timer', timer: 'retry', ms: RETRY_AFTER_MS }],
    };
  }
  return {
    state: { ...state, phase: { kind: 'claiming', rank } },
    effects: [{ type: 'claim', rank, id: routerId(state.root, state.ns, rank) }],
  };
}

function join(state: RouterElection, rank: RouterRank): ElectionStep {
  return {
    state: { ...state, phase: { kind: 'joining', rank } },
    effects: [{ type: 'join', rank, id: routerId(state.root, state.ns, rank) }],
  };
}

/** What to close when leaving the current phase for good. */
function letGo(state: RouterElection): RouterElectionEffect[] {
  const { phase } = state;
  if (phase.kind !== 'router' && phase.kind !== 'member') return [];
  const id = routerId(state.root, state.ns, phase.rank);
  return [{ type: phase.kind === 'router' ? 'release' : 'leave', rank: phase.rank, id }];
}

function claimed(state: RouterElection, rank: RouterRank): ElectionStep {
  const { phase } = state;
  const id = routerId(state.root, state.ns, rank);
  if (phase.kind === 'claiming' && phase.rank === rank) {
    return {
      state: { ...state, phase: { kind: 'router', rank }, hasCache: true },
      effects: [
        { type: 'serve', rank, id, registry: state.hasCache ? 'cache' : 'empty' },
        // Above r1 we may be here only because r1 is a crashed router's reservation.
        ...(rank > 1 ? [probeTimer] : []),
      ],
    };
  }
  if (phase.kind === 'router' && phase.movingTo === rank) {
    return {
      state: { ...state, phase: { kind: 'router', rank } },
      effects: [
        { type: 'serve', rank, id, registry: 'current' },
        { type: 'release', rank: phase.rank, id: routerId(state.root, state.ns, phase.rank) },
      ],
    };
  }
  // A claim we no longer want (we stopped, handed over, or moved on) still holds the id: free it.
  return { state, effects: [{ type: 'release', rank, id }] };
}

const probeTimer: RouterElectionEffect = { type: 'start-timer', timer: 'probe', ms: PROBE_EVERY_MS };

function probed(state: RouterElection, rank: RouterRank, outcome: ProbeOutcome): ElectionStep {
  const { phase } = state;
  if (phase.kind !== 'router' || rank >= phase.rank) return unchanged(state);
  const from = routerId(state.root, state.ns, phase.rank);
  const id = routerId(state.root, state.ns, rank);
  switch (outcome) {
    case 'answered':
      // Two routers split the namespace; the lower one wins, and gets everything we know.
      return {
        state: { ...state, phase: { kind: 'joining', rank } },
        effects: [
          { type: 'hand-over', rank, id, from },
          { type: 'join', rank, id },
        ],
      };
    case 'free':
      if (phase.movingTo !== undefined) return unchanged(state);
      // Nobody would ever claim it otherwise: newcomers would, but a settled namespace has none.
      return {
        state: { ...state, phase: { kind: 'router', rank: phase.rank, movingTo: rank } },
        effects: [{ type: 'claim', rank, id }],
      };
    case 'silent':
      return unchanged(state);
  }
}

function timerFired(state: RouterElection, timer: ElectionTimer): ElectionStep {
  const { phase } = state;
  switch (timer) {
    case 'jitter':
      return phase.kind === 'waiting' ? claim(state, 1) : unchanged(state);
    case 'retry':
      return phase.kind === 'gave-up' ? claim(state, 1) : unchanged(state);
    case 'probe': {
      if (phase.kind !== 'router' || phase.rank === 1) return unchanged(state);
      const probes: RouterElectionEffect[] = [];
      for (let rank = 1; rank < phase.rank; rank++) {
        probes.push({ type: 'probe', rank, id: routerId(state.root, state.ns, rank) });
      }
      return { state, effects: [...probes, probeTimer] };
    }
  }
}
