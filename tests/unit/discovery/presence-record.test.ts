import { describe, expect, it } from 'vitest';
import { ed25519 } from '../../../lib/crypto/primitives';
import {
  MAX_PRESENCE_BYTES,
  MAX_PRESENCE_TTL_MS,
  type PresenceFields,
  presenceName,
  signPresence,
  verifyPresence,
} from '../../../lib/discovery/presence-record';

const NOW = 1_750_000_000_000;
const seed = new Uint8Array(32).fill(1);
const otherSeed = new Uint8Array(32).fill(2);
const fields: PresenceFields = {
  name: 'Ada',
  discoveryId: 'tincan-abcdefghijklmnop-d-qrstuvwxyz234567',
  contactTag: new Uint8Array(32).fill(9),
  expiresAt: NOW + 120_000,
};

describe('presence records', () => {
  it('round-trip: what a member signs, everyone reads back', async () => {
    const bytes = signPresence(fields, seed);
    const result = await verifyPresence(bytes, NOW);
    if (!result.ok) throw new Error(result.kind);
    expect(result.record).toEqual({ ...fields, discoveryKey: ed25519.publicKeyFromSeed(seed) });
    expect(result.bytes).toEqual(bytes);
    expect(bytes.length).toBe(1 + 32 + 32 + 8 + 1 + fields.discoveryId.length + 1 + 3 + 64);
  });

  it('lays out the fields at fixed offsets', () => {
    const bytes = signPresence(fields, seed);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 33)).toEqual(ed25519.publicKeyFromSeed(seed));
    expect(bytes.subarray(33, 65)).toEqual(fields.contactTag);
    expect(new DataView(bytes.buffer).getBigUint64(65)).toBe(BigInt(fields.expiresAt));
    expect(bytes[73]).toBe(fields.discoveryId.length);
    expect(bytes[74 + fields.discoveryId.length]).toBe(3);
  });

  it('any flipped bit anywhere makes the record fail: the router cannot alter it', async () => {
    const bytes = signPresence(fields, seed);
    for (let i = 0; i < bytes.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const altered = bytes.slice();
        altered[i] = (altered[i] ?? 0) ^ bit;
        const result = await verifyPresence(altered, NOW);
        expect(result.ok, `byte ${i} bit ${bit}`).toBe(false);
      }
    }
  });

  it('a record signed by another key than the one it carries fails', async () => {
    const bytes = signPresence(fields, seed);
    const forged = signPresence(fields, otherSeed);
    forged.set(bytes.subarray(1, 33), 1);
    expect(await verifyPresence(forged, NOW)).toEqual({ ok: false, kind: 'bad-signature' });
  });

  it('is refused once expired, and when it claims to live too long', async () => {
    const bytes = signPresence(fields, seed);
    expect(await verifyPresence(bytes, fields.expiresAt)).toMatchObject({ ok: false, kind: 'expired' });
    const eternal = signPresence({ ...fields, expiresAt: NOW + MAX_PRESENCE_TTL_MS + 1 }, seed);
    expect(await verifyPresence(eternal, NOW)).toMatchObject({ ok: false, kind: 'expiry-too-far' });
  });

  it('reports a bad signature before an expiry', async () => {
    const bytes = signPresence(fields, seed);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    expect(await verifyPresence(bytes, fields.expiresAt + 1)).toEqual({ ok: false, kind: 'bad-signature' });
  });

  it('refuses malformed input of every shape', async () => {
    const bytes = signPresence(fields, seed);
    const cases: unknown[] = [
      undefined,
      'text',
      Array.from(bytes),
      bytes.buffer,
      new Uint8Array(0),
      bytes.subarray(0, 100),
      new Uint8Array(MAX_PRESENCE_BYTES + 1),
      Uint8Array.from([2, ...bytes.subarray(1)]),
      Uint8Array.from([...bytes, 0]),
    ];
    for (const input of cases) expect(await verifyPresence(input, NOW)).toMatchObject({ ok: false, kind: 'malformed' });
  });

  it('refuses an expiry beyond 2^53 and a discovery id that is none', async () => {
    const huge = signPresence(fields, seed);
    new DataView(huge.buffer).setBigUint64(65, 2n ** 60n);
    expect(await verifyPresence(huge, NOW)).toMatchObject({ kind: 'malformed', detail: 'expiry out of range' });
    expect(() => signPresence({ ...fields, discoveryId: 'tincan-t-abcdefgh' }, seed)).toThrow(RangeError);
  });

  it('a signed name with control or bidi characters is shown without them', async () => {
    const raw = signPresence({ ...fields, name: 'Eve' }, seed);
    // Sign a record by hand whose name bytes carry an RLO override: still valid, shown plain.
    const name = new TextEncoder().encode('Ev\u202ee');
    const body = new Uint8Array(raw.length - 64 - 3 + name.length);
    body.set(raw.subarray(0, 74 + fields.discoveryId.length));
    body[74 + fields.discoveryId.length] = name.length;
    body.set(name, 75 + fields.discoveryId.length);
    const label = new TextEncoder().encode('tincan/presence/v1');
    const signature = ed25519.sign(seed, Uint8Array.from([...label, ...body]));
    const result = await verifyPresence(Uint8Array.from([...body, ...signature]), NOW);
    expect(result.ok && result.record.name).toBe('Eve');
  });

  it('names are cut to 40 characters at a character boundary and cleaned before signing', () => {
    expect(presenceName(`${'😀'.repeat(50)}`)).toBe('😀'.repeat(40));
    expect(presenceName(' \u202eAda\u0007 ')).toBe('Ada');
    expect(presenceName(`${'a'.repeat(39)} b`)).toBe('a'.repeat(39));
  });

  it('the largest record fits MAX_PRESENCE_BYTES', async () => {
    const longId = `${'r'.repeat(60)}-abcdefghijklmnop-d-${'a'.repeat(20)}`;
    expect(longId).toHaveLength(100);
    const bytes = signPresence({ ...fields, discoveryId: longId, name: '😀'.repeat(40) }, seed);
    expect(bytes.length).toBe(MAX_PRESENCE_BYTES);
    expect((await verifyPresence(bytes, NOW)).ok).toBe(true);
  });
});
