import type { Conversation } from './conversations';

/** A conversation as a snapshot shows it: with its contact's messages, when it is a contact. */
type Listed = Conversation & { messages: readonly unknown[] };

/**
 * Chats worth a line: requests are shown above them, and a connection that closed with nothing
 * said and no trust given leaves nothing to read or answer (a stranger's failed attempt, a
 * request the user declined, an invite that reached the wrong key). A changed key stays listed.
 */
export function isWorthListing(c: Listed): boolean {
  if (c.stage === 'request') return false;
  if (c.stage !== 'closed' || c.messages.length > 0 || c.problem?.kind === 'key-changed') return true;
  return c.trusted && c.problem?.kind !== 'declined-by-me';
}
