/**
 * The backup file format: what it seals opens with the passphrase and nothing else, any change
 * to the file is refused, a hostile header costs nothing, and independent implementations agree
 * with it — known answers from Python's scrypt and `cryptography` (tests/data/backup-seal-vectors.py),
 * and Node's OpenSSL opening what we seal.
 */

import { createDecipheriv, hkdfSync, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromHex, toHex } from '../../lib/bytes';
import { DEFAULT_SCRYPT, openBackup, type ScryptParams, sealBackup } from '../../lib/crypto/backup-seal';

const FAST: ScryptParams = { logN: 10, r: 8, p: 1 };
const counter = () => {
  let n = 0;
  return (length: number) => Uint8Array.from({ length }, () => n++ & 0xff);
};
const plaintext = new TextEncoder().encode('{"format":"tincan-backup","contacts":[]}');
const LOG_N_AT = 15;
const R_AT = 16;
const P_AT = 17;

const vectors = z
  .array(
    z.object({
      name: z.string(),
      passphrase: z.string(),
      logN: z.number(),
      r: z.number(),
      p: z.number(),
      salt: z.string(),
      nonce: z.string(),
      plaintext: z.string(),
      file: z.string(),
    }),
  )
  .parse(JSON.parse(readFileSync(new URL('../data/backup-seal-vectors.json', import.meta.url), 'utf8')));

/** Gives the salt, then the nonce, as sealBackup asks for them. */
const fixed = (...parts: Uint8Array[]) => {
  const queue = [...parts];
  return (length: number) => {
    const next = queue.shift();
    if (next?.length !== length) throw new Error(`asked for ${length} bytes`);
    return next;
  };
};

describe('a backup file', () => {
  it('opens with its passphrase (NFKC: the same words typed on another keyboard) and not without', async () => {
    const file = await sealBackup(plaintext, 'Cafe\u0301 🍵 passphrase', counter(), FAST);
    expect(await openBackup(file, 'Café 🍵 passphrase')).toEqual({ ok: true, plaintext });
    expect(await openBackup(file, 'Cafe 🍵 passphrase')).toMatchObject({
      ok: false,
      error: { kind: 'wrong-passphrase-or-damaged' },
    });
  });

  it('an empty backup round-trips too', async () => {
    const file = await sealBackup(new Uint8Array(0), 'correct horse', counter(), FAST);
    expect(await openBackup(file, 'correct horse')).toEqual({ ok: true, plaintext: new Uint8Array(0) });
  });

  it('any single changed byte, in the header or the body, is refused', async () => {
    const file = await sealBackup(plaintext, 'correct horse', counter(), FAST);
    const kinds = new Set<string>();
    for (let i = 0; i < file.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const bad = file.slice();
        bad[i] = (bad[i] ?? 0) ^ flip;
        const opened = await openBackup(bad, 'correct horse');
        expect(opened.ok, `byte ${i} ^ ${flip}`).toBe(false);
        if (!opened.ok) kinds.add(opened.error.kind);
      }
    }
    expect([...kinds].sort()).toEqual(['newer-version', 'not-a-backup', 'wrong-passphrase-or-damaged']);
  });

  it('a truncated file never opens: cut in the magic it is not a backup, after it it is damaged', async () => {
    const file = await sealBackup(plaintext, 'pw-pw-pw', counter(), FAST);
    for (let length = 0; length < file.length; length++) {
      const opened = await openBackup(file.subarray(0, length), 'pw-pw-pw');
      expect(opened.ok, `${length} bytes`).toBe(false);
      if (!opened.ok) expect(opened.error.kind).toBe(length <= 14 ? 'not-a-backup' : 'wrong-passphrase-or-damaged');
    }
    expect(await openBackup(new TextEncoder().encode('{"json":true}'), 'pw-pw-pw')).toMatchObject({
      ok: false,
      error: { kind: 'not-a-backup' },
    });
  });

  it('a backup from a newer Tincan says so, and an impossible version 0 is damage', async () => {
    const file = await sealBackup(plaintext, 'pw-pw-pw', counter(), FAST);
    const newer = file.slice();
    newer[14] = 2;
    expect(await openBackup(newer.subarray(0, 15), 'pw-pw-pw')).toMatchObject({ error: { kind: 'newer-version' } });
    const zero = file.slice();
    zero[14] = 0;
    expect(await openBackup(zero, 'pw-pw-pw')).toMatchObject({ error: { kind: 'wrong-passphrase-or-damaged' } });
  });

  it('a header asking for gigabytes, or hours, is refused before any work', async () => {
    const file = await sealBackup(plaintext, 'pw-pw-pw', counter(), FAST);
    const greedy: Array<[number, number]>[] = [
      [[LOG_N_AT, 40]], // N = 2^40
      [[LOG_N_AT, 255]],
      [
        [LOG_N_AT, 20],
        [R_AT, 8],
      ], // 1 GiB
      [
        [LOG_N_AT, 17],
        [R_AT, 255],
      ], // 4 GiB
      [
        [LOG_N_AT, 17],
        [P_AT, 255],
      ], // 128 MiB, but 255 times the work: minutes
      [[R_AT, 0]],
      [[P_AT, 0]],
      [[LOG_N_AT, 0]],
    ];
    for (const changes of greedy) {
      const bad = file.slice();
      for (const [at, value] of changes) bad[at] = value;
      const started = performance.now();
      const opened = await openBackup(bad, 'pw-pw-pw');
      expect(opened, JSON.stringify(changes)).toMatchObject({
        ok: false,
        error: { kind: 'wrong-passphrase-or-damaged' },
      });
      expect(performance.now() - started, JSON.stringify(changes)).toBeLessThan(1_000);
    }
    await expect(sealBackup(plaintext, 'pw-pw-pw', counter(), { logN: 20, r: 8, p: 1 })).rejects.toThrow(RangeError);
  });

  it('matches known answers written by an independent implementation (Python, OpenSSL)', async () => {
    expect(vectors.map((v) => v.name)).toEqual(['small N, a passphrase NFKC changes', 'the default parameters']);
    for (const vector of vectors) {
      const params = { logN: vector.logN, r: vector.r, p: vector.p };
      const sealed = await sealBackup(
        new TextEncoder().encode(vector.plaintext),
        vector.passphrase,
        fixed(fromHex(vector.salt), fromHex(vector.nonce)),
        params,
      );
      expect(toHex(sealed), vector.name).toBe(vector.file);
      const opened = await openBackup(fromHex(vector.file), vector.passphrase.normalize('NFC'));
      expect(opened.ok && new TextDecoder().decode(opened.plaintext), vector.name).toBe(vector.plaintext);
    }
    expect(vectors[1]).toMatchObject(DEFAULT_SCRYPT);
  }, 20_000);

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
