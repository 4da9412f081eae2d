import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../lib/bytes';
import { type Curve25519, nobleCurve25519 } from '../../../lib/crypto/curve25519';
import { Handshake, type HandshakeOptions, MAX_NOISE_MESSAGE, type NoiseCipher } from '../../../lib/crypto/noise';
import { x25519 } from '../../../lib/crypto/primitives';
import { webCryptoCurve25519 } from '../../../lib/crypto/webcrypto-curve25519';
import { CURVES } from './curves';

const randomBytes = (length: number) => new Uint8Array(nodeRandomBytes(length));
const utf8 = (text: string) => new TextEncoder().encode(text);
const alice = x25519.generateKeyPair(randomBytes);
const bob = x25519.generateKeyPair(randomBytes);
const webCrypto = webCryptoCurve25519(globalThis.crypto.subtle);

function xx(initiator: boolean, overrides: Partial<HandshakeOptions> = {}): Handshake {
  return Handshake.create({
    pattern: 'XX',
    initiator,
    cipher: 'AESGCM',
    prologue: utf8('tincan/noise/v1 test'),
    s: initiator ? alice : bob,
    randomBytes,
    ...overrides,
  });
}

/** Runs XX to the end; returns both sides and the three messages as they crossed the wire. */
async function completeXX(cipher: NoiseCipher = 'AESGCM', prologue = utf8('session A')) {
  const initiator = xx(true, { cipher, prologue });
  const responder = xx(false, { cipher, prologue });
  const m1 = await initiator.writeMessage(new Uint8Array());
  await responder.readMessage(m1);
  const m2 = await responder.writeMessage(utf8('bob proof'));
  expect(await initiator.readMessage(m2)).toEqual(utf8('bob proof'));
  const m3 = await initiator.writeMessage(utf8('alice proof'));
  expect(await responder.readMessage(m3)).toEqual(utf8('alice proof'));
  return { initiator, responder, m1, m2, m3 };
}

const kindOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof Error && 'kind' in error ? error.kind : String(error)),
  );

describe.each<NoiseCipher>(['AESGCM', 'ChaChaPoly'])('an XX session (%s)', (cipher) => {
  it('authenticates both static keys, agrees on h, and splits into working ciphers both ways', async () => {
    const { initiator, responder, m1 } = await completeXX(cipher);
    expect(m1).toHaveLength(32);
    expect(initiator.isComplete && responder.isComplete).toBe(true);
    expect(initiator.isMyTurn || responder.isMyTurn).toBe(false);
    expect(initiator.remoteStatic()).toEqual(bob.publicKey);
    expect(responder.remoteStatic()).toEqual(alice.publicKey);
    expect(toHex(initiator.handshakeHash())).toBe(toHex(responder.handshakeHash()));
    const a = initiator.split();
    const b = responder.split();
    expect(await b.receive.open(await a.send.seal(utf8('hi bob')))).toEqual(utf8('hi bob'));
    expect(await a.receive.open(await b.send.seal(utf8('hi alice')))).toEqual(utf8('hi alice'));
  });
});

