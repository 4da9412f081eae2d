import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { AgentError } from '../../lib/agent/agent-error';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { pairUsers, startNodeAgent, textsFrom, waitFor } from '../support/node-agents';

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
    await pairUsers(alice, bob);
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

describe('five agents, each connected to every other', () => {
  it('every agent receives every other agent’s messages in order, each exactly once', async () => {
    const COUNT = 5;
    const N = 10;
    const five = await agents(COUNT);
    // Each pair dials once, from the lower index: ten links.
    const dials: Promise<void>[] = [];
    for (const [i, from] of five.entries()) {
      for (const to of five.slice(i + 1)) dials.push(pairUsers(from, to));
    }
    expect(dials).toHaveLength(10);
    await Promise.all(dials);

    const label = (from: number, to: number, n: number) => `from ${from} to ${to} #${n}`;
    for (let n = 0; n < N; n++) {
      for (const [from, sender] of five.entries()) {
        for (const [to, receiver] of five.entries()) {
          if (from !== to) sender.agent.send(receiver.address, label(from, to, n));
        }
      }
    }

    for (const [to, me] of five.entries()) {
      const others = five.map((other, from) => ({ from, address: other.address })).filter(({ from }) => from !== to);
      await waitFor(me.agent, () =>
        others.every(({ address }) => textsFrom(me.agent, address, 'peer').length >= N) ? true : undefined,
      );
      for (const { from, address } of others) {
        expect(textsFrom(me.agent, address, 'peer')).toEqual(Array.from({ length: N }, (_, n) => label(from, to, n)));
      }
      const conversations = me.agent.snapshot().conversations;
      expect(conversations).toHaveLength(COUNT - 1);
      for (const conversation of conversations) {
        expect(conversation).toMatchObject({ stage: 'ready', unread: N, badFrames: 0 });
        expect(new Set(conversation.messages.map((m) => m.id)).size).toBe(2 * N);
      }
    }
  });
});

describe('dialing an address that cannot be reached', () => {
  async function refusal(dial: Promise<void>): Promise<string> {
    const error = await dial.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof AgentError)) throw new Error(`expected an AgentError, got ${String(error)}`);
    return error.problem.kind;
  }

  it('an address nobody holds is reported as unavailable, well before the dial timeout', async () => {
    const [alice] = await agents(1);
    if (!alice) throw new Error('agent did not start');
    const nobody = 'tincan-t-nobodyholdsthis1';
    const started = Date.now();
    expect(await refusal(alice.agent.connect(nobody))).toBe('peer-unavailable');
    // The server expires undeliverable offers after 5 s; the dial timeout is 20 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(alice.agent.snapshot().conversations.find((c) => c.address === nobody)).toMatchObject({
      stage: 'closed',
      problem: { kind: 'peer-unavailable' },
    });
    expect(alice.agent.snapshot().status.state).toBe('online');
  });

  it.each(['not an address!', 'tincan--t', 'a'.repeat(101), 'tincan-t-ok/../x'])(
    '"%s" is refused as an invalid address',
    async (address) => {
      const [alice] = await agents(1);
      if (!alice) throw new Error('agent did not start');
      expect(await refusal(alice.agent.connect(address))).toBe('invalid-address');
    },
  );

  it('this browser’s own address is refused as such', async () => {
    const [alice] = await agents(1);
    if (!alice) throw new Error('agent did not start');
    expect(await refusal(alice.agent.connect(alice.address))).toBe('own-address');
    expect(await refusal(alice.agent.connect(`  ${alice.address} `))).toBe('own-address');
    expect(alice.agent.snapshot().conversations).toEqual([]);
  });
});
