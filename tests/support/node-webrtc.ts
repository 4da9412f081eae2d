/**
 * PeerJS reads `RTCPeerConnection` and `WebSocket` from globals when it is imported, with no
 * option to pass them in; Node 20 has neither. This is the one place that provides them
 * (`@roamhq/wrtc`, `ws`), before PeerJS loads, for integration tests and benchmarks.
 */
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';

/**
 * A browser WebSocket reports a failure as an `error` event followed by `close`; `ws` throws
 * when nothing listens for `error`, and PeerJS listens only for `close`.
 */
class BrowserLikeWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  WebSocket: BrowserLikeWebSocket,
});

const peerjs = await import('peerjs');
export const Peer = peerjs.Peer;
