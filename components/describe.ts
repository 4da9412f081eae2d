import type { AgentSnapshot } from '@/lib/agent/agent';
import type { PingResult } from '@/lib/agent/agent-api';
import type { ContactChatView } from '@/lib/agent/chat-snapshot';
import { RemoteError, type RemoteProblem } from '@/lib/messaging/channel';
import type { ConversationProblem, Stage } from '@/lib/sessions/conversations';
import type { MessageState } from '@/lib/store/chat-records';
import type { TransportProblem } from '@/lib/transport/transport';

/** Words for states and problems: the one place the popup turns kinds into sentences. */
export function describeServerProblem(problem: TransportProblem): string {
  switch (problem.kind) {
    case 'server-unreachable':
      return 'Signaling server unreachable';
    case 'server-error':
      return 'Signaling server error';
    case 'address-taken':
      return 'Address already in use; taking a new one';
    case 'server-rejected-key':
      return 'Signaling server rejected the API key';
    case 'webrtc-unavailable':
      return 'WebRTC is not available in this browser';
    case 'server-connection-lost':
      return 'Lost the signaling server';
  }
}

export function describeStatus(status: AgentSnapshot['status']): { label: string; tone: 'ok' | 'busy' | 'bad' } {
  switch (status.state) {
    case 'online':
      return { label: 'Online', tone: 'ok' };
    case 'connecting':
      return { label: 'Connecting…', tone: 'busy' };
    case 'stopped':
      return { label: 'Starting…', tone: 'busy' };
    case 'offline':
      return { label: describeServerProblem(status.problem), tone: 'bad' };
  }
}

export function describeConversationProblem(problem: ConversationProblem): string {
  switch (problem.kind) {
    case 'invalid-address':
      return 'That is not a Tincan address or invite.';
    case 'peer-unavailable':
      return 'No one is online at that address.';
    case 'not-online':
      return 'Not connected to the signaling server yet.';
    case 'timeout':
      return 'No answer: the other browser did not respond in time.';
    case 'connection-failed':
    case 'link-failed':
      return `Connection failed (${problem.detail}).`;
    case 'protocol-violation':
      return `Disconnected: the other side sent ${problem.detail}.`;
    case 'handshake-timeout':
      return 'The other browser did not finish the secure handshake in time. Not connected.';
    case 'handshake-failed':
      return `The secure handshake failed (${problem.detail}). Not connected.`;
    case 'bad-certificate':
      return 'The other browser’s key is not properly signed. Not connected.';
    case 'no-dtls-fingerprint':
      return 'This connection cannot be bound to its encryption (no DTLS fingerprint). Not connected.';
    case 'key-changed':
      return `The browser at this address has a different key (now ${problem.presentedFingerprint}). It could be someone else. Not connected.`;
    case 'invite-key-mismatch':
      return `The browser at this address is not the one that made the invite (its key is ${problem.presentedFingerprint}). Not connected.`;
    case 'declined':
      return 'They declined your request.';
    case 'declined-by-me':
      return 'You declined this request.';
    case 'request-expired':
      return 'This request was not answered in time and has closed.';
    case 'rate-limited':
      return 'This address asked too often; its request was turned away.';
  }
}

/**
 * A refused request as it comes back over messaging: only its kind and detail survive the trip,
 * so problems that carry a key (key-changed, invite-key-mismatch) are worded without it here.
 */
export function describeRequestProblem(problem: RemoteProblem): string {
  switch (problem.kind) {
    case 'peer-unavailable':
    case 'not-online':
    case 'timeout':
    case 'handshake-timeout':
    case 'bad-certificate':
    case 'no-dtls-fingerprint':
    case 'declined':
      return describeConversationProblem({ kind: problem.kind, detail: problem.detail });
    case 'key-changed':
      return 'The browser at this address has a different key than your contact. It could be someone else. Not connected.';
    case 'invite-key-mismatch':
      return 'The browser at this address is not the one that made the invite. Not connected.';
    default:
      return problem.detail;
  }
}

/** Any error a popup request rejected with, in words. */
export function describeError(error: unknown): string {
  if (error instanceof RemoteError) return describeRequestProblem(error.problem);
  return error instanceof Error ? error.message : String(error);
}

export function describeStage(stage: Stage): string {
  switch (stage) {
    case 'connecting':
      return 'Connecting…';
    case 'securing':
      return 'Securing…';
    case 'request':
      return 'Wants to connect';
    case 'waiting':
      return 'Waiting for them to accept';
    case 'ready':
      return 'Connected';
    case 'closed':
      return 'Disconnected';
  }
}

/** The handshake is done: whatever is said from here on is end-to-end encrypted. */
export function isEncrypted(stage: Stage): boolean {
  return stage === 'ready' || stage === 'waiting' || stage === 'request';
}

/** How the agent stands with a saved contact right now (lib/rendezvous/contact-reach.ts). */
export function describeReach(reach: ContactChatView['reach']): string {
  switch (reach) {
    case 'online':
      return 'Online';
    case 'reconnecting':
      return 'Looking for them…';
    case 'recovering':
      return 'Their last address is someone else’s now; looking for them…';
    case 'offline':
      return 'Offline';
  }
}

/** What a Ping found at the contact's last known address. */
export function describePing(result: PingResult): string {
  switch (result) {
    case 'reachable':
      return 'Reachable now';
    case 'no-answer':
      return 'No answer at their last address';
    case 'wrong-key':
      return 'Their last address answered with a different key — not them';
    case 'no-address':
      return 'No address known yet';
  }
}

/** One of my messages, on its way to them (theirs have no state to show). */
export function describeMessageState(state: MessageState): string | undefined {
  switch (state) {
    case 'pending':
      return 'Waiting to send';
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'received':
      return undefined;
  }
}

export function formatTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
