import { createPeerJsTransport, type PeerConstructor, type Timers } from '../transport/peerjs-transport';
import { type Agent, type AgentDeps, createAgent } from './agent';

/** The globals every host has, passed in once so the agent itself uses none. */
export interface HostServices extends Timers {
  randomBytes(length: number): Uint8Array;
}

export function browserHostServices(): HostServices {
  return {
    now: () => Date.now(),
    setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
  };
}

/** The agent over PeerJS: what the offscreen document, the Firefox background page and Node tests run. */
export function createPeerJsAgent(
  Peer: PeerConstructor,
  services: HostServices = browserHostServices(),
  tuning: Pick<AgentDeps, 'handshakeTimeoutMs'> = {},
): Agent {
  return createAgent({
    ...tuning,
    now: services.now,
    randomBytes: services.randomBytes,
    setTimeout: services.setTimeout,
    clearTimeout: services.clearTimeout,
    openTransport: (settings, nextAddress) =>
      createPeerJsTransport({
        Peer,
        server: settings.signaling,
        iceServers: settings.iceServers,
        nextAddress,
        timers: services,
      }),
  });
}
