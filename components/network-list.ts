import type { ContactView } from '@/lib/agent/agent-views';
import type { NetworkView } from '@/lib/agent/network-view';
import type { Conversation } from '@/lib/sessions/conversations';

/** A saved contact recognised on this network by its blinded tag: shown as the contact, once. */
export type ContactHere = { discoveryId: string; contact: ContactView };

/**
 * Where our side stands with a stranger, read from the conversation at their discovery id:
 * `asked-you` (their request is in the request list), `connected` (they accepted; until their
 * introduction arrives they are still listed here as a stranger).
 */
export type StrangerRequest = 'none' | 'requesting' | 'sent' | 'asked-you' | 'connected' | 'declined';

export type StrangerHere = { discoveryId: string; label: string; request: StrangerRequest };

export type NetworkList<C extends ContactView = ContactView> = {
  /** Saved contacts on this network now, by petname. */
  contactsHere: ContactHere[];
  /** Everyone else on this network, by the name they chose. */
  strangers: StrangerHere[];
  /** Saved contacts not on this network: the "Saved contacts" list. */
  elsewhere: C[];
};

/** Characters of the discovery id that tell two anonymous people apart. */
const SUFFIX_CHARS = 4;

/**
 * A stranger's name is their claim and may be empty; an empty one becomes "Anonymous" and the
 * end of their discovery id, so two of them can be told apart.
 */
export function strangerLabel(name: string, discoveryId: string): string {
  const chosen = name.trim();
  return chosen || `Anonymous ${discoveryId.slice(-SUFFIX_CHARS)}`;
}

export function strangerRequest(conversation: Conversation | undefined): StrangerRequest {
  if (!conversation) return 'none';
  switch (conversation.stage) {
    case 'connecting':
    case 'securing':
      return 'requesting';
    case 'waiting':
      return 'sent';
    case 'request':
      return 'asked-you';
    case 'ready':
      return 'connected';
    case 'closed':
      return conversation.problem?.kind === 'declined' ? 'declined' : 'none';
  }
}

const byText = (a: string, b: string) => a.localeCompare(b);

/**
 * Splits the network and the saved contacts into what the popup lists. A peer whose tag names a
 * saved contact is that contact, and only that; a tag naming a key that is not (or no longer) a
 * saved contact leaves the peer a stranger. Each contact is listed once, here or under "Saved
 * contacts".
 */
export function networkList<C extends ContactView>(
  network: NetworkView,
  contacts: readonly C[],
  conversations: readonly Conversation[],
): NetworkList<C> {
  const byKey = new Map(contacts.map((c) => [c.identityKey, c]));
  const contactsHere: ContactHere[] = [];
  const strangers: StrangerHere[] = [];
  const here = new Set<string>();
  for (const peer of network.peers) {
    const contact = peer.contactKey === undefined ? undefined : byKey.get(peer.contactKey);
    if (contact && !here.has(contact.identityKey)) {
      here.add(contact.identityKey);
      contactsHere.push({ discoveryId: peer.discoveryId, contact });
      continue;
    }
    if (contact) continue;
    strangers.push({
      discoveryId: peer.discoveryId,
      label: strangerLabel(peer.name, peer.discoveryId),
      request: strangerRequest(conversations.find((c) => c.address === peer.discoveryId)),
    });
  }
  contactsHere.sort((a, b) => byText(a.contact.petname, b.contact.petname) || byText(a.discoveryId, b.discoveryId));
  strangers.sort((a, b) => byText(a.label, b.label) || byText(a.discoveryId, b.discoveryId));
  return { contactsHere, strangers, elsewhere: contacts.filter((c) => !here.has(c.identityKey)) };
}
