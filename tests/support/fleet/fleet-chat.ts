/** Chat between fleet agents, as tests/support/node-agents.ts does it for agents in this process. */
import type { AgentSnapshot } from '../../../lib/agent/agent';
import type { AgentHandle } from './agent-handle';

export function conversationAt(snapshot: AgentSnapshot, address: string) {
  return snapshot.conversations.find((c) => c.address === address);
}

export function textsAt(snapshot: AgentSnapshot, address: string, from: 'me' | 'peer'): string[] {
  return (conversationAt(snapshot, address)?.messages ?? []).filter((m) => m.from === from).map((m) => m.text);
}

export function addressOf(agent: AgentHandle): string {
  if (agent.address === undefined) throw new Error(`${agent.id} was started without waiting to be online`);
  return agent.address;
}

/**
 * `a` dials `b`'s address, `b` accepts the request, both are ready to chat. Resolves with the
 * address `b` sees `a` at.
 */
export async function pairAgents(a: AgentHandle, b: AgentHandle): Promise<string> {
  const requested = b.waitFor((snapshot) =>
    snapshot.conversations.find((c) => c.stage === 'request' && c.peer?.identityKey === a.identity.identityKey),
  );
  await a.call('connect', addressOf(b));
  const request = await requested;
  await b.call('answerRequest', request.address, true);
  await a.waitFor((snapshot) => conversationAt(snapshot, addressOf(b))?.stage === 'ready');
  await b.waitFor((snapshot) => conversationAt(snapshot, request.address)?.stage === 'ready');
  return request.address;
}
