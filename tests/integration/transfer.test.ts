/**
 * File transfer between real agents over real WebRTC and a real PeerServer: a large file
 * arrives whole (SHA-256 equal), resumes after a cut with little re-sent, goes to several
 * contacts at once, and can be declined or cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import type { TransferView } from '../../lib/transfer/transfer-view';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { type NodeUser, pairUsers, startNodeUser, waitUntil } from '../support/node-agents';
import { patternFile, sha256Of } from '../support/pattern-file';

let server: RunningSignalingServer;
const users: NodeUser[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0 });
});
afterAll(async () => {
  for (const user of users) user.agent.stop();
  await server.close();
});

async function user(name: string): Promise<NodeUser> {
  const started = await startNodeUser(server, name, { handshakeTimeoutMs: 5_000 });
  users.push(started);
  return started;
}

function transfer(agent: Agent, id: string): TransferView | undefined {
  return agent.snapshot().transfers.find((t) => t.id === id);
}

const status = (agent: Agent, id: string, wanted: TransferView['status']) =>
  transfer(agent, id)?.status === wanted ? true : undefined;

describe('a file between two contacts', () => {
  it('100 MiB arrives whole: the SHA-256 of what Bob holds is the file’s', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    await pairUsers(alice, bob);
    const file = patternFile(100 * 1024 * 1024);
    const started = Date.now();
    const [id] = await alice.agent.sendFiles(
      [bob.identity.identityKey],
      [{ blob: file, name: 'big.bin', type: 'application/octet-stream' }],
    );
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    expect(transfer(bob.agent, id)).toMatchObject({ direction: 'incoming', name: 'big.bin', size: file.size });
    await bob.agent.answerFile(id, true);
    await waitUntil(() => status(alice.agent, id, 'done'), 120_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`100 MiB in ${seconds.toFixed(1)} s`);
    const received = await bob.agent.receivedFile(id);
    expect(received?.size).toBe(file.size);
    expect(await sha256Of(received as Blob)).toBe(await sha256Of(file));
  }, 180_000);
});
