/**
 * The connections of this browser session as a pure reducer: `(state, event) → { state, effects }`.
 * No clock, network or randomness in here: events carry times and ids, and the agent carries
 * out the effects. What is *said* over a ready conversation (chat and acks) is handed on to the
 * contact's delivery state (lib/sessions/delivery.ts), which outlives any one connection.
 */

import type { FileFrame } from '../protocol/file-frame';
import type { AckFrame, ChatFrame, Frame, FrameError } from '../protocol/frame';
import type { DialProblem, LinkClose } from '../transport/transport';

/**
 * Where a conversation's connection stands:
 * connecting → securing (handshake) → request (they asked; our user decides) or waiting (we
 * trust them; their accept is due) → ready (both trust each other: chat) → closed.
 */
export type Stage = 'connecting' | 'securing' | 'request' | 'waiting' | 'ready' | 'closed';

/** The other side as the handshake proved it. */
export type PeerView = { identityKey: string; name: string; fingerprint: string };

export type ConversationProblem =
  | DialProblem
  | { kind: 'link-failed'; detail: string }
  | { kind: 'protocol-violation'; detail: string }
  | { kind: 'handshake-timeout'; detail: string }
  | { kind: 'handshake-failed'; detail: string }
  | { kind: 'bad-certificate'; detail: string }
  | { kind: 'no-dtls-fingerprint'; detail: string }
  /** A saved contact's address answered with another key: a squatter, or the contact's new key. */
  | { kind: 'key-changed'; detail: string; contactKey: string; presentedKey: string; presentedFingerprint: string }
  /** An invite's address answered with a key other than the invite's. */
  | { kind: 'invite-key-mismatch'; detail: string; presentedFingerprint: string }
  | { kind: 'declined'; detail: string }
  | { kind: 'declined-by-me'; detail: string }
  /** A request nobody answered in time: closed, as if declined, without telling them. */
  | { kind: 'request-expired'; detail: string }
  /** This address asked too often (or again, right after a decline): turned away unseen. */
  | { kind: 'rate-limited'; detail: string };

export type Conversation = {
  address: string;
  /** The name the other side announced; empty until it does. */
  name: string;
  peer?: PeerView;
  stage: Stage;
  /** Our side trusts the peer's key (a saved contact, or our user accepted). */
  trusted: boolean;
  /** The peer sent its accept. */
  theyAccepted: boolean;
  problem?: ConversationProblem;
  /** Frames from this peer that failed validation since the link opened. */
  badFrames: number;
};

export type ConversationsState = { conversations: Conversation[] };

export type ConversationEvent =
  | { type: 'dial-started'; address: string }
  | { type: 'dial-failed'; address: string; problem: DialProblem }
  | { type: 'link-opened'; address: string }
  | { type: 'session-failed'; address: string; problem: ConversationProblem }
  | { type: 'session-established'; address: string; peer: PeerView; trusted: boolean }
  | { type: 'request-answered'; address: string; accept: boolean }
  /** The request's time is up; `identityKey` says which request the timer was for. */
  | { type: 'request-expired'; address: string; identityKey: string }
  | { type: 'link-closed'; address: string; why: LinkClose }
  | { type: 'frame-received'; address: string; frame: Frame; at: number }
  | { type: 'frame-rejected'; address: string; error: FrameError }
  /** A closed conversation nobody needs to see (a failed attempt at a rendezvous id): dropped. */
  | { type: 'forget'; address: string };

export type ConversationEffect =
  | { type: 'send'; address: string; frame: Frame }
  | { type: 'close-link'; address: string }
  /** Chat or ack from a contact both sides trust: for that contact's delivery state. */
  | { type: 'delivery-frame'; address: string; peer: PeerView; frame: ChatFrame | AckFrame }
  /** A file transfer frame from a ready session (lib/transfer/ decides what it means). */
  | { type: 'transfer-frame'; address: string; peer: PeerView; frame: FileFrame }
  /** A stranger's key asks to chat: our user decides. */
  | { type: 'request-arrived'; address: string; peer: PeerView }
  /** Both sides trust each other: the contact can be saved or its address updated. */
  | { type: 'session-ready'; address: string; peer: PeerView }
  /** A contact told us where to reach it and its presence key (only once both trust each other). */
  | {
      type: 'introduced';
      address: string;
      peer: PeerView;
      presenceKey: Uint8Array;
      rendezvousSecret: Uint8Array;
      /** They keep us as a special contact. */
      special: boolean;
      reachAt: string;
    };

