import type { Peer as PeerJsPeer } from 'peerjs';
import type { SignalingServer } from '../../lib/store/settings';
import { Peer } from './node-webrtc';

/**
 * A plain PeerJS `Peer` (no Tincan agent) registering as `id` on `signaling`. Not yet open:
 * callers attach their own listeners and wait for 'open' or 'error'.
 */
export function createBarePeer(signaling: SignalingServer, id: string, iceServers: RTCIceServer[] = []): PeerJsPeer {
  return new Peer(id, {
    host: signaling.host,
    port: signaling.port,
    path: signaling.path,
    secure: signaling.secure,
    key: signaling.key,
    config: { iceServers },
    debug: 0,
  });
}
