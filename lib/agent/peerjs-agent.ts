import { discoverPublicAddress, isCellular, type PlainTextFetch } from '../discovery/public-address';
import { type IndexedDBHost, openChatStore } from '../store/chat-store';
import { openTransferStore, type PieceStore } from '../store/transfer-store';
import { createPeerJsTransport, type PeerConstructor, type Timers } from '../transport/peerjs-transport';
import { type Agent, type AgentDeps, createAgent } from './agent';
import type { AgentDiscoveryDeps } from './agent-api';

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

/** How long STUN may take to answer before the fallback URL (if any) is asked. */
const ADDRESS_LOOKUP_TIMEOUT_MS = 3_000;

/** Discovery with this host's WebRTC, `fetch` and Network Information API. */
export function browserDiscovery(services: HostServices): AgentDiscoveryDeps {
  return {
    findPublicAddress(settings) {
      const url = settings.discovery.addressLookupUrl;
      return discoverPublicAddress({
        RTCPeerConnection: globalThis.RTCPeerConnection,
        iceServers: settings.iceServers,
        timeoutMs: ADDRESS_LOOKUP_TIMEOUT_MS,
        setTimeout: services.setTimeout,
        clearTimeout: services.clearTimeout,
        fallback: url ? { url, fetch: globalThis.fetch.bind(globalThis) as PlainTextFetch } : undefined,
      });
    },
    isCellular: () => isCellular((globalThis.navigator as { connection?: unknown } | undefined)?.connection),
  };
}

/** The agent over PeerJS: what the offscreen document, the Firefox background page and Node tests run. */
export function createPeerJsAgent(
  Peer: PeerConstructor,
  services: HostServices = browserHostServices(),
  tuning: Pick<AgentDeps, 'handshakeTimeoutMs'> & {
    discovery?: Partial<AgentDiscoveryDeps>;
    /** The IndexedDB to keep history in; the host's own unless a test brings one. */
    indexedDB?: IndexedDBHost;
    /** Where received pieces go; the IndexedDB's unless a benchmark brings a disk store. */
    pieces?: PieceStore;
    chunkBytes?: number;
  } = {},
): Agent {
  const host = tuning.indexedDB ?? { indexedDB: globalThis.indexedDB, IDBKeyRange: globalThis.IDBKeyRange };
  // Pages have blob: URLs the downloads API can read; Node has no downloads.
  const pageUrl = typeof document === 'undefined' ? undefined : (file: Blob) => URL.createObjectURL(file);
  return createAgent({
    openChatStore: () => openChatStore(host),
    openTransferStore: async () => {
      const store = await openTransferStore(host);
      return tuning.pieces ? { ...store, pieces: tuning.pieces } : store;
    },
    fileUrl: pageUrl,
    releaseUrl: pageUrl && ((url: string) => URL.revokeObjectURL(url)),
    chunkBytes: tuning.chunkBytes,
    handshakeTimeoutMs: tuning.handshakeTimeoutMs,
    discovery: { ...browserDiscovery(services), ...tuning.discovery },
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
