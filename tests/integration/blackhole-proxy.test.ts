import type { Peer } from 'peerjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignalingUrl, type SignalingServer } from '../../lib/store/settings';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { createBarePeer } from '../support/bare-peer';
import { startBlackholeProxy } from '../support/fleet/blackhole-proxy';
import { tryToRegister, whenFree } from '../support/fleet/id-reservation';

/** Above PeerJS's 5 s heartbeat: a shorter one drops healthy clients too. */
const ALIVE_TIMEOUT_MS = 6_000;

let server: RunningSignalingServer;
let direct: SignalingServer;
const peers: Peer[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0, aliveTimeoutMs: ALIVE_TIMEOUT_MS });
  direct = parseSignalingUrl(server.url);
});
afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await server.close();
});

async function registeredVia(port: number, id: string): Promise<Peer> {
  const peer = createBarePeer({ ...direct, port }, id);
  peers.push(peer);
  await new Promise<void>((resolve, reject) => {
    peer.once('open', () => resolve());
    peer.once('error', reject);
  });
  return peer;
}

describe('a signaling proxy that can be cut like a pulled plug', () => {
  it('a client behind a blackholed proxy keeps its id taken until the server’s alive timeout, then it is free', async () => {
    const proxy = await startBlackholeProxy(server);
    const peer = await registeredVia(proxy.port, 'blackholed-client');
    proxy.blackhole();
    const cutAt = Date.now();
    expect(await tryToRegister(direct, 'blackholed-client')).toBe('unavailable-id');
    const tookMs = await whenFree(direct, 'blackholed-client', ALIVE_TIMEOUT_MS + 2_000);
    // The last heartbeat came up to 5 s before the cut; the server checks every 300 ms.
    expect(Date.now() - cutAt).toBeGreaterThan(ALIVE_TIMEOUT_MS - 5_000 - 500);
    expect(tookMs).toBeLessThan(ALIVE_TIMEOUT_MS + 1_000);
    // Nothing reached the client either: as far as it knows, it is still connected.
    expect(peer.disconnected).toBe(false);
    expect(proxy.sockets()).toBeGreaterThanOrEqual(1);
    await proxy.close();
  });

  it('when the client’s connection simply drops, the id is free at once', async () => {
    const proxy = await startBlackholeProxy(server);
    await registeredVia(proxy.port, 'dropped-client');
    expect(await tryToRegister(direct, 'dropped-client')).toBe('unavailable-id');
    await proxy.close();
    expect(await whenFree(direct, 'dropped-client', 1_000, 50)).toBeLessThan(1_000);
  });
});
