/**
 * The chats of this browser session as a pure reducer: `(state, event) → { state, effects }`.
 * No clock, network or randomness in here: events carry times and ids, and the agent carries
 * out the effects. (Persistent history and an outbox come with a later issue.)
 */
import { toHex } from '../bytes';
import type { Frame, FrameError } from '../protocol/frame';
import type { DialProblem, LinkClose } from '../transport/transport';

export type ChatMessage = {
  /** 128-bit id, hex. */
  id: string;
  from: 'me' | 'peer';
  text: string;
  /** The sender's clock. */
  sentAt: number;
  /** This browser's clock: the order messages are shown in. */
  at: number;
};

export type LinkState = 'connecting' | 'open' | 'closed';

export type ConversationProblem =
  | DialProblem
  | { kind: 'link-failed'; detail: string }
  | { kind: 'protocol-violation'; detail: string };

export type Conversation = {
  address: string;
  /** The name the other side announced; empty until it does. */
  name: string;
  link: LinkState;
  problem?: ConversationProblem;
  messages: ChatMessage[];
  unread: number;
  /** Frames from this peer that failed validation since the link opened. */
  badFrames: number;
};

export type ConversationsState = { conversations: Conversation[] };

export type ConversationEvent =
  | { type: 'dial-started'; address: string }
  | { type: 'dial-failed'; address: string; problem: DialProblem }
  | { type: 'link-opened'; address: string; myName: string }
  | { type: 'link-closed'; address: string; why: LinkClose }
  | { type: 'frame-received'; address: string; frame: Frame; at: number }
  | { type: 'frame-rejected'; address: string; error: FrameError }
  | { type: 'chat-sent'; address: string; id: Uint8Array; text: string; at: number }
  | { type: 'read'; address: string };

export type ConversationEffect =
  | { type: 'send'; address: string; frame: Frame }
  | { type: 'close-link'; address: string }
  | { type: 'message-arrived'; address: string; name: string; text: string; unreadTotal: number };

export type Step = { state: ConversationsState; effects: ConversationEffect[] };

/** Kept in memory per conversation; older messages drop off (history is a later issue). */
export const MAX_MESSAGES_KEPT = 1_000;
/** A peer that sends this many invalid frames is not a Tincan agent we can talk to. */
export const MAX_BAD_FRAMES = 8;

export const emptyConversations: ConversationsState = { conversations: [] };

function blank(address: string): Conversation {
  return { address, name: '', link: 'connecting', messages: [], unread: 0, badFrames: 0 };
}

function update(
  state: ConversationsState,
  address: string,
  change: (conversation: Conversation) => Conversation,
): ConversationsState {
  const existing = state.conversations.find((c) => c.address === address);
  const changed = change(existing ?? blank(address));
  return {
    conversations: existing
      ? state.conversations.map((c) => (c === existing ? changed : c))
      : [...state.conversations, changed],
  };
}

export function unreadTotal(state: ConversationsState): number {
  return state.conversations.reduce((sum, c) => sum + c.unread, 0);
}

export function findConversation(state: ConversationsState, address: string): Conversation | undefined {
  return state.conversations.find((c) => c.address === address);
}

/**
 * A resent message is a recent one: looking back a bounded distance keeps each arrival cheap
 * however long the conversation (sequence numbers replace this with the delivery issue).
 */
export const DUPLICATE_WINDOW = 256;

function seenRecently(messages: ChatMessage[], id: string): boolean {
  const stop = Math.max(0, messages.length - DUPLICATE_WINDOW);
  for (let i = messages.length - 1; i >= stop; i--) {
    const message = messages[i];
    if (message?.from === 'peer' && message.id === id) return true;
  }
  return false;
}

function append(messages: ChatMessage[], message: ChatMessage): ChatMessage[] {
  const next = [...messages, message];
  return next.length > MAX_MESSAGES_KEPT ? next.slice(next.length - MAX_MESSAGES_KEPT) : next;
}

export function reduceConversations(state: ConversationsState, event: ConversationEvent): Step {
  switch (event.type) {
    case 'dial-started':
      return {
        state: update(state, event.address, (c) => ({ ...c, link: 'connecting', problem: undefined })),
        effects: [],
      };
    case 'dial-failed':
      return {
        state: update(state, event.address, (c) => ({ ...c, link: 'closed', problem: event.problem })),
        effects: [],
      };
    case 'link-opened':
      return {
        state: update(state, event.address, (c) => ({ ...c, link: 'open', problem: undefined, badFrames: 0 })),
        effects: [{ type: 'send', address: event.address, frame: { kind: 'hello', name: event.myName } }],
      };
    case 'link-closed':
      return {
        state: update(state, event.address, (c) => ({
          ...c,
          link: 'closed',
          problem: event.why.kind === 'failed' ? { kind: 'link-failed', detail: event.why.detail } : c.problem,
        })),
        effects: [],
      };
    case 'frame-rejected':
      return rejectFrame(state, event.address, event.error);
    case 'frame-received':
      return receiveFrame(state, event);
    case 'chat-sent': {
      const conversation = findConversation(state, event.address);
      if (conversation?.link !== 'open') return { state, effects: [] };
      const message: ChatMessage = {
        id: toHex(event.id),
        from: 'me',
        text: event.text,
        sentAt: event.at,
        at: event.at,
      };
      return {
        state: update(state, event.address, (c) => ({ ...c, messages: append(c.messages, message) })),
        effects: [
          {
            type: 'send',
            address: event.address,
            frame: { kind: 'chat', id: event.id, sentAt: event.at, text: event.text },
          },
        ],
      };
    }
    case 'read':
      return { state: update(state, event.address, (c) => ({ ...c, unread: 0 })), effects: [] };
  }
}

function rejectFrame(state: ConversationsState, address: string, error: FrameError): Step {
  // Frames from a newer protocol are skipped; anything else counts against the peer.
  if (error.kind === 'unknown-kind') return { state, effects: [] };
  const conversation = findConversation(state, address);
  // Frames still in flight when the link closed must not replace the reason it closed.
  if (conversation?.link !== 'open') return { state, effects: [] };
  const badFrames = conversation.badFrames + 1;
  const fatal = error.kind === 'too-large' || badFrames >= MAX_BAD_FRAMES;
  const next = update(state, address, (c) => ({
    ...c,
    badFrames,
    problem: fatal ? { kind: 'protocol-violation', detail: `invalid frame (${error.kind})` } : c.problem,
  }));
  return { state: next, effects: fatal ? [{ type: 'close-link', address }] : [] };
}

function receiveFrame(state: ConversationsState, event: Extract<ConversationEvent, { type: 'frame-received' }>): Step {
  const conversation = findConversation(state, event.address);
  if (conversation?.link !== 'open') return { state, effects: [] };
  const { frame } = event;
  if (frame.kind === 'hello') {
    return { state: update(state, event.address, (c) => ({ ...c, name: frame.name })), effects: [] };
  }
  const id = toHex(frame.id);
  // A reliable channel delivers once; the id check keeps it so if a peer sends twice.
  if (seenRecently(conversation.messages, id)) return { state, effects: [] };
  const message: ChatMessage = { id, from: 'peer', text: frame.text, sentAt: frame.sentAt, at: event.at };
  const next = update(state, event.address, (c) => ({
    ...c,
    messages: append(c.messages, message),
    unread: c.unread + 1,
  }));
  return {
    state: next,
    effects: [
      {
        type: 'message-arrived',
        address: event.address,
        name: conversation.name,
        text: frame.text,
        unreadTotal: unreadTotal(next),
      },
    ],
  };
}
