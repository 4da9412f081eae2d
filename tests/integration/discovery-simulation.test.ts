/**
 * Same-network discovery with a crowd: real agents in several Node processes, real WebRTC, a real
 * PeerServer on 127.0.0.1. Each namespace is the set of agents told they are behind one public
 * address. Routers go down the three ways machines do: cleanly (tests/integration/discovery.test.ts),
 * killed (the server frees the id at once), crashed (the id stays reserved until the server's
 * alive timeout, so members must climb to r2 and come back down later).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { type Member, populate, settled, snapshotsOf, until } from '../support/discovery-sim';
import { type Fleet, startFleet } from '../support/fleet/fleet';

/** Long enough that a crashed router's r1 stays reserved through the whole failover to r2. */
const ALIVE_TIMEOUT_MS = 20_000;

let server: RunningSignalingServer;
let fleet: Fleet;
let office: Member[];
let cafe: Member[];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0, aliveTimeoutMs: ALIVE_TIMEOUT_MS });
  fleet = await startFleet({ server, hosts: 4 });
  office = await populate(fleet, '203.0.113.70', 30, 'office-');
  cafe = await populate(fleet, '198.51.100.70', 4, 'cafe-');
}, 60_000);

afterAll(async () => {
  await fleet?.teardown();
  await server?.close();
});

describe('thirty agents behind one public address', () => {
  it('all appear in every list, served by one router at r1; another namespace never sees them', async () => {
    const { reading } = await until(office, settled, 20_000);
    expect(reading.ranks).toEqual({ 1: 30 });
    await until(cafe, settled, 10_000);
    const officeNames = new Set(office.map((m) => m.name));
    for (const snapshot of await snapshotsOf(cafe)) {
      expect(snapshot.network.peers.filter((p) => officeNames.has(p.name))).toEqual([]);
    }
    for (const snapshot of await snapshotsOf(office)) {
      expect(snapshot.network.peers.filter((p) => p.name.startsWith('cafe-'))).toEqual([]);
    }
  }, 40_000);

  it('when the router’s process is killed, a new router is elected and every list is whole again', async () => {
    const [router, ...rest] = office;
    if (!router) throw new Error('no office');
    await router.handle.kill();
    const { reading } = await until(rest, settled, 25_000);
    expect(reading.routers).toBe(1);
    // The killed router's id was freed by the server at once: the new router took r1.
    expect(reading.ranks).toEqual({ 1: 29 });
  }, 40_000);
});

describe('a router that crashes without a clean close', () => {
  it('leaves its id reserved: members fail over to r2, then come back to r1 once the server frees it', async () => {
    const lab = await populate(fleet, '203.0.113.71', 10, 'lab-');
    await until(lab, settled, 20_000);
    const [router, ...rest] = lab;
    if (!router) throw new Error('no lab');
    await router.handle.crash();
    const failover = await until(rest, (r) => settled(r) && r.ranks[2] === rest.length, 30_000);
    expect(failover.reading.routers).toBe(1);
    const back = await until(rest, (r) => settled(r) && r.ranks[1] === rest.length, ALIVE_TIMEOUT_MS + 30_000);
    expect(back.reading.routers).toBe(1);
    // Meanwhile the cafe, another namespace, was never disturbed.
    expect((await until(cafe, settled, 1_000)).reading.ranks).toEqual({ 1: 4 });
  }, 90_000);
});
