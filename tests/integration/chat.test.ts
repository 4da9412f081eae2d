import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { startNodeAgent, textsFrom, waitFor } from '../support/node-agents';

let server: RunningSignalingServer;
const running: Agent[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0 });
});
afterAll(async () => {
  for (const agent of running) agent.stop();
  await server.close();
});

async function agents(count: number) {
  const started = await Promise.all(Array.from({ length: count }, (_, i) => startNodeAgent(server, `agent ${i}`)));
  running.push(...started.map((s) => s.agent));
  return started;
}

describe('chat between agents over a real signaling server', () => {
  it('two agents connect by address and exchange messages in order, each exactly once', async () => {
    const [alice, bob] = await agents(2);
    if (!alice || !bob) throw new Error('agents did not start');
    await alice.agent.connect(bob.address);
    await waitFor(bob.agent, () =>
      bob.agent.snapshot().conversations.find((c) => c.address === alice.address && c.link === 'open'),
    );
    const fromAlice = Array.from({ length: 20 }, (_, i) => `alice ${i}`);
    const fromBob = Array.from({ length: 20 }, (_, i) => `bob ${i}`);
    for (let i = 0; i < 20; i++) {
      alice.agent.send(bob.address, fromAlice[i] ?? '');
      bob.agent.send(alice.address, fromBob[i] ?? '');
    }
    await waitFor(bob.agent, () => textsFrom(bob.agent, alice.address, 'peer').length >= 20 || undefined);
    await waitFor(alice.agent, () => textsFrom(alice.agent, bob.address, 'peer').length >= 20 || undefined);
    expect(textsFrom(bob.agent, alice.address, 'peer')).toEqual(fromAlice);
    expect(textsFrom(alice.agent, bob.address, 'peer')).toEqual(fromBob);
    const names = bob.agent.snapshot().conversations.map((c) => c.name);
    expect(names).toContain('agent 0');
  });
});
