/**
 * Wire frames between two Tincan agents, protocol v1.
 *
 *   byte 0      protocol version (1)
 *   byte 1      frame kind
 *   bytes 2…    body, laid out per kind below (big-endian numbers)
 *
 * Every frame is built and read here, from bytes. On the wire a frame is the plaintext of one
 * Noise transport message (lib/sessions/secure-link.ts); nothing travels in the clear after
 * the handshake.
 */

import { asBytes } from '../bytes';
import { isValidAddress } from '../transport/transport';
import { decodeFileFrame, encodeFileFrame, type FileFrame, FileFrameKind } from './file-frame';

export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 2;
/**
 * Larger frames close the connection. Sealed with its 16-byte tag, the largest frame is exactly
 * 256 KiB: Chromium's SCTP maxMessageSize, the smallest limit among the browsers we serve
 * (Firefox and wrtc take as much or more). Only file chunks come near it. Why not Noise's 65535
 * bytes (spec §3): that limit comes from Noise's 16-bit length framing, which data channel
 * messages do not use; and a transfer is bound by CPU in Chromium (bench/transfer.ts), where
 * each chunk costs a seal, an open, a frame and a message event whatever its size.
 */
export const MAX_FRAME_BYTES = 256 * 1024 - 16;
/** The largest frame sent on a link whose peer did not say what it takes (Noise's limit, which every stack takes). */
export const SAFE_FRAME_BYTES = 65_535 - 16;
export const MESSAGE_ID_BYTES = 16;
export const MAX_NAME_BYTES = 160;
export const MAX_TEXT_BYTES = 16 * 1024;

export const FrameKind = {
  /** First frame on a connection, both directions: who is at this end. */
  Hello: 0x01,
  /**
   * One chat message: id (16) | stream u32 | seq u32 | floor u32 | sentAt f64 | text. `stream`
   * is the sender's outgoing stream for this contact (a new one means its delivery state was
   * reset); `seq` ≥ 1 numbers messages within it; `floor` ≥ 1 is the first seq the receiver has
   * not acknowledged yet, as the sender knows it (lib/sessions/delivery.ts).
   */
  Chat: 0x02,
  /** This side trusts the other's key (a saved contact, or its user accepted the request). */
  Accept: 0x03,
  /** This side's user declined the connection request; the sender closes next. */
  Decline: 0x04,
  /**
   * Between contacts, once both accepted: where to reach me from now on and the key my blinded
   * contact tags are made with (lib/discovery/contact-tag.ts).
   */
  Introduce: 0x05,
  /** stream u32 | upTo u32: "I hold every message of your stream `stream` up to `upTo`". */
  Ack: 0x06,
  /**
   * No body: "still here". Sent every few seconds on a quiet session, so a browser that vanished
   * (closed, crashed, lost its network) is noticed in seconds, not when ICE gives up.
   */
  Keepalive: 0x07,
} as const;

export const PRESENCE_KEY_BYTES = 32;
export const RENDEZVOUS_SECRET_BYTES = 32;
const U32_MAX = 0xffff_ffff;
/** id, stream, seq, sentAt: what precedes a chat frame's text. */
const CHAT_HEAD_BYTES = MESSAGE_ID_BYTES + 4 + 4 + 4 + 8;
/** PeerJS ids are at most this long (lib/transport/transport.ts `isValidAddress`). */
export const MAX_ADDRESS_BYTES = 100;

export type HelloFrame = { kind: 'hello'; name: string };
export type ChatFrame = {
  kind: 'chat';
  id: Uint8Array;
  stream: number;
  seq: number;
  /** Every seq below this one was acknowledged by the receiver (1: nothing known). */
  floor: number;
  sentAt: number;
  text: string;
};
export type AcceptFrame = { kind: 'accept' };
export type DeclineFrame = { kind: 'decline' };
/**
 * Once both accepted: where to reach me, my presence key, my share of our rendezvous secret, and
 * whether I keep you as a special contact (a pair made by invite is special on both sides,
 * though only the one who used the invite knows it was one).
 */
export type IntroduceFrame = {
  kind: 'introduce';
  presenceKey: Uint8Array;
  rendezvousSecret: Uint8Array;
  special: boolean;
  address: string;
};
/** Introduce flag bits. */
const INTRODUCE_SPECIAL = 0x01;
export type AckFrame = { kind: 'ack'; stream: number; upTo: number };
export type KeepaliveFrame = { kind: 'keepalive' };
export type Frame =
  | HelloFrame
  | ChatFrame
  | AcceptFrame
  | DeclineFrame
  | IntroduceFrame
  | AckFrame
  | KeepaliveFrame
  | FileFrame;

