/**
 * Wire frames between a discovery member and its router (and between two routers at hand-over),
 * discovery protocol v1. They travel as raw bytes on a PeerJS data connection, in the clear:
 * discovery runs before any contact relationship, so there is no Noise session to carry them.
 * What needs integrity is inside: each presence record is signed by its member
 * (presence-record.ts), and this codec passes records through as opaque bytes for
 * `verifyPresence` to judge. Everything else here (counts, nonces, a removed id) a hostile peer
 * may lie about, and the reducers treat it so.
 *
 *   byte 0      discovery protocol version (1)
 *   byte 1      frame kind (DiscoveryFrameKind)
 *   bytes 2…    body, per kind (numbers big-endian):
 *
 *   check-in           the member's record, alone: the rest of the frame (1…MAX_PRESENCE_BYTES)
 *   registry-snapshot  record list
 *   registry-change    byte 2 = 0x01 upsert: the record, the rest of the frame
 *                      byte 2 = 0x02 remove: u8 id length d (1…MAX_DISCOVERY_ID_CHARS), d ASCII bytes
 *   ping, pong         u32 nonce (exactly 4 bytes)
 *   hand-over          record list
 *   goodbye            empty
 *
 *   record list        u16 count n (0…MAX_REGISTRY_ENTRIES), then n × (u16 length l, l record bytes),
 *                      each l in 1…MAX_PRESENCE_BYTES; nothing may follow the last record
 */
import { asBytes } from '../bytes';
import { MAX_DISCOVERY_ID_CHARS, parseDiscoveryId } from './network-namespace';
import { MAX_PRESENCE_BYTES } from './presence-record';
import { MAX_REGISTRY_ENTRIES } from './registry';

export const DISCOVERY_PROTOCOL_VERSION = 1;
export const DISCOVERY_HEADER_BYTES = 2;
const COUNT_BYTES = 2;
const RECORD_LENGTH_BYTES = 2;
export const NONCE_BYTES = 4;
/**
 * A full registry of the largest records, and nothing larger: about 100 KB. Honest registries
 * are far smaller (a typical record is ~170 bytes). It stays under the 256 KiB SCTP
 * max-message-size that Chromium advertises, so one frame is one data-channel message.
 */
export const MAX_DISCOVERY_FRAME_BYTES =
  DISCOVERY_HEADER_BYTES + COUNT_BYTES + MAX_REGISTRY_ENTRIES * (RECORD_LENGTH_BYTES + MAX_PRESENCE_BYTES);

export const DiscoveryFrameKind = {
  /** Member → router: here is my record (on joining, on every heartbeat, on a name change). */
  CheckIn: 0x01,
  /** Router → member, once after check-in: every record the router holds. */
  RegistrySnapshot: 0x02,
  /** Router → member: one record added or updated, or one discovery id gone. */
  RegistryChange: 0x03,
  /** Either side asks the other to prove it is still there. */
  Ping: 0x04,
  /** The answer, echoing the ping's nonce. */
  Pong: 0x05,
  /** Router at r_k → a lower router that answered its probe: the records it holds. */
  HandOver: 0x06,
  /** Either side is leaving cleanly: no need to wait for missed pings. */
  Goodbye: 0x07,
} as const;

export const RegistryChangeKind = { Upsert: 0x01, Remove: 0x02 } as const;

export type CheckInFrame = { kind: 'check-in'; record: Uint8Array };
export type RegistrySnapshotFrame = { kind: 'registry-snapshot'; records: Uint8Array[] };
export type RegistryChangeFrame = {
  kind: 'registry-change';
  change: { kind: 'upsert'; record: Uint8Array } | { kind: 'remove'; discoveryId: string };
};
export type PingFrame = { kind: 'ping'; nonce: number };
export type PongFrame = { kind: 'pong'; nonce: number };
export type HandOverFrame = { kind: 'hand-over'; records: Uint8Array[] };
export type GoodbyeFrame = { kind: 'goodbye' };
export type DiscoveryFrame =
  | CheckInFrame
  | RegistrySnapshotFrame
  | RegistryChangeFrame
  | PingFrame
  | PongFrame
  | HandOverFrame
  | GoodbyeFrame;

