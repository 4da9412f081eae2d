import { useEffect, useState } from 'preact/hooks';
import type { AgentSnapshot } from '@/lib/agent/agent';
import { RemoteError } from '@/lib/messaging/channel';
import type { PopupRequests } from '@/lib/platform/popup-connection';
import { dialTarget } from '@/lib/protocol/invite-text';
import { isWorthListing } from '@/lib/sessions/conversation-list';
import { AddressCard } from './AddressCard';
import { ChatView } from './ChatView';
import { ConnectForm } from './ConnectForm';
import { ContactList } from './ContactList';
import type { ContactActions } from './ContactRow';
import { ConversationList } from './ConversationList';
import { describeConversationProblem, describeError } from './describe';
import { type NetworkActions, NetworkSection } from './NetworkSection';
import { networkList } from './network-list';
import { describeNetworkStatus } from './network-status';
import { RequestList } from './RequestList';
import { useOpenChat } from './use-open-chat';

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
  useEffect(() => subscribe(setSnapshot), [subscribe]);
  const chat = useOpenChat(snapshot);
  const { conversation } = chat;

  // What is on screen has been read.
  useEffect(() => {
    if (conversation && conversation.unread > 0)
      void request('markRead', { address: conversation.address }).catch(() => {});
  }, [conversation, request]);

  const connect = async (input: string) => {
    await request('connect', { address: input });
    const target = dialTarget(input);
    if (target !== undefined) chat.open(target);
  };

  if (!snapshot) return <p class="muted empty">Starting Tincan…</p>;

  /**
   * Messaging carries only a refusal's kind and detail; the conversation it left behind has the
   * rest (e.g. the key the other browser presented), once its snapshot arrives.
   */
  const explainConnectFailure = ({ input, error }: { input: string; error: unknown }) => {
    const target = dialTarget(input);
    const seen = snapshot.conversations.find((c) => c.address === target)?.problem;
    if (seen && error instanceof RemoteError && seen.kind === error.problem.kind) {
      return describeConversationProblem(seen);
    }
    return describeError(error);
  };

  if (conversation) {
    const { address } = conversation;
    return (
      <ChatView
        conversation={conversation}
        contacts={snapshot.contacts}
        myName={snapshot.name}
        onBack={chat.close}
        onSend={(text) => request('send', { address, text })}
        actions={{
          reconnect: () => request('connect', { address }),
          answer: async (accept) => {
            await request('answerRequest', { address, accept, identityKey: conversation.peer?.identityKey });
            if (!accept) chat.close();
          },
          trustNewKey: () => request('trustNewKey', { address }),
        }}
      />
    );
  }

  const contactActions: ContactActions = {
    openChat: chat.open,
    connect,
    rename: (identityKey, petname) => request('renameContact', { identityKey, petname }),
    setVerified: (identityKey, verified) => request('setVerified', { identityKey, verified }),
    remove: (identityKey) => request('removeContact', { identityKey }),
  };
  const { network } = snapshot;
  const here = networkList(network, snapshot.contacts, snapshot.conversations);
  const networkActions: NetworkActions = {
    request: (discoveryId) => request('connect', { address: discoveryId }),
    // A contact already in a chat is opened there; otherwise dialled here, from our discovery id.
    openChat: async ({ discoveryId, contact }) =>
      contact.conversationAddress === undefined ? connect(discoveryId) : chat.open(contact.conversationAddress),
    openConversation: chat.open,
  };
  return (
    <main>
      <header class="row between brand">
        <h1>Tincan</h1>
        <button type="button" class="link small" onClick={openSettings}>
          Settings
        </button>
      </header>
      <RequestList
        requests={snapshot.conversations.filter((c) => c.stage === 'request')}
        onAnswer={(address, accept) =>
          request('answerRequest', {
            address,
            accept,
            // The answer is for the key on screen, not whoever holds the address by now.
            identityKey: snapshot.conversations.find((c) => c.address === address)?.peer?.identityKey,
          })
        }
      />
      <NetworkSection
        status={describeNetworkStatus(
          network.status,
          snapshot.status,
          here.contactsHere.length + here.strangers.length,
        )}
        list={here}
        active={network.status.state === 'active'}
        actions={networkActions}
      />
      <AddressCard snapshot={snapshot} />
      <ConnectForm onConnect={connect} explain={explainConnectFailure} />
      <h2 class="label">Saved contacts</h2>
      <ContactList
        contacts={here.elsewhere}
        empty={
          here.contactsHere.length > 0
            ? 'Every saved contact is on this network.'
            : 'No saved contacts yet. People you accept, or who accept you, are saved here.'
        }
        actions={contactActions}
      />
      <h2 class="label">Chats</h2>
      <ConversationList
        conversations={snapshot.conversations.filter(isWorthListing)}
        contacts={snapshot.contacts}
        onOpen={chat.open}
      />
    </main>
  );
}
