import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { type NodeUser, startNodeUser, waitFor } from '../support/node-agents';

let server: RunningSignalingServer;
const running: Agent[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0 });
});
afterAll(async () => {
  for (const agent of running) agent.stop();
  await server.close();
});

async function usersBehind(publicAddress: string, names: string[]): Promise<NodeUser[]> {
  const users: NodeUser[] = [];
  // One after another, as people arrive: the first claims r1, the rest join it.
  for (const name of names) {
    const user = await startNodeUser(server, name, { publicAddress });
    running.push(user.agent);
    users.push(user);
  }
  return users;
}

const namesOnNetwork = (agent: Agent) =>
  agent
    .snapshot()
    .network.peers.map((p) => p.name)
    .sort();

const seesExactly = (agent: Agent, names: string[]) =>
  JSON.stringify(namesOnNetwork(agent)) === JSON.stringify([...names].sort()) || undefined;

describe('people behind one public address', () => {
  it('see each other in "On this network", and nobody behind another address', async () => {
    const office = await usersBehind('203.0.113.10', ['ada', 'bo', 'cy', 'di']);
    const home = await usersBehind('198.51.100.20', ['eve', 'fay']);
    for (const user of office) {
      const others = ['ada', 'bo', 'cy', 'di'].filter((n) => n !== user.agent.snapshot().name);
      await waitFor(user.agent, () => seesExactly(user.agent, others), 10_000);
    }
    for (const user of home) {
      const others = ['eve', 'fay'].filter((n) => n !== user.agent.snapshot().name);
      await waitFor(user.agent, () => seesExactly(user.agent, others), 10_000);
    }
    const statuses = office.map((u) => u.agent.snapshot().network.status);
    const roles = statuses.map((s) =>
      s.state === 'active' ? `${s.visit.state}-${'rank' in s.visit ? s.visit.rank : ''}` : s.state,
    );
    expect(roles.filter((r) => r === 'router-1')).toHaveLength(1);
    expect(roles.filter((r) => r === 'member-1')).toHaveLength(3);
  }, 30_000);
});