export type DiscoveryFrameError =
  | { kind: 'not-bytes' }
  | { kind: 'too-large'; size: number }
  | { kind: 'too-short'; size: number }
  | { kind: 'unsupported-version'; version: number }
  /** A kind from a newer protocol: ignored, never fatal. */
  | { kind: 'unknown-kind'; frameKind: number }
  /** More records than a registry may hold: no honest router or member sends this. */
  | { kind: 'too-many-records'; count: number }
  | { kind: 'malformed'; detail: string };

export type DiscoveryDecodeResult = { ok: true; frame: DiscoveryFrame } | { ok: false; error: DiscoveryFrameError };

const isRecordLength = (length: number) => length >= 1 && length <= MAX_PRESENCE_BYTES;

function checkRecord(record: Uint8Array): void {
  if (!isRecordLength(record.length)) throw new RangeError('record length');
}

function encodeRecordList(kind: number, records: readonly Uint8Array[]): Uint8Array {
  if (records.length > MAX_REGISTRY_ENTRIES) throw new RangeError('more records than a registry holds');
  for (const record of records) checkRecord(record);
  const size = records.reduce((sum, r) => sum + RECORD_LENGTH_BYTES + r.length, DISCOVERY_HEADER_BYTES + COUNT_BYTES);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set([DISCOVERY_PROTOCOL_VERSION, kind]);
  view.setUint16(DISCOVERY_HEADER_BYTES, records.length);
  let at = DISCOVERY_HEADER_BYTES + COUNT_BYTES;
  for (const record of records) {
    view.setUint16(at, record.length);
    out.set(record, at + RECORD_LENGTH_BYTES);
    at += RECORD_LENGTH_BYTES + record.length;
  }
  return out;
}

function withHeader(kind: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(DISCOVERY_HEADER_BYTES + body.length);
  out.set([DISCOVERY_PROTOCOL_VERSION, kind]);
  out.set(body, DISCOVERY_HEADER_BYTES);
  return out;
}

function nonceBytes(nonce: number): Uint8Array {
  if (!Number.isInteger(nonce) || nonce < 0 || nonce > 0xffff_ffff) throw new RangeError('nonce must be a u32');
  const out = new Uint8Array(NONCE_BYTES);
  new DataView(out.buffer).setUint32(0, nonce);
  return out;
}

/** Throws RangeError for a frame the other side would reject: a bug here, never a peer's doing. */
export function encodeDiscoveryFrame(frame: DiscoveryFrame): Uint8Array {
  switch (frame.kind) {
    case 'check-in':
      checkRecord(frame.record);
      return withHeader(DiscoveryFrameKind.CheckIn, frame.record);
    case 'registry-snapshot':
      return encodeRecordList(DiscoveryFrameKind.RegistrySnapshot, frame.records);
    case 'hand-over':
      return encodeRecordList(DiscoveryFrameKind.HandOver, frame.records);
    case 'registry-change': {
      const { change } = frame;
      if (change.kind === 'upsert') {
        checkRecord(change.record);
        return withHeader(
          DiscoveryFrameKind.RegistryChange,
          Uint8Array.of(RegistryChangeKind.Upsert, ...change.record),
        );
      }
      if (!parseDiscoveryId(change.discoveryId)) throw new RangeError('not a discovery id');
      // A parsed discovery id is ASCII: one byte per character.
      const id = new TextEncoder().encode(change.discoveryId);
      return withHeader(DiscoveryFrameKind.RegistryChange, Uint8Array.of(RegistryChangeKind.Remove, id.length, ...id));
    }
    case 'ping':
      return withHeader(DiscoveryFrameKind.Ping, nonceBytes(frame.nonce));
    case 'pong':
      return withHeader(DiscoveryFrameKind.Pong, nonceBytes(frame.nonce));
    case 'goodbye':
      return Uint8Array.of(DISCOVERY_PROTOCOL_VERSION, DiscoveryFrameKind.Goodbye);
  }
}

const fail = (error: DiscoveryFrameError): DiscoveryDecodeResult => ({ ok: false, error });
const malformed = (detail: string): DiscoveryDecodeResult => fail({ kind: 'malformed', detail });
const dataView = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A lone record filling the rest of the frame, copied: it outlives the received buffer. */
function soleRecord(bytes: Uint8Array): Uint8Array | undefined {
  return isRecordLength(bytes.length) ? bytes.slice() : undefined;
}

