/**
 * Serving a namespace's registry: the adapter around registry.ts for the member that holds a
 * router id. Members dial that id from their discovery id, so the signaling server vouches for
 * which discovery id each channel belongs to; the reducer places a record only for the channel
 * it names. Everything a member sends is decoded from unknown and verified before the reducer
 * sees it; a member that breaks the protocol is dropped.
 */
import { Listeners } from '../listeners';
import type { Link } from '../transport/transport';
import { type DiscoveryFrame, decodeDiscoveryFrame, encodeDiscoveryFrame } from './discovery-frame';
import { type DiscoveryClock, type DiscoveryTiming, every } from './discovery-timing';
import { parseDiscoveryId, parseRouterId } from './network-namespace';
import type { PresenceResult, VerifiedPresence } from './presence-record';
import {
  emptyRegistry,
  MAX_REGISTRY_ENTRIES,
  type RegistryEvent,
  type RegistryState,
  reduceRegistry,
  registryRecords,
} from './registry';
import { MAX_ROUTER_RANK } from './router-election';

/** Frames one channel may have waiting to be handled: an honest member sends one at a time. */
const MAX_QUEUED_FRAMES = 8;
/** Channels beyond a full registry (plus room for routers probing or handing over) are refused. */
const MAX_CHANNELS = MAX_REGISTRY_ENTRIES + 16;
const CLOSE_AFTER_GOODBYE_MS = 250;

export type RouterStats = { refused: Record<string, number>; evicted: Record<string, number> };

export type RouterRoleOptions = {
  /** `{root}-{ns}`. */
  namespace: string;
  /** The rank of the router id we serve at: only higher routers may hand over to us. */
  rank: number;
  clock: DiscoveryClock;
  timing: DiscoveryTiming;
  verify(data: unknown, now: number): Promise<PresenceResult>;
  randomBytes(length: number): Uint8Array;
  /** Where the registry starts (a member's cache, another rank's registry, or nothing). */
  start: readonly VerifiedPresence[];
  /** Start records stay only if their members check in within the grace period. */
  provisional: boolean;
};

type MemberChannel = {
  link: Link;
  /** Another router of this namespace (probing, or handing over), not a member. */
  fromRouter: boolean;
  pingNonce?: number;
  queued: number;
  handedOver: boolean;
  queue: Promise<void>;
};

export type RouterRole = {
  records(): VerifiedPresence[];
  /** Our own record, placed as every member's is. */
  checkInSelf(from: string, presence: VerifiedPresence): void;
  /** Our own record under an id we no longer hold. */
  forget(discoveryId: string): void;
  /** A channel from a member (or from a higher router handing over). */
  accept(link: Link): void;
  onChange(listener: () => void): () => void;
  stats: RouterStats;
  /**
   * `departing`: a clean stop by the member with that discovery id. Members hear that it left and
   * that the router is going, so neither waits for missed pings or a grace period.
   */
  stop(departing?: string): void;
};

