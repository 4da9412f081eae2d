import { describe, expect, it } from 'vitest';
import {
  DISCOVERY_HEADER_BYTES,
  DISCOVERY_PROTOCOL_VERSION,
  type DiscoveryDecodeResult,
  type DiscoveryFrame,
  DiscoveryFrameKind,
  decodeDiscoveryFrame,
  encodeDiscoveryFrame,
  MAX_DISCOVERY_FRAME_BYTES,
  RegistryChangeKind,
} from '../../../lib/discovery/discovery-frame';
import { MAX_DISCOVERY_ID_CHARS } from '../../../lib/discovery/network-namespace';
import { MAX_PRESENCE_BYTES, signPresence, verifyPresence } from '../../../lib/discovery/presence-record';
import { MAX_REGISTRY_ENTRIES } from '../../../lib/discovery/registry';

const NOW = 1_750_000_000_000;
const ns = 'abcdefghijklmnop';
const discoveryId = (n: number) => `tincan-${ns}-d-member${'abcdefghijklmnopqrstuvwxyz'[n % 26]}${'a'.repeat(4)}`;
const signed = (n: number) =>
  signPresence(
    {
      name: `Member ${n}`,
      discoveryId: discoveryId(n),
      contactTag: new Uint8Array(32).fill(n),
      expiresAt: NOW + 60_000,
    },
    new Uint8Array(32).fill(n + 1),
  );
/** Opaque record bytes: the codec never looks inside a record. */
const opaque = (length: number, fill = 0xab) => new Uint8Array(length).fill(fill);

const V = DISCOVERY_PROTOCOL_VERSION;
const K = DiscoveryFrameKind;

function errorOf(result: DiscoveryDecodeResult) {
  if (result.ok) throw new Error(`expected a rejected frame, got ${result.frame.kind}`);
  return result.error;
}

function frameOf(result: DiscoveryDecodeResult) {
  if (!result.ok) throw new Error(`expected a frame, got ${JSON.stringify(result.error)}`);
  return result.frame;
}

const u16 = (n: number) => [n >> 8, n & 0xff];

/** A record list laid out by hand, so malformed variants can be built byte by byte. */
function listBytes(kind: number, count: number, records: Uint8Array[], trailing: number[] = []): Uint8Array {
  return Uint8Array.from([V, kind, ...u16(count), ...records.flatMap((r) => [...u16(r.length), ...r]), ...trailing]);
}

const roundTrip = (frame: DiscoveryFrame) => frameOf(decodeDiscoveryFrame(encodeDiscoveryFrame(frame)));

