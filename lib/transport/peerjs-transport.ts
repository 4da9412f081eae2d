import type { DataConnection, Peer, PeerError, PeerOptions } from 'peerjs';
import { Listeners } from '../listeners';
import { hostInUrl, type IceServer, type SignalingServer } from '../store/settings';
import {
  DialError,
  isValidAddress,
  type Link,
  type LinkClose,
  sdpFingerprints,
  type Transport,
  type TransportProblem,
  type TransportStatus,
} from './transport';

/** The `peerjs` `Peer` class, passed in so the agent module never imports PeerJS itself. */
export type PeerConstructor = new (id: string, options: PeerOptions) => Peer;

export interface Timers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PeerJsTransportOptions {
  Peer: PeerConstructor;
  server: SignalingServer;
  iceServers: IceServer[];
  /**
   * This browser's address; asked again when the server says the current one is taken. Undefined
   * means "that one or none": the transport stays offline with `address-taken` (a router claim).
   */
  nextAddress: () => string | undefined;
  timers: Timers;
  dialTimeoutMs?: number;
  /** Waits between attempts to reach the signaling server; the last one repeats. */
  retryDelaysMs?: readonly number[];
}

/**
 * How often a waiting sender looks at `bufferedAmount` again. Browsers fire `bufferedamountlow`;
 * wrtc (Node) never does, so a poll backs the event up.
 */
const DRAIN_POLL_MS = 4;
/** PeerJS queues a send itself above this (its `MAX_BUFFERED_AMOUNT`); we stay below it. */
const PEERJS_QUEUE_BYTES = 8 * 1024 * 1024;

/** Messages a link holds before anyone reads it; an honest peer sends one hello. */
const MAX_EARLY_MESSAGES = 64;

const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** PeerJS error types (`PeerErrorType`) mapped to what the popup can explain. */
function problemOf(error: PeerError<string>): TransportProblem {
  const detail = error.message;
  switch (error.type) {
    case 'unavailable-id':
      return { kind: 'address-taken', detail };
    case 'invalid-key':
      return { kind: 'server-rejected-key', detail };
    case 'browser-incompatible':
    case 'webrtc':
      return { kind: 'webrtc-unavailable', detail };
    case 'server-error':
    case 'invalid-id':
      return { kind: 'server-error', detail };
    case 'disconnected':
      return { kind: 'server-connection-lost', detail };
    default:
      // 'network', 'socket-error', 'socket-closed', 'ssl-unavailable'
      return { kind: 'server-unreachable', detail };
  }
}

/** Errors that concern one connection attempt, not the signaling connection. */
const DIAL_ERROR_TYPES = new Set(['peer-unavailable']);