describe('handshake misuse and bad input are NoiseErrors', () => {
  it('wrong turn is refused without ending the handshake', async () => {
    const initiator = xx(true);
    const responder = xx(false);
    expect(initiator.isMyTurn).toBe(true);
    expect(responder.isMyTurn).toBe(false);
    expect(await kindOf(responder.writeMessage(new Uint8Array()))).toBe('bad-state');
    expect(await kindOf(initiator.readMessage(new Uint8Array(32)))).toBe('bad-state');
    await responder.readMessage(await initiator.writeMessage(new Uint8Array()));
    expect(responder.isMyTurn).toBe(true);
  });

  it('a second call while one is in flight is refused', async () => {
    const initiator = xx(true);
    const first = initiator.writeMessage(new Uint8Array());
    expect(await kindOf(initiator.writeMessage(new Uint8Array()))).toBe('bad-state');
    expect(await first).toHaveLength(32);
  });

  it('short and oversized messages are bad messages, and end the handshake', async () => {
    const short = xx(false);
    expect(await kindOf(short.readMessage(new Uint8Array(31)))).toBe('bad-message');
    expect(await kindOf(short.readMessage(new Uint8Array(32)))).toBe('bad-state');
    expect(await kindOf(xx(false).readMessage(new Uint8Array(MAX_NOISE_MESSAGE + 1)))).toBe('bad-message');
    const initiator = xx(true);
    const responder = xx(false);
    await responder.readMessage(await initiator.writeMessage(new Uint8Array()));
    const m2 = await responder.writeMessage(new Uint8Array());
    // e (32) + encrypted s (48) + a tag: anything shorter cannot carry the tag.
    expect(await kindOf(initiator.readMessage(m2.subarray(0, 32 + 48 + 15)))).toBe('bad-message');
  });

  it('a payload too big for one message is refused before anything changes', async () => {
    const initiator = xx(true);
    expect(await kindOf(initiator.writeMessage(new Uint8Array(MAX_NOISE_MESSAGE - 31)))).toBe('bad-message');
    expect(await initiator.writeMessage(new Uint8Array(MAX_NOISE_MESSAGE - 32))).toHaveLength(MAX_NOISE_MESSAGE);
  });

  it('any flipped byte in message 2 or 3 fails to decrypt, and the handshake is over', async () => {
    const start = async () => {
      const initiator = xx(true);
      const responder = xx(false);
      await responder.readMessage(await initiator.writeMessage(new Uint8Array()));
      return { initiator, responder, m2: await responder.writeMessage(utf8('proof')) };
    };
    const { m2: sample } = await start();
    for (let index = 0; index < sample.length; index++) {
      const { initiator, m2 } = await start();
      expect(await kindOf(initiator.readMessage(flip(m2, index))), `m2 byte ${index}`).toBe('decrypt-failed');
      expect(await kindOf(initiator.writeMessage(new Uint8Array()))).toBe('bad-state');
    }
    const { initiator: i0, m2: s2 } = await start();
    await i0.readMessage(s2);
    const sample3 = await i0.writeMessage(utf8('proof'));
    for (let index = 0; index < sample3.length; index++) {
      const { initiator, responder, m2 } = await start();
      await initiator.readMessage(m2);
      const m3 = flip(await initiator.writeMessage(utf8('proof')), index);
      expect(await kindOf(responder.readMessage(m3)), `m3 byte ${index}`).toBe('decrypt-failed');
      expect(() => responder.split()).toThrow(/not complete/);
    }
  });

  it('a low-order ephemeral key from the peer is refused as a bad key', async () => {
    const lowOrder = new Uint8Array(32); // u = 0
    const responder = xx(false);
    await responder.readMessage(lowOrder);
    expect(await kindOf(responder.writeMessage(new Uint8Array()))).toBe('bad-key');

    const initiator = xx(true);
    const real = xx(false);
    await real.readMessage(await initiator.writeMessage(new Uint8Array()));
    const m2 = await real.writeMessage(new Uint8Array());
    m2.set(Uint8Array.of(1), 0); // u = 1, also low order
    m2.fill(0, 1, 32);
    expect(await kindOf(initiator.readMessage(m2))).toBe('bad-key');
  });

  it('h and the transport keys exist only once complete, and split works only once', async () => {
    const fresh = xx(true);
    expect(() => fresh.handshakeHash()).toThrow(/not complete/);
    expect(() => fresh.split()).toThrow(/not complete/);
    const { initiator } = await completeXX();
    initiator.split();
    expect(() => initiator.split()).toThrow(/already split/);
  });

  it('options that do not fit the pattern are refused up front', () => {
    const refusal = (options: Partial<HandshakeOptions>) => {
      try {
        xx(true, options);
        return 'created';
      } catch (error) {
        return error instanceof Error && 'kind' in error ? error.kind : 'other';
      }
    };
    expect(refusal({ s: undefined })).toBe('bad-key');
    expect(refusal({ rs: bob.publicKey })).toBe('bad-state');
    expect(refusal({ pattern: 'XY' })).toBe('bad-state');
    expect(refusal({ pattern: 'XXpsk9' })).toBe('bad-state');
    expect(refusal({ s: { publicKey: bob.publicKey.subarray(1), secretKey: alice.secretKey } })).toBe('bad-key');
    expect(refusal({ pattern: 'XXpsk3' })).toBe('bad-key');
    expect(refusal({ pattern: 'NK' })).toBe('bad-key');
    expect(refusal({ pattern: 'NK', rs: bob.publicKey })).toBe('created');
  });

  it('a static key pair whose halves do not belong together is refused as a bad key before it is used', async () => {
    const mismatched = { publicKey: bob.publicKey, secretKey: alice.secretKey };
    for (const [, curve] of CURVES) {
      // The initiator's first two messages do not use its static key; its third sends it.
      const initiator = xx(true, { s: mismatched, curve });
      const responder = xx(false, { curve });
      await responder.readMessage(await initiator.writeMessage(new Uint8Array()));
      await initiator.readMessage(await responder.writeMessage(new Uint8Array()));
      expect(await kindOf(initiator.writeMessage(new Uint8Array()))).toBe('bad-key');
      // The responder's second message sends it and uses it in es.
      const wrongResponder = xx(false, { s: mismatched, curve });
      await wrongResponder.readMessage(await xx(true, { curve }).writeMessage(new Uint8Array()));
      expect(await kindOf(wrongResponder.writeMessage(new Uint8Array()))).toBe('bad-key');
      // Not remembered as checked: it fails again.
      const again = xx(false, { s: mismatched, curve });
      await again.readMessage(await xx(true, { curve }).writeMessage(new Uint8Array()));
      expect(await kindOf(again.writeMessage(new Uint8Array()))).toBe('bad-key');
    }
  });

  it('ephemeral keys come from the randomBytes seam, and a short read is refused', async () => {
    const [a, b] = [await xx(true).writeMessage(new Uint8Array()), await xx(true).writeMessage(new Uint8Array())];
    expect(toHex(a)).not.toBe(toHex(b));
    const starved = xx(true, { randomBytes: (length) => new Uint8Array(length - 1) });
    expect(await kindOf(starved.writeMessage(new Uint8Array()))).toBe('bad-state');
  });

  it('different prologues (another connection) never agree: message 2 fails to decrypt', async () => {
    const initiator = xx(true, { prologue: utf8('connection 1') });
    const responder = xx(false, { prologue: utf8('connection 2') });
    await responder.readMessage(await initiator.writeMessage(new Uint8Array()));
    expect(await kindOf(initiator.readMessage(await responder.writeMessage(new Uint8Array())))).toBe('decrypt-failed');
  });
});

