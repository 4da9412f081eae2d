import type { DiscoveryStatus } from '@/lib/discovery/network-discovery';
import type { TransportStatus } from '@/lib/transport/transport';

export type NetworkStatusLine = { text: string; tone: 'ok' | 'busy' | 'bad' | 'off' };

const peopleHere = (count: number) => (count === 1 ? '1 person here' : `${count} people here`);

/**
 * The "On this network" status line: whether discovery runs and, when it does not, why, in
 * words. The user's own choice (off) comes first; then the signaling server, which every
 * namespace visit registers on; then what the address lookup and the visit say.
 */
export function describeNetworkStatus(
  discovery: DiscoveryStatus,
  transport: TransportStatus,
  othersHere: number,
): NetworkStatusLine {
  if (discovery.state === 'off') {
    return discovery.reason === 'cellular'
      ? { text: 'Off on a cellular connection', tone: 'off' }
      : { text: 'Discovery is off (turned off in settings)', tone: 'off' };
  }
  if (transport.state === 'offline') return { text: 'Signaling server unreachable', tone: 'bad' };
  // Not "unreachable" yet: every start passes through here for a moment.
  if (transport.state !== 'online') return { text: 'Connecting to the signaling server…', tone: 'busy' };
  switch (discovery.state) {
    case 'finding-address':
      return { text: 'Looking for people on this network…', tone: 'busy' };
    case 'no-address':
      return { text: describeNoAddress(discovery.reason) + describeFallback(discovery.fallback), tone: 'bad' };
    case 'active':
      switch (discovery.visit.state) {
        case 'registering':
        case 'electing':
          return { text: 'Looking for people on this network…', tone: 'busy' };
        case 'no-free-rank':
          return { text: 'This network’s directory does not answer; trying again soon', tone: 'bad' };
        case 'router':
        case 'member':
          return { text: `Active · ${peopleHere(othersHere)}`, tone: 'ok' };
      }
  }
}

function describeFallback(fallback: Extract<DiscoveryStatus, { state: 'no-address' }>['fallback']): string {
  if (fallback === 'unreachable') return '; the “What is my IP” address could not be reached';
  if (fallback === 'refused') return '; the “What is my IP” address gave no usable answer';
  return '';
}

function describeNoAddress(reason: Extract<DiscoveryStatus, { state: 'no-address' }>['reason']): string {
  switch (reason) {
    case 'no-stun-servers':
      return 'No STUN servers are configured';
    case 'no-stun-answer':
      return 'No STUN server answered, so this network cannot be recognised';
    case 'webrtc-unavailable':
      return 'WebRTC is unavailable';
    case 'not-public':
      return 'The STUN server answered from inside this network';
  }
}