describe('frames that round-trip between a member and its router', () => {
  it('a check-in carries a signed record that still verifies on the other side', async () => {
    const record = signed(1);
    const frame = roundTrip({ kind: 'check-in', record });
    expect(frame).toEqual({ kind: 'check-in', record });
    if (frame.kind !== 'check-in') throw new Error(frame.kind);
    expect((await verifyPresence(frame.record, NOW)).ok).toBe(true);
  });

  it('a check-in is the header followed by the record, nothing else', () => {
    const record = signed(2);
    expect(encodeDiscoveryFrame({ kind: 'check-in', record })).toEqual(Uint8Array.from([V, K.CheckIn, ...record]));
  });

  it.each([
    ['an empty registry', []],
    ['one member', [signed(1)]],
    ['several members of different sizes', [signed(1), opaque(1), opaque(MAX_PRESENCE_BYTES), signed(3)]],
  ])('a registry snapshot of %s arrives as sent', (_, records) => {
    expect(roundTrip({ kind: 'registry-snapshot', records })).toEqual({ kind: 'registry-snapshot', records });
  });

  it('a hand-over of a router’s records arrives as sent, in order', () => {
    const records = [signed(4), signed(5), signed(6)];
    expect(roundTrip({ kind: 'hand-over', records })).toEqual({ kind: 'hand-over', records });
  });

  it('a full registry of the largest records fits in exactly the maximum frame', () => {
    const records = Array.from({ length: MAX_REGISTRY_ENTRIES }, (_, i) => opaque(MAX_PRESENCE_BYTES, i));
    const bytes = encodeDiscoveryFrame({ kind: 'registry-snapshot', records });
    expect(bytes.length).toBe(MAX_DISCOVERY_FRAME_BYTES);
    expect(frameOf(decodeDiscoveryFrame(bytes))).toEqual({ kind: 'registry-snapshot', records });
  });

  it('a registry change adding or updating a record arrives as sent', () => {
    const frame: DiscoveryFrame = { kind: 'registry-change', change: { kind: 'upsert', record: signed(7) } };
    expect(roundTrip(frame)).toEqual(frame);
  });

  it('a registry change removing a member arrives with its discovery id', () => {
    const frame: DiscoveryFrame = { kind: 'registry-change', change: { kind: 'remove', discoveryId: discoveryId(8) } };
    expect(roundTrip(frame)).toEqual(frame);
    expect(encodeDiscoveryFrame(frame)).toHaveLength(DISCOVERY_HEADER_BYTES + 2 + discoveryId(8).length);
  });

  it.each(['ping', 'pong'] as const)('a %s carries its 32-bit nonce, from 0 to 2^32 − 1', (kind) => {
    for (const nonce of [0, 1, 0x1234_5678, 0xffff_ffff]) {
      const bytes = encodeDiscoveryFrame({ kind, nonce });
      expect(bytes).toHaveLength(DISCOVERY_HEADER_BYTES + 4);
      expect(frameOf(decodeDiscoveryFrame(bytes))).toEqual({ kind, nonce });
    }
  });

  it('a goodbye is two bytes', () => {
    const bytes = encodeDiscoveryFrame({ kind: 'goodbye' });
    expect(bytes).toEqual(Uint8Array.of(V, K.Goodbye));
    expect(frameOf(decodeDiscoveryFrame(bytes))).toEqual({ kind: 'goodbye' });
  });

  it('a frame handed over as an ArrayBuffer, a DataView, a Node Buffer or an offset view decodes the same', () => {
    const frame: DiscoveryFrame = { kind: 'hand-over', records: [signed(1), signed(2)] };
    const bytes = encodeDiscoveryFrame(frame);
    expect(frameOf(decodeDiscoveryFrame(bytes.slice().buffer))).toEqual(frame);
    expect(frameOf(decodeDiscoveryFrame(new DataView(bytes.slice().buffer)))).toEqual(frame);
    expect(frameOf(decodeDiscoveryFrame(Buffer.from(bytes)))).toEqual(frame);
    const backing = new Uint8Array(3 + bytes.length + 5).fill(0xee);
    backing.set(bytes, 3);
    expect(frameOf(decodeDiscoveryFrame(backing.subarray(3, 3 + bytes.length)))).toEqual(frame);
    const ping = encodeDiscoveryFrame({ kind: 'ping', nonce: 0xdead_beef });
    const pingBacking = new Uint8Array(1 + ping.length);
    pingBacking.set(ping, 1);
    expect(frameOf(decodeDiscoveryFrame(pingBacking.subarray(1)))).toEqual({ kind: 'ping', nonce: 0xdead_beef });
  });

  it('decoded records are copies that outlive the received bytes, even from a Node Buffer', () => {
    const record = signed(9);
    const received = Buffer.from(encodeDiscoveryFrame({ kind: 'registry-snapshot', records: [record] }));
    const frame = frameOf(decodeDiscoveryFrame(received));
    received.fill(0);
    expect(frame).toEqual({ kind: 'registry-snapshot', records: [record] });
    const checkIn = Buffer.from(encodeDiscoveryFrame({ kind: 'check-in', record }));
    const decoded = frameOf(decodeDiscoveryFrame(checkIn));
    checkIn.fill(0);
    expect(decoded).toEqual({ kind: 'check-in', record });
  });
});

describe('frames a member or router refuses to send', () => {
  it.each([0, MAX_PRESENCE_BYTES + 1])('a record of %i bytes', (length) => {
    const record = opaque(length);
    expect(() => encodeDiscoveryFrame({ kind: 'check-in', record })).toThrow(RangeError);
    expect(() => encodeDiscoveryFrame({ kind: 'registry-change', change: { kind: 'upsert', record } })).toThrow(
      RangeError,
    );
    expect(() => encodeDiscoveryFrame({ kind: 'hand-over', records: [signed(1), record] })).toThrow(RangeError);
  });

  it('more records than a registry holds', () => {
    const records = Array.from({ length: MAX_REGISTRY_ENTRIES + 1 }, () => opaque(10));
    expect(() => encodeDiscoveryFrame({ kind: 'registry-snapshot', records })).toThrow(RangeError);
    expect(() => encodeDiscoveryFrame({ kind: 'hand-over', records })).toThrow(RangeError);
  });

  it.each([-1, 0.5, 2 ** 32, NaN, Infinity])('a ping with nonce %s', (nonce) => {
    expect(() => encodeDiscoveryFrame({ kind: 'ping', nonce })).toThrow(RangeError);
    expect(() => encodeDiscoveryFrame({ kind: 'pong', nonce })).toThrow(RangeError);
  });

  it.each(['', 'not-an-id', `tincan-${ns}-d-${'a'.repeat(200)}`, `tincan-${ns}-d-ünicode`])(
    'the removal of %j, which is no discovery id',
    (id) => {
      expect(() =>
        encodeDiscoveryFrame({ kind: 'registry-change', change: { kind: 'remove', discoveryId: id } }),
      ).toThrow(RangeError);
    },
  );
});

