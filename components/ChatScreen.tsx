import { useEffect } from 'preact/hooks';
import type { AgentSnapshot } from '@/lib/agent/agent';
import type { FileSender } from '@/lib/platform/file-sender';
import type { PopupRequests } from '@/lib/platform/popup-connection';
import { ChatView } from './ChatView';
import { contactOf } from './peer-name';
import { transferRequests } from './transfer-requests';
import type { OpenChat } from './use-open-chat';

/** The open chat, wired to the background: a contact's chat by key, anyone else's by address. */
export function ChatScreen({
  open,
  snapshot,
  request,
  sendFiles,
  onClose,
}: {
  open: OpenChat;
  snapshot: AgentSnapshot;
  request: PopupRequests;
  sendFiles: FileSender;
  onClose: () => void;
}) {
  const contactKey = open.kind === 'contact' ? open.contact.identityKey : undefined;
  const { conversation } = open;
  const address = conversation?.address ?? (open.kind === 'contact' ? open.contact.address : '');
  // A chat opened by address with someone who is a saved contact (just paired, say) takes files
  // too: they go to the contact, by key, as from the contact's own chat.
  const fileContactKey = contactKey ?? (conversation && contactOf(conversation, snapshot.contacts)?.identityKey);
  const unread = open.kind === 'contact' ? (open.chat?.unread ?? 0) : open.conversation.unread;

  // What is on screen has been read.
  useEffect(() => {
    if (unread === 0) return;
    const read = contactKey !== undefined ? request('markChatRead', { contactKey }) : request('markRead', { address });
    void read.catch(() => {});
  }, [unread, contactKey, address, request]);

  return (
    <ChatView
      open={open}
      contacts={snapshot.contacts}
      myName={snapshot.name}
      onBack={onClose}
      // Files go to saved contacts only, whether or not they are connected now.
      files={
        fileContactKey === undefined
          ? undefined
          : {
              transfers: snapshot.transfers.filter((t) => t.contactKey === fileContactKey),
              send: async (files) => void (await sendFiles([fileContactKey], files)),
              actions: transferRequests(request),
            }
      }
      actions={{
        // A contact's messages go through the outbox, connected or not.
        send: (text) =>
          contactKey !== undefined ? request('sendTo', { contactKey, text }) : request('send', { address, text }),
        ping: async () => {
          if (contactKey === undefined) throw new Error('Only a saved contact can be pinged.');
          return request('pingContact', { contactKey });
        },
        reconnect: () => request('connect', { address }),
        answer: async (accept) => {
          await request('answerRequest', { address, accept, identityKey: conversation?.peer?.identityKey });
          if (!accept) onClose();
        },
        trustNewKey: () => request('trustNewKey', { address }),
      }}
    />
  );
}