export function createPeerJsTransport(options: PeerJsTransportOptions): Transport {
  const { timers } = options;
  const dialTimeoutMs = options.dialTimeoutMs ?? 20_000;
  const retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const statusListeners = new Listeners<[TransportStatus]>();
  const incomingListeners = new Listeners<[Link]>();
  const pendingDials = new Map<string, Set<(error: DialError) => void>>();
  const links = new Set<Link>();
  let status: TransportStatus = { state: 'connecting' };
  let peer: Peer | undefined;
  let attempt = 0;
  let retryTimer: unknown;
  let stopped = false;

  const setStatus = (next: TransportStatus) => {
    status = next;
    statusListeners.emit(next);
  };

  const scheduleRetry = (problem: TransportProblem, retry: () => void) => {
    const delay = retryDelays[Math.min(attempt, retryDelays.length - 1)] ?? 30_000;
    attempt += 1;
    setStatus({ state: 'offline', problem, retryingAt: timers.now() + delay });
    retryTimer = timers.setTimeout(retry, delay);
  };

  const register = (address: string) => {
    if (stopped) return;
    setStatus({ state: 'connecting' });
    let current: Peer;
    try {
      current = new options.Peer(address, {
        // PeerJS pastes the host into its WebSocket URL as is: an IPv6 address needs brackets.
        host: hostInUrl(options.server.host),
        port: options.server.port,
        path: options.server.path,
        secure: options.server.secure,
        key: options.server.key,
        config: { iceServers: options.iceServers },
        debug: 0,
      });
    } catch (error) {
      // `new WebSocket` throws on a URL it cannot parse (say, a host with a space in it). No
      // retry can reach that server: report it and wait for new settings.
      const detail = error instanceof Error ? error.message : String(error);
      setStatus({ state: 'offline', problem: { kind: 'server-unreachable', detail } });
      return;
    }
    peer = current;
    // Once registered, PeerJS keeps the Peer and its open links when the server goes away;
    // before that, a failed Peer is useless and is replaced.
    let registered = false;
    let retired = false;
    const isCurrent = () => !stopped && !retired && current === peer;
    const retire = () => {
      retired = true;
      if (retryTimer !== undefined) timers.clearTimeout(retryTimer);
      current.destroy();
    };
    current.on('open', (id) => {
      registered = true;
      attempt = 0;
      setStatus({ state: 'online', address: id });
    });
    current.on('connection', (connection) => acceptIncoming(connection));
    current.on('call', (call) => call.close());
    current.on('disconnected', () => {
      if (!isCurrent() || !registered) return;
      // Lost the signaling server but kept the id: open links live on; ask for the id back.
      scheduleRetry({ kind: 'server-connection-lost', detail: 'Lost connection to the signaling server.' }, () => {
        if (isCurrent() && current.disconnected) current.reconnect();
      });
    });
    current.on('error', (error) => {
      if (!isCurrent()) return;
      if (DIAL_ERROR_TYPES.has(error.type)) {
        failDialsNamedIn(error.message);
        return;
      }
      const problem = problemOf(error);
      if (problem.kind === 'address-taken') {
        // Addresses are locators: someone else holds this one, so take a fresh one.
        retire();
        setStatus({ state: 'offline', problem });
        const next = options.nextAddress();
        if (next !== undefined) register(next);
        return;
      }
      if (registered) return; // 'disconnected' follows and schedules the reconnect
      retire();
      scheduleRetry(problem, () => register(address));
    });
  };

  const failDialsNamedIn = (message: string) => {
    // PeerJS reports an unknown peer only on the Peer, as "Could not connect to peer <id>".
    for (const [address, rejects] of pendingDials) {
      if (!message.endsWith(` ${address}`)) continue;
      for (const reject of rejects)
        reject(new DialError({ kind: 'peer-unavailable', detail: `No one is online at ${address}.` }));
    }
  };

  const wrap = (connection: DataConnection, localAddress: string): Link => {
    const closeListeners = new Listeners<[LinkClose]>();
    const dataListeners = new Listeners<[unknown]>();
    // The answering side can see data before its 'open' event (seen with wrtc): hold it until
    // the link has a reader, so a peer's first frame is never lost.
    let early: unknown[] | undefined = [];
    let closed = false;
    const bufferedAmount = () =>
      // Anything in PeerJS's own queue means the channel is full.
      (connection.dataChannel?.bufferedAmount ?? 0) +
      (((connection as unknown as { bufferSize?: number }).bufferSize ?? 0) > 0 ? PEERJS_QUEUE_BYTES : 0);
    const finish = (why: LinkClose) => {
      if (closed) return;
      closed = true;
      links.delete(link);
      closeListeners.emit(why);
      closeListeners.clear();
      dataListeners.clear();
    };
    connection.on('data', (data: unknown) => {
      if (!early) return dataListeners.emit(data);
      early.push(data);
      if (early.length > MAX_EARLY_MESSAGES) link.close();
    });
    connection.on('close', () => finish({ kind: 'closed' }));
    connection.on('error', (error) => {
      finish({ kind: 'failed', detail: error.message });
      connection.close();
    });
    const link: Link = {
      localAddress,
      remoteAddress: connection.peer,
      dtlsFingerprints() {
        const pc = connection.peerConnection;
        const local = sdpFingerprints(pc?.localDescription?.sdp);
        const remote = sdpFingerprints(pc?.remoteDescription?.sdp);
        return local && remote ? { local, remote } : undefined;
      },
      send(bytes) {
        if (closed) throw new Error('link is closed');
        connection.send(bytes);
      },
      bufferedAmount,
      drained(bytes) {
        const channel = connection.dataChannel as RTCDataChannel | undefined;
        if (closed || !channel || bufferedAmount() <= bytes) return Promise.resolve();
        return new Promise<void>((resolve) => {
          let timer: unknown;
          const done = () => {
            channel.removeEventListener('bufferedamountlow', done);
            timers.clearTimeout(timer);
            resolve();
          };
          const poll = () => {
            if (closed || bufferedAmount() <= bytes) done();
            else timer = timers.setTimeout(poll, DRAIN_POLL_MS);
          };
          channel.bufferedAmountLowThreshold = bytes;
          channel.addEventListener('bufferedamountlow', done);
          timer = timers.setTimeout(poll, DRAIN_POLL_MS);
        });
      },
      maxMessageSize() {
        const size = connection.peerConnection?.sctp?.maxMessageSize;
        return typeof size === 'number' && size > 0 ? size : undefined;
      },
      onData(listener) {
        const remove = dataListeners.add(listener);
        const held = early;
        early = undefined;
        for (const data of held ?? []) listener(data);
        return remove;
      },
      onClose(listener) {
        if (closed) {
          listener({ kind: 'closed' });
          return () => {};
        }
        return closeListeners.add(listener);
      },
      close() {
        connection.close();
        finish({ kind: 'closed' });
      },
    };
    links.add(link);
    return link;
  };

  const acceptIncoming = (connection: DataConnection) => {
    // Our frames are bytes on an ordered channel; anything else is not a Tincan agent, and
    // PeerJS's other serializers parse peer bytes in ways that can throw.
    if (connection.serialization !== 'raw' || !connection.reliable) {
      connection.close();
      return;
    }
    const link = wrap(connection, peer?.id ?? '');
    connection.once('open', () => incomingListeners.emit(link));
  };

  const dial = (address: string, timeoutMs = dialTimeoutMs): Promise<Link> =>
    new Promise<Link>((resolve, reject) => {
      if (!isValidAddress(address)) {
        reject(new DialError({ kind: 'invalid-address', detail: `"${address}" is not a Tincan address.` }));
        return;
      }
      if (!peer || status.state !== 'online') {
        reject(new DialError({ kind: 'not-online', detail: 'Not connected to the signaling server.' }));
        return;
      }
      const connection = peer.connect(address, { reliable: true, serialization: 'raw' });
      const link = wrap(connection, peer.id);
      let settled = false;
      const rejects = pendingDials.get(address) ?? new Set();
      pendingDials.set(address, rejects);
      const settle = () => {
        settled = true;
        timers.clearTimeout(timer);
        rejects.delete(fail);
        if (rejects.size === 0) pendingDials.delete(address);
      };
      const fail = (error: DialError) => {
        if (settled) return;
        settle();
        link.close();
        reject(error);
      };
      rejects.add(fail);
      const timer = timers.setTimeout(
        () => fail(new DialError({ kind: 'timeout', detail: `No answer from ${address}.` })),
        timeoutMs,
      );
      connection.once('open', () => {
        if (settled) return;
        settle();
        resolve(link);
      });
      connection.once('error', (error) => fail(new DialError({ kind: 'connection-failed', detail: error.message })));
      connection.once('close', () =>
        fail(new DialError({ kind: 'connection-failed', detail: `Connection to ${address} closed.` })),
      );
    });

  const first = options.nextAddress();
  if (first !== undefined) register(first);
  else setStatus({ state: 'offline', problem: { kind: 'address-taken', detail: 'No address to register.' } });

  return {
    get status() {
      return status;
    },
    onStatus: (listener) => statusListeners.add(listener),
    onIncoming: (listener) => incomingListeners.add(listener),
    dial,
    stop() {
      stopped = true;
      retryTimer !== undefined && timers.clearTimeout(retryTimer);
      for (const link of [...links]) link.close();
      peer?.destroy();
      setStatus({ state: 'stopped' });
    },
  };
}
