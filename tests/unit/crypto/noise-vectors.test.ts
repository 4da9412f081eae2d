/**
 * The Noise handshake against every `*_25519_*_SHA256` vector from cacophony and snow (see
 * ../shared/vectors/README.md). Each message's ciphertext must match byte for byte, each payload
 * must come back out, and the handshake hash must match where the vector gives one. After the
 * handshake, vector messages are transport messages: alternating initiator/responder (continuing
 * the handshake's alternation) for interactive patterns, initiator → responder only for one-way.
 * Every vector runs twice: X25519 in WebCrypto, and in noble (the fallback).
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../lib/bytes';
import type { Curve25519 } from '../../../lib/crypto/curve25519';
import { Handshake, type KeyPair, type NoiseCipher } from '../../../lib/crypto/noise';
import { parsePattern } from '../../../lib/crypto/noise-patterns';
import { x25519 } from '../../../lib/crypto/primitives';
import type { TransportCiphers } from '../../../lib/crypto/transport-cipher';
import { CURVES } from './curves';
import { hex, isRecord, optionalHex, readVectors, records, text } from './vectors';

type NoiseVector = Record<string, unknown>;

const file = readVectors('noise-25519-sha256.json');
const all = records(isRecord(file) ? file.vectors : undefined, 'noise vectors');
const NAME = /^Noise_(.+)_25519_(AESGCM|ChaChaPoly)_SHA256$/;

const noRandomness = (): Uint8Array => {
  throw new Error('a vector run must not need randomness: every ephemeral key is fixed');
};

const keyPair = (secret: Uint8Array | undefined): KeyPair | undefined =>
  secret ? x25519.keyPairFromSecret(secret) : undefined;

function psks(vector: NoiseVector, name: string): Uint8Array[] {
  const list = vector[name];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new Error(`${name} is not a list`);
  return list.map((item: unknown) => hex({ item }, 'item'));
}

function sides(vector: NoiseVector, curve: Curve25519) {
  const match = NAME.exec(text(vector, 'protocol_name'));
  const patternName = match?.[1];
  const cipher: NoiseCipher = match?.[2] === 'AESGCM' ? 'AESGCM' : 'ChaChaPoly';
  const pattern = patternName === undefined ? undefined : parsePattern(patternName);
  if (!patternName || !pattern) throw new Error(`unsupported ${text(vector, 'protocol_name')}`);
  const make = (side: 'init' | 'resp') => {
    const initiator = side === 'init';
    const remotePre = initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage;
    return Handshake.create({
      pattern: patternName,
      initiator,
      cipher,
      prologue: hex(vector, `${side}_prologue`),
      s: keyPair(optionalHex(vector, `${side}_static`)),
      rs: remotePre.length > 0 ? optionalHex(vector, `${side}_remote_static`) : undefined,
      e: keyPair(optionalHex(vector, `${side}_ephemeral`)),
      psks: psks(vector, `${side}_psks`),
      randomBytes: noRandomness,
      curve,
    });
  };
  return { pattern, initiator: make('init'), responder: make('resp') };
}

async function reproduce(vector: NoiseVector, curve: Curve25519): Promise<void> {
  const { pattern, initiator, responder } = sides(vector, curve);
  let transport: { initiator: TransportCiphers; responder: TransportCiphers } | undefined;
  for (const [index, message] of records(vector.messages, 'messages').entries()) {
    const payload = hex(message, 'payload');
    const expected = text(message, 'ciphertext');
    const fromInitiator = pattern.oneWay || index % 2 === 0;
    if (index < pattern.messages.length) {
      const [writer, reader] = fromInitiator ? [initiator, responder] : [responder, initiator];
      expect(writer.isMyTurn, `message ${index}: writer's turn`).toBe(true);
      expect(reader.isMyTurn, `message ${index}: reader waits`).toBe(false);
      const written = await writer.writeMessage(payload);
      expect(toHex(written), `handshake message ${index}`).toBe(expected);
      expect(toHex(await reader.readMessage(written)), `payload ${index}`).toBe(toHex(payload));
      continue;
    }
    expect(initiator.isComplete && responder.isComplete).toBe(true);
    transport ??= { initiator: initiator.split(), responder: responder.split() };
    const [sender, receiver] = fromInitiator
      ? [transport.initiator.send, transport.responder.receive]
      : [transport.responder.send, transport.initiator.receive];
    const sealed = await sender.seal(payload);
    expect(toHex(sealed), `transport message ${index}`).toBe(expected);
    expect(toHex(await receiver.open(sealed)), `transport payload ${index}`).toBe(toHex(payload));
  }
  expect(initiator.isComplete && responder.isComplete).toBe(true);
  expect(toHex(initiator.handshakeHash())).toBe(toHex(responder.handshakeHash()));
  const handshakeHash = optionalHex(vector, 'handshake_hash');
  if (handshakeHash) expect(toHex(initiator.handshakeHash())).toBe(toHex(handshakeHash));
}

const supported = all.filter((vector) => {
  const name = NAME.exec(text(vector, 'protocol_name'))?.[1];
  return name !== undefined && parsePattern(name) !== undefined;
});
const skipped = all.filter((vector) => !supported.includes(vector));
const label = (vector: NoiseVector, index: number) =>
  `${text(vector, 'protocol_name')} (${text(vector, '_source')} #${index})`;

describe('Noise handshakes reproduce the cacophony and snow vectors exactly', () => {
  it('every pattern in the file is one the engine runs', () => {
    // Report for humans; the assertion makes an unsupported pattern a failure, not a silent skip.
    console.info(`noise vectors: ${supported.length} run, ${skipped.length} skipped of ${all.length}`);
    expect(skipped.map((vector) => text(vector, 'protocol_name'))).toEqual([]);
  });

  it('the XX vectors our sessions rely on are all there (both ciphers, both sources)', () => {
    const xx = supported.map((vector) => text(vector, 'protocol_name')).filter((name) => /^Noise_XX_/.test(name));
    expect(xx.sort()).toEqual([
      'Noise_XX_25519_AESGCM_SHA256',
      'Noise_XX_25519_AESGCM_SHA256',
      'Noise_XX_25519_ChaChaPoly_SHA256',
      'Noise_XX_25519_ChaChaPoly_SHA256',
    ]);
  });
});

describe.each(CURVES)('every vector, with X25519 in %s', (_, curve) => {
  it.each(supported.map((vector, index) => [label(vector, index), vector] as const))('%s', async (_, vector) => {
    await reproduce(vector, curve);
  });
});
