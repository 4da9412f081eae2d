/**
 * How the agent reaches other browsers. An address is a locator, never an identity: whoever
 * registers an id on the signaling server owns it (identity comes with the handshake).
 * The agent depends on this interface only; `peerjs-transport.ts` is the one implementation.
 */

export type TransportProblem =
  | { kind: 'server-unreachable'; detail: string }
  | { kind: 'server-error'; detail: string }
  | { kind: 'address-taken'; detail: string }
  | { kind: 'server-rejected-key'; detail: string }
  | { kind: 'webrtc-unavailable'; detail: string }
  | { kind: 'server-connection-lost'; detail: string };

export type TransportStatus =
  | { state: 'connecting' }
  | { state: 'online'; address: string }
  | { state: 'offline'; problem: TransportProblem; retryingAt?: number }
  | { state: 'stopped' };

export type DialProblem =
  | { kind: 'invalid-address'; detail: string }
  | { kind: 'peer-unavailable'; detail: string }
  | { kind: 'not-online'; detail: string }
  | { kind: 'connection-failed'; detail: string }
  | { kind: 'timeout'; detail: string };

export class DialError extends Error {
  constructor(readonly problem: DialProblem) {
    super(`${problem.kind}: ${problem.detail}`);
    this.name = 'DialError';
  }
}

export type LinkClose = { kind: 'closed' } | { kind: 'failed'; detail: string };

/**
 * The DTLS certificate fingerprints of the two ends of a link, as each side's SDP states them
 * (`a=fingerprint:` lines, normalised). The session handshake binds them, so a signaling server
 * that swaps SDP, or relays between two connections, cannot sit in the middle unnoticed.
 */
export type DtlsFingerprints = { local: string; remote: string };

/** One open, reliable, ordered data connection to another browser. */
export interface Link {
  /** This end's address when the link was made. */
  readonly localAddress: string;
  readonly remoteAddress: string;
  /** Undefined when the connection has no SDP to read (then no session can be bound to it). */
  dtlsFingerprints(): DtlsFingerprints | undefined;
  /** Bytes only: the frame layer above decides what they mean. */
  send(bytes: Uint8Array): void;
  /** Bytes sent but not yet handed to the network (the data channel's `bufferedAmount`). */
  bufferedAmount(): number;
  /** Resolves once `bufferedAmount()` is at most `bytes`, or the link closed. */
  drained(bytes: number): Promise<void>;
  /** The largest message the other end takes (SCTP `maxMessageSize`); undefined if unknown. */
  maxMessageSize(): number | undefined;
  /** Whatever arrived, exactly as it arrived: untrusted until the frame layer validates it. */
  onData(listener: (data: unknown) => void): () => void;
  /** Fires once, when the link is gone for any reason (including `close()`). */
  onClose(listener: (why: LinkClose) => void): () => void;
  close(): void;
}

export interface Transport {
  readonly status: TransportStatus;
  onStatus(listener: (status: TransportStatus) => void): () => void;
  /** Open links started by the other side. */
  onIncoming(listener: (link: Link) => void): () => void;
  /** Resolves once the link is open; rejects with a `DialError` (`timeout` after `timeoutMs`). */
  dial(address: string, timeoutMs?: number): Promise<Link>;
  /** Leaves the signaling server and closes every link. */
  stop(): void;
}

/**
 * PeerJS ids (and so our addresses): letters and digits, single `-`/`_` between them. Checked
 * before dialing so a typo is reported as such and not as "peer unavailable".
 */
export function isValidAddress(address: string): boolean {
  return address.length <= 100 && /^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$/.test(address);
}

/**
 * The fingerprints an SDP announces, normalised (`sha-256 AB:CD:…`, sorted, one per line) so
 * both ends derive the same bytes whatever their browser's spelling.
 */
export function sdpFingerprints(sdp: string | undefined): string | undefined {
  if (!sdp) return undefined;
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (match?.[1] && match[2]) found.add(`${match[1].toLowerCase()} ${match[2].toUpperCase()}`);
  }
  return found.size === 0 ? undefined : [...found].sort().join('\n');
}
