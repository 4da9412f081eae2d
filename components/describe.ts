import type { AgentSnapshot } from '@/lib/agent/agent';
import type { ConversationProblem, LinkState } from '@/lib/sessions/conversations';
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
      return 'That is not a Tincan address.';
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
  }
}

export function describeLink(link: LinkState): string {
  return link === 'open' ? 'Connected' : link === 'connecting' ? 'Connecting…' : 'Disconnected';
}

export function formatTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
