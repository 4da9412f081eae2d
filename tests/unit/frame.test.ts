import { describe, expect, it } from 'vitest';
import {
  type ChatFrame,
  type DecodeResult,
  decodeFrame,
  encodeFrame,
  type Frame,
  FrameKind,
  HEADER_BYTES,
  MAX_ADDRESS_BYTES,
  MAX_FRAME_BYTES,
  MAX_NAME_BYTES,
  MAX_TEXT_BYTES,
  MESSAGE_ID_BYTES,
  PRESENCE_KEY_BYTES,
  PROTOCOL_VERSION,
  RENDEZVOUS_SECRET_BYTES,
} from '../../lib/protocol/frame';

const utf8 = new TextEncoder();
const id = (seed = 1) => Uint8Array.from({ length: MESSAGE_ID_BYTES }, (_, i) => (seed * 31 + i * 7) & 0xff);

/** id, stream u32, seq u32, floor u32, sentAt f64: what precedes a chat frame's text. */
const CHAT_HEAD = MESSAGE_ID_BYTES + 4 + 4 + 4 + 8;

/** A chat frame laid out by hand, so malformed variants can be built byte by byte. */
function chatBytes(text: Uint8Array, sentAt = 1_700_000_000_000, version = PROTOCOL_VERSION): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + CHAT_HEAD + text.length);
  out.set([version, FrameKind.Chat]);
  out.set(id(), HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(HEADER_BYTES + MESSAGE_ID_BYTES, 7);
  view.setUint32(HEADER_BYTES + MESSAGE_ID_BYTES + 4, 1);
  view.setUint32(HEADER_BYTES + MESSAGE_ID_BYTES + 8, 1);
  view.setFloat64(HEADER_BYTES + MESSAGE_ID_BYTES + 12, sentAt);
  out.set(text, HEADER_BYTES + CHAT_HEAD);
  return out;
}

function helloBytes(name: Uint8Array, lengthByte = name.length): Uint8Array {
  return Uint8Array.from([PROTOCOL_VERSION, FrameKind.Hello, lengthByte, ...name]);
}

