import wrtc from '@roamhq/wrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicPrefix } from '../../lib/discovery/network-namespace';
import { discoverPublicAddress } from '../../lib/discovery/public-address';
import { type StunResponder, startStunResponder } from '../support/stun-responder';

// A documentation address no interface of this machine has: finding it proves it came from STUN.
const MAPPED = '203.0.113.7';

let stun: StunResponder;
let silent: StunResponder;

beforeAll(async () => {
  stun = await startStunResponder({ mappedAddress: MAPPED });
  silent = await startStunResponder({ mappedAddress: MAPPED });
  await silent.close(); // its port now answers nothing
});
afterAll(async () => {
  await stun.close();
});

const timers = { setTimeout, clearTimeout };

describe('public address through real WebRTC and a STUN server on 127.0.0.1', () => {
  it('finds the address the STUN server reports, and it names a network', async () => {
    const result = await discoverPublicAddress({
      RTCPeerConnection: wrtc.RTCPeerConnection,
      iceServers: [{ urls: stun.url }],
      timeoutMs: 5000,
      ...timers,
    });
    expect(result).toEqual({ kind: 'found', address: MAPPED, via: 'stun' });
    expect(stun.answered()).toBeGreaterThan(0);
    expect(publicPrefix(MAPPED)).toBe(MAPPED);
  });

  it('finds an IPv6 address (XORed with the transaction id) the same way', async () => {
    const v6 = await startStunResponder({ mappedAddress: '2001:db8:0:12::5', mappedPort: 40000 });
    try {
      const result = await discoverPublicAddress({
        RTCPeerConnection: wrtc.RTCPeerConnection,
        iceServers: [{ urls: v6.url }],
        timeoutMs: 5000,
        ...timers,
      });
      expect(result).toEqual({ kind: 'found', address: '2001:db8:0:12::5', via: 'stun' });
      expect(publicPrefix('2001:db8:0:12::5')).toBe('2001:db8:0:12::/64');
    } finally {
      await v6.close();
    }
  });

  it('reports no STUN answer when the server is silent, within the timeout', async () => {
    const started = Date.now();
    const result = await discoverPublicAddress({
      RTCPeerConnection: wrtc.RTCPeerConnection,
      iceServers: [{ urls: silent.url }],
      timeoutMs: 1500,
      ...timers,
    });
    expect(result).toEqual({ kind: 'none', reason: 'no-stun-answer' });
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
