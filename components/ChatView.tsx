import type { PingResult } from '@/lib/agent/agent-api';
import type { ContactChatView } from '@/lib/agent/chat-snapshot';
import type { Stage } from '@/lib/sessions/conversations';
import type { TransferView } from '@/lib/transfer/transfer-view';
import { ChatHeader } from './ChatHeader';
import { ChatNotice, type ChatNoticeActions } from './ChatNotice';
import { Composer } from './Composer';
import { ContactChatNotice } from './ContactChatNotice';
import { ErrorLine } from './ErrorLine';
import { FileButton } from './FileButton';
import { MessageList } from './MessageList';
import { contactName, contactOf, peerName } from './peer-name';
import type { TransferActions } from './TransferCard';
import { TransferList } from './TransferList';
import { useAction } from './use-action';
import { useFileDrop } from './use-file-drop';
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

/** A saved contact's chat takes files: dropped on it or chosen with the clip. */
export interface ChatFiles {
  /** This contact's transfers, both ways. */
  transfers: TransferView[];
  send(files: File[]): Promise<void>;
  actions: TransferActions;
}

export function ChatView({
  open,
  contacts,
  myName,
  onBack,
  actions,
  files,
}: {
  open: OpenChat;
  contacts: ContactChatView[];
  myName: string;
  onBack: () => void;
  actions: ChatActions;
  files?: ChatFiles;
}) {
  const { conversation } = open;
  const contact = open.kind === 'contact' ? open.contact : conversation && contactOf(conversation, contacts);
  const name = conversation ? peerName(conversation, contacts) : contact ? contactName(contact) : '';
  const ready = conversation?.stage === 'ready';
  const adding = useAction();
  const sendFiles = (chosen: File[]) => files && adding.run(() => files.send(chosen));
  const drop = useFileDrop(sendFiles, files !== undefined && !adding.busy);
  return (
    <section
      class={drop.over ? 'chat dropping' : 'chat'}
      data-testid={files ? 'drop-zone' : undefined}
      data-dropping={drop.over}
      {...drop.handlers}
    >
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
      {files && <TransferList transfers={files.transfers} peer={name} actions={files.actions} />}
      {adding.busy && (
        <p class="muted small" role="status" data-testid="files-adding">
          {/* The popup copies them into storage the agent reads: closing it stops the copy. */}
          Adding files… keep this open until they show here.
        </p>
      )}
      <ErrorLine error={adding.error} testId="file-error" />
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
        before={files && <FileButton onFiles={sendFiles} disabled={adding.busy} title={`Send files to ${name}`} />}
      />
      {drop.over && (
        <div class="drop-hint" aria-hidden="true">
          Drop to send to {name}
        </div>
      )}
    </section>
  );
}
