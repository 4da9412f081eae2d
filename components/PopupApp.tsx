import { useEffect, useState } from 'preact/hooks';
import type { AgentSnapshot } from '@/lib/agent/agent';
import type { PopupRequests } from '@/lib/platform/popup-connection';
import { AddressCard } from './AddressCard';
import { ChatView } from './ChatView';
import { ConnectForm } from './ConnectForm';
import { ConversationList } from './ConversationList';

export function PopupApp({
  subscribe,
  request,
  openSettings,
}: {
  subscribe: (listener: (snapshot: AgentSnapshot) => void) => () => void;
  request: PopupRequests;
  openSettings: () => void;
}) {
  const [snapshot, setSnapshot] = useState<AgentSnapshot | undefined>();
  const [openChat, setOpenChat] = useState<string | undefined>();
  useEffect(() => subscribe(setSnapshot), [subscribe]);

  const conversation = snapshot?.conversations.find((c) => c.address === openChat);
  // What is on screen has been read.
  useEffect(() => {
    if (conversation && conversation.unread > 0)
      void request('markRead', { address: conversation.address }).catch(() => {});
  }, [conversation, request]);

  if (!snapshot) return <p class="muted empty">Starting Tincan…</p>;
  if (conversation) {
    return (
      <ChatView
        conversation={conversation}
        myName={snapshot.name}
        onBack={() => setOpenChat(undefined)}
        onSend={(text) => request('send', { address: conversation.address, text })}
        onReconnect={() => request('connect', { address: conversation.address })}
      />
    );
  }
  return (
    <main>
      <header class="row between brand">
        <h1>Tincan</h1>
        <button type="button" class="link small" onClick={openSettings}>
          Settings
        </button>
      </header>
      <AddressCard snapshot={snapshot} />
      <ConnectForm
        onConnect={async (address) => {
          await request('connect', { address });
          setOpenChat(address);
        }}
      />
      <h2 class="label">Chats</h2>
      <ConversationList conversations={snapshot.conversations} onOpen={setOpenChat} />
    </main>
  );
}
