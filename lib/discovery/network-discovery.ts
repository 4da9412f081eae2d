/**
 * Same-network discovery as the agent uses it: from settings to a namespace visit. It decides
 * whether discovery runs at all (settings, cellular), finds the public address, derives the
 * namespace from it, and starts a new visit whenever that changes (the computer moved to another
 * network). Everything the popup says about discovery comes from `status()`.
 */
import { Listeners } from '../listeners';
import type { Link, Transport } from '../transport/transport';
import { DEFAULT_DISCOVERY_TIMING, type DiscoveryClock, type DiscoveryTiming, every } from './discovery-timing';
import { type NamespaceVisit, type VisitProfile, type VisitStatus, visitNamespace } from './namespace-visit';
import { namespaceId, publicPrefix, rootKey } from './network-namespace';
import { type PresenceResult, type VerifiedPresence, verifyPresence } from './presence-record';
import type { PublicAddressResult } from './public-address';
import type { RouterStats } from './router-role';

export type DiscoveryStatus =
  | { state: 'off'; reason: 'disabled' | 'cellular' }
  | { state: 'finding-address' }
  /** No STUN server answered (nor the fallback URL), or the answer named no public network. */
  | { state: 'no-address'; reason: NoAddressReason; fallback?: 'unreachable' | 'refused' }
  | { state: 'active'; ns: string; visit: VisitStatus };

/** `not-public`: the only answer was a private address (the STUN server is inside this network). */
export type NoAddressReason = Extract<PublicAddressResult, { kind: 'none' }>['reason'] | 'not-public';

const MAX_MISSED_RECHECKS = 3;

export type DiscoveryConfig = {
  enabled: boolean;
  onCellular: boolean;
  /** Changes to this key (servers, fallback URL) mean a new address lookup. */
  networkKey: string;
  profile: VisitProfile;
};

export type NetworkDiscoveryDeps = {
  root: string;
  clock: DiscoveryClock;
  timing?: DiscoveryTiming;
  randomBytes(length: number): Uint8Array;
  openTransport(nextAddress: () => string | undefined): Transport;
  findPublicAddress(): Promise<PublicAddressResult>;
  isCellular(): boolean;
  verify?(data: unknown, now: number): Promise<PresenceResult>;
};

export type NetworkDiscovery = {
  configure(config: DiscoveryConfig): void;
  status(): DiscoveryStatus;
  /** Everyone in the namespace but us. */
  others(): VerifiedPresence[];
  ns(): string | undefined;
  /** Ours, while a visit is registered. */
  discoveryId(): string | undefined;
  /** Dials a member of the namespace from our discovery id. */
  dial(discoveryId: string): Promise<Link>;
  onIncoming(listener: (link: Link) => void): () => void;
  onChange(listener: () => void): () => void;
  routerStats(): RouterStats | undefined;
  stop(): void;
};

export function createNetworkDiscovery(deps: NetworkDiscoveryDeps): NetworkDiscovery {
  const timing = deps.timing ?? DEFAULT_DISCOVERY_TIMING;
  const verify = deps.verify ?? verifyPresence;
  const changes = new Listeners<[]>();
  const incoming = new Listeners<[Link]>();
  const changed = () => changes.emit();
  let config: DiscoveryConfig | undefined;
  let status: DiscoveryStatus = { state: 'off', reason: 'disabled' };
  let visit: { ns: string; visit: NamespaceVisit; cleanups: Array<() => void> } | undefined;
  let lookups = 0;
  /** Rechecks in a row that found no address while a visit was on. */
  let missedRechecks = 0;
  let stopRecheck: (() => void) | undefined;

  const leave = () => {
    if (!visit) return;
    for (const cleanup of visit.cleanups) cleanup();
    visit.visit.stop();
    visit = undefined;
  };

  const enter = (ns: string, first: DiscoveryConfig) => {
    if (visit?.ns === ns) return;
    leave();
    const started = visitNamespace({
      root: deps.root,
      ns,
      clock: deps.clock,
      timing,
      randomBytes: deps.randomBytes,
      verify,
      openTransport: deps.openTransport,
      // The latest profile (a new name applies at the next refresh); the one we entered with
      // after a stop, when the visit is only saying goodbye.
      profile: () => (config ?? first).profile,
    });
    visit = {
      ns,
      visit: started,
      cleanups: [started.onChange(changed), started.onIncoming((link) => incoming.emit(link))],
    };
  };

  const setStatus = (next: DiscoveryStatus) => {
    status = next;
    changed();
  };

  const lookUp = async () => {
    const lookup = ++lookups;
    // A recheck keeps the current visit (and its status) until the answer says otherwise.
    if (!visit) setStatus({ state: 'finding-address' });
    const result = await deps
      .findPublicAddress()
      .catch((): PublicAddressResult => ({ kind: 'none', reason: 'webrtc-unavailable' }));
    if (lookup !== lookups || !config || !allowed(config)) return;
    const prefix = result.kind === 'found' ? publicPrefix(result.address) : undefined;
    // One lost STUN answer is no new network: a visit ends after a few misses in a row.
    if (prefix === undefined && visit && ++missedRechecks < MAX_MISSED_RECHECKS) return;
    if (prefix === undefined) {
      missedRechecks = 0;
      leave();
      if (result.kind === 'found') return setStatus({ state: 'no-address', reason: 'not-public' });
      const { reason, fallback } = result;
      return setStatus({ state: 'no-address', reason, ...(fallback ? { fallback } : {}) });
    }
    missedRechecks = 0;
    const ns = namespaceId(rootKey(deps.root), prefix);
    enter(ns, config);
    changed();
  };

  const allowed = (c: DiscoveryConfig) => c.enabled && (c.onCellular || !deps.isCellular());

  const stopAll = () => {
    lookups++;
    stopRecheck?.();
    stopRecheck = undefined;
    leave();
  };

  return {
    configure(next) {
      const previous = config;
      config = next;
      if (!next.enabled) {
        stopAll();
        return setStatus({ state: 'off', reason: 'disabled' });
      }
      if (!allowed(next)) {
        stopAll();
        return setStatus({ state: 'off', reason: 'cellular' });
      }
      const sameNetwork = previous && allowed(previous) && previous.networkKey === next.networkKey;
      if (sameNetwork && stopRecheck) {
        if (previous.profile.name !== next.profile.name) visit?.visit.refresh();
        return;
      }
      stopAll();
      stopRecheck = every(deps.clock, timing.addressRecheckMs, () => void lookUp());
      void lookUp();
    },
    status: () => (visit ? { state: 'active', ns: visit.ns, visit: visit.visit.status() } : status),
    others() {
      if (!visit) return [];
      const mine = visit.visit.discoveryId;
      return visit.visit.records().filter((p) => p.record.discoveryId !== mine);
    },
    ns: () => visit?.ns,
    discoveryId: () => visit?.visit.discoveryId,
    dial(discoveryId) {
      if (!visit) return Promise.reject(new Error('Discovery is not active.'));
      return visit.visit.dial(discoveryId);
    },
    onIncoming: (listener) => incoming.add(listener),
    onChange: (listener) => changes.add(listener),
    routerStats: () => visit?.visit.routerStats(),
    stop() {
      stopAll();
      config = undefined;
      setStatus({ state: 'off', reason: 'disabled' });
    },
  };
}
