import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../lib/bytes';
import { MAX_NONCE, type NoiseCipher } from '../../../lib/crypto/noise-cipher';
import { NoiseError } from '../../../lib/crypto/noise-error';
import { createTransportCipher, type TransportCipher } from '../../../lib/crypto/transport-cipher';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const CIPHERS: NoiseCipher[] = ['AESGCM', 'ChaChaPoly'];
const bytes = (...values: number[]) => Uint8Array.from(values);
const message = (i: number, length = 20 + (i % 13)) => Uint8Array.from({ length }, (_, j) => (i * 31 + j) & 0xff);

function pair(cipher: NoiseCipher, sendInterval?: number, receiveInterval = sendInterval) {
  return {
    send: createTransportCipher({ cipher, key: KEY, rekeyInterval: sendInterval }),
    receive: createTransportCipher({ cipher, key: KEY, rekeyInterval: receiveInterval }),
  };
}

/** Node's own AEAD, as an independent reference for the nonce layout and for REKEY. */
function referenceSeal(cipher: NoiseCipher, key: Uint8Array, n: bigint, plaintext: Uint8Array): Uint8Array {
  const nonce = Buffer.alloc(12);
  if (cipher === 'AESGCM') nonce.writeBigUInt64BE(n, 4);
  else nonce.writeBigUInt64LE(n, 4);
  const engine =
    cipher === 'AESGCM'
      ? createCipheriv('aes-256-gcm', key, nonce)
      : createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  return Buffer.concat([engine.update(plaintext), engine.final(), engine.getAuthTag()]);
}
const referenceRekey = (cipher: NoiseCipher, key: Uint8Array) =>
  referenceSeal(cipher, key, MAX_NONCE, new Uint8Array(32)).subarray(0, 32);

const sealAll = (sender: TransportCipher, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => sender.seal(message(i))));

