import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { createPeerJsAgent } from '../../lib/agent/peerjs-agent';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { localSettings, pairUsers, setupWith, startNodeAgent, textsFrom, waitFor } from '../support/node-agents';
import { Peer } from '../support/node-webrtc';

let server: RunningSignalingServer;
const running: Agent[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0, host: '::1' });
});
afterAll(async () => {
  for (const agent of running) agent.stop();
  await server.close();
});

describe('where the signaling server is', () => {
  it('agents register on a server at an IPv6 address and chat through it', async () => {
    expect(server.url).toMatch(/^ws:\/\/\[::1\]:\d+\/tincan$/);
    const [alice, bob] = await Promise.all([startNodeAgent(server, 'alice'), startNodeAgent(server, 'bob')]);
    running.push(alice.agent, bob.agent);
    expect(alice.agent.snapshot().server).toBe(`[::1]:${server.port}/tincan`);
    await pairUsers(alice, bob);
    alice.agent.send(bob.address, 'over IPv6');
    await waitFor(bob.agent, () => textsFrom(bob.agent, alice.address, 'peer').length > 0 || undefined);
    expect(textsFrom(bob.agent, alice.address, 'peer')).toEqual(['over IPv6']);
  });

  it('a server host that cannot be part of a URL leaves the agent offline with a reason', async () => {
    const agent = createPeerJsAgent(Peer);
    running.push(agent);
    const settings = localSettings(server, 'typo');
    expect(() =>
      agent.configure(setupWith({ ...settings, signaling: { ...settings.signaling, host: 'peer example org' } })),
    ).not.toThrow();
    const status = await waitFor(agent, () => {
      const current = agent.snapshot().status;
      return current.state === 'offline' ? current : undefined;
    });
    expect(status.problem.kind).toBe('server-unreachable');
    // Fixing the setting brings it online.
    agent.configure(setupWith(settings));
    await waitFor(agent, () => agent.snapshot().status.state === 'online' || undefined);
  });
});
