/**
 * File transfer frames through the frame layer (encodeFrame/decodeFrame): every kind arrives as
 * sent; offers whose numbers disagree, names that are empty, too long or not UTF-8, and frames
 * cut short are refused as malformed, never thrown; a chunk may fill a frame to the last byte.
 */
import { describe, expect, it } from 'vitest';
import {
  CHUNK_HEAD_BYTES,
  type FileFrame,
  FileFrameKind,
  HASH_BYTES,
  MAX_FILE_NAME_BYTES,
  MAX_FILE_TYPE_BYTES,
  MAX_PIECE_BYTES,
  MIN_PIECE_BYTES,
  StopReason,
  TRANSFER_ID_BYTES,
} from '../../lib/protocol/file-frame';
import {
  type DecodeResult,
  decodeFrame,
  encodeFrame,
  type Frame,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
} from '../../lib/protocol/frame';

const utf8 = new TextEncoder();
const id = Uint8Array.from({ length: TRANSFER_ID_BYTES }, (_, i) => 0xa0 + i);
const root = Uint8Array.from({ length: HASH_BYTES }, (_, i) => i * 5);
const hash = Uint8Array.from({ length: HASH_BYTES }, (_, i) => 255 - i);
const U32_MAX = 0xffff_ffff;

function errorOf(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a refused frame, got ${JSON.stringify(result.frame)}`);
  return result.error;
}

function frameOf(result: DecodeResult) {
  if (!result.ok) throw new Error(`expected a frame, got ${JSON.stringify(result.error)}`);
  return result.frame;
}

const roundTrip = (frame: Frame) => frameOf(decodeFrame(encodeFrame(frame)));

const offer = (extra: Partial<Extract<FileFrame, { kind: 'file-offer' }>> = {}): FileFrame => ({
  kind: 'file-offer',
  id,
  size: 3 * MIN_PIECE_BYTES + 17,
  pieceBytes: MIN_PIECE_BYTES,
  pieces: 4,
  root,
  type: 'application/pdf',
  name: 'report.pdf',
  ...extra,
});

/**
 * An offer laid out by hand (id16 | size f64 | pieceBytes u32 | pieces u32 | root32 | typeLen u8 |
 * type | name), so offers no honest encoder makes can be built.
 */
function offerBytes(fields: {
  size?: number;
  pieceBytes?: number;
  pieces?: number;
  type?: Uint8Array;
  name?: Uint8Array;
  typeLength?: number;
}): Uint8Array {
  const type = fields.type ?? utf8.encode('text/plain');
  const name = fields.name ?? utf8.encode('notes.txt');
  const fixed = 8 + 4 + 4 + HASH_BYTES + 1;
  const out = new Uint8Array(HEADER_BYTES + TRANSFER_ID_BYTES + fixed + type.length + name.length);
  out.set([PROTOCOL_VERSION, FileFrameKind.Offer]);
  out.set(id, HEADER_BYTES);
  const at = HEADER_BYTES + TRANSFER_ID_BYTES;
  const view = new DataView(out.buffer);
  view.setFloat64(at, fields.size ?? MIN_PIECE_BYTES + 1);
  view.setUint32(at + 8, fields.pieceBytes ?? MIN_PIECE_BYTES);
  view.setUint32(at + 12, fields.pieces ?? 2);
  out.set(root, at + 16);
  out[at + 16 + HASH_BYTES] = fields.typeLength ?? type.length;
  out.set(type, at + fixed);
  out.set(name, at + fixed + type.length);
  return out;
}

/** One valid frame of every file kind, for the sweeps below. */
const everyKind: FileFrame[] = [
  offer(),
  { kind: 'file-want', id, from: 3 },
  { kind: 'file-have', id, upTo: 2 },
  { kind: 'file-piece', id, index: 1, hash },
  { kind: 'file-chunk', id, index: 1, offset: 4096, bytes: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) },
  { kind: 'file-stop', id, reason: 'cancelled' },
];

describe('file frames arrive as sent', () => {
  it.each(everyKind.map((frame) => [frame.kind, frame] as const))('a %s', (_, frame) => {
    expect(roundTrip(frame)).toEqual(frame);
  });

  it('the offer laid out by hand here is the offer the encoder makes', () => {
    const size = MIN_PIECE_BYTES + 1;
    expect(offerBytes({ size })).toEqual(
      encodeFrame(offer({ size, pieces: 2, type: 'text/plain', name: 'notes.txt' })),
    );
  });

  it.each([
    ['an empty file', 0, MIN_PIECE_BYTES, 0],
    ['a file of one byte', 1, MIN_PIECE_BYTES, 1],
    ['a file of exactly one piece', MAX_PIECE_BYTES, MAX_PIECE_BYTES, 1],
    ['a file of one piece and a byte', MIN_PIECE_BYTES + 1, MIN_PIECE_BYTES, 2],
    ['the largest file', Number.MAX_SAFE_INTEGER, MAX_PIECE_BYTES, 2 ** 31],
  ])('an offer of %s', (_, size, pieceBytes, pieces) => {
    const frame = offer({ size, pieceBytes, pieces });
    expect(roundTrip(frame)).toEqual(frame);
  });

  it('an offer with no type, a 127-byte type and a 255-byte name', () => {
    expect(roundTrip(offer({ type: '' }))).toMatchObject({ type: '' });
    const type = 't'.repeat(MAX_FILE_TYPE_BYTES);
    const name = `${'é'.repeat(127)}x`;
    expect(utf8.encode(name).length).toBe(MAX_FILE_NAME_BYTES);
    expect(roundTrip(offer({ type, name }))).toMatchObject({ type, name });
  });

  it('a name as the sender wrote it: spaces, a leading byte-order mark, emoji, a path (made safe later)', () => {
    for (const name of [' a b ', '\uFEFFbom.txt', '😀.png', '../../etc/passwd', 'CON']) {
      expect(roundTrip(offer({ name }))).toMatchObject({ name });
    }
  });

  it.each([0, 1, U32_MAX])('want, have, piece and chunk numbers at %i', (n) => {
    for (const frame of [
      { kind: 'file-want' as const, id, from: n },
      { kind: 'file-have' as const, id, upTo: n },
      { kind: 'file-piece' as const, id, index: n, hash },
      { kind: 'file-chunk' as const, id, index: n, offset: n, bytes: Uint8Array.of(9) },
    ])
      expect(roundTrip(frame)).toEqual(frame);
  });

  it.each(Object.keys(StopReason) as Array<keyof typeof StopReason>)('a stop because %s', (reason) => {
    expect(roundTrip({ kind: 'file-stop', id, reason })).toEqual({ kind: 'file-stop', id, reason });
  });

  it.each([4, 9, 255])('a stop with a reason from a newer protocol (%i) is still a stop: failed', (code) => {
    const bytes = Uint8Array.from([PROTOCOL_VERSION, FileFrameKind.Stop, ...id, code]);
    expect(frameOf(decodeFrame(bytes))).toEqual({ kind: 'file-stop', id, reason: 'failed' });
  });

  it('ids, roots and hashes decoded are copies that outlive the received bytes', () => {
    for (const frame of [offer(), { kind: 'file-piece' as const, id, index: 0, hash }]) {
      const received = encodeFrame(frame);
      const decoded = frameOf(decodeFrame(received));
      received.fill(0);
      expect(decoded).toEqual(frame);
    }
  });

  it('a file frame of another protocol version is refused as such', () => {
    const bytes = encodeFrame({ kind: 'file-want', id, from: 0 });
    bytes[0] = PROTOCOL_VERSION + 1;
    expect(errorOf(decodeFrame(bytes))).toEqual({ kind: 'unsupported-version', version: PROTOCOL_VERSION + 1 });
  });
});

describe('a chunk as large as a frame may be', () => {
  const largest = MAX_FRAME_BYTES - CHUNK_HEAD_BYTES;

  it('fills the frame to its last byte and arrives whole', () => {
    const bytes = Uint8Array.from({ length: largest }, (_, i) => (i * 7) & 0xff);
    const frame: FileFrame = { kind: 'file-chunk', id, index: 2, offset: 65_000, bytes };
    const encoded = encodeFrame(frame);
    expect(encoded.length).toBe(MAX_FRAME_BYTES);
    expect(frameOf(decodeFrame(encoded))).toEqual(frame);
  });

  it('one byte more is too large for the receiver', () => {
    const frame: FileFrame = { kind: 'file-chunk', id, index: 2, offset: 0, bytes: new Uint8Array(largest + 1) };
    expect(errorOf(decodeFrame(encodeFrame(frame)))).toEqual({ kind: 'too-large', size: MAX_FRAME_BYTES + 1 });
  });

  it('a chunk with no bytes is refused both ways', () => {
    expect(() => encodeFrame({ kind: 'file-chunk', id, index: 0, offset: 0, bytes: new Uint8Array(0) })).toThrow(
      RangeError,
    );
    const bytes = new Uint8Array(CHUNK_HEAD_BYTES);
    bytes.set([PROTOCOL_VERSION, FileFrameKind.Chunk]);
    expect(errorOf(decodeFrame(bytes)).kind).toBe('malformed');
  });
});

describe('offers whose numbers disagree', () => {
  it.each([
    ['one piece more than the size needs', MIN_PIECE_BYTES + 1, MIN_PIECE_BYTES, 3],
    ['one piece fewer than the size needs', MIN_PIECE_BYTES + 1, MIN_PIECE_BYTES, 1],
    ['no pieces for a byte', 1, MIN_PIECE_BYTES, 0],
    ['a piece for an empty file', 0, MIN_PIECE_BYTES, 1],
    ['pieces smaller than a receiver takes', 100, MIN_PIECE_BYTES - 1, 1],
    ['pieces larger than a receiver holds', 100, MAX_PIECE_BYTES + 1, 1],
    ['pieces of no bytes', 0, 0, 0],
    ['a negative size', -1, MIN_PIECE_BYTES, 0],
    ['a size in fractions of a byte', 1.5, MIN_PIECE_BYTES, 1],
    ['a size beyond exact doubles', 2 ** 53, MAX_PIECE_BYTES, 2 ** 31],
    ['a size that is not a number', Number.NaN, MIN_PIECE_BYTES, 1],
    ['an infinite size', Number.POSITIVE_INFINITY, MIN_PIECE_BYTES, 1],
    ['more pieces than a u32 counts', (U32_MAX + 1) * MIN_PIECE_BYTES, MIN_PIECE_BYTES, 0],
  ])('%s: never sent, and refused when received', (_, size, pieceBytes, pieces) => {
    expect(() => encodeFrame(offer({ size, pieceBytes, pieces }))).toThrow(RangeError);
    expect(errorOf(decodeFrame(offerBytes({ size, pieceBytes, pieces })))).toMatchObject({ kind: 'malformed' });
  });
});

describe('an offer’s name and type', () => {
  it('an empty name is refused both ways', () => {
    expect(() => encodeFrame(offer({ name: '' }))).toThrow(RangeError);
    expect(errorOf(decodeFrame(offerBytes({ name: new Uint8Array(0) })))).toMatchObject({ kind: 'malformed' });
  });

  it('a name of 256 bytes is refused both ways, however few characters it is', () => {
    const name = '😀'.repeat(64);
    expect(utf8.encode(name).length).toBe(MAX_FILE_NAME_BYTES + 1);
    expect(() => encodeFrame(offer({ name }))).toThrow(RangeError);
    expect(errorOf(decodeFrame(offerBytes({ name: utf8.encode(name) })))).toMatchObject({ kind: 'malformed' });
  });

  it('a type of 128 bytes is refused both ways', () => {
    const type = 't'.repeat(MAX_FILE_TYPE_BYTES + 1);
    expect(() => encodeFrame(offer({ type }))).toThrow(RangeError);
    expect(errorOf(decodeFrame(offerBytes({ type: utf8.encode(type) })))).toMatchObject({ kind: 'malformed' });
  });

  it('a type length that runs past the end of the frame is refused', () => {
    expect(errorOf(decodeFrame(offerBytes({ typeLength: 60 })))).toMatchObject({ kind: 'malformed' });
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80]],
    ['a byte never in UTF-8', [0xff]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['a character cut in half', [0x61, 0xc3]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('a name with %s is not UTF-8 and is refused', (_, name) => {
    expect(errorOf(decodeFrame(offerBytes({ name: Uint8Array.from(name) })))).toEqual({
      kind: 'malformed',
      detail: 'file offer: not UTF-8',
    });
  });

  it('a type that is not UTF-8 is refused', () => {
    expect(errorOf(decodeFrame(offerBytes({ type: Uint8Array.of(0xfe) })))).toMatchObject({ kind: 'malformed' });
  });
});

describe('file frames nobody could send', () => {
  it.each([
    ['an id of 15 bytes', { kind: 'file-want', id: id.subarray(1), from: 0 }],
    ['a root of 31 bytes', offer({ root: root.subarray(1) })],
    ['a piece hash of 31 bytes', { kind: 'file-piece', id, index: 0, hash: hash.subarray(1) }],
    ['a negative want', { kind: 'file-want', id, from: -1 }],
    ['a have past u32', { kind: 'file-have', id, upTo: U32_MAX + 1 }],
    ['a fractional piece index', { kind: 'file-piece', id, index: 1.5, hash }],
    ['a chunk offset past u32', { kind: 'file-chunk', id, index: 0, offset: U32_MAX + 1, bytes: Uint8Array.of(1) }],
  ] as Array<[string, FileFrame]>)('%s is refused when encoding', (_, frame) => {
    expect(() => encodeFrame(frame)).toThrow(RangeError);
  });
});

describe('file frames cut short or damaged on the way', () => {
  it.each(everyKind.map((frame) => [frame.kind, frame] as const))(
    'every truncation of a %s is refused (an offer cut in its name, a chunk in its bytes, is a shorter one)',
    (_, frame) => {
      const bytes = encodeFrame(frame);
      for (let length = 0; length < bytes.length; length += 1) {
        let result: DecodeResult | undefined;
        expect(() => {
          result = decodeFrame(bytes.slice(0, length));
        }).not.toThrow();
        if (!result) throw new Error('no result');
        if (!result.ok) {
          expect(result.error.kind).toBe(length < HEADER_BYTES ? 'too-short' : 'malformed');
          continue;
        }
        // Only a name or a chunk's bytes have no length of their own: a cut leaves a shorter one.
        if (frame.kind === 'file-offer')
          expect(result.frame).toEqual({
            ...frame,
            name: frame.name.slice(0, frame.name.length - (bytes.length - length)),
          });
        else if (frame.kind === 'file-chunk')
          expect(result.frame).toEqual({ ...frame, bytes: frame.bytes.subarray(0, length - CHUNK_HEAD_BYTES) });
        else throw new Error(`a ${frame.kind} cut to ${length} bytes was accepted`);
      }
    },
  );

  it('want, have, piece and stop frames with a byte appended are refused', () => {
    for (const frame of everyKind) {
      if (frame.kind === 'file-offer' || frame.kind === 'file-chunk') continue;
      const longer = Uint8Array.from([...encodeFrame(frame), 0]);
      expect(errorOf(decodeFrame(longer)).kind).toBe('malformed');
    }
  });

  it('random damage to any file frame never throws: a frame that re-encodes, or a typed error', () => {
    let seed = 11;
    const random = () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const kinds = new Set(['too-short', 'unsupported-version', 'unknown-kind', 'malformed']);
    for (let round = 0; round < 3000; round += 1) {
      const bytes = encodeFrame(everyKind[round % everyKind.length] as FileFrame);
      const flips = 1 + Math.floor(random() * 3);
      for (let i = 0; i < flips; i += 1) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const result = decodeFrame(bytes);
      if (result.ok) expect(() => encodeFrame(result.frame)).not.toThrow();
      else expect(kinds.has(result.error.kind)).toBe(true);
    }
  });
});
