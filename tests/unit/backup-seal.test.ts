/**
 * The backup file format: what it seals opens with the passphrase and nothing else, any change
 * to the file is refused, a hostile header costs nothing, and an independent implementation
 * (Node's OpenSSL scrypt, HKDF and AES-256-GCM) opens what we seal.
 */
import { createDecipheriv, hkdfSync, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openBackup, type ScryptParams, sealBackup } from '../../lib/crypto/backup-seal';

const FAST: ScryptParams = { logN: 10, r: 8, p: 1 };
const counter = () => {
  let n = 0;
  return (length: number) => Uint8Array.from({ length }, () => n++ & 0xff);
};
const plaintext = new TextEncoder().encode('{"format":"tincan-backup","contacts":[]}');

describe('a backup file', () => {
  it('opens with its passphrase (NFKC: the same words typed on another keyboard) and not without', async () => {
    const file = await sealBackup(plaintext, 'Cafe\u0301 🍵 passphrase', counter(), FAST);
    expect(await openBackup(file, 'Café 🍵 passphrase')).toEqual({ ok: true, plaintext });
    expect(await openBackup(file, 'Cafe 🍵 passphrase')).toMatchObject({
      ok: false,
      error: { kind: 'wrong-passphrase-or-damaged' },
    });
  });

  it('any single changed byte, in the header or the body, is refused', async () => {
    const file = await sealBackup(plaintext, 'correct horse', counter(), FAST);
    const kinds = new Set<string>();
    for (let i = 0; i < file.length; i++) {
      const bad = file.slice();
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      const opened = await openBackup(bad, 'correct horse');
      expect(opened.ok, `byte ${i}`).toBe(false);
      if (!opened.ok) kinds.add(opened.error.kind);
    }
    expect([...kinds].sort()).toEqual(['newer-version', 'not-a-backup', 'wrong-passphrase-or-damaged']);
  });

  it('a truncated file, or something else entirely, is not a backup', async () => {
    const file = await sealBackup(plaintext, 'pw-pw-pw', counter(), FAST);
    for (const bytes of [new Uint8Array(0), file.subarray(0, 20), new TextEncoder().encode('{"json":true}')]) {
      expect(await openBackup(bytes, 'pw-pw-pw')).toMatchObject({ ok: false, error: { kind: 'not-a-backup' } });
    }
    expect(await openBackup(file.subarray(0, file.length - 1), 'pw-pw-pw')).toMatchObject({ ok: false });
  });

  it('a header asking for an absurd amount of memory is refused before any work', async () => {
    const file = await sealBackup(plaintext, 'pw-pw-pw', counter(), FAST);
    const greedy = file.slice();
    greedy[15] = 40; // N = 2^40
    const started = performance.now();
    expect(await openBackup(greedy, 'pw-pw-pw')).toMatchObject({
      ok: false,
      error: { kind: 'wrong-passphrase-or-damaged' },
    });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('Node’s own scrypt, HKDF and AES-256-GCM open what we seal (an independent implementation)', async () => {
    const file = await sealBackup(plaintext, 'independent check', counter(), FAST);
    const salt = file.subarray(18, 34);
    const nonce = file.subarray(34, 46);
    const stretched = scryptSync(Buffer.from('independent check'.normalize('NFKC')), salt, 32, {
      N: 2 ** FAST.logN,
      r: FAST.r,
      p: FAST.p,
    });
    const key = Buffer.from(hkdfSync('sha256', stretched, Buffer.alloc(0), 'tincan/backup/v1', 32));
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(file.subarray(0, 46));
    decipher.setAuthTag(file.subarray(file.length - 16));
    const opened = Buffer.concat([decipher.update(file.subarray(46, file.length - 16)), decipher.final()]);
    expect(new Uint8Array(opened)).toEqual(plaintext);
  });
});