describe.each(CIPHERS)('transport cipher (%s)', (cipher) => {
  it('puts the counter in the nonce as the Noise spec says (4 zero bytes, then 64 bits)', async () => {
    const { send } = pair(cipher);
    const sealed = await sealAll(send, 6);
    for (const [n, ciphertext] of sealed.entries()) {
      expect(toHex(ciphertext)).toBe(toHex(referenceSeal(cipher, KEY, BigInt(n), message(n))));
    }
  });

  it('seals and opens many frames started without awaiting: nonces and results in call order', async () => {
    const { send, receive } = pair(cipher);
    const settled: number[] = [];
    const sealing = Array.from({ length: 64 }, (_, i) =>
      send.seal(message(i)).then((ciphertext) => {
        settled.push(i);
        return ciphertext;
      }),
    );
    expect(send.messages).toBe(64);
    const sealed = await Promise.all(sealing);
    expect(settled).toEqual([...settled].sort((a, b) => a - b));
    // The same frames sealed one at a time give byte-identical output: the nonce was the call order.
    const sequential = pair(cipher).send;
    for (const [i, ciphertext] of sealed.entries()) {
      expect(toHex(await sequential.seal(message(i)))).toBe(toHex(ciphertext));
    }
    const opened = await Promise.all(sealed.map((ciphertext) => receive.open(ciphertext)));
    expect(opened.map(toHex)).toEqual(sealed.map((_, i) => toHex(message(i))));
  });

  it('frames opened out of order fail: the receiver expects the next counter', async () => {
    const { send, receive } = pair(cipher);
    const [first, second] = await sealAll(send, 2);
    if (!first || !second) throw new Error('sealing failed');
    await expect(receive.open(second)).rejects.toMatchObject({ kind: 'decrypt-failed' });
  });

  it('a caller may reuse its buffer as soon as seal returns, even before the key is imported', async () => {
    const { send, receive } = pair(cipher, 2);
    const buffer = new Uint8Array(32);
    const pending: Promise<Uint8Array>[] = [];
    for (let i = 0; i < 6; i++) {
      buffer.fill(i);
      pending.push(send.seal(buffer));
    }
    buffer.fill(0xee);
    for (const [i, sealed] of (await Promise.all(pending)).entries()) {
      expect(toHex(await receive.open(sealed))).toBe(toHex(new Uint8Array(32).fill(i)));
    }
  });

  it('rekeys every interval on both sides with no signalling, as REKEY() of §11.3 computes', async () => {
    const interval = 3;
    const { send, receive } = pair(cipher, interval);
    const sealed = await sealAll(send, 10);
    let key: Uint8Array = KEY;
    for (const [n, ciphertext] of sealed.entries()) {
      if (n > 0 && n % interval === 0) key = referenceRekey(cipher, key);
      expect(toHex(ciphertext), `message ${n}`).toBe(toHex(referenceSeal(cipher, key, BigInt(n), message(n))));
    }
    for (const [n, ciphertext] of sealed.entries())
      expect(toHex(await receive.open(ciphertext))).toBe(toHex(message(n)));
  });

  it('a receiver that does not rekey at the same count fails at the first rekeyed frame', async () => {
    const { send, receive } = pair(cipher, 3, 1000);
    const sealed = await sealAll(send, 4);
    for (const ciphertext of sealed.slice(0, 3)) await receive.open(ciphertext);
    await expect(receive.open(sealed[3] ?? new Uint8Array())).rejects.toMatchObject({ kind: 'decrypt-failed' });
  });

  it('never seals two frames under one nonce: equal plaintexts give distinct ciphertexts', async () => {
    const { send } = pair(cipher, 5);
    const sealed = await Promise.all(Array.from({ length: 40 }, () => send.seal(bytes(1, 2, 3))));
    expect(new Set(sealed.map(toHex)).size).toBe(40);
  });

  it('refuses to go past nonce 2^64 - 2 instead of wrapping', async () => {
    const send = createTransportCipher({ cipher, key: KEY, firstNonce: MAX_NONCE - 2n });
    const last = await send.seal(bytes(9));
    expect(toHex(last)).toBe(toHex(referenceSeal(cipher, KEY, MAX_NONCE - 2n, bytes(9))));
    await send.seal(bytes(9));
    await expect(send.seal(bytes(9))).rejects.toThrow(NoiseError);
    await expect(send.seal(bytes(9))).rejects.toMatchObject({ kind: 'bad-state' });
  });

  it('one bad frame ends the receive side: every later open rejects, in flight or not', async () => {
    const { send, receive } = pair(cipher);
    const [a, b, c, d] = await sealAll(send, 4);
    if (!a || !b || !c || !d) throw new Error('sealing failed');
    const forged = b.slice();
    forged[0] = (forged[0] ?? 0) ^ 1;
    const results = await Promise.allSettled([receive.open(a), receive.open(forged), receive.open(c)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    await expect(receive.open(d)).rejects.toMatchObject({ kind: 'decrypt-failed' });
  });

  it('tampering with any byte, truncating, or replaying a frame fails', async () => {
    const { send } = pair(cipher);
    const [sealed] = await sealAll(send, 1);
    if (!sealed) throw new Error('sealing failed');
    for (let i = 0; i < sealed.length; i++) {
      const tampered = sealed.slice();
      tampered[i] = (tampered[i] ?? 0) ^ 0x80;
      await expect(pair(cipher).receive.open(tampered), `byte ${i}`).rejects.toMatchObject({ kind: 'decrypt-failed' });
    }
    for (const short of [sealed.subarray(0, sealed.length - 1), sealed.subarray(0, 15), new Uint8Array()]) {
      await expect(pair(cipher).receive.open(short)).rejects.toMatchObject({ kind: 'decrypt-failed' });
    }
    const { receive } = pair(cipher);
    await receive.open(sealed);
    await expect(receive.open(sealed)).rejects.toMatchObject({ kind: 'decrypt-failed' });
  });

  it('empty frames are fine: 16 bytes of tag', async () => {
    const { send, receive } = pair(cipher);
    const sealed = await send.seal(new Uint8Array());
    expect(sealed).toHaveLength(16);
    expect(await receive.open(sealed)).toHaveLength(0);
  });
});

it('a rekey interval must be a positive integer', () => {
  for (const rekeyInterval of [0, -1, 1.5, Number.NaN]) {
    expect(() => createTransportCipher({ cipher: 'AESGCM', key: KEY, rekeyInterval })).toThrow(RangeError);
  }
});
