import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { DataConnection, PeerConnectOption, PeerOptions } from 'peerjs';
import type { Agent, AgentEvent, AgentSetup } from '../../lib/agent/agent';
import type { AgentDiscoveryDeps } from '../../lib/agent/agent-api';
import { browserHostServices, createPeerJsAgent } from '../../lib/agent/peerjs-agent';
import { toHex } from '../../lib/bytes';
import { createIdentity, presenceKeyFromSeed } from '../../lib/crypto/identity';
import type { PublicAddressResult } from '../../lib/discovery/public-address';
import type { IndexedDBHost } from '../../lib/store/chat-store';
import { type AgentIdentity, applyContactChange, type Contact } from '../../lib/store/contacts';
import { FACTORY_SETTINGS, parseSignalingUrl, type Settings } from '../../lib/store/settings';
import type { PieceStore } from '../../lib/store/transfer-store';
import type { PeerConstructor } from '../../lib/transport/peerjs-transport';
import type { RunningSignalingServer } from '../../server/signaling-server';
import { Peer } from './node-webrtc';

/** What a STUN server would report for a browser behind `address`. */
export const behind = (address: string): PublicAddressResult => ({ kind: 'found', address, via: 'stun' });

export function localSettings(server: RunningSignalingServer, displayName = ''): Settings {
  return { ...FACTORY_SETTINGS, signaling: parseSignalingUrl(server.url), iceServers: [], displayName };
}

export const nodeRandomBytesFn = (length: number) => new Uint8Array(nodeRandomBytes(length));

/** A fresh identity in the form the background hands the agent. */
export function newAgentIdentity(): AgentIdentity {
  const identity = createIdentity(nodeRandomBytesFn);
  return {
    identityKey: toHex(identity.signingPublic),
    staticSecret: toHex(identity.staticSecret),
    staticPublic: toHex(identity.staticPublic),
    certificate: toHex(identity.certificate),
    presenceKey: toHex(presenceKeyFromSeed(identity.signingSeed)),
  };
}

/** An agent setup with a fresh identity and no contacts. */
export function setupWith(settings: Settings): AgentSetup {
  return { settings, identity: newAgentIdentity(), contacts: [] };
}

/**
 * A person's browser in Node: an identity and saved contacts that outlive the agent (as the
 * background's storage does), and the agent itself, which can be stopped and started again.
 */
export type NodeUser = {
  agent: Agent;
  address: string;
  identity: AgentIdentity;
  contacts: () => Contact[];
  /** A new agent (so a new address) with the same keys, contacts and history. */
  restart(): Promise<void>;
  /** This browser's IndexedDB: it outlives the agent, as a profile's does. */
  indexedDB: IndexedDBHost;
  /** Drops every data connection at once, as a lost network does; returns how many. */
  cutLinks(): number;
};

/** PeerJS with its data connections within reach, so a test can cut them. */
function trackedPeer(open: Set<DataConnection>): PeerConstructor {
  const track = (connection: DataConnection) => {
    open.add(connection);
    connection.on('close', () => open.delete(connection));
  };
  return class TrackedPeer extends Peer {
    constructor(id: string, options: PeerOptions) {
      super(id, options);
      this.on('connection', track);
    }
    override connect(peer: string, options?: PeerConnectOption): DataConnection {
      const connection = super.connect(peer, options);
      track(connection);
      return connection;
    }
  };
}

