import type { ComponentChildren } from 'preact';
import type { ContactChatView, ConversationView } from '@/lib/agent/chat-snapshot';
import type { ChatLine } from '@/lib/sessions/conversation-list';
import { describeReach, describeStage, isEncrypted } from './describe';
import { contactName, peerName } from './peer-name';

type Line = {
  key: string;
  name: string;
  /** The dot's class: a stage, or a contact's reach. */
  dot: string;
  status: ComponentChildren;
  encrypted: boolean;
  unread: number;
  open: () => void;
};

function contactLine(
  line: Extract<ChatLine<ConversationView>, { kind: 'contact' }>,
  contact: ContactChatView,
  contacts: ContactChatView[],
  onOpen: (contactKey: string) => void,
): Line {
  const { conversation } = line;
  return {
    key: `contact:${line.contactKey}`,
    name: conversation ? peerName(conversation, contacts) : contactName(contact),
    dot: conversation?.stage ?? contact.reach,
    status: conversation ? describeStage(conversation.stage) : describeReach(contact.reach),
    encrypted: conversation !== undefined && isEncrypted(conversation.stage),
    unread: line.unread,
    open: () => onOpen(line.contactKey),
  };
}

function conversationLine(c: ConversationView, contacts: ContactChatView[], onOpen: (address: string) => void): Line {
  return {
    key: `address:${c.address}`,
    name: peerName(c, contacts),
    dot: c.stage,
    status:
      c.problem?.kind === 'key-changed' ? (
        <span class="bad">⚠ Key changed, not trusted</span>
      ) : (
        `${describeStage(c.stage)} · ${c.address}`
      ),
    encrypted: isEncrypted(c.stage),
    unread: c.unread,
    open: () => onOpen(c.address),
  };
}

/** "Chats": every saved contact's chat with something in it, and connections with anyone else. */
export function ConversationList({
  lines,
  contacts,
  onOpenContact,
  onOpenAddress,
}: {
  lines: ChatLine<ConversationView>[];
  contacts: ContactChatView[];
  onOpenContact: (contactKey: string) => void;
  onOpenAddress: (address: string) => void;
}) {
  const shown = lines.flatMap((line) => {
    if (line.kind === 'conversation') return [conversationLine(line.conversation, contacts, onOpenAddress)];
    const contact = contacts.find((c) => c.identityKey === line.contactKey);
    return contact ? [contactLine(line, contact, contacts, onOpenContact)] : [];
  });
  if (shown.length === 0) {
    return <p class="muted empty">No chats yet. Share your invite, or paste someone else’s above.</p>;
  }
  return (
    <ul class="conversations">
      {shown.map((line) => (
        <li key={line.key}>
          <button type="button" class="conversation" onClick={line.open} data-testid="conversation">
            <span class={`dot ${line.dot}`} />
            <span class="who">
              <strong>
                {line.encrypted && (
                  <span class="lock" role="img" title="End-to-end encrypted" aria-label="Encrypted">
                    🔒{' '}
                  </span>
                )}
                {line.name}
              </strong>
              <span class="muted small" data-testid="conversation-stage">
                {line.status}
              </span>
            </span>
            {line.unread > 0 && <span class="unread">{line.unread}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