describe('bytes from a peer that are not a valid discovery frame', () => {
  it.each([
    ['a string', 'hello'],
    ['a plain object', { kind: 'check-in', record: [1, 2] }],
    ['an array of numbers', [V, K.Goodbye]],
    ['null', null],
    ['undefined', undefined],
    ['a number', 258],
  ])('%s is not bytes', (_, data) => {
    expect(errorOf(decodeDiscoveryFrame(data))).toEqual({ kind: 'not-bytes' });
  });

  it.each([0, 1])('%i bytes are too short to be a frame', (size) => {
    expect(errorOf(decodeDiscoveryFrame(new Uint8Array(size).fill(V)))).toEqual({ kind: 'too-short', size });
  });

  it.each([0, 2, 255])('a frame from discovery protocol version %i is unsupported', (version) => {
    const bytes = encodeDiscoveryFrame({ kind: 'goodbye' });
    bytes[0] = version;
    expect(errorOf(decodeDiscoveryFrame(bytes))).toEqual({ kind: 'unsupported-version', version });
  });

  it.each([0x00, 0x08, 0x7f, 0xff])('a frame of unknown kind %i comes back as unknown-kind, not malformed', (kind) => {
    expect(errorOf(decodeDiscoveryFrame(Uint8Array.of(V, kind, 1, 2, 3)))).toEqual({
      kind: 'unknown-kind',
      frameKind: kind,
    });
  });

  it('a frame larger than the maximum is too large, whatever it claims to be', () => {
    const bytes = new Uint8Array(MAX_DISCOVERY_FRAME_BYTES + 1);
    bytes.set([V, K.RegistrySnapshot]);
    expect(errorOf(decodeDiscoveryFrame(bytes))).toEqual({ kind: 'too-large', size: MAX_DISCOVERY_FRAME_BYTES + 1 });
    bytes[1] = 0x7f;
    expect(errorOf(decodeDiscoveryFrame(bytes))).toMatchObject({ kind: 'too-large' });
  });

  it.each([
    [K.RegistrySnapshot, 'registry-snapshot'],
    [K.HandOver, 'hand-over'],
  ])('a record list (kind %i, %s) claiming more records than a registry holds is refused', (kind, _name) => {
    expect(errorOf(decodeDiscoveryFrame(listBytes(kind, MAX_REGISTRY_ENTRIES + 1, [])))).toEqual({
      kind: 'too-many-records',
      count: MAX_REGISTRY_ENTRIES + 1,
    });
    expect(errorOf(decodeDiscoveryFrame(listBytes(kind, 0xffff, [opaque(5)])))).toMatchObject({
      kind: 'too-many-records',
    });
  });

  it.each([
    ['no record count', Uint8Array.of(V, K.HandOver), 'hand-over: no record count'],
    ['half a record count', Uint8Array.of(V, K.HandOver, 0), 'hand-over: no record count'],
    ['a count of two but one record', listBytes(K.RegistrySnapshot, 2, [opaque(5)]), 'registry-snapshot: truncated'],
    ['a count of one but no records', listBytes(K.HandOver, 1, []), 'hand-over: truncated'],
    ['half a record length', listBytes(K.HandOver, 1, [], [0]), 'hand-over: truncated'],
    [
      'a record length past the end',
      Uint8Array.of(V, K.RegistrySnapshot, 0, 1, 0, 10, 1, 2, 3),
      'registry-snapshot: truncated',
    ],
    ['a zero-length record', listBytes(K.HandOver, 1, [opaque(0)]), 'hand-over: record length'],
    [
      'a record one byte over the maximum',
      listBytes(K.RegistrySnapshot, 1, [opaque(MAX_PRESENCE_BYTES + 1)]),
      'registry-snapshot: record length',
    ],
    [
      'bytes after the last record',
      listBytes(K.RegistrySnapshot, 1, [opaque(5)], [0]),
      'registry-snapshot: trailing bytes',
    ],
    ['bytes after an empty list', listBytes(K.HandOver, 0, [], [1, 2]), 'hand-over: trailing bytes'],
  ])('a record list with %s is malformed', (_, bytes, detail) => {
    expect(errorOf(decodeDiscoveryFrame(bytes))).toEqual({ kind: 'malformed', detail });
  });

  it.each([
    ['no record', Uint8Array.of(V, K.CheckIn)],
    ['a record one byte over the maximum', Uint8Array.from([V, K.CheckIn, ...opaque(MAX_PRESENCE_BYTES + 1)])],
  ])('a check-in with %s is malformed', (_, bytes) => {
    expect(errorOf(decodeDiscoveryFrame(bytes))).toEqual({ kind: 'malformed', detail: 'check-in: record length' });
  });

  it('a check-in of garbage is passed on as record bytes: the signature check judges it, not the codec', () => {
    expect(frameOf(decodeDiscoveryFrame(Uint8Array.of(V, K.CheckIn, 0xff)))).toEqual({
      kind: 'check-in',
      record: Uint8Array.of(0xff),
    });
  });

  const removal = (id: string, lengthByte = id.length) =>
    Uint8Array.from([V, K.RegistryChange, RegistryChangeKind.Remove, lengthByte, ...new TextEncoder().encode(id)]);

  it.each([
    ['no change kind', Uint8Array.of(V, K.RegistryChange), 'registry-change: change kind'],
    ['an unknown change kind', Uint8Array.of(V, K.RegistryChange, 0x03, 1), 'registry-change: change kind'],
    [
      'an upsert without a record',
      Uint8Array.of(V, K.RegistryChange, RegistryChangeKind.Upsert),
      'registry-change: record length',
    ],
    [
      'an upsert of an oversize record',
      Uint8Array.from([V, K.RegistryChange, RegistryChangeKind.Upsert, ...opaque(MAX_PRESENCE_BYTES + 1)]),
      'registry-change: record length',
    ],
    [
      'a removal without an id length',
      Uint8Array.of(V, K.RegistryChange, RegistryChangeKind.Remove),
      'registry-change: id length',
    ],
    ['a removal of an empty id', removal(''), 'registry-change: id length'],
    ['a removal whose id is shorter than claimed', removal(discoveryId(1), 60), 'registry-change: id length'],
    ['a removal with bytes after the id', removal(discoveryId(1), 10), 'registry-change: id length'],
    [
      'a removal whose id is longer than any discovery id',
      removal('a'.repeat(MAX_DISCOVERY_ID_CHARS + 1)),
      'registry-change: id length',
    ],
    ['a removal of something that is no discovery id', removal('hello'), 'registry-change: not a discovery id'],
  ])('a registry change with %s is malformed', (_, bytes, detail) => {
    expect(errorOf(decodeDiscoveryFrame(bytes))).toEqual({ kind: 'malformed', detail });
  });

  it('a removal whose id carries a Latin-1 byte is no discovery id', () => {
    const id = [...new TextEncoder().encode(discoveryId(1))];
    id[id.length - 1] = 0xe9; // é in Latin-1, a lone byte in UTF-8
    const bytes = Uint8Array.from([V, K.RegistryChange, RegistryChangeKind.Remove, id.length, ...id]);
    expect(errorOf(decodeDiscoveryFrame(bytes))).toEqual({
      kind: 'malformed',
      detail: 'registry-change: not a discovery id',
    });
  });

  it.each([
    [K.Ping, 'ping'],
    [K.Pong, 'pong'],
  ])('a frame of kind %i (%s) with a nonce of the wrong length is malformed', (kind, name) => {
    for (const body of [[], [1, 2, 3], [1, 2, 3, 4, 5]]) {
      expect(errorOf(decodeDiscoveryFrame(Uint8Array.of(V, kind, ...body)))).toEqual({
        kind: 'malformed',
        detail: `${name}: nonce length`,
      });
    }
  });

  it('a goodbye with a body is malformed', () => {
    expect(errorOf(decodeDiscoveryFrame(Uint8Array.of(V, K.Goodbye, 0)))).toEqual({
      kind: 'malformed',
      detail: 'goodbye: has a body',
    });
  });
});
