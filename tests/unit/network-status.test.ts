import { describe, expect, it } from 'vitest';
import { describeNetworkStatus } from '../../components/network-status';
import type { DiscoveryStatus } from '../../lib/discovery/network-discovery';
import type { TransportStatus } from '../../lib/transport/transport';

const ONLINE: TransportStatus = { state: 'online', address: 'tincan-t-abcdefgh' };
const OFFLINE: TransportStatus = {
  state: 'offline',
  problem: { kind: 'server-unreachable', detail: 'ECONNREFUSED' },
  retryingAt: 5,
};
const active = (visit: Extract<DiscoveryStatus, { state: 'active' }>['visit']): DiscoveryStatus => ({
  state: 'active',
  ns: 'abcdefghijklmnop',
  visit,
});

describe('the "On this network" status line', () => {
  it.each<[DiscoveryStatus, string, string]>([
    [{ state: 'off', reason: 'disabled' }, 'Discovery is off (turned off in settings)', 'off'],
    [{ state: 'off', reason: 'cellular' }, 'Off on a cellular connection', 'off'],
    [{ state: 'finding-address' }, 'Looking for people on this network…', 'busy'],
    [{ state: 'no-address', reason: 'no-stun-servers' }, 'No STUN servers are configured', 'bad'],
    [
      { state: 'no-address', reason: 'no-stun-answer' },
      'No STUN server answered, so this network cannot be recognised',
      'bad',
    ],
    [{ state: 'no-address', reason: 'webrtc-unavailable' }, 'WebRTC is unavailable', 'bad'],
    [{ state: 'no-address', reason: 'not-public' }, 'The STUN server answered from inside this network', 'bad'],
    [active({ state: 'registering' }), 'Looking for people on this network…', 'busy'],
    [active({ state: 'electing' }), 'Looking for people on this network…', 'busy'],
    [active({ state: 'member', rank: 1 }), 'Active · 3 people here', 'ok'],
    [active({ state: 'router', rank: 2 }), 'Active · 3 people here', 'ok'],
  ])('%j reads “%s”', (status, text, tone) => {
    expect(describeNetworkStatus(status, ONLINE, 3)).toEqual({ text, tone });
  });

  it('says when the "What is my IP" fallback failed too', () => {
    const status = { state: 'no-address', reason: 'no-stun-answer', fallback: 'unreachable' } as const;
    expect(describeNetworkStatus(status, ONLINE, 0).text).toBe(
      'No STUN server answered, so this network cannot be recognised; the “What is my IP” address could not be reached',
    );
  });

  it('counts one person as a person', () => {
    expect(describeNetworkStatus(active({ state: 'member', rank: 1 }), ONLINE, 1).text).toBe('Active · 1 person here');
    expect(describeNetworkStatus(active({ state: 'member', rank: 1 }), ONLINE, 0).text).toBe('Active · 0 people here');
  });

  it('blames the signaling server when it is unreachable, whatever discovery last said', () => {
    expect(describeNetworkStatus(active({ state: 'member', rank: 1 }), OFFLINE, 3).text).toBe(
      'Signaling server unreachable',
    );
    expect(describeNetworkStatus({ state: 'no-address', reason: 'no-stun-servers' }, OFFLINE, 0).tone).toBe('bad');
  });

  it('does not call a server unreachable while it is still connecting', () => {
    const line = describeNetworkStatus({ state: 'finding-address' }, { state: 'connecting' }, 0);
    expect(line).toEqual({ text: 'Connecting to the signaling server…', tone: 'busy' });
  });

  it('says discovery is off when the user turned it off, even with the server down', () => {
    expect(describeNetworkStatus({ state: 'off', reason: 'disabled' }, OFFLINE, 0).text).toBe(
      'Discovery is off (turned off in settings)',
    );
  });
});
