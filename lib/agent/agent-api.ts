/**
 * The agent's contract: what it is given, what it shows, what it tells, and what it can be
 * asked. `agent.ts` is the one implementation.
 */
import type { DiscoveryTiming } from '../discovery/discovery-timing';
import type { PublicAddressResult } from '../discovery/public-address';
import type { ChatStore } from '../store/chat-store';
import type { AgentIdentity, Contact, ContactChange } from '../store/contacts';
import type { Settings } from '../store/settings';
import type { TransferStore } from '../store/transfer-store';
import type { TransferView } from '../transfer/transfer-view';
import type { Transport, TransportStatus } from '../transport/transport';
import type { MeView } from './agent-views';
import type { ContactChatView, ConversationView } from './chat-snapshot';
import type { ChatView } from './chat-views';
import type { NetworkView } from './network-view';

export const ADDRESS_ROOT = 'tincan';
/** A request left unanswered this long closes (its link and notification need not live forever). */
export const REQUEST_TTL_MS = 15 * 60_000;
/** How long a contact change reported to the background may take to come back in its list. */
export const CONTACT_WRITE_GRACE_MS = 10_000;

export interface AgentDeps {
  /**
   * Registers `nextAddress()` on the configured signaling server, asking again when it is
   * taken; `undefined` means give up (see `PeerJsTransportOptions.nextAddress`).
   */
  openTransport(settings: Settings, nextAddress: () => string | undefined): Transport;
  now(): number;
  randomBytes(length: number): Uint8Array;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Handshake time limit; tests shorten it. */
  handshakeTimeoutMs?: number;
  /** Same-network discovery; without it the agent only dials addresses and invites. */
  discovery?: AgentDiscoveryDeps;
  /** History, outbox and contact state (IndexedDB in browsers, fake-indexeddb in Node tests). */
  openChatStore(): Promise<ChatStore>;
  /** File sources, transfer records and received pieces (lib/store/transfer-store.ts). */
  openTransferStore(): Promise<TransferStore>;
  /**
   * A URL the downloads API can read a received file from: `URL.createObjectURL` in browsers.
   * Without it (Node) a finished file is only kept, read back with `receivedFile`.
   */
  fileUrl?(file: Blob): string;
  /** Lets a `fileUrl` go once its download ended (`URL.revokeObjectURL`). */
  releaseUrl?(url: string): void;
  /** Caps a file chunk's size (benchmarks compare sizes); the largest frame otherwise. */
  chunkBytes?: number;
}

export interface AgentDiscoveryDeps {
  /** STUN (then the settings' fallback URL): the address a namespace is derived from. */
  findPublicAddress(settings: Settings): Promise<PublicAddressResult>;
  /** The Network Information API says cellular. */
  isCellular(): boolean;
  timing?: DiscoveryTiming;
}

/** Everything the background hands the agent: settings, the handshake keys, the saved contacts. */
export type AgentSetup = { settings: Settings; identity: AgentIdentity; contacts: Contact[] };

export type AgentSnapshot = {
  name: string;
  server: string;
  status: TransportStatus;
  me?: MeView;
  contacts: ContactChatView[];
  /** Connections; a contact's carries that contact's newest messages. */
  conversations: ConversationView[];
  /** Every saved contact's chat, reachable or not. */
  chats: ChatView[];
  /** File transfers both ways, newest first; finished ones for a day. */
  transfers: TransferView[];
  network: NetworkView;
};

/** What a Ping found at a contact's last known address. */
export type PingResult = 'reachable' | 'no-answer' | 'wrong-key' | 'no-address';

/** What file transfers put on the wire (re-sends included) and refused, since the agent started. */
export type TransferCounters = {
  chunkBytesSent: number;
  chunkBytesReceived: number;
  /** Peer frames not used, by reason (lib/transfer/transfer.ts `Rejection`); none was written. */
  rejected: Partial<Record<string, number>>;
};

/** A file to send: stored by the popup (its id), or a Blob handed over directly (Node). */
export type FileSourceInput = { sourceId: string } | { blob: Blob; name: string; type?: string };

export type AgentEvent =
  | { type: 'changed' }
  | {
      type: 'message-arrived';
      /** Where the contact is connected now ('' if the message came and the link went). */
      address: string;
      contactKey: string;
      name: string;
      text: string;
      unreadTotal: number;
    }
  | { type: 'request-arrived'; address: string; identityKey: string; name: string; fingerprint: string }
  /** A received file passed its hash check: the background hands `url` to downloads. */
  | { type: 'file-ready'; transferId: string; url: string; name: string }
  /** The background stores these; the agent has applied them to its own copy already. */
  | { type: 'contact-changed'; change: ContactChange };

export interface Agent {
  configure(setup: AgentSetup): void;
  snapshot(): AgentSnapshot;
  /**
   * An address (trust on first use), an invite (the key is checked in the handshake), or the
   * discovery id of someone on this network (dialled from ours, so they never see our address).
   */
  connect(addressOrInvite: string): Promise<void>;
  /** With `identityKey`, only a request from that key is answered. */
  answerRequest(address: string, accept: boolean, identityKey?: string): void;
  /** After a key-changed warning: the user says the new key is their contact's. Dials again. */
  trustNewKey(address: string): Promise<void>;
  /** To the contact in the ready conversation at `address`; resolves once the message is stored. */
  send(address: string, text: string): Promise<void>;
  /** To a saved contact, reachable or not: it waits in the outbox until delivered. */
  sendTo(contactKey: string, text: string): Promise<void>;
  markRead(address: string): void;
  markChatRead(contactKey: string): void;
  /** Tries the contact's last known address at once. */
  ping(contactKey: string): Promise<PingResult>;
  /** The background's alarm: catch up on rendezvous slots and retry unreachable contacts. */
  tick(): void;
  /** Every chat, message and outbox entry, for the encrypted backup. */
  exportHistory(): Promise<unknown>;
  /** A backup's history, merged in (validated first: nothing is written from a bad archive). */
  importHistory(archive: unknown): Promise<{ chats: number; messages: number }>;
  /**
   * Offers each file to each contact (one transfer per pair). A source is a file the popup stored
   * (`saveFileSource`) or, in Node, a Blob. Resolves once every transfer is stored and offered
   * (or waiting for its contact); rejects with `not-connected` for a key that is not a contact.
   */
  sendFiles(contactKeys: string[], sources: FileSourceInput[]): Promise<string[]>;
  answerFile(transferId: string, accept: boolean): Promise<void>;
  cancelFile(transferId: string): Promise<void>;
  /** A received file to downloads again: `file-ready` follows. */
  saveFile(transferId: string): Promise<void>;
  /** The background's word on the download `file-ready` asked for. */
  fileSaved(transferId: string, ok: boolean, detail?: string): void;
  /** For tests and benchmarks: bytes on the wire and refused frames. */
  transferCounters(): TransferCounters;
  /** A finished incoming file (Node tests and benchmarks read it back here). */
  receivedFile(transferId: string): Promise<Blob | undefined>;
  subscribe(listener: (event: AgentEvent) => void): () => void;
  stop(): void;
}
