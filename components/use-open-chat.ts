import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AgentSnapshot } from '@/lib/agent/agent';
import type { ContactChatView, ConversationView } from '@/lib/agent/chat-snapshot';
import type { ChatView } from '@/lib/agent/chat-views';
import { type ChatTarget, followTarget, resolveOpenChat } from '@/lib/sessions/conversation-list';

/** The chat on screen, with what the popup shows of it. */
export type OpenChat =
  | { kind: 'contact'; contact: ContactChatView; chat: ChatView | undefined; conversation?: ConversationView }
  | { kind: 'conversation'; conversation: ConversationView };

/**
 * The chat on screen. A contact's chat is theirs, not an address's: it opens while they are
 * offline (what is written waits in the outbox) and follows them to whatever address they come
 * back from; a conversation with anyone else is followed by address, then by the key it proved.
 */
export function useOpenChat(snapshot: AgentSnapshot | undefined) {
  const [target, setTarget] = useState<ChatTarget | undefined>();
  const conversations = snapshot?.conversations ?? [];
  const contacts = snapshot?.contacts ?? [];
  const contactKeys = useMemo(() => new Set(contacts.map((c) => c.identityKey)), [contacts]);
  const resolved = resolveOpenChat(target, conversations, contactKeys);
  const next = target && followTarget(target, resolved);
  useEffect(() => {
    if (next !== target) setTarget(next);
  }, [next, target]);

  let open: OpenChat | undefined;
  if (resolved?.kind === 'conversation') open = resolved;
  else if (resolved) {
    const contact = contacts.find((c) => c.identityKey === resolved.contactKey);
    const chat = snapshot?.chats.find((c) => c.contactKey === resolved.contactKey);
    if (contact) open = { kind: 'contact', contact, chat, conversation: resolved.conversation };
  }
  return {
    open,
    /** A conversation by address (one with a saved contact opens as their chat). */
    openAddress: (address: string) => setTarget({ kind: 'conversation', address }),
    openContact: (contactKey: string) => setTarget({ kind: 'contact', contactKey }),
    close: () => setTarget(undefined),
  };
}
