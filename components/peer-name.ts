import type { ContactView } from '@/lib/agent/agent-views';
import type { Conversation } from '@/lib/sessions/conversations';

/** The saved contact a conversation is with, known by the key the handshake proved. */
export function contactOf(conversation: Conversation, contacts: readonly ContactView[]): ContactView | undefined {
  const key = conversation.peer?.identityKey;
  return key === undefined ? undefined : contacts.find((c) => c.identityKey === key);
}

/**
 * What the user calls them (petname), else what they call themselves, else their key's
 * fingerprint. A conversation refused for a changed key is named after the contact it was meant
 * to reach: the warning beside the name says it is not them.
 */
export function peerName(conversation: Conversation, contacts: readonly ContactView[]): string {
  const { problem } = conversation;
  const expected =
    problem?.kind === 'key-changed' ? contacts.find((c) => c.identityKey === problem.contactKey) : undefined;
  return (
    contactOf(conversation, contacts)?.petname ||
    conversation.peer?.name ||
    conversation.name ||
    expected?.petname ||
    (conversation.peer ? `Key ${conversation.peer.fingerprint}` : 'Unnamed')
  );
}

/** A saved contact with no conversation to take a name from: their petname, else their key. */
export function contactName(contact: ContactView): string {
  return contact.petname || `Key ${contact.fingerprint}`;
}
