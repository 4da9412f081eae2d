import { sessionIdentity } from '../../lib/agent/agent-views';
import { browserHostServices } from '../../lib/agent/peerjs-agent';
import { establishSession, type SecureLink } from '../../lib/sessions/secure-link';
import type { AgentIdentity } from '../../lib/store/contacts';
import { parseSignalingUrl } from '../../lib/store/settings';
import { createPeerJsTransport } from '../../lib/transport/peerjs-transport';
import type { Link, Transport } from '../../lib/transport/transport';
import type { RunningSignalingServer } from '../../server/signaling-server';
import { nodeRandomBytesFn } from './node-agents';
import { Peer } from './node-webrtc';

/**
 * A bare transport under an address the test picks: what an attacker who registers someone
 * else's address (or relays, or speaks garbage) works with. Resolves once it is online.
 */
export async function openTransportAt(server: RunningSignalingServer, address: string): Promise<Transport> {
  const transport = createPeerJsTransport({
    Peer,
    server: parseSignalingUrl(server.url),
    iceServers: [],
    nextAddress: () => address,
    timers: browserHostServices(),
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      const { status } = transport;
      if (status.state === 'online' && status.address === address) {
        stop();
        resolve();
      } else if (status.state === 'offline' && status.problem.kind !== 'address-taken') {
        // (Taken: the transport asks again at once; the server frees a departed peer's id soon.)
        stop();
        transport.stop();
        reject(new Error(`could not register ${address}: ${status.problem.kind}`));
      }
    };
    const unsubscribe = transport.onStatus(check);
    const timer = setTimeout(() => {
      stop();
      transport.stop();
      reject(new Error(`could not register ${address} within 10 s`));
    }, 10_000);
    const stop = () => {
      clearTimeout(timer);
      unsubscribe();
    };
    check();
  });
  return transport;
}

/** Runs our own handshake on `link` as someone with `identity`: how a hostile Tincan peer talks. */
export function establishAs(
  link: Link,
  role: 'initiator' | 'responder',
  identity: AgentIdentity,
  name: string,
): Promise<SecureLink> {
  return establishSession(link, {
    role,
    identity: sessionIdentity(identity, name),
    randomBytes: nodeRandomBytesFn,
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  });
}
