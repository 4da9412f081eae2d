import { describe, expect, it } from 'vitest';
import {
  type DiscoverPublicAddressOptions,
  discoverPublicAddress,
  type GatheringPeerConnection,
  ipAddress,
  isCellular,
  type PlainTextFetch,
  reflexiveAddresses,
} from '../../../lib/discovery/public-address';

const srflx = (address: string, raddr = '192.168.1.20') =>
  `candidate:842163049 1 udp 1677729535 ${address} 54321 typ srflx raddr ${raddr} rport 50000 generation 0 ufrag abcd network-cost 999`;
const host = (address: string) => `candidate:1 1 udp 2122260223 ${address} 50000 typ host generation 0`;

describe('reading server-reflexive addresses from ICE candidates', () => {
  it('takes the connection address of srflx candidates, IPv4 and IPv6, in the order seen', () => {
    expect(
      reflexiveAddresses([
        host('192.168.1.20'),
        srflx('203.0.113.7'),
        srflx('2001:db8:0:12::5', '2001:db8:0:12::5'),
        srflx('198.51.100.1'),
      ]),
    ).toEqual(['203.0.113.7', '2001:db8:0:12::5', '198.51.100.1']);
  });

  it('lists an address once, however many candidates or spellings carry it', () => {
    expect(
      reflexiveAddresses([
        srflx('203.0.113.7'),
        srflx('203.0.113.7', '10.0.0.2'),
        srflx('2001:DB8:0:0:0:0:0:1'),
        srflx('2001:db8::1'),
      ]),
    ).toEqual(['203.0.113.7', '2001:db8::1']);
  });

  it('ignores host, prflx and relay candidates', () => {
    expect(
      reflexiveAddresses([
        host('203.0.113.9'),
        'candidate:2 1 udp 1845501695 203.0.113.10 50001 typ prflx raddr 0.0.0.0 rport 0',
        'candidate:3 1 udp 41885439 198.51.100.50 3478 typ relay raddr 203.0.113.7 rport 54321 generation 0',
        'candidate:4 1 tcp 1518280447 203.0.113.11 9 typ host tcptype active',
      ]),
    ).toEqual([]);
  });

  it('ignores mDNS and other names where an IP address belongs', () => {
    expect(
      reflexiveAddresses([
        srflx('4b1a6f5e-0c1d-4e6a-9b5f-0d2f3c4a5b6c.local'),
        srflx('stun.example.com'),
        srflx('203.0.113.256'),
        srflx('203.0.113.07'),
        srflx('2001:db8::1::2'),
        srflx('2001:db8::1%eth0'),
      ]),
    ).toEqual([]);
  });

  it('accepts the SDP form, minimal lines, other transports and letter case of the grammar', () => {
    expect(
      reflexiveAddresses([
        `a=${srflx('203.0.113.1')}`,
        'candidate:abc+/ 1 UDP 1 203.0.113.2 1 typ srflx',
        'candidate:x 2 tcp 1518280447 203.0.113.3 9 typ srflx raddr 10.0.0.2 rport 9 tcptype active',
        `  ${srflx('203.0.113.4')}  `,
      ]),
    ).toEqual(['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4']);
  });

  it('skips malformed lines and garbage', () => {
    expect(
      reflexiveAddresses([
        '',
        'candidate:',
        'typ srflx',
        'candidate:1 1 udp 1 203.0.113.1 99999 typ srflx',
        'candidate:1 1 udp 1 203.0.113.1 typ srflx',
        'candidate:1 one udp 1 203.0.113.1 5 typ srflx',
        'candidate:1 1 udp 1 203.0.113.1 5 type srflx',
        'candidate:has-dash 1 udp 1 203.0.113.1 5 typ srflx',
        'candidate:1 1 udp 12345678901 203.0.113.1 5 typ srflx',
        'candidate:1 1 udp 1 203.0.113.1 5 typ srflx raddr',
        'candidate:1 1 udp 1 203.0.113.1 5 typ srflx\nbad',
        '\u0000\uffff💥'.repeat(50),
        srflx('<script>'),
      ]),
    ).toEqual([]);
  });

  it('writes IP literals canonically and refuses everything else', () => {
    expect(ipAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(ipAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(ipAddress('::ffff:203.0.113.7')).toBe('::ffff:cb00:7107');
    for (const bad of [
      '',
      'localhost',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '::g',
      '[::1]',
      'http://1.2.3.4',
      '1.2.3.4 ',
    ]) {
      expect(ipAddress(bad)).toBeUndefined();
    }
  });
});

describe('whether the connection is cellular', () => {
  it('is true only for a Network Information object of type cellular', () => {
    expect(isCellular({ type: 'cellular', effectiveType: '4g' })).toBe(true);
    for (const other of [
      { type: 'wifi' },
      { type: 'ethernet' },
      {},
      { type: 'CELLULAR' },
      null,
      undefined,
      'cellular',
      3,
    ]) {
      expect(isCellular(other)).toBe(false);
    }
  });
});

type Script = { candidates: string[]; complete: boolean; failOffer?: boolean };

/** A seam fake of the browser's RTCPeerConnection: it emits the scripted candidates once the offer is set. */
function fakePeerConnections(script: Script) {
  const made: { config: unknown; closed: boolean; channels: string[] }[] = [];
  class FakePeerConnection implements GatheringPeerConnection {
    iceGatheringState = 'new';
    private readonly listeners = new Map<string, ((event: { candidate: { candidate: string } | null }) => void)[]>();
    private readonly record: { config: unknown; closed: boolean; channels: string[] };
    constructor(config: unknown) {
      this.record = { config, closed: false, channels: [] };
      made.push(this.record);
    }
    addEventListener(type: string, listener: (event: { candidate: { candidate: string } | null }) => void): void {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
    createDataChannel(label: string): unknown {
      this.record.channels.push(label);
      return {};
    }
    async createOffer() {
      if (script.failOffer) throw new Error('no offer');
      return { type: 'offer' as const, sdp: 'v=0' };
    }
    async setLocalDescription(): Promise<void> {
      this.iceGatheringState = 'gathering';
      queueMicrotask(() => {
        for (const line of script.candidates) this.emit('icecandidate', { candidate: { candidate: line } });
        if (!script.complete) return;
        this.iceGatheringState = 'complete';
        this.emit('icegatheringstatechange', { candidate: null });
        this.emit('icecandidate', { candidate: null });
      });
    }
    close(): void {
      this.record.closed = true;
    }
    private emit(type: string, event: { candidate: { candidate: string } | null }) {
      if (this.record.closed) return;
      for (const listener of this.listeners.get(type) ?? []) listener(event);
    }
  }
  return { RTCPeerConnection: FakePeerConnection, made };
}

/** Timers that fire only when the test says so. */
function manualTimers() {
  let next = 0;
  const pending = new Map<number, { callback: () => void; ms: number }>();
  return {
    setTimeout: (callback: () => void, ms: number) => {
      next += 1;
      pending.set(next, { callback, ms });
      return next;
    },
    clearTimeout: (handle: unknown) => {
      if (typeof handle === 'number') pending.delete(handle);
    },
    pending,
    fireAll: () => {
      const due = [...pending.values()];
      pending.clear();
      for (const timer of due) timer.callback();
    },
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const stun = [{ urls: 'stun:stun.example.test:3478' }];

function options(script: Script, extra: Partial<DiscoverPublicAddressOptions> = {}) {
  const fake = fakePeerConnections(script);
  const timers = manualTimers();
  const run: DiscoverPublicAddressOptions = {
    RTCPeerConnection: fake.RTCPeerConnection,
    iceServers: stun,
    timeoutMs: 3000,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    ...extra,
  };
  return { run, made: fake.made, timers };
}

function answering(body: string | Error, ok = true): PlainTextFetch & { calls: string[] } {
  const calls: string[] = [];
  const fetch = async (url: string) => {
    calls.push(url);
    if (body instanceof Error) throw body;
    return { ok, text: async () => body };
  };
  return Object.assign(fetch, { calls });
}

describe('finding the public address', () => {
  it('returns the reflexive address the STUN server reported and closes the connection', async () => {
    const { run, made, timers } = options({ candidates: [host('192.168.1.20'), srflx('203.0.113.7')], complete: true });
    await expect(discoverPublicAddress(run)).resolves.toEqual({ kind: 'found', address: '203.0.113.7', via: 'stun' });
    expect(made).toHaveLength(1);
    expect(made[0]?.closed).toBe(true);
    expect(made[0]?.channels).toHaveLength(1);
    expect(made[0]?.config).toEqual({ iceServers: [{ urls: ['stun:stun.example.test:3478'] }] });
    expect(timers.pending.size).toBe(0);
  });

  it('prefers an address that names a network over a private one from a STUN server inside it', async () => {
    const { run } = options({
      candidates: [srflx('10.1.2.3'), srflx('100.64.0.9'), srflx('2001:db8:0:12::5')],
      complete: true,
    });
    await expect(discoverPublicAddress(run)).resolves.toEqual({
      kind: 'found',
      address: '2001:db8:0:12::5',
      via: 'stun',
    });
  });

  it('still reports a private reflexive address when it is all there is', async () => {
    const { run } = options({ candidates: [srflx('10.1.2.3')], complete: true });
    await expect(discoverPublicAddress(run)).resolves.toEqual({ kind: 'found', address: '10.1.2.3', via: 'stun' });
  });

  it('gives up after the timeout when no STUN server answers', async () => {
    const { run, made, timers } = options({ candidates: [host('192.168.1.20')], complete: false });
    const result = discoverPublicAddress(run);
    await settle();
    expect([...timers.pending.values()].map((timer) => timer.ms)).toEqual([3000]);
    timers.fireAll();
    await expect(result).resolves.toEqual({ kind: 'none', reason: 'no-stun-answer' });
    expect(made[0]?.closed).toBe(true);
  });

  it('keeps what it gathered when the timeout comes first', async () => {
    const { run, timers } = options({ candidates: [srflx('10.1.2.3')], complete: false });
    const result = discoverPublicAddress(run);
    await settle();
    timers.fireAll();
    await expect(result).resolves.toEqual({ kind: 'found', address: '10.1.2.3', via: 'stun' });
  });

  it('says no STUN servers are configured without making a connection', async () => {
    for (const iceServers of [[], [{ urls: 'turn:turn.example.test' }], [{ urls: [] }]]) {
      const { run, made } = options({ candidates: [srflx('203.0.113.7')], complete: true }, { iceServers });
      await expect(discoverPublicAddress(run)).resolves.toEqual({ kind: 'none', reason: 'no-stun-servers' });
      expect(made).toHaveLength(0);
    }
  });

  it('hands only the STUN addresses of the configured servers to WebRTC', async () => {
    const iceServers = [{ urls: ['turn:turn.example.test', 'stun:a.example.test', 'STUNS:b.example.test'] }];
    const { run, made } = options({ candidates: [], complete: true }, { iceServers });
    await discoverPublicAddress(run);
    expect(made[0]?.config).toEqual({ iceServers: [{ urls: ['stun:a.example.test', 'STUNS:b.example.test'] }] });
  });

  it('says WebRTC is unavailable when the connection cannot be made or offer', async () => {
    const throwing = class {
      constructor() {
        throw new Error('RTCPeerConnection is not allowed here');
      }
    };
    const { run } = options({ candidates: [], complete: true });
    await expect(
      discoverPublicAddress({
        ...run,
        RTCPeerConnection: throwing as unknown as DiscoverPublicAddressOptions['RTCPeerConnection'],
      }),
    ).resolves.toEqual({ kind: 'none', reason: 'webrtc-unavailable' });
    const failing = options({ candidates: [], complete: false, failOffer: true });
    await expect(discoverPublicAddress(failing.run)).resolves.toEqual({ kind: 'none', reason: 'webrtc-unavailable' });
    expect(failing.made[0]?.closed).toBe(true);
  });
});

describe('the "what is my IP" fallback', () => {
  const url = 'http://127.0.0.1:9/ip';

  it('is asked when STUN gives nothing, and its plain-text address is used', async () => {
    const fetch = answering('198.51.100.23\n');
    const { run } = options({ candidates: [], complete: true }, { fallback: { url, fetch } });
    await expect(discoverPublicAddress(run)).resolves.toEqual({ kind: 'found', address: '198.51.100.23', via: 'http' });
    expect(fetch.calls).toEqual([url]);
  });

  it('is used when no STUN server is configured at all', async () => {
    const fetch = answering('2001:DB8::23');
    const { run } = options({ candidates: [], complete: true }, { iceServers: [], fallback: { url, fetch } });
    await expect(discoverPublicAddress(run)).resolves.toEqual({ kind: 'found', address: '2001:db8::23', via: 'http' });
  });

  it('is not asked when STUN found an address that names a network', async () => {
    const fetch = answering('198.51.100.23');
    const { run } = options({ candidates: [srflx('203.0.113.7')], complete: true }, { fallback: { url, fetch } });
    await expect(discoverPublicAddress(run)).resolves.toMatchObject({ address: '203.0.113.7', via: 'stun' });
    expect(fetch.calls).toEqual([]);
  });

  it('wins over a private reflexive address', async () => {
    const fetch = answering('198.51.100.23');
    const { run } = options({ candidates: [srflx('10.1.2.3')], complete: true }, { fallback: { url, fetch } });
    await expect(discoverPublicAddress(run)).resolves.toMatchObject({ address: '198.51.100.23', via: 'http' });
  });

  it('is refused when it answers anything but an IP address', async () => {
    for (const body of [
      '<html>your ip is 1.2.3.4</html>',
      '{"ip":"198.51.100.23"}',
      '',
      'localhost',
      `198.51.100.23${' '.repeat(200)}`,
    ]) {
      const { run } = options({ candidates: [], complete: true }, { fallback: { url, fetch: answering(body) } });
      await expect(discoverPublicAddress(run)).resolves.toEqual({
        kind: 'none',
        reason: 'no-stun-answer',
        fallback: 'refused',
      });
    }
  });

  it('counts as unreachable when the request fails, errs or never answers', async () => {
    for (const fetch of [answering(new Error('offline')), answering('198.51.100.23', false)]) {
      const { run } = options({ candidates: [], complete: true }, { fallback: { url, fetch } });
      await expect(discoverPublicAddress(run)).resolves.toEqual({
        kind: 'none',
        reason: 'no-stun-answer',
        fallback: 'unreachable',
      });
    }
    let signal: AbortSignal | undefined;
    const hanging: PlainTextFetch = (_url, init) => {
      signal = init.signal;
      return new Promise(() => {});
    };
    const { run, timers } = options({ candidates: [], complete: true }, { fallback: { url, fetch: hanging } });
    const result = discoverPublicAddress(run);
    await settle();
    timers.fireAll();
    await expect(result).resolves.toEqual({ kind: 'none', reason: 'no-stun-answer', fallback: 'unreachable' });
    expect(signal?.aborted).toBe(true);
  });
});