export async function startNodeUser(
  server: RunningSignalingServer,
  name = '',
  options: {
    handshakeTimeoutMs?: number;
    identity?: AgentIdentity;
    /** Put this user behind this public address (as a STUN server would report it). */
    publicAddress?: string;
    discovery?: Partial<AgentDiscoveryDeps>;
    /** This user's clock runs this far ahead of the machine's (to start near a rendezvous slot edge). */
    clockOffsetMs?: number;
    contacts?: Contact[];
    /** Received pieces somewhere other than this user's IndexedDB (a benchmark's disk store). */
    pieces?: PieceStore;
    chunkBytes?: number;
  } = {},
): Promise<NodeUser> {
  const identity = options.identity ?? newAgentIdentity();
  let contacts: Contact[] = options.contacts ?? [];
  const indexedDB: IndexedDBHost = { indexedDB: new IDBFactory(), IDBKeyRange };
  const connections = new Set<DataConnection>();
  const TrackedPeer = trackedPeer(connections);
  const host = browserHostServices();
  const offset = options.clockOffsetMs ?? 0;
  const services = offset === 0 ? host : { ...host, now: () => Date.now() + offset };
  const boot = async () => {
    const { publicAddress } = options;
    const agent = createPeerJsAgent(TrackedPeer, services, {
      indexedDB,
      pieces: options.pieces,
      chunkBytes: options.chunkBytes,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      discovery: {
        ...(publicAddress ? { findPublicAddress: async () => behind(publicAddress) } : {}),
        ...options.discovery,
      },
    });
    // What the background does with the agent's contact notices.
    agent.subscribe((event) => {
      if (event.type === 'contact-changed') contacts = applyContactChange(contacts, event.change);
    });
    agent.configure({ settings: localSettings(server, name), identity, contacts });
    const address = await waitFor(agent, () => {
      const status = agent.snapshot().status;
      return status.state === 'online' ? status.address : undefined;
    });
    return { agent, address };
  };
  const first = await boot();
  const user: NodeUser = {
    ...first,
    identity,
    indexedDB,
    contacts: () => contacts,
    cutLinks() {
      const cut = [...connections];
      // The RTCPeerConnection itself, not PeerJS's polite close: both ends see the link die.
      for (const connection of cut) connection.peerConnection?.close();
      for (const connection of cut) connection.close();
      return cut.length;
    },
    async restart() {
      user.agent.stop();
      const next = await boot();
      user.agent = next.agent;
      user.address = next.address;
    },
  };
  return user;
}

/** A real agent with a fresh identity, configured against a local signaling server, once it is online. */
export const startNodeAgent = startNodeUser;

export function conversationWith(agent: Agent, address: string) {
  return agent.snapshot().conversations.find((c) => c.address === address);
}

/** `a` dials `b` (by address, or by `b`'s invite), `b` accepts the request, both are ready to chat. */
export async function pairUsers(a: NodeUser, b: NodeUser, via: 'address' | 'invite' = 'address'): Promise<void> {
  const requested = waitFor(b.agent, () =>
    b.agent
      .snapshot()
      .conversations.find((c) => c.stage === 'request' && c.peer?.identityKey === a.identity.identityKey),
  );
  const invite = b.agent.snapshot().me?.invite;
  await a.agent.connect(via === 'invite' && invite ? invite : b.address);
  const request = await requested;
  b.agent.answerRequest(request.address, true);
  await waitFor(a.agent, () => (conversationWith(a.agent, b.address)?.stage === 'ready' ? true : undefined));
  await waitFor(b.agent, () => (conversationWith(b.agent, request.address)?.stage === 'ready' ? true : undefined));
}

/** Resolves with the first truthy value of `probe`, checked after every agent event. */
export function waitFor<T>(agent: Agent, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = probe();
      if (value === undefined || value === false) return false;
      stop();
      clearTimeout(timer);
      resolve(value);
      return true;
    };
    const stop = agent.subscribe(() => void check());
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting; last snapshot: ${JSON.stringify(agent.snapshot()).slice(0, 4000)}`));
    }, timeoutMs);
    check();
  });
}

export function textsFrom(agent: Agent, address: string, from: 'me' | 'peer'): string[] {
  const conversation = agent.snapshot().conversations.find((c) => c.address === address);
  return (conversation?.messages ?? []).filter((m) => m.from === from).map((m) => m.text);
}

export function collectEvents(agent: Agent): AgentEvent[] {
  const events: AgentEvent[] = [];
  agent.subscribe((event) => events.push(event));
  return events;
}

/** For conditions across many agents (no one agent's events say when to look): polls. */
export async function waitUntil<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
