/**
 * The public address a namespace is derived from (issue 4, "Public address"): the
 * server-reflexive candidate a STUN server reports, or — when no STUN server answers — the
 * plain-text answer of an optional "what is my IP" URL from settings. Every global comes in as a
 * parameter: the `RTCPeerConnection` constructor, timers and `fetch`.
 */
import { publicPrefix } from './network-namespace';

export type PublicAddressResult =
  | { kind: 'found'; address: string; via: 'stun' | 'http' }
  | {
      kind: 'none';
      reason: 'no-stun-servers' | 'no-stun-answer' | 'webrtc-unavailable';
      /** Why the HTTP fallback gave nothing too, when one is configured. */
      fallback?: 'unreachable' | 'refused';
    };

export type IceServer = { readonly urls: string | readonly string[] };

type IceCandidateEvent = { readonly candidate: { readonly candidate: string } | null };

/** The part of `RTCPeerConnection` that gathering needs; the browser's and `@roamhq/wrtc`'s both fit. */
export type GatheringPeerConnection = {
  readonly iceGatheringState: string;
  addEventListener(type: 'icecandidate', listener: (event: IceCandidateEvent) => void): void;
  addEventListener(type: 'icegatheringstatechange', listener: () => void): void;
  createDataChannel(label: string): unknown;
  createOffer(): Promise<{ type?: RTCSdpType; sdp?: string }>;
  setLocalDescription(description: { type?: RTCSdpType; sdp?: string }): Promise<void>;
  close(): void;
};

export type PlainTextFetch = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ readonly ok: boolean; text(): Promise<string> }>;

export type DiscoverPublicAddressOptions = {
  RTCPeerConnection: new (config: { iceServers: { urls: string[] }[] }) => GatheringPeerConnection;
  iceServers: readonly IceServer[];
  /** How long STUN gathering may take; the fallback request gets as long again. */
  timeoutMs: number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  fallback?: { url: string; fetch: PlainTextFetch };
};

/** No "what is my IP" answer is longer than an IPv6 address with a zone and a line break. */
const MAX_FALLBACK_BODY_CHARS = 100;

export async function discoverPublicAddress(options: DiscoverPublicAddressOptions): Promise<PublicAddressResult> {
  const stunServers = options.iceServers
    .map((server) => ({ urls: (typeof server.urls === 'string' ? [server.urls] : [...server.urls]).filter(isStunUrl) }))
    .filter((server) => server.urls.length > 0);
  let reason: 'no-stun-servers' | 'no-stun-answer' | 'webrtc-unavailable' = 'no-stun-servers';
  let addresses: string[] = [];
  if (stunServers.length > 0) {
    const gathered = await gatherReflexive(options, stunServers);
    if (gathered === undefined) reason = 'webrtc-unavailable';
    else {
      addresses = gathered;
      reason = 'no-stun-answer';
    }
  }
  // Only an address with a public prefix names a network: a private or CGNAT one means the STUN
  // server sits inside the same network (or the carrier's), so it would put everyone behind it —
  // or only this device — in a namespace that is not "the people on this network".
  const named = addresses.find((address) => publicPrefix(address) !== undefined);
  if (named !== undefined) return { kind: 'found', address: named, via: 'stun' };
  let fallback: 'unreachable' | 'refused' | undefined;
  if (options.fallback) {
    const answer = await askFallback(options, options.fallback);
    if (answer.kind === 'found') return answer;
    fallback = answer.reason;
  }
  // A reflexive address without a namespace still beats nothing: the caller can say why
  // discovery is off ("the STUN server is on your own network").
  const [first] = addresses;
  if (first !== undefined) return { kind: 'found', address: first, via: 'stun' };
  return fallback === undefined ? { kind: 'none', reason } : { kind: 'none', reason, fallback };
}

/** TURN servers would need credentials and add relay candidates that say nothing about this network. */
const isStunUrl = (url: string): boolean => /^stuns?:/i.test(url);

/**
 * The distinct srflx addresses gathered before gathering completes or the timeout; undefined
 * when the peer connection could not even be made.
 */
