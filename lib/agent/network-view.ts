/**
 * What the popup's "On this network" section shows: everyone in the namespace, each either a
 * saved contact (recognised by its blinded tag, so shown once, as the contact) or a stranger
 * under the name it chose.
 */
import { fromHex, toHex } from '../bytes';
import { matchContactTag } from '../discovery/contact-tag';
import type { DiscoveryStatus } from '../discovery/network-discovery';
import type { VerifiedPresence } from '../discovery/presence-record';
import type { Contact } from '../store/contacts';

export type NetworkPeerView = {
  discoveryId: string;
  /** The name they chose for this network (may be empty). */
  name: string;
  /** Set when the record's tag is one of our contacts'. */
  contactKey?: string;
};

export type NetworkView = { status: DiscoveryStatus; peers: NetworkPeerView[] };

/**
 * Matching a tag costs an HMAC per contact (and per candidate day), so results are kept per
 * record until the contact list changes.
 */
export function networkViewer() {
  let matched = new Map<string, string | undefined>();
  let keysOf: readonly Contact[] | undefined;
  let keyed: Array<{ contact: string; presenceKey: Uint8Array }> = [];

  return (
    status: DiscoveryStatus,
    ns: string | undefined,
    records: readonly VerifiedPresence[],
    contacts: readonly Contact[],
    now: number,
  ): NetworkView => {
    if (contacts !== keysOf || matched.size > 4 * records.length + 64) {
      keysOf = contacts;
      matched = new Map();
      keyed = contacts.flatMap((c) =>
        c.presenceKey ? [{ contact: c.identityKey, presenceKey: fromHex(c.presenceKey) }] : [],
      );
    }
    const peers = records.map(({ record }): NetworkPeerView => {
      const cacheKey = `${record.discoveryId}|${toHex(record.contactTag)}`;
      if (!matched.has(cacheKey) && ns !== undefined) {
        matched.set(cacheKey, matchContactTag(record.contactTag, { ns, discoveryId: record.discoveryId }, now, keyed));
      }
      const contactKey = matched.get(cacheKey);
      return { discoveryId: record.discoveryId, name: record.name, ...(contactKey ? { contactKey } : {}) };
    });
    // A tag copied by someone else never matches (it is bound to its discovery id). Two records
    // of one contact happen for a moment (an old visit's record not yet gone): the contact is
    // shown once, by the record that lives longest, and the other not at all.
    const newest = new Map<string, VerifiedPresence['record']>();
    records.forEach(({ record }, i) => {
      const key = peers[i]?.contactKey;
      const held = key && newest.get(key);
      if (key && (!held || record.expiresAt > held.expiresAt)) newest.set(key, record);
    });
    return {
      status,
      peers: peers.filter((peer) => !peer.contactKey || newest.get(peer.contactKey)?.discoveryId === peer.discoveryId),
    };
  };
}
