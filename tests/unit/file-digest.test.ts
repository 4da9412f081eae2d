/**
 * A file's fingerprint against Node's OpenSSL: each piece's SHA-256, and the root as SHA-256
 * over the piece hashes in order, at the sizes where piece arithmetic goes wrong.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../lib/crypto/primitives';
import { digestFile, pieceHash, readPiece, rootOf, sha256 } from '../../lib/transfer/file-digest';

const PIECE = 16 * 1024;
const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

/** Seeded bytes: a failure replays. */
function bytesOf(length: number, seed = 7): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i += 1) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** What the digest should be, computed independently. */
function expected(bytes: Uint8Array, pieceBytes: number) {
  const hashes: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += pieceBytes) hashes.push(sha(bytes.subarray(at, at + pieceBytes)));
  const all = new Uint8Array(hashes.length * 32);
  for (const [index, hash] of hashes.entries()) all.set(hash, index * 32);
  return { hashes, all, root: sha(all) };
}

describe('a file digest', () => {
  it.each([
    ['an empty file', 0, 0],
    ['one byte', 1, 1],
    ['exactly one piece', PIECE, 1],
    ['one piece and one byte', PIECE + 1, 2],
    ['several pieces, the last short', 3 * PIECE + 1000, 4],
    ['several whole pieces', 5 * PIECE, 5],
  ])('of %s has each piece hash and the root Node computes', async (_, size, pieces) => {
    const bytes = bytesOf(size);
    const digest = await digestFile(new Blob([bytes]), PIECE);
    const want = expected(bytes, PIECE);
    expect(digest.pieceBytes).toBe(PIECE);
    expect(digest.pieces).toBe(pieces);
    expect(digest.hashes).toEqual(want.all);
    for (let index = 0; index < pieces; index += 1) expect(pieceHash(digest, index)).toEqual(want.hashes[index]);
    expect(digest.root).toEqual(want.root);
  });

  it('of an empty file has no pieces and the root of nothing: SHA-256 of no bytes', async () => {
    const digest = await digestFile(new Blob([]), PIECE);
    expect(digest.hashes.length).toBe(0);
    expect(Buffer.from(digest.root).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('reports progress after each piece, ending at the file size', async () => {
    const seen: number[] = [];
    await digestFile(new Blob([bytesOf(2 * PIECE + 5)]), PIECE, (read) => seen.push(read));
    expect(seen).toEqual([PIECE, 2 * PIECE, 2 * PIECE + 5]);
  });

  it('changes with any one byte of the file', async () => {
    const bytes = bytesOf(2 * PIECE + 3);
    const before = await digestFile(new Blob([bytes]), PIECE);
    bytes[PIECE + 9] = (bytes[PIECE + 9] ?? 0) ^ 1;
    const after = await digestFile(new Blob([bytes]), PIECE);
    expect(pieceHash(after, 0)).toEqual(pieceHash(before, 0));
    expect(pieceHash(after, 1)).not.toEqual(pieceHash(before, 1));
    expect(after.root).not.toEqual(before.root);
  });

  it('sha256 and rootOf are SHA-256', async () => {
    const bytes = bytesOf(1000);
    expect(await sha256(bytes)).toEqual(sha(bytes));
    expect(await rootOf(bytes)).toEqual(sha(bytes));
  });
});

describe('reading a piece', () => {
  const bytes = bytesOf(3 * PIECE + 10);
  const file = new Blob([bytes]);

  it('gives each whole piece, and the last one short', async () => {
    expect(await readPiece(file, PIECE, 0)).toEqual(bytes.subarray(0, PIECE));
    expect(await readPiece(file, PIECE, 2)).toEqual(bytes.subarray(2 * PIECE, 3 * PIECE));
    expect(await readPiece(file, PIECE, 3)).toEqual(bytes.subarray(3 * PIECE));
    expect((await readPiece(file, PIECE, 3)).length).toBe(10);
  });

  it('past the end of the file gives nothing', async () => {
    expect((await readPiece(file, PIECE, 4)).length).toBe(0);
    expect((await readPiece(file, PIECE, 1000)).length).toBe(0);
    expect((await readPiece(new Blob([]), PIECE, 0)).length).toBe(0);
  });

  it('of a file of exactly whole pieces ends at the file’s end', async () => {
    const whole = new Blob([bytesOf(2 * PIECE)]);
    expect((await readPiece(whole, PIECE, 1)).length).toBe(PIECE);
    expect((await readPiece(whole, PIECE, 2)).length).toBe(0);
  });
});

describe('comparing hashes', () => {
  it('is equal only for the same length and bytes', () => {
    expect(equalBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
