/**
 * Which chats the popup lists and which one it has open. A saved contact's chat belongs to the
 * contact, not to an address: it is listed and opened whether or not they are connected, and a
 * conversation turns into that chat as soon as its handshake proves a saved contact's key.
 * Connections with anyone else (requests sent, changed keys, failed attempts) stay listed by
 * address.
 */
import type { Conversation } from './conversations';

/** A conversation as a snapshot shows it: with its contact's messages, when it is a contact. */
type Listed = Conversation & { messages: readonly unknown[] };

/** What the list needs of a saved contact's chat (one per saved contact). */
export type ChatSummary = { contactKey: string; messages: readonly { at: number }[]; unread: number };

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

/**
 * The connection a contact's chat shows: the ready one, else the newest still being set up. A
 * closed one is history: the chat is offline then, and says how the agent is looking for them.
 */
export function liveConversation<C extends Conversation>(
  conversations: readonly C[],
  contactKey: string,
): C | undefined {
  const theirs = conversations.filter((c) => c.peer?.identityKey === contactKey && c.stage !== 'closed');
  return theirs.find((c) => c.stage === 'ready') ?? theirs.at(-1);
}

/** The saved contact a conversation proved to be, if any (a changed key is not the contact). */
function contactKeyOf(conversation: Conversation, contactKeys: ReadonlySet<string>): string | undefined {
  const key = conversation.peer?.identityKey;
  return key !== undefined && contactKeys.has(key) && conversation.problem?.kind !== 'key-changed' ? key : undefined;
}

export type ChatLine<C> =
  | { kind: 'contact'; contactKey: string; conversation?: C; unread: number }
  | { kind: 'conversation'; conversation: C };

/**
 * The "Chats" list: connections with people who are not saved contacts first (they are what is
 * happening now: a request on its way, a warning), then every contact chat with something in
 * it or a connection up, newest message first.
 */
export function chatLines<C extends Listed>(conversations: readonly C[], chats: readonly ChatSummary[]): ChatLine<C>[] {
  const contactKeys = new Set(chats.map((c) => c.contactKey));
  const others: ChatLine<C>[] = conversations
    .filter((c) => contactKeyOf(c, contactKeys) === undefined && isWorthListing(c))
    .map((conversation) => ({ kind: 'conversation', conversation }));
  const lastAt = (chat: ChatSummary) => chat.messages.at(-1)?.at ?? Number.NEGATIVE_INFINITY;
  const contacts = chats
    .map((chat) => ({ chat, conversation: liveConversation(conversations, chat.contactKey) }))
    .filter(({ chat, conversation }) => chat.messages.length > 0 || conversation !== undefined)
    .sort((a, b) => lastAt(b.chat) - lastAt(a.chat))
    .map(
      ({ chat, conversation }): ChatLine<C> => ({
        kind: 'contact',
        contactKey: chat.contactKey,
        conversation,
        unread: chat.unread,
      }),
    );
  return [...others, ...contacts];
}

/**
 * What the user opened: a contact's chat, or a conversation by address. `peerKey` is the key
 * that conversation's handshake proved, so it can be followed when the agent merges it into a
 * newer conversation at another address.
 */
export type ChatTarget =
  | { kind: 'contact'; contactKey: string }
  | { kind: 'conversation'; address: string; peerKey?: string };

export type OpenChat<C> =
  | { kind: 'contact'; contactKey: string; conversation?: C }
  | { kind: 'conversation'; conversation: C };

/** What is on screen for a target; `undefined` closes the chat (the contact or connection is gone). */
export function resolveOpenChat<C extends Conversation>(
  target: ChatTarget | undefined,
  conversations: readonly C[],
  contactKeys: ReadonlySet<string>,
): OpenChat<C> | undefined {
  if (!target) return undefined;
  if (target.kind === 'contact') {
    if (!contactKeys.has(target.contactKey)) return undefined;
    return {
      kind: 'contact',
      contactKey: target.contactKey,
      conversation: liveConversation(conversations, target.contactKey),
    };
  }
  const { address, peerKey } = target;
  const conversation =
    conversations.find((c) => c.address === address) ??
    (peerKey === undefined ? undefined : conversations.find((c) => c.peer?.identityKey === peerKey));
  if (!conversation) return undefined;
  const contactKey = contactKeyOf(conversation, contactKeys);
  if (contactKey !== undefined) {
    return { kind: 'contact', contactKey, conversation: liveConversation(conversations, contactKey) };
  }
  return { kind: 'conversation', conversation };
}

/**
 * The target to keep once `open` is on screen: a conversation that proved a saved contact's
 * key becomes that contact's chat; one that moved address is followed there. Unchanged when
 * nothing moved (the same object, so a component can compare by identity).
 */
export function followTarget<C extends Conversation>(target: ChatTarget, open: OpenChat<C> | undefined): ChatTarget {
  if (!open || target.kind === 'contact') return target;
  if (open.kind === 'contact') return { kind: 'contact', contactKey: open.contactKey };
  const { address, peer } = open.conversation;
  const peerKey = peer?.identityKey ?? target.peerKey;
  return address === target.address && peerKey === target.peerKey ? target : { kind: 'conversation', address, peerKey };
}
