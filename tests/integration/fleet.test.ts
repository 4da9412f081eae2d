import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../../lib/agent/agent';
import { parseSignalingUrl } from '../../lib/store/settings';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { type AgentHandle, type Fleet, FleetError, startFleet } from '../support/fleet/fleet';
import { addressOf, conversationAt, pairAgents, textsAt } from '../support/fleet/fleet-chat';
import { tryToRegister, whenFree } from '../support/fleet/id-reservation';

/** Above PeerJS's 5 s heartbeat: a shorter one drops healthy clients too. */
const ALIVE_TIMEOUT_MS = 6_000;
const SHARED_HOSTS = 3;
const SHARED_AGENTS = 12;

let server: RunningSignalingServer;
let fleet: Fleet;
let shared: AgentHandle[];
let killTarget: AgentHandle;
let crashTarget: AgentHandle;

beforeAll(async () => {
  server = await startSignalingServer({ port: 0, aliveTimeoutMs: ALIVE_TIMEOUT_MS });
  fleet = await startFleet({ server, hosts: SHARED_HOSTS });
  [shared, killTarget, crashTarget] = await Promise.all([
    Promise.all(Array.from({ length: SHARED_AGENTS }, (_, i) => fleet.start({ name: `agent ${i}` }))),
    fleet.startAlone({ name: 'to be killed' }),
    fleet.startAlone({ name: 'to be crashed' }),
  ]);
});
afterAll(async () => {
  await fleet?.teardown();
  await server?.close();
});

const agent = (index: number): AgentHandle => {
  const found = shared[index];
  if (!found) throw new Error(`no shared agent ${index}`);
  return found;
};

describe('a fleet of real agents in several processes', () => {
  it('twelve agents spread over three processes, four each, all online at their own addresses', async () => {
    const perHost = shared.reduce(
      (counts, a) => counts.set(a.hostIndex, (counts.get(a.hostIndex) ?? 0) + 1),
      new Map(),
    );
    expect([...perHost.values()]).toEqual([4, 4, 4]);
    const snapshots = await Promise.all(shared.map((a) => a.snapshot()));
    expect(snapshots.map((s) => s.status.state)).toEqual(Array(SHARED_AGENTS).fill('online'));
    expect(new Set(shared.map(addressOf)).size).toBe(SHARED_AGENTS);
    expect(new Set([killTarget.hostIndex, crashTarget.hostIndex, ...perHost.keys()]).size).toBe(SHARED_HOSTS + 2);
    const usage = await fleet.usage();
    expect(usage.map((u) => u.agents).sort()).toEqual([1, 1, 4, 4, 4]);
  });

  it('two agents in different processes chat, each message arriving once and in order', async () => {
    const [alice, bob] = [agent(0), agent(1)];
    expect(alice.hostIndex).not.toBe(bob.hostIndex);
    const aliceAtBob = await pairAgents(alice, bob);
    const texts = ['one', 'two', 'three'];
    for (const text of texts) await alice.call('send', addressOf(bob), text);
    await bob.call('send', aliceAtBob, 'back');
    await bob.waitFor((s) => textsAt(s, aliceAtBob, 'peer').length === texts.length);
    await alice.waitFor((s) => textsAt(s, addressOf(bob), 'peer').length === 1);
    expect(textsAt(await bob.snapshot(), aliceAtBob, 'peer')).toEqual(texts);
    expect(textsAt(await alice.snapshot(), addressOf(bob), 'peer')).toEqual(['back']);
  });

  it('agents given the same public address find each other on the network, and only those', async () => {
    const [ada, bo, eve] = await Promise.all([
      fleet.start({ name: 'ada', publicAddress: '203.0.113.7' }),
      fleet.start({ name: 'bo', publicAddress: '203.0.113.7' }),
      fleet.start({ name: 'eve', publicAddress: '198.51.100.20' }),
    ]);
    expect(ada.hostIndex).not.toBe(bo.hostIndex);
    const namesOnNetwork = (s: AgentSnapshot) => s.network.peers.map((p) => p.name);
    await ada.waitFor((s) => namesOnNetwork(s).includes('bo'), 10_000);
    await bo.waitFor((s) => namesOnNetwork(s).includes('ada'), 10_000);
    expect(namesOnNetwork(await ada.snapshot())).toEqual(['bo']);
    expect(namesOnNetwork(await eve.snapshot())).toEqual([]);
    await Promise.all([ada.stop(), bo.stop(), eve.stop()]);
  });

  it('an agent’s refusal comes back with its kind', async () => {
    const error = await agent(2)
      .call('connect', 'not an address!')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ problem: { kind: 'invalid-address' } });
  });

  it('killing an agent’s process frees its address at once, and the other side sees the link close', async () => {
    const partner = agent(3);
    const killedAtPartner = await pairAgents(killTarget, partner);
    // A round trip first: a peer killed while the handshake's last frames are in flight can
    // leave the survivor's link open far longer than ICE's usual ~16 s (tests/support/fleet/README.md).
    await killTarget.call('send', addressOf(partner), 'ping');
    await partner.waitFor((s) => textsAt(s, killedAtPartner, 'peer').includes('ping'));
    await partner.call('send', killedAtPartner, 'pong');
    await killTarget.waitFor((s) => textsAt(s, addressOf(partner), 'peer').includes('pong'));

    await killTarget.kill();
    expect(killTarget.hostState).toBe('exited');
    expect(await whenFree(parseSignalingUrl(server.url), addressOf(killTarget), 1_000, 50)).toBeLessThan(1_000);
    // Nothing tells the partner but ICE giving up on the dead end (PeerJS closes on 'failed').
    const closed = await partner.waitFor((s) => {
      const conversation = conversationAt(s, killedAtPartner);
      return conversation?.stage === 'closed' ? conversation : undefined;
    }, 25_000);
    // The link failed; the partner then dials the last known address at once (the contact
    // reach state machine) and finds nobody there: either is what a snapshot may show.
    expect(['link-failed', 'peer-unavailable']).toContain(closed.problem?.kind);
  });

  it('a crashed agent’s address stays taken on the server until its alive timeout', async () => {
    const direct = parseSignalingUrl(server.url);
    const address = addressOf(crashTarget);
    await crashTarget.crash();
    const crashedAt = Date.now();
    expect(crashTarget.hostState).toBe('frozen');
    expect(await tryToRegister(direct, address)).toBe('unavailable-id');
    await expect(crashTarget.snapshot()).rejects.toThrow(/frozen/);
    await whenFree(direct, address, ALIVE_TIMEOUT_MS + 2_000);
    expect(Date.now() - crashedAt).toBeLessThan(ALIVE_TIMEOUT_MS + 1_000);
  });
});