function gatherReflexive(
  options: DiscoverPublicAddressOptions,
  iceServers: { urls: string[] }[],
): Promise<string[] | undefined> {
  let connection: GatheringPeerConnection;
  try {
    connection = new options.RTCPeerConnection({ iceServers });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const lines: string[] = [];
    let done = false;
    const finish = (result: string[] | undefined) => {
      if (done) return;
      done = true;
      options.clearTimeout(timer);
      connection.close();
      resolve(result);
    };
    const timer = options.setTimeout(() => finish(reflexiveAddresses(lines)), options.timeoutMs);
    connection.addEventListener('icecandidate', (event) => {
      if (event.candidate === null) return finish(reflexiveAddresses(lines));
      lines.push(event.candidate.candidate);
      // One address with a namespace is all discovery needs: stop rather than wait for slower servers.
      if (reflexiveAddresses([event.candidate.candidate]).some((address) => publicPrefix(address) !== undefined)) {
        finish(reflexiveAddresses(lines));
      }
    });
    connection.addEventListener('icegatheringstatechange', () => {
      if (connection.iceGatheringState === 'complete') finish(reflexiveAddresses(lines));
    });
    try {
      // Without a data channel (or media) an offer has nothing to gather candidates for.
      connection.createDataChannel('tincan-public-address');
      connection
        .createOffer()
        .then((offer) => connection.setLocalDescription(offer))
        .catch(() => finish(undefined));
    } catch {
      finish(undefined);
    }
  });
}

async function askFallback(
  options: DiscoverPublicAddressOptions,
  fallback: { url: string; fetch: PlainTextFetch },
): Promise<{ kind: 'found'; address: string; via: 'http' } | { kind: 'none'; reason: 'unreachable' | 'refused' }> {
  const abort = new AbortController();
  let timer: unknown;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = options.setTimeout(() => {
      abort.abort();
      resolve(undefined);
    }, options.timeoutMs);
  });
  try {
    const request = (async () => {
      const response = await fallback.fetch(fallback.url, { signal: abort.signal });
      return response.ok ? { text: await response.text() } : undefined;
    })();
    const answer = await Promise.race([request, timedOut]);
    if (answer === undefined) return { kind: 'none', reason: 'unreachable' };
    const address = answer.text.length <= MAX_FALLBACK_BODY_CHARS ? ipAddress(answer.text.trim()) : undefined;
    return address === undefined ? { kind: 'none', reason: 'refused' } : { kind: 'found', address, via: 'http' };
  } catch {
    return { kind: 'none', reason: 'unreachable' };
  } finally {
    options.clearTimeout(timer);
  }
}

/**
 * RFC 8839 §5.1:
 *   candidate-attribute = "candidate" ":" foundation SP component-id SP transport SP priority
 *                         SP connection-address SP port SP cand-type [SP rel-addr] [SP rel-port]
 *                         *(SP cand-extension)
 * The line may carry the SDP `a=` prefix. Host, prflx and relay candidates are skipped, and so is
 * a connection address that is not an IP literal (an mDNS `.local` name or any other FQDN).
 */
const CANDIDATE =
  /^(?:a=)?candidate:[A-Za-z0-9+/]{1,32} \d{1,3} [A-Za-z0-9!#$%&'*+.^_`{|}~-]+ \d{1,10} (\S+) (\d{1,5}) typ ([A-Za-z0-9!#$%&'*+.^_`{|}~-]+)(?: raddr \S+ rport \d{1,5})?(?: \S+ \S+)*$/;

/** The distinct server-reflexive addresses in candidate lines, in the order first seen. */
export function reflexiveAddresses(candidates: readonly string[]): string[] {
  const found: string[] = [];
  for (const line of candidates) {
    const match = CANDIDATE.exec(line.trim());
    if (!match) continue;
    const [, connectionAddress = '', port = '', type = ''] = match;
    if (type !== 'srflx' || Number(port) > 65535) continue;
    const address = ipAddress(connectionAddress);
    if (address !== undefined && !found.includes(address)) found.push(address);
  }
  return found;
}

/**
 * A canonical IP literal, or undefined: a strict dotted quad (no leading zeros, which some parsers
 * read as octal), or IPv6 as the URL parser writes it (lowercase, `::`-compressed, RFC 5952), so
 * two spellings of one address count once.
 */
export function ipAddress(text: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.');
    return parts.every((part) => /^(0|[1-9]\d*)$/.test(part) && Number(part) <= 255) ? text : undefined;
  }
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return undefined;
  try {
    const host = new URL(`http://[${text}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return undefined;
  }
}

/**
 * Reads a Network Information API `navigator.connection`-like value from anything: true only for
 * `type: 'cellular'`, where discovery is off by default (metered, and a carrier's NAT puts
 * strangers behind one address). Absent or unknown types are not cellular.
 */
export function isCellular(connection: unknown): boolean {
  return (
    typeof connection === 'object' && connection !== null && 'type' in connection && connection.type === 'cellular'
  );
}
