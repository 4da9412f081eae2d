/**
 * Belonging to a router: the member's side of the channel. It checks in with its record, keeps
 * a cached copy of the registry from what the router pushes (every record verified here, since
 * the router can only relay them), answers pings, and says when the router is lost: the channel
 * closed, a goodbye, or silence past two missed pings.
 */
import type { Link } from '../transport/transport';
import { type DiscoveryFrame, decodeDiscoveryFrame, encodeDiscoveryFrame } from './discovery-frame';
import { type DiscoveryClock, type DiscoveryTiming, every } from './discovery-timing';
import type { PresenceResult, VerifiedPresence } from './presence-record';
import { emptyRegistry, type RegistryEvent, type RegistryState, reduceRegistry } from './registry';

const SILENCE_CHECK_MS = 250;
/** Frames waiting to be handled: a router that sends faster than we verify is flooding us. */
const MAX_QUEUED_FRAMES = 16;

export type MemberRoleOptions = {
  link: Link;
  clock: DiscoveryClock;
  timing: DiscoveryTiming;
  verify(data: unknown, now: number): Promise<PresenceResult>;
  /** The registry cache this member keeps, read and written through here. */
  cache: { get(): RegistryState; set(next: RegistryState): void };
  /** Called once, when the router is gone: it fell silent, or it closed on us (or said goodbye). */
  onLost(why: 'silent' | 'closed'): void;
};

export type MemberRole = {
  checkIn(record: Uint8Array): void;
  /** Whether the router's registry snapshot arrived within `timeoutMs` (false if the router went). */
  registryArrived(timeoutMs: number): Promise<boolean>;
  /** `goodbye`: a clean leave, so the router drops us at once. */
  leave(goodbye: boolean): void;
};

export function joinAsMember(options: MemberRoleOptions): MemberRole {
  const { link, clock, timing, cache } = options;
  let lastHeard = clock.now();
  let gone = false;
  let queue = Promise.resolve();
  let queued = 0;
  let snapshotSeen = false;
  const snapshotWaiters = new Set<(arrived: boolean) => void>();
  const settleWaiters = (arrived: boolean) => {
    for (const waiter of snapshotWaiters) waiter(arrived);
    snapshotWaiters.clear();
  };

  const send = (frame: DiscoveryFrame) => {
    try {
      link.send(encodeDiscoveryFrame(frame));
    } catch {
      // Reported by the close event.
    }
  };

  const lost = (why: 'silent' | 'closed') => {
    if (gone) return;
    gone = true;
    stopWatch();
    settleWaiters(false);
    link.close();
    options.onLost(why);
  };

  const apply = (events: RegistryEvent[]) => {
    let state = cache.get();
    for (const event of events) state = reduceRegistry(state, event).state;
    cache.set(state);
  };

  const verified = async (records: readonly Uint8Array[]): Promise<VerifiedPresence[]> => {
    const now = clock.now();
    const results = await Promise.all(records.map((bytes) => options.verify(bytes, now)));
    return results.flatMap((r) => (r.ok ? [{ record: r.record, bytes: r.bytes }] : []));
  };

  const fromRouter = async (data: unknown) => {
    const decoded = decodeDiscoveryFrame(data);
    // A router that sends garbage is no router to stay with.
    if (!decoded.ok) return lost('closed');
    const { frame } = decoded;
    switch (frame.kind) {
      case 'ping':
        send({ kind: 'pong', nonce: frame.nonce });
        return;
      case 'registry-snapshot': {
        const records = await verified(frame.records);
        // Verifying took a while: the router may be gone, and its snapshot with it.
        if (gone) return;
        const now = clock.now();
        // The snapshot is the whole registry: the cache becomes exactly it (a record an earlier
        // router relayed does not outrank the current router's).
        const fresh = emptyRegistry(cache.get().namespace);
        const events = records.map((presence): RegistryEvent => ({ type: 'record-relayed', presence, now }));
        cache.set(events.reduce((state, event) => reduceRegistry(state, event).state, fresh));
        snapshotSeen = true;
        settleWaiters(true);
        return;
      }
      case 'registry-change': {
        const { change } = frame;
        if (change.kind === 'remove') return apply([{ type: 'record-removed', discoveryId: change.discoveryId }]);
        const [presence] = await verified([change.record]);
        if (presence && !gone) apply([{ type: 'record-relayed', presence, now: clock.now() }]);
        return;
      }
      case 'goodbye':
        return lost('closed');
      default:
        // Pongs, check-ins and hand-overs are not for members: ignored.
        return;
    }
  };

  // Checked often, so that every member notices a silent router within moments of each other.
  const stopWatch = every(clock, SILENCE_CHECK_MS, () => {
    if (clock.now() - lastHeard > timing.routerSilenceMs) lost('silent');
  });
  link.onData((data) => {
    lastHeard = clock.now();
    if (++queued > MAX_QUEUED_FRAMES) return lost('closed');
    queue = queue
      .then(() => (gone ? undefined : fromRouter(data)))
      .catch(() => {})
      .finally(() => {
        queued -= 1;
      });
  });
  link.onClose(() => lost('closed'));

  return {
    checkIn(record) {
      if (!gone) send({ kind: 'check-in', record });
    },
    registryArrived(timeoutMs) {
      if (snapshotSeen) return Promise.resolve(true);
      if (gone) return Promise.resolve(false);
      return new Promise((resolve) => {
        const timer = clock.setTimeout(() => {
          snapshotWaiters.delete(done);
          resolve(false);
        }, timeoutMs);
        const done = (arrived: boolean) => {
          clock.clearTimeout(timer);
          resolve(arrived);
        };
        snapshotWaiters.add(done);
      });
    },
    leave(goodbye) {
      if (gone) return;
      gone = true;
      stopWatch();
      settleWaiters(false);
      if (goodbye) send({ kind: 'goodbye' });
      // A moment for the goodbye to leave before the channel closes.
      if (goodbye) clock.setTimeout(() => link.close(), 250);
      else link.close();
    },
  };
}