function decodeRecordList(body: Uint8Array, what: string): Uint8Array[] | DiscoveryDecodeResult {
  if (body.length < COUNT_BYTES) return malformed(`${what}: no record count`);
  const view = dataView(body);
  const count = view.getUint16(0);
  if (count > MAX_REGISTRY_ENTRIES) return fail({ kind: 'too-many-records', count });
  const records: Uint8Array[] = [];
  let at = COUNT_BYTES;
  for (let i = 0; i < count; i++) {
    if (body.length - at < RECORD_LENGTH_BYTES) return malformed(`${what}: truncated`);
    const length = view.getUint16(at);
    at += RECORD_LENGTH_BYTES;
    if (!isRecordLength(length)) return malformed(`${what}: record length`);
    if (body.length - at < length) return malformed(`${what}: truncated`);
    records.push(body.slice(at, at + length));
    at += length;
  }
  if (at !== body.length) return malformed(`${what}: trailing bytes`);
  return records;
}

function decodeChange(body: Uint8Array): DiscoveryDecodeResult {
  const changeKind = body[0];
  if (changeKind === RegistryChangeKind.Upsert) {
    const record = soleRecord(body.subarray(1));
    if (!record) return malformed('registry-change: record length');
    return { ok: true, frame: { kind: 'registry-change', change: { kind: 'upsert', record } } };
  }
  if (changeKind === RegistryChangeKind.Remove) {
    const length = body[1];
    if (length === undefined || length === 0 || length > MAX_DISCOVERY_ID_CHARS || body.length !== 2 + length)
      return malformed('registry-change: id length');
    // Latin-1 maps every byte to one character; the pattern check then admits ASCII only.
    const discoveryId = String.fromCharCode(...body.subarray(2));
    if (!parseDiscoveryId(discoveryId)) return malformed('registry-change: not a discovery id');
    return { ok: true, frame: { kind: 'registry-change', change: { kind: 'remove', discoveryId } } };
  }
  return malformed('registry-change: change kind');
}

function decodeNonce(body: Uint8Array, kind: 'ping' | 'pong'): DiscoveryDecodeResult {
  if (body.length !== NONCE_BYTES) return malformed(`${kind}: nonce length`);
  return { ok: true, frame: { kind, nonce: dataView(body).getUint32(0) } };
}

export function decodeDiscoveryFrame(data: unknown): DiscoveryDecodeResult {
  const bytes = asBytes(data);
  if (!bytes) return fail({ kind: 'not-bytes' });
  if (bytes.length > MAX_DISCOVERY_FRAME_BYTES) return fail({ kind: 'too-large', size: bytes.length });
  if (bytes.length < DISCOVERY_HEADER_BYTES) return fail({ kind: 'too-short', size: bytes.length });
  const version = bytes[0] ?? 0;
  const frameKind = bytes[1] ?? 0;
  if (version !== DISCOVERY_PROTOCOL_VERSION) return fail({ kind: 'unsupported-version', version });
  const body = bytes.subarray(DISCOVERY_HEADER_BYTES);
  switch (frameKind) {
    case DiscoveryFrameKind.CheckIn: {
      const record = soleRecord(body);
      if (!record) return malformed('check-in: record length');
      return { ok: true, frame: { kind: 'check-in', record } };
    }
    case DiscoveryFrameKind.RegistrySnapshot: {
      const records = decodeRecordList(body, 'registry-snapshot');
      return Array.isArray(records) ? { ok: true, frame: { kind: 'registry-snapshot', records } } : records;
    }
    case DiscoveryFrameKind.HandOver: {
      const records = decodeRecordList(body, 'hand-over');
      return Array.isArray(records) ? { ok: true, frame: { kind: 'hand-over', records } } : records;
    }
    case DiscoveryFrameKind.RegistryChange:
      return decodeChange(body);
    case DiscoveryFrameKind.Ping:
      return decodeNonce(body, 'ping');
    case DiscoveryFrameKind.Pong:
      return decodeNonce(body, 'pong');
    case DiscoveryFrameKind.Goodbye:
      return body.length === 0 ? { ok: true, frame: { kind: 'goodbye' } } : malformed('goodbye: has a body');
    default:
      return fail({ kind: 'unknown-kind', frameKind });
  }
}