describe('X25519 in WebCrypto or in noble: the same handshake', () => {
  it.each(CURVES)('a low-order ephemeral key is refused as a bad key (%s)', async (_, curve) => {
    const responder = xx(false, { curve });
    await responder.readMessage(new Uint8Array(32));
    expect(await kindOf(responder.writeMessage(new Uint8Array()))).toBe('bad-key');
  });

  it('an initiator on one and a responder on the other agree on everything', async () => {
    for (const [initiatorCurve, responderCurve] of [
      [webCrypto, nobleCurve25519],
      [nobleCurve25519, webCrypto],
    ]) {
      const initiator = xx(true, { curve: initiatorCurve });
      const responder = xx(false, { curve: responderCurve });
      await responder.readMessage(await initiator.writeMessage(new Uint8Array()));
      await initiator.readMessage(await responder.writeMessage(utf8('bob')));
      expect(await responder.readMessage(await initiator.writeMessage(utf8('alice')))).toEqual(utf8('alice'));
      expect(toHex(initiator.handshakeHash())).toBe(toHex(responder.handshakeHash()));
    }
  });

  it('a static key is checked and imported once, not once per handshake', async () => {
    const counted = countingCurve(webCrypto);
    const carol = x25519.generateKeyPair(randomBytes);
    for (let round = 0; round < 3; round++) {
      // Fresh copies each time, as a profile loaded from storage would give.
      const s = { publicKey: carol.publicKey.slice(), secretKey: carol.secretKey.slice() };
      const initiator = xx(true, { s, curve: counted.curve });
      const responder = xx(false, { curve: counted.curve });
      await responder.readMessage(await initiator.writeMessage(new Uint8Array()));
      await initiator.readMessage(await responder.writeMessage(new Uint8Array()));
      await responder.readMessage(await initiator.writeMessage(new Uint8Array()));
    }
    // Per handshake: two ephemeral keys, each imported and its public key computed; the two
    // static keys only in the first round.
    expect(counted.imports).toBe(3 * 2 + 2);
    expect(counted.publicKeys).toBe(3 * 2 + 2);
  });
});

describe('replayed handshake messages get an attacker nowhere', () => {
  it.each([
    ['a new connection (different prologue)', utf8('session B')],
    ['even the same prologue', utf8('session A')],
  ])('msg 1 replayed to Bob draws a fresh msg 2; the recorded msg 3 cannot answer it — %s', async (_, prologue) => {
    const recorded = await completeXX('AESGCM', utf8('session A'));
    const bobAgain = xx(false, { prologue });
    await bobAgain.readMessage(recorded.m1);
    const freshM2 = await bobAgain.writeMessage(utf8('bob proof'));
    expect(toHex(freshM2.subarray(0, 32))).not.toBe(toHex(recorded.m2.subarray(0, 32)));
    expect(await kindOf(bobAgain.readMessage(recorded.m3))).toBe('decrypt-failed');
    expect(bobAgain.isComplete).toBe(false);
  });

  it('msg 2 replayed to a new initiator fails: its ephemeral key is new', async () => {
    const recorded = await completeXX('AESGCM', utf8('session A'));
    const aliceAgain = xx(true, { prologue: utf8('session A') });
    await aliceAgain.writeMessage(new Uint8Array());
    expect(await kindOf(aliceAgain.readMessage(recorded.m2))).toBe('decrypt-failed');
  });
});

/** Wraps a curve to count secret-key imports and public-key computations. */
function countingCurve(inner: Curve25519) {
  const counts = { imports: 0, publicKeys: 0 };
  const curve: Curve25519 = {
    ...inner,
    async importX25519Secret(secretKey) {
      counts.imports += 1;
      const secret = await inner.importX25519Secret(secretKey);
      return {
        publicKey: () => {
          counts.publicKeys += 1;
          return secret.publicKey();
        },
        sharedSecret: (publicKey) => secret.sharedSecret(publicKey),
      };
    },
  };
  return {
    curve,
    get imports() {
      return counts.imports;
    },
    get publicKeys() {
      return counts.publicKeys;
    },
  };
}

function flip(message: Uint8Array, index: number): Uint8Array {
  const copy = message.slice();
  copy[index] = (copy[index] ?? 0) ^ 1;
  return copy;
}
