/** What the popup is shown of a chat: plain JSON (extension messaging drops `Uint8Array`s). */
import { fromHex } from '../bytes';
import type { MessageState } from '../store/chat-records';

export type { MessageState };

export type MessageView = {
  /** 128-bit id, hex. */
  id: string;
  from: 'me' | 'peer';
  text: string;
  /** The sender's clock. */
  sentAt: number;
  /** This browser's clock: when it was written here or arrived here. */
  at: number;
  /** Mine: pending (waiting in the outbox) → sent (on the wire) → delivered (acknowledged). */
  state: MessageState;
};

/** A saved contact's chat: it exists whether or not they are reachable right now. */
export type ChatView = {
  contactKey: string;
  messages: MessageView[];
  unread: number;
  /** My messages not yet acknowledged by them. */
  pending: number;
};

export function messageView(m: Omit<MessageView, 'id'> & { id: string }): MessageView {
  return { id: m.id, from: m.from, text: m.text, sentAt: m.sentAt, at: m.at, state: m.state };
}

/** Ids in the book are hex (they are persisted and shown); on the wire they are 16 bytes. */
export function fromHexId(id: string): Uint8Array {
  return fromHex(id);
}
