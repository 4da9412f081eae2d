/** What a snapshot shows of chats: per contact, and inside the conversation that is open now. */
import type { ContactReach } from '../rendezvous/contact-reach';
import { reachLabel } from '../rendezvous/contact-reach';
import type { Conversation } from '../sessions/conversations';
import { type Contact, findContact } from '../store/contacts';
import type { ContactView } from './agent-views';
import type { ChatView, MessageView } from './chat-views';

/** A contact unseen this long is offered a pause of its rendezvous (it costs a server registration). */
export const UNSEEN_PAUSE_AFTER_MS = 30 * 24 * 60 * 60_000;

type Chats = {
  messages(contactKey: string): MessageView[];
  unread(contactKey: string): number;
  pending(contactKey: string): number;
  lastSeenAt(contactKey: string): number | null;
};

export type ConversationView = Conversation & { messages: MessageView[]; unread: number };

export type ContactChatView = ContactView & {
  /** online · reconnecting · recovering · offline (lib/rendezvous/contact-reach.ts). */
  reach: 'online' | 'reconnecting' | 'recovering' | 'offline';
  lastSeenAt: number | null;
  unread: number;
  pending: number;
  /** Special, not paused, and unseen for a month: the popup offers to pause its rendezvous. */
  suggestPause: boolean;
};

export function conversationViews(
  conversations: readonly Conversation[],
  chats: Chats,
  contacts: readonly Contact[],
): ConversationView[] {
  return conversations.map((c) => {
    const key = c.peer && findContact(contacts, c.peer.identityKey) ? c.peer.identityKey : undefined;
    return key === undefined
      ? { ...c, messages: [], unread: 0 }
      : { ...c, messages: chats.messages(key), unread: chats.unread(key) };
  });
}

export function withChats(
  views: ContactView[],
  chats: Chats,
  reachOf: (contactKey: string) => ContactReach | undefined,
  now: number,
): ContactChatView[] {
  return views.map((view) => {
    const key = view.identityKey;
    const reach = reachOf(key);
    const lastSeenAt = view.online ? now : chats.lastSeenAt(key);
    const unseenSince = lastSeenAt ?? view.addedAt;
    return {
      ...view,
      reach: view.online ? 'online' : reach ? reachLabel(reach) : 'offline',
      lastSeenAt,
      unread: chats.unread(key),
      pending: chats.pending(key),
      suggestPause: view.special && !view.rendezvousPaused && !view.online && now - unseenSince > UNSEEN_PAUSE_AFTER_MS,
    };
  });
}

export function chatViews(contacts: readonly Contact[], chats: Chats): ChatView[] {
  return contacts.map((c) => ({
    contactKey: c.identityKey,
    messages: chats.messages(c.identityKey),
    unread: chats.unread(c.identityKey),
    pending: chats.pending(c.identityKey),
  }));
}