function errorOf(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a rejected frame, got ${JSON.stringify(result.frame)}`);
  return result.error;
}

function frameOf(result: DecodeResult) {
  if (!result.ok) throw new Error(`expected a frame, got ${JSON.stringify(result.error)}`);
  return result.frame;
}

describe('an introduce frame (where to reach a contact, its presence key, its rendezvous share)', () => {
  const presenceKey = Uint8Array.from({ length: 32 }, (_, i) => i * 3);
  const rendezvousSecret = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
  const keys = [...presenceKey, ...rendezvousSecret];

  it.each([
    ['a transport address, special', 'tincan-t-abcdefghijklmnop', true],
    ['no address (not online yet), not special', '', false],
  ])('with %s arrives as sent', (_, address, special) => {
    const frame = { kind: 'introduce' as const, presenceKey, rendezvousSecret, special, address };
    expect(frameOf(decodeFrame(encodeFrame(frame)))).toEqual(frame);
  });

  it('an address of the longest a PeerJS id may be arrives as sent', () => {
    const address = 'a'.repeat(MAX_ADDRESS_BYTES);
    const frame = { kind: 'introduce' as const, presenceKey, rendezvousSecret, special: false, address };
    expect(frameOf(decodeFrame(encodeFrame(frame)))).toEqual(frame);
  });

  it('the keys decoded are copies that outlive the received bytes', () => {
    const frame = { kind: 'introduce' as const, presenceKey, rendezvousSecret, special: false, address: 'x' };
    const received = Buffer.from(encodeFrame(frame));
    const decoded = frameOf(decodeFrame(received));
    received.fill(0);
    expect(decoded).toEqual(frame);
  });

  it.each([
    ['a presence key one byte short', { presenceKey: presenceKey.subarray(1) }],
    ['a rendezvous secret one byte short', { rendezvousSecret: rendezvousSecret.subarray(1) }],
    ['a rendezvous secret one byte long', { rendezvousSecret: new Uint8Array(RENDEZVOUS_SECRET_BYTES + 1) }],
    ['an address one byte too long', { address: 'a'.repeat(MAX_ADDRESS_BYTES + 1) }],
  ])('with %s is refused when encoding', (_, change) => {
    const frame = { kind: 'introduce' as const, presenceKey, rendezvousSecret, special: false, address: '', ...change };
    expect(() => encodeFrame(frame)).toThrow(RangeError);
  });

  it('flag bits from a newer protocol are ignored', () => {
    const bytes = Uint8Array.from([PROTOCOL_VERSION, FrameKind.Introduce, ...keys, 0xfe, 0]);
    expect(frameOf(decodeFrame(bytes))).toMatchObject({ kind: 'introduce', special: false, address: '' });
  });

  it.each([
    ['a key one byte short', Uint8Array.from([PROTOCOL_VERSION, FrameKind.Introduce, ...keys.slice(1), 0, 0])],
    ['no flags or length', Uint8Array.from([PROTOCOL_VERSION, FrameKind.Introduce, ...keys])],
    ['a length byte past the end', Uint8Array.from([PROTOCOL_VERSION, FrameKind.Introduce, ...keys, 0, 5, 0x61])],
    [
      'an address that is no PeerJS id',
      Uint8Array.from([PROTOCOL_VERSION, FrameKind.Introduce, ...keys, 0, 3, 0x61, 0x20, 0x62]),
    ],
    [
      'an address that is not UTF-8',
      Uint8Array.from([PROTOCOL_VERSION, FrameKind.Introduce, ...keys, 0, 2, 0xc3, 0x28]),
    ],
    ['a byte after the address', Uint8Array.from([PROTOCOL_VERSION, FrameKind.Introduce, ...keys, 0, 1, 0x61, 0x62])],
    [
      'an address longer than any PeerJS id',
      Uint8Array.from([
        PROTOCOL_VERSION,
        FrameKind.Introduce,
        ...keys,
        0,
        MAX_ADDRESS_BYTES + 1,
        ...utf8.encode('a'.repeat(MAX_ADDRESS_BYTES + 1)),
      ]),
    ],
  ])('with %s is malformed', (_, bytes) => {
    expect(errorOf(decodeFrame(bytes)).kind).toBe('malformed');
  });
});

describe('chat and ack frames carry delivery numbers', () => {
  it('an ack arrives as sent, up to the largest u32', () => {
    for (const ack of [
      { kind: 'ack' as const, stream: 0, upTo: 0 },
      { kind: 'ack' as const, stream: 0xffff_ffff, upTo: 0xffff_ffff },
    ]) {
      expect(frameOf(decodeFrame(encodeFrame(ack)))).toEqual(ack);
    }
  });

  it.each([
    ['a negative stream', { stream: -1, upTo: 0 }],
    ['a stream past u32', { stream: 2 ** 32, upTo: 0 }],
    ['a negative upTo', { stream: 1, upTo: -1 }],
    ['an upTo past u32', { stream: 1, upTo: 2 ** 32 }],
    ['a fractional upTo', { stream: 1, upTo: 0.5 }],
    ['a NaN stream', { stream: NaN, upTo: 0 }],
  ])('an ack with %s is refused when encoding', (_, numbers) => {
    expect(() => encodeFrame({ kind: 'ack', ...numbers })).toThrow(RangeError);
  });

  it.each([
    ['empty', Uint8Array.from([PROTOCOL_VERSION, FrameKind.Ack])],
    ['short', Uint8Array.from([PROTOCOL_VERSION, FrameKind.Ack, 0, 0, 0, 1, 0, 0, 0])],
    ['long', Uint8Array.from([PROTOCOL_VERSION, FrameKind.Ack, 0, 0, 0, 1, 0, 0, 0, 2, 9])],
  ])('a %s ack is malformed', (_, bytes) => {
    expect(errorOf(decodeFrame(bytes)).kind).toBe('malformed');
  });

  it('a chat keeps its stream and sequence number; sequence 0 is malformed', () => {
    const frame: ChatFrame = {
      kind: 'chat',
      id: new Uint8Array(16).fill(9),
      stream: 0xdead_beef,
      seq: 70_000,
      floor: 1,
      sentAt: 5,
      text: 'x',
    };
    expect(frameOf(decodeFrame(encodeFrame(frame)))).toEqual(frame);
    const zero = encodeFrame({ ...frame, seq: 1 });
    zero.set([0, 0, 0, 0], HEADER_BYTES + 16 + 4);
    expect(errorOf(decodeFrame(zero))).toEqual({ kind: 'malformed', detail: 'chat: seq 0' });
  });

  it('a chat at the top of the u32 range keeps its numbers', () => {
    const frame: ChatFrame = {
      kind: 'chat',
      id: id(),
      stream: 0xffff_ffff,
      seq: 0xffff_ffff,
      floor: 1,
      sentAt: 1,
      text: 'x',
    };
    expect(frameOf(decodeFrame(encodeFrame(frame)))).toEqual(frame);
  });

  it.each([
    ['a negative stream', { stream: -1, seq: 1 }],
    ['a stream past u32', { stream: 2 ** 32, seq: 1 }],
    ['sequence 0', { stream: 1, seq: 0 }],
    ['a fractional sequence', { stream: 1, seq: 1.5 }],
    ['a sequence past u32', { stream: 1, seq: 2 ** 32 }],
    ['floor 0', { stream: 1, seq: 1, floor: 0 }],
  ])('%s is refused when encoding', (_, numbers) => {
    expect(() =>
      encodeFrame({ kind: 'chat', id: new Uint8Array(16), sentAt: 1, text: 'x', floor: 1, ...numbers }),
    ).toThrow(RangeError);
  });
});

describe('frames that round-trip between two agents', () => {
  it.each([
    ['an empty name', ''],
    ['a plain name', 'Alice'],
    ['a name in several scripts and emoji', 'Zoë 🦊 Ωμέγα 日本語'],
    ['a name that starts with a byte-order mark', '\uFEFFbob'],
  ])('a hello with %s arrives as sent', (_, name) => {
    expect(frameOf(decodeFrame(encodeFrame({ kind: 'hello', name })))).toEqual({ kind: 'hello', name });
  });

  it('a hello with the longest allowed name (160 bytes of emoji) arrives as sent', () => {
    const name = '🦊'.repeat(MAX_NAME_BYTES / 4);
    expect(utf8.encode(name).length).toBe(MAX_NAME_BYTES);
    expect(frameOf(decodeFrame(encodeFrame({ kind: 'hello', name })))).toEqual({ kind: 'hello', name });
  });

  it.each([
    ['one character', 'x'],
    ['unicode from several planes', 'héllo wörld — 你好 — 🚀🎉 — \u{10FFFF}'],
    ['line breaks and tabs', 'line 1\nline 2\r\n\tindented'],
    ['only a byte-order mark', '\uFEFF'],
    ['a leading byte-order mark', '\uFEFFhello'],
  ])('a chat message with %s arrives as sent', (_, text) => {
    const frame: ChatFrame = { kind: 'chat', id: id(), stream: 7, seq: 1, floor: 1, sentAt: 1_700_000_000_123.5, text };
    expect(frameOf(decodeFrame(encodeFrame(frame)))).toEqual(frame);
  });

  it('a chat message of exactly the maximum text size arrives as sent', () => {
    const text = 'é'.repeat(MAX_TEXT_BYTES / 2);
    const frame: ChatFrame = { kind: 'chat', id: id(), stream: 7, seq: 1, floor: 1, sentAt: 0, text };
    const bytes = encodeFrame(frame);
    expect(bytes.length).toBe(HEADER_BYTES + CHAT_HEAD + MAX_TEXT_BYTES);
    expect(frameOf(decodeFrame(bytes))).toEqual(frame);
  });

  it.each([
    ['a Uint8Array', (bytes: Uint8Array) => bytes],
    // Buffer#slice shares memory with the Buffer; the id must still be a copy.
    ['a Node Buffer', (bytes: Uint8Array) => Buffer.from(bytes)],
  ])('the message id decoded from %s is a copy that outlives the received bytes', (_, wrap) => {
    const received = wrap(encodeFrame({ kind: 'chat', id: id(5), stream: 7, seq: 1, floor: 1, sentAt: 1, text: 'hi' }));
    const frame = frameOf(decodeFrame(received));
    received.fill(0);
    expect(frame).toMatchObject({ id: id(5) });
  });

  it('a frame handed over as an ArrayBuffer, a DataView or a Node Buffer decodes the same', () => {
    const frame: ChatFrame = { kind: 'chat', id: id(), stream: 7, seq: 1, floor: 1, sentAt: 42, text: 'same' };
    const bytes = encodeFrame(frame);
    expect(frameOf(decodeFrame(bytes.slice().buffer))).toEqual(frame);
    expect(frameOf(decodeFrame(new DataView(bytes.slice().buffer)))).toEqual(frame);
    expect(frameOf(decodeFrame(Buffer.from(bytes)))).toEqual(frame);
  });

  it('a frame inside a larger buffer (a view with a non-zero byte offset) decodes from its own bytes', () => {
    const frame: ChatFrame = {
      kind: 'chat',
      id: id(3),
      stream: 7,
      seq: 1,
      floor: 1,
      sentAt: 1_234_567,
      text: 'offset',
    };
    const bytes = encodeFrame(frame);
    // 3 is deliberately not a multiple of 8: the timestamp is read unaligned.
    const backing = new Uint8Array(3 + bytes.length + 5).fill(0xee);
    backing.set(bytes, 3);
    const view = backing.subarray(3, 3 + bytes.length);
    expect(view.byteOffset).toBe(3);
    expect(frameOf(decodeFrame(view))).toEqual(frame);
    expect(frameOf(decodeFrame(new DataView(backing.buffer, 3, bytes.length)))).toEqual(frame);
    const hello = encodeFrame({ kind: 'hello', name: 'bob' });
    const helloBacking = new Uint8Array(7 + hello.length);
    helloBacking.set(hello, 7);
    expect(frameOf(decodeFrame(helloBacking.subarray(7)))).toEqual({ kind: 'hello', name: 'bob' });
  });
});

describe('frames an agent refuses to send', () => {
  it.each([0, 15, 17, 32])('a chat message with a %i-byte id', (length) => {
    expect(() =>
      encodeFrame({ kind: 'chat', id: new Uint8Array(length), stream: 7, seq: 1, floor: 1, sentAt: 1, text: 'x' }),
    ).toThrow(RangeError);
  });

  it('an empty chat message', () => {
    expect(() => encodeFrame({ kind: 'chat', id: id(), stream: 7, seq: 1, floor: 1, sentAt: 1, text: '' })).toThrow(
      RangeError,
    );
  });

  it('a chat message one byte over the maximum text size', () => {
    expect(() =>
      encodeFrame({
        kind: 'chat',
        id: id(),
        stream: 7,
        seq: 1,
        floor: 1,
        sentAt: 1,
        text: 'x'.repeat(MAX_TEXT_BYTES + 1),
      }),
    ).toThrow(RangeError);
  });

  it('a name one byte over the maximum', () => {
    expect(() => encodeFrame({ kind: 'hello', name: 'x'.repeat(MAX_NAME_BYTES + 1) })).toThrow(RangeError);
  });

  it.each([NaN, -1, Infinity, -Infinity])('a chat message stamped %s, which the other side would reject', (sentAt) => {
    expect(() => encodeFrame({ kind: 'chat', id: id(), stream: 7, seq: 1, floor: 1, sentAt, text: 'x' })).toThrow(
      RangeError,
    );
  });
});

describe('bytes from a peer that are not a valid frame', () => {
  it.each([
    ['a string', 'hello'],
    ['a plain object', { kind: 'chat', text: 'hi' }],
    ['an array of numbers', [1, 2, 0]],
    ['null', null],
    ['undefined', undefined],
    ['a number', 258],
  ])('%s is not bytes', (_, data) => {
    expect(errorOf(decodeFrame(data))).toEqual({ kind: 'not-bytes' });
  });

  it.each([0, 1])('%i bytes are too short to be a frame', (size) => {
    expect(errorOf(decodeFrame(new Uint8Array(size).fill(PROTOCOL_VERSION)))).toEqual({ kind: 'too-short', size });
  });

  it.each([0, 2, 255])('a frame from protocol version %i is unsupported', (version) => {
    const bytes = encodeFrame({ kind: 'hello', name: 'x' });
    bytes[0] = version;
    expect(errorOf(decodeFrame(bytes))).toEqual({ kind: 'unsupported-version', version });
  });

  it.each([0x00, 0x0e, 0x7f, 0xff])(
    'a frame of unknown kind 0x%s comes back as unknown-kind, not malformed',
    (frameKind) => {
      expect(errorOf(decodeFrame(Uint8Array.from([PROTOCOL_VERSION, frameKind, 1, 2, 3])))).toEqual({
        kind: 'unknown-kind',
        frameKind,
      });
    },
  );

  it('a frame larger than the maximum is too large, whatever it claims to be', () => {
    const bytes = new Uint8Array(MAX_FRAME_BYTES + 1);
    bytes.set([PROTOCOL_VERSION, FrameKind.Chat]);
    expect(errorOf(decodeFrame(bytes))).toEqual({ kind: 'too-large', size: MAX_FRAME_BYTES + 1 });
    // Size is checked before anything else: even an unknown kind of that size is too large.
    bytes[1] = 0x7f;
    expect(errorOf(decodeFrame(bytes))).toMatchObject({ kind: 'too-large' });
  });

  it('a frame of exactly the maximum size is judged on its content, not its size', () => {
    const bytes = new Uint8Array(MAX_FRAME_BYTES);
    bytes.set([PROTOCOL_VERSION, 0x7f]);
    expect(errorOf(decodeFrame(bytes))).toEqual({ kind: 'unknown-kind', frameKind: 0x7f });
  });

  it.each([
    ['only the header', HEADER_BYTES],
    ['the header and half an id', HEADER_BYTES + 8],
    ['an id but no stream', HEADER_BYTES + MESSAGE_ID_BYTES],
    ['an id, stream and seq but no timestamp', HEADER_BYTES + MESSAGE_ID_BYTES + 8],
    ['everything but the text', HEADER_BYTES + CHAT_HEAD],
  ])('a chat frame truncated to %s is malformed', (_, length) => {
    const full = chatBytes(utf8.encode('hello'));
    expect(errorOf(decodeFrame(full.subarray(0, length)))).toMatchObject({ kind: 'malformed' });
  });

  it('a chat frame with text one byte over the maximum is malformed', () => {
    const bytes = chatBytes(new Uint8Array(MAX_TEXT_BYTES + 1).fill(0x61));
    expect(bytes.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(errorOf(decodeFrame(bytes))).toEqual({ kind: 'malformed', detail: 'chat: text too long' });
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a truncated two-byte sequence', [0x68, 0xc3]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate half', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a 0xff byte', [0x61, 0xff, 0x62]],
  ])('chat text with %s is not UTF-8', (_, text) => {
    expect(errorOf(decodeFrame(chatBytes(Uint8Array.from(text))))).toEqual({
      kind: 'malformed',
      detail: 'chat: text is not UTF-8',
    });
  });

  it('a hello whose name is not UTF-8 is malformed', () => {
    expect(errorOf(decodeFrame(helloBytes(Uint8Array.from([0x61, 0xfe]))))).toEqual({
      kind: 'malformed',
      detail: 'hello: name is not UTF-8',
    });
  });

  it.each([
    ['NaN', NaN],
    ['negative', -1],
    ['slightly negative', -0.001],
    ['+Infinity', Infinity],
    ['-Infinity', -Infinity],
  ])('a chat frame with a %s timestamp is malformed', (_, sentAt) => {
    expect(errorOf(decodeFrame(chatBytes(utf8.encode('hi'), sentAt)))).toEqual({
      kind: 'malformed',
      detail: 'chat: bad timestamp',
    });
  });

  it.each([
    ['claims more bytes than it carries', 5, 'bob'],
    ['claims fewer bytes than it carries', 2, 'bob'],
    ['claims a name but carries none', 3, ''],
    ['claims more than the maximum name length', MAX_NAME_BYTES + 1, 'x'.repeat(MAX_NAME_BYTES + 1)],
  ])('a hello whose length byte %s is malformed', (_, lengthByte, name) => {
    expect(errorOf(decodeFrame(helloBytes(utf8.encode(name), lengthByte)))).toEqual({
      kind: 'malformed',
      detail: 'hello: name length',
    });
  });

  it('a hello with no length byte at all is malformed', () => {
    expect(errorOf(decodeFrame(Uint8Array.from([PROTOCOL_VERSION, FrameKind.Hello])))).toEqual({
      kind: 'malformed',
      detail: 'hello: name length',
    });
  });
});

describe('accept and decline frames', () => {
  it.each(['accept', 'decline'] as const)('%s round-trips as two bytes', (kind) => {
    const bytes = encodeFrame({ kind });
    expect(bytes).toHaveLength(2);
    expect(frameOf(decodeFrame(bytes))).toEqual({ kind });
  });

  it.each([
    [FrameKind.Accept, 'accept'],
    [FrameKind.Decline, 'decline'],
  ])('kind %i (%s) with a body is malformed', (kind, _name) => {
    expect(errorOf(decodeFrame(Uint8Array.of(PROTOCOL_VERSION, kind, 0)))).toMatchObject({ kind: 'malformed' });
  });
});

/** One valid frame of every kind, for the truncation and corruption sweeps below. */
const everyKind: Frame[] = [
  { kind: 'hello', name: 'Zoë' },
  { kind: 'chat', id: id(9), stream: 0x0102_0304, seq: 5, floor: 1, sentAt: 1_700_000_000_000, text: 'héllo' },
  { kind: 'accept' },
  { kind: 'decline' },
  {
    kind: 'introduce',
    presenceKey: new Uint8Array(PRESENCE_KEY_BYTES).fill(1),
    rendezvousSecret: new Uint8Array(RENDEZVOUS_SECRET_BYTES).fill(2),
    special: true,
    address: 'tincan-t-abc',
  },
  { kind: 'ack', stream: 7, upTo: 300 },
  { kind: 'keepalive' },
];

describe('frames cut short or damaged on the way', () => {
  it.each(everyKind.map((frame) => [frame.kind, frame] as const))(
    'every truncation of a %s frame is refused, or for a chat is that chat with less text',
    (_, frame) => {
      const bytes = encodeFrame(frame);
      for (let length = 0; length < bytes.length; length++) {
        const result = decodeFrame(bytes.slice(0, length));
        if (!result.ok) continue;
        // Chat text has no length of its own: cutting it at a character boundary leaves a shorter chat.
        expect(frame.kind).toBe('chat');
        expect(length).toBeGreaterThan(HEADER_BYTES + CHAT_HEAD);
        expect(result.frame).toEqual({ ...frame, text: expect.any(String) });
      }
    },
  );

  it('every frame with a byte appended is refused, except a chat (whose text it joins)', () => {
    for (const frame of everyKind) {
      const bytes = encodeFrame(frame);
      const longer = Uint8Array.from([...bytes, 0x61]);
      if (frame.kind === 'chat') expect(frameOf(decodeFrame(longer))).toMatchObject({ text: `${frame.text}a` });
      else expect(errorOf(decodeFrame(longer)).kind).toBe('malformed');
    }
  });

  it('random damage to any frame never throws: it decodes to a frame or to a typed error', () => {
    // A small seeded generator (mulberry32), so a failure can be replayed.
    let seed = 7;
    const random = () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const kinds = new Set(['not-bytes', 'too-large', 'too-short', 'unsupported-version', 'unknown-kind', 'malformed']);
    for (let round = 0; round < 2000; round++) {
      const frame = everyKind[round % everyKind.length] as Frame;
      const bytes = encodeFrame(frame);
      const flips = 1 + Math.floor(random() * 3);
      for (let i = 0; i < flips; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const result = decodeFrame(bytes);
      if (result.ok) expect(() => encodeFrame(result.frame)).not.toThrow();
      else expect(kinds.has(result.error.kind)).toBe(true);
    }
  });
});
