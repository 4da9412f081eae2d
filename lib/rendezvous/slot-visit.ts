/**
 * One visit to one contact's rendezvous slot: the same router election as same-network
 * discovery (lib/discovery/router-election.ts), inside the private namespace `v-{tag}` that only
 * the two contacts can name. Whoever claims `tincan-v-{tag}-r1` waits there; the other finds it
 * taken and meets it — by dialling it from its own transport id and running the Noise handshake,
 * which decides whether this is the contact (a holder with another key is passed over like a
 * crashed router's reservation). There is no registry here: two people need none.
 */
import { electionTimers } from '../discovery/election-timers';
import { claimRouterId } from '../discovery/router-claim';
import {
  MAX_JITTER_MS,
  newRouterElection,
  type RouterElectionEffect,
  type RouterElectionEvent,
  reduceRouterElection,
} from '../discovery/router-election';
import type { Link, Transport } from '../transport/transport';
import { rendezvousNamespace } from './rendezvous-slot';

/** How a meeting attempt at a router id ended. */
export type MeetOutcome =
  /** A session with the contact is up. */
  | 'met'
  /** The id is held, but nobody answered in time: a crashed holder's reservation. */
  | 'silent'
  /** Nobody holds the id (any more), or the holder closed on us: it is on its way out. */
  | 'gone'
  /** The holder is not our contact. */
  | 'wrong-key';

export type SlotClock = {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export type SlotVisitOptions = {
  root: string;
  tag: string;
  clock: SlotClock;
  randomBytes(length: number): Uint8Array;
  /** A registration of exactly this id (or none) on the configured signaling server. */
  openTransport(nextAddress: () => string | undefined): Transport;
  /** Dial the router id from our own transport id and secure a session with the contact there. */
  meet(routerId: string): Promise<MeetOutcome>;
  /** A link that reached our router id: the agent secures it like any other incoming link. */
  onIncoming(link: Link): void;
};

export type SlotVisitStatus = 'electing' | 'waiting' | 'met' | 'no-free-rank' | 'stopped';

export type SlotVisit = {
  readonly tag: string;
  status(): SlotVisitStatus;
  /** Leaves the slot. A router id whose link carries a session is kept until that link closes. */
  stop(): void;
};

type HeldRouter = { transport: Transport; links: Set<Link> };

export function visitSlot(options: SlotVisitOptions): SlotVisit {
  const { clock } = options;
  let election = newRouterElection(options.root, rendezvousNamespace(options.tag));
  const claims = new Map<number, Transport>();
  const routers = new Map<number, HeldRouter>();
  const timers = electionTimers(clock, (timer) => run({ type: 'timer-fired', timer }));
  let stopped = false;
  let met = false;

  const run = (event: RouterElectionEvent) => {
    if (stopped && event.type !== 'stop') return;
    const step = reduceRouterElection(election, event);
    election = step.state;
    for (const effect of step.effects) carryOut(effect);
  };

  const jitter = () => {
    const [a = 0, b = 0] = options.randomBytes(2);
    return Math.floor((((a << 8) | b) / 0xffff) * MAX_JITTER_MS);
  };

  const claim = (rank: number, id: string) => {
    claims.get(rank)?.stop();
    const transport = claimRouterId(options.openTransport, id, (won, claimed) => {
      if (claims.get(rank) !== claimed) return claimed.stop();
      if (won) return run({ type: 'claimed', rank });
      claims.delete(rank);
      run({ type: 'claim-refused', rank });
    });
    claims.set(rank, transport);
  };

  const serve = (rank: number) => {
    const transport = claims.get(rank);
    if (!transport) return;
    claims.delete(rank);
    const held: HeldRouter = { transport, links: new Set() };
    routers.set(rank, held);
    transport.onIncoming((link) => {
      held.links.add(link);
      link.onClose(() => {
        held.links.delete(link);
        // Kept past the visit only for this link's sake.
        if (held.links.size === 0 && routers.get(rank) !== held) transport.stop();
      });
      options.onIncoming(link);
    });
    transport.onStatus((status) => {
      // The server gave our id to someone else while we were away: look for the contact again.
      if (status.state !== 'offline' || status.problem.kind !== 'address-taken') return;
      if (routers.get(rank) !== held) return;
      release(rank);
      run({ type: 'router-lost', jitterMs: jitter() });
    });
  };

  const release = (rank: number) => {
    claims.get(rank)?.stop();
    claims.delete(rank);
    const held = routers.get(rank);
    if (!held) return;
    routers.delete(rank);
    if (held.links.size === 0) held.transport.stop();
  };

  const stillJoining = (rank: number) => {
    const { phase } = election;
    return !stopped && phase.kind === 'joining' && phase.rank === rank;
  };

  const join = async (rank: number, id: string) => {
    // A probe already met the contact at this id: joining is done.
    if (met) return run({ type: 'joined', rank });
    const outcome = await options.meet(id);
    if (outcome === 'met') met = true;
    if (!stillJoining(rank)) return;
    switch (outcome) {
      case 'met':
        return run({ type: 'joined', rank });
      case 'gone':
        return run({ type: 'join-refused', rank, jitterMs: jitter() });
      default:
        return run({ type: 'join-failed', rank });
    }
  };

  /** A lower id is probed by trying to meet there: if the contact holds it, that is the meeting. */
  const probe = async (rank: number, id: string) => {
    const outcome = await options.meet(id);
    if (outcome === 'met') met = true;
    run({
      type: 'probe-result',
      rank,
      outcome: outcome === 'met' ? 'answered' : outcome === 'gone' ? 'free' : 'silent',
    });
  };

  const carryOut = (effect: RouterElectionEffect) => {
    switch (effect.type) {
      case 'claim':
        return claim(effect.rank, effect.id);
      case 'serve':
        return serve(effect.rank);
      case 'join':
        return void join(effect.rank, effect.id);
      case 'probe':
        return void probe(effect.rank, effect.id);
      case 'hand-over':
        // Nothing to hand over (no registry): the higher id just goes.
        return release(Number(effect.from.slice(effect.from.lastIndexOf('-r') + 2)));
      case 'release':
        return release(effect.rank);
      case 'leave':
        // A member holds no channel of its own here: the meeting is the agent's session.
        return;
      case 'start-timer':
        return timers.start(effect.timer, effect.ms);
      case 'cancel-timers':
        return timers.cancelAll();
    }
  };

  run({ type: 'start' });

  return {
    tag: options.tag,
    status() {
      if (stopped) return 'stopped';
      const { phase } = election;
      if (phase.kind === 'member' || met) return 'met';
      if (phase.kind === 'router') return 'waiting';
      if (phase.kind === 'gave-up') return 'no-free-rank';
      return 'electing';
    },
    stop() {
      if (stopped) return;
      run({ type: 'stop' });
      stopped = true;
      for (const rank of [...claims.keys(), ...routers.keys()]) release(rank);
    },
  };
}
