import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { createPeerJsAgent } from '../../lib/agent/peerjs-agent';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { localSettings, pairUsers, setupWith, startNodeAgent, textsFrom, waitFor } from '../support/node-agents';
import { Peer } from '../support/node-webrtc';

/** A port with nothing listening on it (taken from the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the signaling server state the popup shows', () => {
  it('an unreachable server is reported as such, retried, and the agent comes online when it appears', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/tincan`;
    const agent: Agent = createPeerJsAgent(Peer);
    cleanups.push(() => agent.stop());
    agent.configure(setupWith(localSettings({ url } as RunningSignalingServer)));

    const offline = await waitFor(agent, () => {
      const status = agent.snapshot().status;
      return status.state === 'offline' ? status : undefined;
    });
    expect(offline.problem.kind).toBe('server-unreachable');
    expect(offline.retryingAt).toBeGreaterThan(Date.now() - 1_000);
    expect(agent.snapshot().server).toBe(`127.0.0.1:${port}/tincan`);

    const server = await startSignalingServer({ port });
    cleanups.push(() => server.close());
    const online = await waitFor(
      agent,
      () => {
        const status = agent.snapshot().status;
        return status.state === 'online' ? status : undefined;
      },
      20_000,
    );
    expect(online.address).toMatch(/^tincan-t-[a-z2-7]{16}$/);
  });

  it('when the signaling server goes away, open chats go on, and both come back at the same addresses', async () => {
    let server = await startSignalingServer({ port: 0 });
    const port = server.port;
    const alice = await startNodeAgent(server, 'Alice');
    const bob = await startNodeAgent(server, 'Bob');
    cleanups.push(
      () => server.close(),
      () => alice.agent.stop(),
      () => bob.agent.stop(),
    );
    await pairUsers(alice, bob);

    await server.close();
    await waitFor(alice.agent, () => alice.agent.snapshot().status.state === 'offline' || undefined);
    alice.agent.send(bob.address, 'still here without a server');
    await waitFor(bob.agent, () => textsFrom(bob.agent, alice.address, 'peer').length === 1 || undefined);

    server = await startSignalingServer({ port });
    for (const { agent, address } of [alice, bob]) {
      await waitFor(
        agent,
        () => {
          const status = agent.snapshot().status;
          return status.state === 'online' ? status.address === address : undefined;
        },
        20_000,
      );
    }
  });

  it('an address someone else holds is replaced by a fresh one', async () => {
    const server = await startSignalingServer({ port: 0 });
    cleanups.push(() => server.close());
    const first = createPeerJsAgent(Peer);
    cleanups.push(() => first.stop());
    first.configure(setupWith(localSettings(server)));
    const taken = await waitFor(first, () => {
      const status = first.snapshot().status;
      return status.state === 'online' ? status.address : undefined;
    });
    // A second agent whose random source repeats the first one's address at first.
    let calls = 0;
    const second = createPeerJsAgent(Peer, {
      now: Date.now,
      setTimeout: (run, ms) => setTimeout(run, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
      randomBytes: (length) =>
        calls++ === 0 && length === 10 ? decodeBase32Address(taken) : crypto.getRandomValues(new Uint8Array(length)),
    });
    cleanups.push(() => second.stop());
    second.configure(setupWith(localSettings(server)));
    const address = await waitFor(second, () => {
      const status = second.snapshot().status;
      return status.state === 'online' ? status.address : undefined;
    });
    expect(address).not.toBe(taken);
    expect(first.snapshot().status).toEqual({ state: 'online', address: taken });
  });
});

function decodeBase32Address(address: string): Uint8Array {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const text = address.replace(/^tincan-t-/, '');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    buffer = (buffer << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}
