/**
 * One visit to one network namespace: a discovery id of our own on the signaling server, the
 * router election (router-election.ts) carried out over PeerJS ids, and whichever role it gives
 * us — router (router-role.ts) or member (member-role.ts). What the visit shows is the registry:
 * the router's own, or the member's cached copy, which is also where a new router starts from.
 */

import { ed25519 } from '../crypto/primitives';
import { Listeners } from '../listeners';
import { DialError, type Link, type Transport } from '../transport/transport';
import { myContactTag } from './contact-tag';
import { encodeDiscoveryFrame } from './discovery-frame';
import { type DiscoveryClock, type DiscoveryTiming, every } from './discovery-timing';
import { electionTimers } from './election-timers';
import { joinAsMember, type MemberRole } from './member-role';
import { makeDiscoveryId, namespacePrefix } from './network-namespace';
import { type PresenceResult, presenceName, signPresence, type VerifiedPresence } from './presence-record';
import { emptyRegistry, type RegistryEvent, type RegistryState, reduceRegistry, registryRecords } from './registry';
import { claimRouterId } from './router-claim';
import {
  type ElectionPhase,
  MAX_JITTER_MS,
  newRouterElection,
  type ProbeOutcome,
  type RouterElectionEffect,
  type RouterElectionEvent,
  reduceRouterElection,
} from './router-election';
import { createRouterRole, type RouterRole, type RouterStats } from './router-role';

export type VisitProfile = { name: string; presenceKey: Uint8Array };

export type NamespaceVisitOptions = {
  root: string;
  ns: string;
  clock: DiscoveryClock;
  timing: DiscoveryTiming;
  randomBytes(length: number): Uint8Array;
  verify(data: unknown, now: number): Promise<PresenceResult>;
  /** A PeerJS registration at `nextAddress()` (undefined: that one or none) on the configured server. */
  openTransport(nextAddress: () => string | undefined): Transport;
  profile(): VisitProfile;
};

export type VisitStatus =
  | { state: 'registering' }
  | { state: 'electing' }
  | { state: 'router'; rank: number }
  | { state: 'member'; rank: number }
  | { state: 'no-free-rank' };

export type NamespaceVisit = {
  readonly discoveryId: string | undefined;
  status(): VisitStatus;
  /** Everyone in the namespace, us included, verified. */
  records(): VerifiedPresence[];
  /** Opens a session link to another member, from our discovery id (never our transport id). */
  dial(discoveryId: string, timeoutMs?: number): Promise<Link>;
  /** Session links other members opened to our discovery id. */
  onIncoming(listener: (link: Link) => void): () => void;
  onChange(listener: () => void): () => void;
  /** Our record changed (a new name): sign and send it again. */
  refresh(): void;
  routerStats(): RouterStats | undefined;
  /** A clean leave: our record goes, our members hear the router go. */
  stop(): void;
};

type HeldRouter = { rank: number; transport: Transport; role: RouterRole };