const isU32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= U32_MAX;

export type FrameError =
  | { kind: 'not-bytes' }
  | { kind: 'too-large'; size: number }
  | { kind: 'too-short'; size: number }
  | { kind: 'unsupported-version'; version: number }
  /** A kind from a newer protocol: ignored, never fatal. */
  | { kind: 'unknown-kind'; frameKind: number }
  | { kind: 'malformed'; detail: string };

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; error: FrameError };

const utf8 = new TextEncoder();
// `fatal`: invalid UTF-8 from a peer is a malformed frame, not a string with U+FFFD in it.
// `ignoreBOM`: a leading U+FEFF is part of the text (the default strips it, so "\uFEFF" alone
// would arrive as an empty message).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeFrame(frame: Frame): Uint8Array {
  switch (frame.kind) {
    case 'hello': {
      const name = utf8.encode(frame.name);
      if (name.length > MAX_NAME_BYTES) throw new RangeError('name too long');
      const out = new Uint8Array(HEADER_BYTES + 1 + name.length);
      out.set([PROTOCOL_VERSION, FrameKind.Hello, name.length]);
      out.set(name, HEADER_BYTES + 1);
      return out;
    }
    case 'chat': {
      const text = utf8.encode(frame.text);
      if (frame.id.length !== MESSAGE_ID_BYTES) throw new RangeError('message id must be 16 bytes');
      if (text.length === 0 || text.length > MAX_TEXT_BYTES) throw new RangeError('text length');
      if (!Number.isFinite(frame.sentAt) || frame.sentAt < 0) throw new RangeError('sentAt must be a time');
      if (!isU32(frame.stream) || !isU32(frame.seq) || frame.seq < 1 || !isU32(frame.floor) || frame.floor < 1)
        throw new RangeError('stream/seq/floor out of range');
      const out = new Uint8Array(HEADER_BYTES + CHAT_HEAD_BYTES + text.length);
      out.set([PROTOCOL_VERSION, FrameKind.Chat]);
      out.set(frame.id, HEADER_BYTES);
      const view = new DataView(out.buffer);
      view.setUint32(HEADER_BYTES + MESSAGE_ID_BYTES, frame.stream);
      view.setUint32(HEADER_BYTES + MESSAGE_ID_BYTES + 4, frame.seq);
      view.setUint32(HEADER_BYTES + MESSAGE_ID_BYTES + 8, frame.floor);
      view.setFloat64(HEADER_BYTES + MESSAGE_ID_BYTES + 12, frame.sentAt);
      out.set(text, HEADER_BYTES + CHAT_HEAD_BYTES);
      return out;
    }
    case 'accept':
      return Uint8Array.of(PROTOCOL_VERSION, FrameKind.Accept);
    case 'decline':
      return Uint8Array.of(PROTOCOL_VERSION, FrameKind.Decline);
    case 'introduce': {
      const address = utf8.encode(frame.address);
      if (frame.presenceKey.length !== PRESENCE_KEY_BYTES) throw new RangeError('presence key must be 32 bytes');
      if (frame.rendezvousSecret.length !== RENDEZVOUS_SECRET_BYTES)
        throw new RangeError('rendezvous secret must be 32 bytes');
      if (address.length > MAX_ADDRESS_BYTES) throw new RangeError('address too long');
      const keys = PRESENCE_KEY_BYTES + RENDEZVOUS_SECRET_BYTES;
      const out = new Uint8Array(HEADER_BYTES + keys + 2 + address.length);
      out.set([PROTOCOL_VERSION, FrameKind.Introduce]);
      out.set(frame.presenceKey, HEADER_BYTES);
      out.set(frame.rendezvousSecret, HEADER_BYTES + PRESENCE_KEY_BYTES);
      out[HEADER_BYTES + keys] = frame.special ? INTRODUCE_SPECIAL : 0;
      out[HEADER_BYTES + keys + 1] = address.length;
      out.set(address, HEADER_BYTES + keys + 2);
      return out;
    }
    case 'keepalive':
      return Uint8Array.of(PROTOCOL_VERSION, FrameKind.Keepalive);
    case 'ack': {
      if (!isU32(frame.stream) || !isU32(frame.upTo)) throw new RangeError('stream/upTo out of range');
      const out = new Uint8Array(HEADER_BYTES + 8);
      out.set([PROTOCOL_VERSION, FrameKind.Ack]);
      const view = new DataView(out.buffer);
      view.setUint32(HEADER_BYTES, frame.stream);
      view.setUint32(HEADER_BYTES + 4, frame.upTo);
      return out;
    }
    default:
      return encodeFileFrame(PROTOCOL_VERSION, frame);
  }
}

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const malformed = (detail: string): DecodeResult => ({ ok: false, error: { kind: 'malformed', detail } });

