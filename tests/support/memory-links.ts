/**
 * Two ends of an in-memory connection, shaped like the PeerJS transport's links: ordered,
 * asynchronous delivery, data held until the first reader, and DTLS fingerprints each end
 * reports (tests choose them, to play a signaling server that swapped SDP).
 */
import { Listeners } from '../../lib/listeners';
import type { DtlsFingerprints, Link, LinkClose } from '../../lib/transport/transport';

export type MemoryEnd = Link & {
  /** Everything this end sent, as sent. */
  readonly sent: Uint8Array[];
  /** Puts bytes on the wire towards the other end as if this end had sent them. */
  inject(bytes: unknown): void;
  readonly isClosed: boolean;
};

type EndOptions = { address: string; fingerprints: DtlsFingerprints | undefined };

type EndInternals = {
  end: MemoryEnd;
  receive(bytes: unknown): void;
  finish(): void;
  connect(to: EndInternals): void;
};

function memoryEnd(options: EndOptions): EndInternals {
  const data = new Listeners<[unknown]>();
  const closes = new Listeners<[LinkClose]>();
  let held: unknown[] | undefined = [];
  let closed = false;
  let other: EndInternals | undefined;
  const sent: Uint8Array[] = [];
  const receive = (bytes: unknown) => {
    if (closed) return;
    if (held) held.push(bytes);
    else data.emit(bytes);
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    closes.emit({ kind: 'closed' });
    closes.clear();
    data.clear();
  };
  const deliver = (bytes: unknown) => {
    // Asynchronous, in order: as a data channel delivers.
    setTimeout(() => other?.receive(bytes), 0);
  };
  const end: MemoryEnd = {
    localAddress: options.address,
    get remoteAddress() {
      return other?.end.localAddress ?? '';
    },
    dtlsFingerprints: () => options.fingerprints,
    sent,
    get isClosed() {
      return closed;
    },
    send(bytes) {
      if (closed) throw new Error('link is closed');
      sent.push(bytes.slice());
      deliver(bytes.slice());
    },
    inject: (bytes) => deliver(bytes),
    // Delivery is a zero-delay timer: nothing waits in a buffer.
    bufferedAmount: () => 0,
    drained: () => Promise.resolve(),
    maxMessageSize: () => undefined,
    onData(listener) {
      const remove = data.add(listener);
      const waiting = held;
      held = undefined;
      for (const bytes of waiting ?? []) listener(bytes);
      return remove;
    },
    onClose(listener) {
      if (closed) {
        listener({ kind: 'closed' });
        return () => {};
      }
      return closes.add(listener);
    },
    close() {
      if (closed) return;
      finish();
      setTimeout(() => other?.finish(), 0);
    },
  };
  return {
    end,
    receive,
    finish,
    connect(to: EndInternals) {
      other = to;
    },
  };
}

/**
 * A connected pair. By default each end reports its own fingerprint as local and the other's as
 * remote, as honest SDP does; `seenByB` overrides what B believes A's fingerprint is.
 */
export function memoryLinkPair(
  addresses: { a: string; b: string },
  options: { fingerprintA?: string; fingerprintB?: string; seenByA?: string; seenByB?: string } = {},
): { a: MemoryEnd; b: MemoryEnd } {
  const fpA = options.fingerprintA ?? `sha-256 ${'AA:'.repeat(31)}AA`;
  const fpB = options.fingerprintB ?? `sha-256 ${'BB:'.repeat(31)}BB`;
  const a = memoryEnd({ address: addresses.a, fingerprints: { local: fpA, remote: options.seenByA ?? fpB } });
  const b = memoryEnd({ address: addresses.b, fingerprints: { local: fpB, remote: options.seenByB ?? fpA } });
  a.connect(b);
  b.connect(a);
  return { a: a.end, b: b.end };
}

/** Copies every message between two links unchanged: a relay sitting between two connections. */
export function relay(left: Link, right: Link): void {
  left.onData((bytes) => right.send(bytes as Uint8Array));
  right.onData((bytes) => left.send(bytes as Uint8Array));
  left.onClose(() => right.close());
  right.onClose(() => left.close());
}
