/**
 * A file's fingerprint for a transfer: SHA-256 of each piece, and the root, SHA-256 over the
 * piece hashes in order. The sender reads the file once before offering it; the receiver checks
 * each piece before storing it and the whole file against the root before calling it done.
 * WebCrypto's digest is native (it runs at the disk's pace); one piece is in memory at a time.
 */
import type { FileDigest } from '../store/transfer-store';

/**
 * 1 MiB: a receiver holds a few pieces in memory while they are checked and stored, a resume
 * loses at most the piece in hand, and a 1 GiB file has 1024 hashes (32 KiB).
 */
export const PIECE_BYTES = 1024 * 1024;
const HASH_BYTES = 32;

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export function rootOf(hashes: Uint8Array): Promise<Uint8Array> {
  return sha256(hashes);
}

/** Piece `index` of a file, read from disk (a Blob is read lazily). */
export async function readPiece(file: Blob, pieceBytes: number, index: number): Promise<Uint8Array> {
  const start = index * pieceBytes;
  return new Uint8Array(await file.slice(start, Math.min(file.size, start + pieceBytes)).arrayBuffer());
}

export async function digestFile(
  file: Blob,
  pieceBytes = PIECE_BYTES,
  progress?: (bytesRead: number) => void,
): Promise<FileDigest> {
  const pieces = Math.ceil(file.size / pieceBytes);
  const hashes = new Uint8Array(pieces * HASH_BYTES);
  for (let index = 0; index < pieces; index += 1) {
    hashes.set(await sha256(await readPiece(file, pieceBytes, index)), index * HASH_BYTES);
    progress?.(Math.min(file.size, (index + 1) * pieceBytes));
  }
  return { pieceBytes, pieces, hashes, root: await rootOf(hashes) };
}

export function pieceHash(digest: FileDigest, index: number): Uint8Array {
  return digest.hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
}
