import { useEffect, useState } from 'preact/hooks';
import type { AgentSnapshot } from '@/lib/agent/agent';
import { RemoteError } from '@/lib/messaging/channel';
import type { FileSender } from '@/lib/platform/file-sender';
import type { PopupRequests } from '@/lib/platform/popup-connection';
import { dialTarget } from '@/lib/protocol/invite-text';
import { chatLines } from '@/lib/sessions/conversation-list';
import { AddressCard } from './AddressCard';
import { ChatScreen } from './ChatScreen';
import { ConnectForm } from './ConnectForm';
import { ContactList } from './ContactList';
import type { ContactActions } from './ContactRow';
import { ConversationList } from './ConversationList';
import { describeConversationProblem, describeError } from './describe';
import { type NetworkActions, NetworkSection } from './NetworkSection';
import { networkList } from './network-list';
import { describeNetworkStatus } from './network-status';
import { RequestList } from './RequestList';
import { SendFilesPanel } from './SendFilesPanel';
import { useNoDropNavigation } from './use-file-drop';
import { useOpenChat } from './use-open-chat';

/** Incoming offers waiting for an answer, by contact: their rows say so. */
function fileOffersByContact(snapshot: AgentSnapshot): Map<string, number> {
  const offers = new Map<string, number>();
  for (const t of snapshot.transfers) {
    if (t.direction === 'incoming' && t.status === 'offered')
      offers.set(t.contactKey, (offers.get(t.contactKey) ?? 0) + 1);
  }
  return offers;
}

export function PopupApp({
  subscribe,
  request,
  sendFiles,
  openSettings,
}: {
  subscribe: (listener: (snapshot: AgentSnapshot) => void) => () => void;
  request: PopupRequests;
  sendFiles: FileSender;
  openSettings: () => void;
}) {
  const [snapshot, setSnapshot] = useState<AgentSnapshot | undefined>();
  useEffect(() => subscribe(setSnapshot), [subscribe]);
  const chat = useOpenChat(snapshot);
  useNoDropNavigation(window);

  const connect = async (input: string) => {
    await request('connect', { address: input });
    const target = dialTarget(input);
    if (target !== undefined) chat.openAddress(target);
  };

  if (!snapshot) return <p class="muted empty">Starting Tincan…</p>;
  if (chat.open) {
    return (
      <ChatScreen open={chat.open} snapshot={snapshot} request={request} sendFiles={sendFiles} onClose={chat.close} />
    );
  }

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

  const contactActions: ContactActions = {
    openChat: chat.openContact,
    connect,
    ping: (contactKey) => request('pingContact', { contactKey }),
    setSpecial: (identityKey, special) => request('setSpecial', { identityKey, special }),
    setPaused: (identityKey, paused) => request('setRendezvousPaused', { identityKey, paused }),
    rename: (identityKey, petname) => request('renameContact', { identityKey, petname }),
    setVerified: (identityKey, verified) => request('setVerified', { identityKey, verified }),
    remove: (identityKey) => request('removeContact', { identityKey }),
  };
  const { network } = snapshot;
  const here = networkList(network, snapshot.contacts, snapshot.conversations);
  const networkActions: NetworkActions = {
    request: (discoveryId) => request('connect', { address: discoveryId }),
    // Their chat opens at once (it works offline); if they are not connected, they are dialled
    // here, from our discovery id, and the chat shows the connection once it is up.
    openChat: async ({ discoveryId, contact }) => {
      chat.openContact(contact.identityKey);
      if (!contact.online) await request('connect', { address: discoveryId }).catch(() => {});
    },
    openConversation: chat.openAddress,
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
      <SendFilesPanel contacts={snapshot.contacts} sendFiles={sendFiles} />
      <ContactList
        contacts={here.elsewhere}
        empty={
          here.contactsHere.length > 0
            ? 'Every saved contact is on this network.'
            : 'No saved contacts yet. People you accept, or who accept you, are saved here.'
        }
        actions={contactActions}
        fileOffers={fileOffersByContact(snapshot)}
      />
      <h2 class="label">Chats</h2>
      <ConversationList
        lines={chatLines(snapshot.conversations, snapshot.chats)}
        contacts={snapshot.contacts}
        onOpenContact={chat.openContact}
        onOpenAddress={chat.openAddress}
      />
    </main>
  );
}