export function decodeFrame(data: unknown): DecodeResult {
  const bytes = asBytes(data);
  if (!bytes) return { ok: false, error: { kind: 'not-bytes' } };
  if (bytes.length > MAX_FRAME_BYTES) return { ok: false, error: { kind: 'too-large', size: bytes.length } };
  if (bytes.length < HEADER_BYTES) return { ok: false, error: { kind: 'too-short', size: bytes.length } };
  const version = bytes[0] ?? 0;
  const frameKind = bytes[1] ?? 0;
  if (version !== PROTOCOL_VERSION) return { ok: false, error: { kind: 'unsupported-version', version } };
  const body = bytes.subarray(HEADER_BYTES);
  switch (frameKind) {
    case FrameKind.Hello: {
      const length = body[0];
      if (length === undefined || length > MAX_NAME_BYTES || body.length !== 1 + length)
        return malformed('hello: name length');
      const name = decodeText(body.subarray(1));
      if (name === undefined) return malformed('hello: name is not UTF-8');
      return { ok: true, frame: { kind: 'hello', name } };
    }
    case FrameKind.Chat: {
      if (body.length <= CHAT_HEAD_BYTES) return malformed('chat: too short');
      if (body.length - CHAT_HEAD_BYTES > MAX_TEXT_BYTES) return malformed('chat: text too long');
      const view = new DataView(body.buffer, body.byteOffset + MESSAGE_ID_BYTES, 20);
      const stream = view.getUint32(0);
      const seq = view.getUint32(4);
      const floor = view.getUint32(8);
      const sentAt = view.getFloat64(12);
      if (seq < 1) return malformed('chat: seq 0');
      if (floor < 1) return malformed('chat: floor 0');
      if (!Number.isFinite(sentAt) || sentAt < 0) return malformed('chat: bad timestamp');
      const text = decodeText(body.subarray(CHAT_HEAD_BYTES));
      if (text === undefined) return malformed('chat: text is not UTF-8');
      // Copy: the id outlives the received buffer.
      const id = body.slice(0, MESSAGE_ID_BYTES);
      return { ok: true, frame: { kind: 'chat', id, stream, seq, floor, sentAt, text } };
    }
    case FrameKind.Keepalive:
      return body.length === 0 ? { ok: true, frame: { kind: 'keepalive' } } : malformed('keepalive: has a body');
    case FrameKind.Ack: {
      if (body.length !== 8) return malformed('ack: length');
      const view = new DataView(body.buffer, body.byteOffset, 8);
      return { ok: true, frame: { kind: 'ack', stream: view.getUint32(0), upTo: view.getUint32(4) } };
    }
    case FrameKind.Accept:
      return body.length === 0 ? { ok: true, frame: { kind: 'accept' } } : malformed('accept: has a body');
    case FrameKind.Decline:
      return body.length === 0 ? { ok: true, frame: { kind: 'decline' } } : malformed('decline: has a body');
    case FrameKind.Introduce: {
      const keys = PRESENCE_KEY_BYTES + RENDEZVOUS_SECRET_BYTES;
      const flags = body[keys] ?? 0;
      const length = body[keys + 1];
      if (length === undefined || length > MAX_ADDRESS_BYTES || body.length !== keys + 2 + length)
        return malformed('introduce: lengths');
      // Unknown flag bits are a newer protocol's: ignored, like unknown frame kinds.
      const address = decodeText(body.subarray(keys + 2));
      // Empty means "no address to give" (not online yet); anything else must be one we could dial.
      if (address === undefined || (address !== '' && !isValidAddress(address)))
        return malformed('introduce: not an address');
      return {
        ok: true,
        frame: {
          kind: 'introduce',
          presenceKey: body.slice(0, PRESENCE_KEY_BYTES),
          rendezvousSecret: body.slice(PRESENCE_KEY_BYTES, keys),
          special: (flags & INTRODUCE_SPECIAL) !== 0,
          address,
        },
      };
    }
    case FileFrameKind.Offer:
    case FileFrameKind.Want:
    case FileFrameKind.Have:
    case FileFrameKind.Piece:
    case FileFrameKind.Chunk:
    case FileFrameKind.Stop: {
      const frame = decodeFileFrame(frameKind, body);
      return typeof frame === 'string' ? malformed(frame) : { ok: true, frame };
    }
    default:
      return { ok: false, error: { kind: 'unknown-kind', frameKind } };
  }
}