export type Step = { state: ConversationsState; effects: ConversationEffect[] };

/** A peer that sends this many invalid frames is not a Tincan agent we can talk to. */
export const MAX_BAD_FRAMES = 8;

export const emptyConversations: ConversationsState = { conversations: [] };

function blank(address: string): Conversation {
  return {
    address,
    name: '',
    stage: 'connecting',
    trusted: false,
    theyAccepted: false,
    badFrames: 0,
  };
}

/** Stages in which a link is up (so there is something to close or send on). */
export function isLinkUp(stage: Stage): boolean {
  return stage !== 'connecting' && stage !== 'closed';
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

export function findConversation(state: ConversationsState, address: string): Conversation | undefined {
  return state.conversations.find((c) => c.address === address);
}

export function reduceConversations(state: ConversationsState, event: ConversationEvent): Step {
  switch (event.type) {
    case 'dial-started':
      return {
        state: update(state, event.address, (c) => ({ ...c, stage: 'connecting', problem: undefined })),
        effects: [],
      };
    case 'dial-failed':
    case 'session-failed':
      return {
        state: update(state, event.address, (c) => ({ ...c, stage: 'closed', problem: event.problem })),
        effects: [],
      };
    case 'link-opened':
      return {
        state: update(state, event.address, (c) => ({
          ...c,
          stage: 'securing',
          problem: undefined,
          badFrames: 0,
          trusted: false,
          theyAccepted: false,
        })),
        effects: [],
      };
    case 'session-established':
      return establish(state, event);
    case 'request-answered':
      return answerRequest(state, event.address, event.accept);
    case 'request-expired': {
      const request = findConversation(state, event.address);
      if (request?.stage !== 'request' || request.peer?.identityKey !== event.identityKey)
        return { state, effects: [] };
      return {
        state: update(state, event.address, (c) => ({
          ...c,
          stage: 'closed',
          problem: { kind: 'request-expired', detail: 'Nobody answered this request in time.' },
        })),
        effects: [{ type: 'close-link', address: event.address }],
      };
    }
    case 'link-closed':
      // A conversation merged into its contact's newer one is gone; its old link closing is news to no one.
      if (!findConversation(state, event.address)) return { state, effects: [] };
      return {
        state: update(state, event.address, (c) => ({
          ...c,
          stage: 'closed',
          problem: event.why.kind === 'failed' ? { kind: 'link-failed', detail: event.why.detail } : c.problem,
        })),
        effects: [],
      };
    case 'frame-rejected':
      return rejectFrame(state, event.address, event.error);
    case 'forget': {
      const conversation = findConversation(state, event.address);
      if (conversation?.stage !== 'closed') return { state, effects: [] };
      return { state: { conversations: state.conversations.filter((c) => c !== conversation) }, effects: [] };
    }
    case 'frame-received':
      return receiveFrame(state, event);
  }
}

function establish(
  state: ConversationsState,
  event: Extract<ConversationEvent, { type: 'session-established' }>,
): Step {
  const conversation = findConversation(state, event.address);
  if (conversation?.stage !== 'securing') return { state, effects: [] };
  // Someone else's key at this address (a squatter, or the address passed on): nothing said to
  // the one who held it before is theirs to see.
  const kept = (c: Conversation) =>
    c.peer && c.peer.identityKey !== event.peer.identityKey ? blank(event.address) : c;
  // Addresses move: an earlier conversation with the same key is the same person. Its link, if
  // still up (a browser that restarted leaves its old link open until ICE gives up), is stale.
  const earlier = state.conversations.find(
    (c) => c.address !== event.address && c.peer?.identityKey === event.peer.identityKey,
  );
  const merged: ConversationsState = earlier
    ? { conversations: state.conversations.filter((c) => c !== earlier) }
    : state;
  const next = update(merged, event.address, (c) => ({
    ...kept(c),
    peer: event.peer,
    name: event.peer.name,
    trusted: event.trusted,
    stage: event.trusted ? 'waiting' : 'request',
  }));
  const closeEarlier: ConversationEffect[] =
    earlier && isLinkUp(earlier.stage) ? [{ type: 'close-link', address: earlier.address }] : [];
  return {
    state: next,
    effects: [
      ...closeEarlier,
      event.trusted
        ? { type: 'send', address: event.address, frame: { kind: 'accept' } }
        : { type: 'request-arrived', address: event.address, peer: event.peer },
    ],
  };
}

function answerRequest(state: ConversationsState, address: string, accept: boolean): Step {
  const conversation = findConversation(state, address);
  if (conversation?.stage !== 'request') return { state, effects: [] };
  if (!accept) {
    return {
      state: update(state, address, (c) => ({
        ...c,
        stage: 'closed',
        problem: { kind: 'declined-by-me', detail: 'You declined this request.' },
      })),
      effects: [
        { type: 'send', address, frame: { kind: 'decline' } },
        { type: 'close-link', address },
      ],
    };
  }
  const next = update(state, address, (c) => ({ ...c, trusted: true, stage: c.theyAccepted ? 'ready' : 'waiting' }));
  return {
    state: next,
    effects: [{ type: 'send', address, frame: { kind: 'accept' } }, ...readyEffects(next, address)],
  };
}

function readyEffects(state: ConversationsState, address: string): ConversationEffect[] {
  const conversation = findConversation(state, address);
  if (conversation?.stage !== 'ready' || !conversation.peer) return [];
  return [{ type: 'session-ready', address, peer: conversation.peer }];
}

function rejectFrame(state: ConversationsState, address: string, error: FrameError): Step {
  // Frames from a newer protocol are skipped; anything else counts against the peer.
  if (error.kind === 'unknown-kind') return { state, effects: [] };
  const conversation = findConversation(state, address);
  // Frames still in flight when the link closed must not replace the reason it closed.
  if (!conversation || !isLinkUp(conversation.stage)) return { state, effects: [] };
  const badFrames = conversation.badFrames + 1;
  const fatal = error.kind === 'too-large' || badFrames >= MAX_BAD_FRAMES;
  const next = update(state, address, (c) => ({
    ...c,
    badFrames,
    // Closed at once: nothing more from this peer is read while its link winds down.
    stage: fatal ? 'closed' : c.stage,
    problem: fatal ? { kind: 'protocol-violation', detail: `invalid frame (${error.kind})` } : c.problem,
  }));
  return { state: next, effects: fatal ? [{ type: 'close-link', address }] : [] };
}

function receiveFrame(state: ConversationsState, event: Extract<ConversationEvent, { type: 'frame-received' }>): Step {
  const conversation = findConversation(state, event.address);
  if (!conversation || !isLinkUp(conversation.stage)) return { state, effects: [] };
  const { frame } = event;
  switch (frame.kind) {
    case 'hello':
      // Names come with the handshake's identity proof; a later claim changes nothing.
      return { state, effects: [] };
    case 'keepalive':
      // Only its arrival matters (the agent's silence timer).
      return { state, effects: [] };
    case 'accept': {
      const next = update(state, event.address, (c) => ({
        ...c,
        theyAccepted: true,
        stage: c.stage === 'waiting' ? 'ready' : c.stage,
      }));
      return { state: next, effects: conversation.stage === 'waiting' ? readyEffects(next, event.address) : [] };
    }
    case 'decline':
      return {
        state: update(state, event.address, (c) => ({
          ...c,
          stage: 'closed',
          problem: { kind: 'declined', detail: 'They declined your request.' },
        })),
        effects: [{ type: 'close-link', address: event.address }],
      };
    case 'chat':
    case 'ack':
      // Until both sides have accepted, nothing a peer says is shown: a request is not a chat.
      if (conversation.stage !== 'ready' || !conversation.peer) return { state, effects: [] };
      return { state, effects: [{ type: 'delivery-frame', address: event.address, peer: conversation.peer, frame }] };
    case 'introduce':
      // A stranger's claims about itself are nothing to store.
      if (conversation.stage !== 'ready' || !conversation.peer) return { state, effects: [] };
      return {
        state,
        effects: [
          {
            type: 'introduced',
            address: event.address,
            peer: conversation.peer,
            presenceKey: frame.presenceKey,
            rendezvousSecret: frame.rendezvousSecret,
            special: frame.special,
            reachAt: frame.address,
          },
        ],
      };
    default:
      // Files, like chat, only between two sides that both accepted.
      if (conversation.stage !== 'ready' || !conversation.peer) return { state, effects: [] };
      return { state, effects: [{ type: 'transfer-frame', address: event.address, peer: conversation.peer, frame }] };
  }
}