export function createRouterRole(options: RouterRoleOptions): RouterRole {
  const { clock, timing } = options;
  const changes = new Listeners<[]>();
  const members = new Map<string, MemberChannel>();
  const stats: RouterStats = { refused: {}, evicted: {} };
  let registry: RegistryState = emptyRegistry(options.namespace);
  let stopped = false;
  const timers: Array<() => void> = [];
  const confirmTimers = new Set<unknown>();

  const sendTo = (channel: MemberChannel, frame: DiscoveryFrame) => {
    try {
      channel.link.send(encodeDiscoveryFrame(frame));
    } catch {
      // A link that closed under us is reported by its close event.
    }
  };

  const dropMember = (discoveryId: string) => {
    const channel = members.get(discoveryId);
    members.delete(discoveryId);
    channel?.link.close();
  };

  const dispatch = (event: RegistryEvent) => {
    if (stopped) return;
    const step = reduceRegistry(registry, event);
    registry = step.state;
    let changed = false;
    for (const effect of step.effects) {
      switch (effect.type) {
        case 'push-change': {
          changed = true;
          const { change } = effect;
          const frame: DiscoveryFrame =
            change.kind === 'upsert'
              ? { kind: 'registry-change', change: { kind: 'upsert', record: change.bytes } }
              : { kind: 'registry-change', change: { kind: 'remove', discoveryId: change.discoveryId } };
          // Pushed as it happens, not on the next heartbeat.
          for (const channel of members.values()) if (!channel.fromRouter) sendTo(channel, frame);
          break;
        }
        case 'evict':
          stats.evicted[effect.reason] = (stats.evicted[effect.reason] ?? 0) + 1;
          dropMember(effect.discoveryId);
          break;
        case 'refused':
          stats.refused[effect.reason] = (stats.refused[effect.reason] ?? 0) + 1;
          break;
      }
    }
    if (changed) changes.emit();
  };

  const takeOver = (records: readonly VerifiedPresence[], provisional: boolean) => {
    const now = clock.now();
    if (!provisional) return dispatch({ type: 'merge', records, now });
    dispatch({ type: 'merge', records, now, confirmBy: now + timing.confirmGraceMs });
    const timer = clock.setTimeout(() => {
      confirmTimers.delete(timer);
      dispatch({ type: 'unconfirmed-dropped', now: clock.now() });
    }, timing.confirmGraceMs);
    confirmTimers.add(timer);
  };

  /** Verifies a list of records; the bad ones are left out (a relayed list, not a member's own). */
  const verifyAll = async (records: readonly Uint8Array[]): Promise<VerifiedPresence[]> => {
    const results = await Promise.all(records.map((bytes) => options.verify(bytes, clock.now())));
    return results.flatMap((r) => (r.ok ? [{ record: r.record, bytes: r.bytes }] : []));
  };

  const evictForProtocol = (discoveryId: string, reason: string) => {
    stats.evicted[reason] = (stats.evicted[reason] ?? 0) + 1;
    dispatch({ type: 'member-departed', discoveryId });
    dropMember(discoveryId);
  };

  const fromMember = async (remote: string, channel: MemberChannel, data: unknown) => {
    const decoded = decodeDiscoveryFrame(data);
    if (!decoded.ok) return evictForProtocol(remote, 'bad-frame');
    const { frame } = decoded;
    switch (frame.kind) {
      case 'check-in': {
        if (channel.fromRouter) return evictForProtocol(remote, 'wrong-direction');
        const result = await options.verify(frame.record, clock.now());
        if (members.get(remote) !== channel) return;
        if (!result.ok) {
          // Expired may be clock skew; anything else is a forgery or garbage.
          if (result.kind === 'expired' || result.kind === 'expiry-too-far') {
            stats.refused[result.kind] = (stats.refused[result.kind] ?? 0) + 1;
            return;
          }
          return evictForProtocol(remote, result.kind);
        }
        dispatch({ type: 'record-received', from: remote, presence: result, now: clock.now() });
        return;
      }
      case 'pong':
        if (frame.nonce === channel.pingNonce) {
          channel.pingNonce = undefined;
          dispatch({ type: 'ping-answered', discoveryId: remote });
        }
        return;
      case 'ping':
        sendTo(channel, { kind: 'pong', nonce: frame.nonce });
        return;
      case 'goodbye':
        dispatch({ type: 'member-departed', discoveryId: remote });
        dropMember(remote);
        return;
      case 'hand-over': {
        // Only a higher router of this namespace hands over (its channel comes from its router
        // id), and once: its records stay only if their members check in with us.
        const rank = parseRouterId(remote)?.rank ?? 0;
        if (!channel.fromRouter || rank <= options.rank || channel.handedOver) {
          return evictForProtocol(remote, 'not-a-router');
        }
        channel.handedOver = true;
        const records = await verifyAll(frame.records);
        if (!stopped) takeOver(records, true);
        return;
      }
      default:
        // Snapshots and changes flow from the router, never to it.
        return evictForProtocol(remote, 'wrong-direction');
    }
  };

  const isRouterOfNamespace = (id: string) => {
    const parsed = parseRouterId(id);
    return parsed?.namespace === options.namespace && parsed.rank <= MAX_ROUTER_RANK;
  };
  const isMemberOfNamespace = (id: string) => {
    const parsed = parseDiscoveryId(id);
    return parsed !== undefined && `${parsed.root}-${parsed.ns}` === options.namespace;
  };

  const pingRound = () => {
    for (const [discoveryId, channel] of [...members]) {
      if (channel.fromRouter) continue;
      if (channel.pingNonce !== undefined) dispatch({ type: 'ping-missed', discoveryId });
      if (!members.has(discoveryId)) continue;
      const nonce = new DataView(options.randomBytes(4).buffer).getUint32(0);
      channel.pingNonce = nonce;
      sendTo(channel, { kind: 'ping', nonce });
    }
  };

  timers.push(every(clock, timing.pingEveryMs, pingRound));
  timers.push(every(clock, timing.sweepEveryMs, () => dispatch({ type: 'expired', now: clock.now() })));
  takeOver(options.start, options.provisional);

  return {
    records: () => registryRecords(registry),
    checkInSelf(from, presence) {
      dispatch({ type: 'record-received', from, presence, now: clock.now() });
    },
    forget(discoveryId) {
      dispatch({ type: 'member-departed', discoveryId });
    },
    accept(link) {
      const remote = link.remoteAddress;
      const fromRouter = isRouterOfNamespace(remote);
      // Only this namespace's members and routers; a router id in another namespace, or a
      // transport id, has no business here.
      if (stopped || (!fromRouter && !isMemberOfNamespace(remote)) || members.size >= MAX_CHANNELS) {
        return link.close();
      }
      // One channel per member: a second one from the same id replaces the first.
      const previous = members.get(remote);
      const channel: MemberChannel = { link, fromRouter, queued: 0, handedOver: false, queue: Promise.resolve() };
      members.set(remote, channel);
      previous?.link.close();
      link.onClose(() => {
        if (members.get(remote) !== channel) return;
        members.delete(remote);
        // Departed on channel close at once, not after missed pings.
        dispatch({ type: 'member-departed', discoveryId: remote });
      });
      link.onData((data) => {
        // One frame at a time per member, so a check-in's verification cannot reorder its frames;
        // a member that sends faster than that is flooding.
        if (++channel.queued > MAX_QUEUED_FRAMES) return evictForProtocol(remote, 'flood');
        channel.queue = channel.queue
          .then(() => (members.get(remote) === channel ? fromMember(remote, channel, data) : undefined))
          .catch(() => {})
          .finally(() => {
            channel.queued -= 1;
          });
      });
      if (!fromRouter) {
        sendTo(channel, { kind: 'registry-snapshot', records: registryRecords(registry).map((p) => p.bytes) });
      }
    },
    onChange: (listener) => changes.add(listener),
    stats,
    stop(departing) {
      if (stopped) return;
      if (departing !== undefined) dispatch({ type: 'member-departed', discoveryId: departing });
      for (const cancel of timers) cancel();
      for (const timer of confirmTimers) clock.clearTimeout(timer);
      const channels = [...members.values()];
      members.clear();
      stopped = true;
      if (departing === undefined) {
        for (const channel of channels) channel.link.close();
        return;
      }
      for (const channel of channels) sendTo(channel, { kind: 'goodbye' });
      // Closing at once can drop what was just queued; the goodbye saves members a grace period.
      clock.setTimeout(() => {
        for (const channel of channels) channel.link.close();
      }, CLOSE_AFTER_GOODBYE_MS);
    },
  };
}
