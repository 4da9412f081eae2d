import type { PingResult } from '@/lib/agent/agent-api';
import type { ContactChatView } from '@/lib/agent/chat-snapshot';
import type { Stage } from '@/lib/sessions/conversations';
import { ChatHeader } from './ChatHeader';
import { ChatNotice, type ChatNoticeActions } from './ChatNotice';
import { Composer } from './Composer';
import { ContactChatNotice } from './ContactChatNotice';
import { MessageList } from './MessageList';
import { contactName, contactOf, peerName } from './peer-name';
import type { OpenChat } from './use-open-chat';

const PLACEHOLDER: Record<Stage, string> = {
  connecting: 'Connecting…',
  securing: 'Securing the connection…',
  request: 'Accept the request to chat',
  waiting: 'Waiting for them to accept',
  ready: 'Write a message',
  closed: 'Disconnected',
};

export interface ChatActions extends ChatNoticeActions {
  send(text: string): Promise<void>;
  /** A contact's chat only: tries their last known address now. */
  ping(): Promise<PingResult>;
}

export function ChatView({
  open,
  contacts,
  myName,
  onBack,
  actions,
}: {
  open: OpenChat;
  contacts: ContactChatView[];
  myName: string;
  onBack: () => void;
  actions: ChatActions;
}) {
  const { conversation } = open;
  const contact = open.kind === 'contact' ? open.contact : conversation && contactOf(conversation, contacts);
  const name = conversation ? peerName(conversation, contacts) : contact ? contactName(contact) : '';
  const ready = conversation?.stage === 'ready';
  return (
    <section class="chat">
      <ChatHeader conversation={conversation} name={name} contact={contact} onBack={onBack} />
      {conversation ? (
        <ChatNotice conversation={conversation} contacts={contacts} actions={actions} />
      ) : (
        open.kind === 'contact' && <ContactChatNotice contact={open.contact} name={name} onPing={actions.ping} />
      )}
      <MessageList
        messages={open.kind === 'contact' ? (open.chat?.messages ?? []) : open.conversation.messages}
        myName={myName}
        peerName={name}
      />
      {/* A saved contact can always be written to: what cannot go now waits in the outbox. */}
      <Composer
        enabled={ready || open.kind === 'contact'}
        placeholder={
          open.kind === 'contact'
            ? ready
              ? PLACEHOLDER.ready
              : `Write to ${name}: sent when they are reachable`
            : PLACEHOLDER[open.conversation.stage]
        }
        onSend={actions.send}
      />
    </section>
  );
}