export function visitNamespace(options: NamespaceVisitOptions): NamespaceVisit {
  const { clock, timing, root, ns } = options;
  const namespace = namespacePrefix(root, ns);
  const changes = new Listeners<[]>();
  const incoming = new Listeners<[Link]>();
  const changed = () => changes.emit();
  // Fresh for every visit: nothing links this visit's records to another network's.
  const discoverySeed = options.randomBytes(32);
  const discoveryKey = ed25519.publicKeyFromSeed(discoverySeed);

  let election = newRouterElection(root, ns);
  let cache: RegistryState = emptyRegistry(namespace);
  let member: { rank: number; role: MemberRole } | undefined;
  const claims = new Map<number, Transport>();
  const routers = new Map<number, HeldRouter>();
  const timers = electionTimers(clock, (timer) => run({ type: 'timer-fired', timer }));
  const cleanups: Array<() => void> = [];
  let stopped = false;
  /** The discovery id our record was last signed for. */
  let signedFor: string | undefined;

  const discovery = options.openTransport(() => makeDiscoveryId(root, ns, options.randomBytes));
  const myId = () => (discovery.status.state === 'online' ? discovery.status.address : undefined);

  const myPresence = (): VerifiedPresence | undefined => {
    const discoveryId = myId();
    if (!discoveryId) return undefined;
    const now = clock.now();
    const { name, presenceKey } = options.profile();
    const fields = {
      name: presenceName(name),
      discoveryId,
      contactTag: myContactTag(presenceKey, { ns, discoveryId }, now),
      expiresAt: now + timing.recordTtlMs,
    };
    return { record: { ...fields, discoveryKey }, bytes: signPresence(fields, discoverySeed) };
  };

  const currentRouter = (): HeldRouter | undefined => {
    const { phase } = election;
    return phase.kind === 'router' ? routers.get(phase.rank) : undefined;
  };

  const setCache = (next: RegistryState) => {
    cache = next;
    changed();
  };

  const cacheFrom = (records: readonly VerifiedPresence[]): RegistryState => {
    const event: RegistryEvent = { type: 'merge', records, now: clock.now() };
    return reduceRegistry(emptyRegistry(namespace), event).state;
  };

  const run = (event: RouterElectionEvent) => {
    if (stopped && event.type !== 'stop') return;
    const step = reduceRouterElection(election, event);
    election = step.state;
    for (const effect of step.effects) carryOut(effect);
    changed();
  };

  const jitter = () => {
    const [a = 0, b = 0] = options.randomBytes(2);
    return Math.floor((((a << 8) | b) / 0xffff) * MAX_JITTER_MS);
  };

  const claim = (rank: number, id: string) => {
    // A claim still pending at this rank (we were moving down to it) is superseded, not leaked.
    claims.get(rank)?.stop();
    const transport = claimRouterId(options.openTransport, id, (won, claimed) => {
      if (claims.get(rank) !== claimed) return claimed.stop();
      if (won) return run({ type: 'claimed', rank });
      claims.delete(rank);
      run({ type: 'claim-refused', rank });
    });
    claims.set(rank, transport);
  };

  const serve = (rank: number, registry: 'cache' | 'current' | 'empty') => {
    const transport = claims.get(rank);
    if (!transport) return;
    claims.delete(rank);
    // Moving down: the registry we serve at the higher rank, released right after this.
    const previous = [...routers.values()].find((held) => held.rank !== rank);
    const start =
      registry === 'cache' ? registryRecords(cache) : registry === 'current' ? (previous?.role.records() ?? []) : [];
    const role = createRouterRole({
      namespace,
      rank,
      clock,
      timing,
      verify: options.verify,
      randomBytes: options.randomBytes,
      start,
      // A cache may hold members that left while we were not looking; moving down keeps a live registry.
      provisional: registry === 'cache',
    });
    routers.set(rank, { rank, transport, role });
    const self = myPresence();
    const id = myId();
    if (self && id) {
      role.checkInSelf(id, self);
      signedFor = id;
    }
    // Only the registry we serve now is the one shown (a released one may still be winding down).
    role.onChange(() => {
      if (currentRouter()?.role === role) setCache(cacheFrom(role.records()));
    });
    transport.onIncoming((link) => role.accept(link));
    transport.onStatus((status) => {
      // The server gave our router id to someone else while we were away from it: we are no
      // router any more, and our members will find whoever is.
      if (status.state !== 'offline' || status.problem.kind !== 'address-taken') return;
      if (routers.get(rank)?.transport !== transport) return;
      release(rank);
      run({ type: 'router-lost', jitterMs: jitter() });
    });
    setCache(cacheFrom(role.records()));
  };

  const release = (rank: number, departing?: string) => {
    claims.get(rank)?.stop();
    claims.delete(rank);
    const held = routers.get(rank);
    if (!held) return;
    routers.delete(rank);
    held.role.stop(departing);
    // After the role's goodbye has had its moment to leave.
    if (departing === undefined) held.transport.stop();
    else clock.setTimeout(() => held.transport.stop(), 300);
  };

  const stillJoining = (rank: number) => {
    const { phase } = election;
    return !stopped && phase.kind === 'joining' && phase.rank === rank;
  };

  const join = async (rank: number, id: string) => {
    const started = clock.now();
    let link: Link;
    try {
      link = await discovery.dial(id, timing.joinTimeoutMs);
    } catch (error) {
      if (!stillJoining(rank)) return;
      // Only silence means a crashed router's reservation; an id that is free again or a
      // connection that was closed means a router leaving, and a new one is about to be elected.
      const silent = !(error instanceof DialError) || error.problem.kind === 'timeout';
      return run(silent ? { type: 'join-failed', rank } : { type: 'join-refused', rank, jitterMs: jitter() });
    }
    if (!stillJoining(rank)) return link.close();
    let role: MemberRole;
    try {
      role = becomeMember(rank, link);
    } catch {
      link.close();
      return run({ type: 'join-failed', rank });
    }
    // A router answers a check-in with the registry; an id holder that never does (a squatter,
    // a router that froze) is no router to join: the ladder goes on to the next rank.
    const answered = await role.registryArrived(Math.max(0, timing.joinTimeoutMs - (clock.now() - started)));
    if (!stillJoining(rank) || member?.role !== role) return;
    if (!answered) {
      member = undefined;
      role.leave(false);
      return run({ type: 'join-failed', rank });
    }
    run({ type: 'joined', rank });
  };

  const becomeMember = (rank: number, link: Link): MemberRole => {
    const role: MemberRole = joinAsMember({
      link,
      clock,
      timing,
      verify: options.verify,
      cache: { get: () => cache, set: setCache },
      onLost: (why) => {
        if (member?.role !== role) return;
        member = undefined;
        if (!stillJoining(rank)) return run({ type: 'router-lost', jitterMs: jitter() });
        run(why === 'closed' ? { type: 'join-refused', rank, jitterMs: jitter() } : { type: 'join-failed', rank });
      },
    });
    member = { rank, role };
    const self = myPresence();
    if (self) {
      role.checkIn(self.bytes);
      signedFor = self.record.discoveryId;
    }
    return role;
  };

  const probe = async (rank: number, id: string) => {
    const from = currentRouter();
    if (!from) return;
    let outcome: ProbeOutcome;
    try {
      const link = await from.transport.dial(id, timing.probeTimeoutMs);
      link.close();
      outcome = 'answered';
    } catch (error) {
      outcome = error instanceof DialError && error.problem.kind === 'peer-unavailable' ? 'free' : 'silent';
    }
    run({ type: 'probe-result', rank, outcome });
  };

  const handOver = async (id: string, fromRank: number) => {
    const held = routers.get(fromRank);
    if (!held) return;
    const records = held.role.records().map((p) => p.bytes);
    try {
      const link = await held.transport.dial(id, timing.probeTimeoutMs);
      link.send(encodeDiscoveryFrame({ kind: 'hand-over', records }));
      clock.setTimeout(() => link.close(), 250);
    } catch {
      // The lower router went away again: our members re-elect and find whoever is there.
    }
    release(fromRank);
  };

  const carryOut = (effect: RouterElectionEffect) => {
    switch (effect.type) {
      case 'claim':
        return claim(effect.rank, effect.id);
      case 'serve':
        return serve(effect.rank, effect.registry);
      case 'join':
        return void join(effect.rank, effect.id);
      case 'probe':
        return void probe(effect.rank, effect.id);
      case 'hand-over':
        return void handOver(effect.id, rankOf(effect.from));
      case 'release':
        return release(effect.rank);
      case 'leave':
        member?.role.leave(true);
        member = undefined;
        return;
      case 'start-timer':
        return timers.start(effect.timer, effect.ms);
      case 'cancel-timers':
        return timers.cancelAll();
    }
  };

  const rankOf = (routerIdText: string) => Number(routerIdText.slice(routerIdText.lastIndexOf('-r') + 2));

  const refresh = () => {
    const self = myPresence();
    const id = myId();
    if (!self || !id) return;
    // Re-registered under a new id: the record under the old one is ours no more.
    if (signedFor !== undefined && signedFor !== id) currentRouter()?.role.forget(signedFor);
    signedFor = id;
    currentRouter()?.role.checkInSelf(id, self);
    member?.role.checkIn(self.bytes);
  };

  let started = false;
  cleanups.push(
    discovery.onStatus((status) => {
      if (status.state === 'online' && !started) {
        started = true;
        run({ type: 'start' });
      } else if (status.state === 'online') {
        // Back on the signaling server (perhaps under a new id): say so at once, and try again
        // if the ladder gave up meanwhile.
        refresh();
        if (election.phase.kind === 'gave-up') run({ type: 'start' });
      }
      changed();
    }),
    discovery.onIncoming((link) => incoming.emit(link)),
    // Heartbeat: the record is re-signed with a new expiry before the old one runs out.
    every(clock, timing.refreshEveryMs, refresh),
    // The member's cache forgets records nobody refreshed (the router sweeps its own).
    every(clock, timing.sweepEveryMs, () => {
      if (!currentRouter()) setCache(reduceRegistry(cache, { type: 'expired', now: clock.now() }).state);
    }),
  );

  const statusOf = (phase: ElectionPhase): VisitStatus => {
    if (!started) return { state: 'registering' };
    switch (phase.kind) {
      case 'router':
        return { state: 'router', rank: phase.rank };
      case 'member':
        return { state: 'member', rank: phase.rank };
      case 'gave-up':
        return { state: 'no-free-rank' };
      default:
        return { state: 'electing' };
    }
  };

  return {
    get discoveryId() {
      return myId();
    },
    status: () => statusOf(election.phase),
    records: () => registryRecords(cache),
    dial: (id, timeoutMs) => discovery.dial(id, timeoutMs),
    onIncoming: (listener) => incoming.add(listener),
    onChange: (listener) => changes.add(listener),
    refresh,
    routerStats: () => currentRouter()?.role.stats,
    stop() {
      if (stopped) return;
      const router = currentRouter();
      const id = myId();
      if (router) release(router.rank, id);
      member?.role.leave(true);
      member = undefined;
      run({ type: 'stop' });
      stopped = true;
      for (const cleanup of cleanups) cleanup();
      for (const rank of [...claims.keys(), ...routers.keys()]) release(rank);
      // Let the goodbyes leave before the discovery id goes.
      clock.setTimeout(() => discovery.stop(), 300);
    },
  };
}
