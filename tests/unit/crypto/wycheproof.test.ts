/**
 * Wycheproof (C2SP/wycheproof testvectors_v1) against our wrappers: valid cases must pass and
 * invalid ones be refused. "Acceptable" cases, where the standard lets an implementation choose,
 * only occur for X25519; what we do with them is stated in that test. X25519 and Ed25519 run
 * through both implementations we may use: WebCrypto and noble.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../lib/bytes';
import { NoiseError } from '../../../lib/crypto/noise-error';
import { type AeadAlgorithm, aeadKey, ed25519, hkdfSha256, hmacSha256 } from '../../../lib/crypto/primitives';
import { CURVES } from './curves';
import { hex, isRecord, num, readVectors, records, text } from './vectors';

type Case = { group: Record<string, unknown>; test: Record<string, unknown> };

function cases(file: string): Case[] {
  const data = readVectors(`wycheproof/${file}`);
  if (!isRecord(data)) throw new Error(`${file} is not an object`);
  return records(data.testGroups, 'testGroups').flatMap((group) =>
    records(group.tests, 'tests').map((test) => ({ group, test })),
  );
}

const named = (list: Case[]) =>
  list.map(
    ({ group, test }) =>
      [`tcId ${num(test, 'tcId')} ${text(test, 'result')} ${text(test, 'comment')}`, group, test] as const,
  );

describe.each(CURVES)('X25519 in %s (Wycheproof)', (_, curve) => {
  const all = cases('x25519_test.json');
  const zero = '00'.repeat(32);

  it.each(named(all))('%s', async (_, _group, test) => {
    const result = text(test, 'result');
    const secret = await curve.importX25519Secret(hex(test, 'private'));
    const computed = secret.sharedSecret(hex(test, 'public'));
    // Acceptable cases are low-order, twist or non-canonical public keys. We compute the RFC 7748
    // result for all of them (as the RFC requires for non-canonical u) except where it is all
    // zeros: a zero shared secret is refused, since any attacker can predict it.
    if (result === 'invalid' || text(test, 'shared') === zero) {
      await expect(computed).rejects.toThrow(NoiseError);
      await expect(computed).rejects.toMatchObject({
        kind: 'bad-key',
        message: expect.stringMatching(/low order|all zeros/),
      });
      return;
    }
    expect(['valid', 'acceptable']).toContain(result);
    expect(toHex(await computed)).toBe(text(test, 'shared'));
  });

  it('includes the zero-shared-secret cases we refuse', () => {
    const refused = all.filter(({ test }) => text(test, 'shared') === zero);
    expect(refused.length).toBeGreaterThanOrEqual(31);
  });
});

const ed25519Cases = named(cases('ed25519_test.json'));
const ed25519Key = (group: Record<string, unknown>) =>
  isRecord(group.publicKey) ? hex(group.publicKey, 'pk') : new Uint8Array();

describe('Ed25519 verification, synchronous noble (Wycheproof)', () => {
  it.each(ed25519Cases)('%s', (_, group, test) => {
    const verified = ed25519.verify(ed25519Key(group), hex(test, 'msg'), hex(test, 'sig'));
    expect(verified).toBe(text(test, 'result') === 'valid');
  });
});

describe.each(CURVES)('Ed25519 verification in %s (Wycheproof)', (_, curve) => {
  it.each(ed25519Cases)('%s', async (_, group, test) => {
    const verified = await curve.verifyEd25519(ed25519Key(group), hex(test, 'msg'), hex(test, 'sig'));
    expect(verified).toBe(text(test, 'result') === 'valid');
  });
});

async function checkAead(algorithm: AeadAlgorithm, test: Record<string, unknown>): Promise<void> {
  const key = aeadKey(algorithm, hex(test, 'key'));
  const [iv, aad, msg] = [hex(test, 'iv'), hex(test, 'aad'), hex(test, 'msg')];
  const sealedHex = text(test, 'ct') + text(test, 'tag');
  const sealed = hex({ sealedHex }, 'sealedHex');
  if (text(test, 'result') === 'valid') {
    expect(toHex(await key.seal(iv, aad, msg))).toBe(sealedHex);
    expect(toHex(await key.open(iv, aad, sealed))).toBe(toHex(msg));
    return;
  }
  if (iv.length !== 12) {
    // Only 96-bit nonces exist in Noise; other sizes are refused before any cryptography.
    await expect(key.seal(iv, aad, msg)).rejects.toThrow(RangeError);
    await expect(key.open(iv, aad, sealed)).rejects.toThrow(RangeError);
    return;
  }
  await expect(key.open(iv, aad, sealed)).rejects.toMatchObject({ kind: 'decrypt-failed' });
}

describe('AES-256-GCM through WebCrypto (Wycheproof, 96-bit IV and 128-bit tag: the cases Noise uses)', () => {
  const all = cases('aes_gcm_test.json');
  const ours = all.filter(({ group }) => group.keySize === 256 && group.ivSize === 96 && group.tagSize === 128);

  it('covers every 256-bit-key, 96-bit-IV case, valid and invalid', () => {
    console.info(`wycheproof aes-gcm: ${ours.length} run, ${all.length - ours.length} other key/IV sizes skipped`);
    expect(ours.length).toBe(66);
  });

  it.each(named(ours))('%s', async (_, _group, test) => {
    await checkAead('AES-256-GCM', test);
  });
});

describe('ChaCha20-Poly1305 (Wycheproof)', () => {
  it.each(named(cases('chacha20_poly1305_test.json')))('%s', async (_, _group, test) => {
    await checkAead('ChaCha20-Poly1305', test);
  });
});

describe('HKDF-SHA256 (Wycheproof)', () => {
  it.each(named(cases('hkdf_sha256_test.json')))('%s', (_, _group, test) => {
    const derive = () => hkdfSha256(hex(test, 'ikm'), hex(test, 'salt'), hex(test, 'info'), num(test, 'size'));
    if (text(test, 'result') === 'valid') expect(toHex(derive())).toBe(text(test, 'okm'));
    else expect(derive).toThrow(RangeError);
  });
});

describe('HMAC-SHA256 (Wycheproof, full and truncated tags)', () => {
  it.each(named(cases('hmac_sha256_test.json')))('%s', (_, group, test) => {
    const tagBytes = num(group, 'tagSize') / 8;
    const mac = toHex(hmacSha256(hex(test, 'key'), hex(test, 'msg')).subarray(0, tagBytes));
    expect(mac === text(test, 'tag')).toBe(text(test, 'result') === 'valid');
  });
});
