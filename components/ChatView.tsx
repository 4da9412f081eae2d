import type { ContactView } from '@/lib/agent/agent-views';
import type { Conversation, Stage } from '@/lib/sessions/conversations';
import { ChatHeader } from './ChatHeader';
import { ChatNotice, type ChatNoticeActions } from './ChatNotice';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { contactOf, peerName } from './peer-name';

const PLACEHOLDER: Record<Stage, string> = {
  connecting: 'Connecting…',
  securing: 'Securing the connection…',
  request: 'Accept the request to chat',
  waiting: 'Waiting for them to accept',
  ready: 'Write a message',
  closed: 'Disconnected',
};

export function ChatView({
  conversation,
  contacts,
  myName,
  onBack,
  onSend,
  actions,
}: {
  conversation: Conversation;
  contacts: ContactView[];
  myName: string;
  onBack: () => void;
  onSend: (text: string) => Promise<void>;
  actions: ChatNoticeActions;
}) {
  const name = peerName(conversation, contacts);
  return (
    <section class="chat">
      <ChatHeader conversation={conversation} name={name} contact={contactOf(conversation, contacts)} onBack={onBack} />
      <ChatNotice conversation={conversation} contacts={contacts} actions={actions} />
      <MessageList messages={conversation.messages} myName={myName} peerName={name} />
      <Composer
        enabled={conversation.stage === 'ready'}
        placeholder={PLACEHOLDER[conversation.stage]}
        onSend={onSend}
      />
    </section>
  );
}
