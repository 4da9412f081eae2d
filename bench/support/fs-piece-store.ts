/**
 * A receiver's pieces on disk, for benchmarks in Node: fake-indexeddb keeps everything in the
 * process's memory, so a receiver's memory could not be measured with it. Per transfer, one data
 * file (piece `index` at `index * pieceBytes`) and one file of 32-byte hashes in piece order;
 * the count of stored pieces is the hash file's length / 32. A piece's bytes are written before
 * its hash, so a counted piece is always whole.
 */
import { openAsBlob } from 'node:fs';
import { type FileHandle, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PieceStore } from '../../lib/store/transfer-store';
import { PIECE_BYTES } from '../../lib/transfer/file-digest';

const HASH_BYTES = 32;

/** `dir` is created if need be; the store never writes outside it. */
export function fsPieceStore(dir: string, pieceBytes = PIECE_BYTES): PieceStore {
  const ready = mkdir(dir, { recursive: true });
  // Transfer ids are 32 hex digits (checked), so a peer's id can never name a path elsewhere.
  const pathsOf = (transferId: string) => {
    if (!/^[0-9a-f]{32}$/.test(transferId)) throw new Error(`not a transfer id: ${transferId.slice(0, 40)}`);
    return { data: join(dir, `${transferId}.data`), hashes: join(dir, `${transferId}.hashes`) };
  };
  const handles = new Map<string, Promise<{ data: FileHandle; hashes: FileHandle }>>();
  const handlesOf = (transferId: string) => {
    let found = handles.get(transferId);
    if (!found) {
      const paths = pathsOf(transferId);
      // Written through 'r+' handles: on Linux an 'a' handle appends whatever offset is asked.
      // 'a' only creates the files (keeping what a restarted receiver already has).
      found = ready.then(async () => {
        await (await open(paths.data, 'a')).close();
        await (await open(paths.hashes, 'a')).close();
        return { data: await open(paths.data, 'r+'), hashes: await open(paths.hashes, 'r+') };
      });
      handles.set(transferId, found);
    }
    return found;
  };
  const sizeOf = async (path: string) => (await stat(path).catch(() => undefined))?.size ?? 0;

  return {
    async put(transferId, index, bytes, hash) {
      if (hash.length !== HASH_BYTES) throw new Error('a piece hash is 32 bytes');
      const { data, hashes } = await handlesOf(transferId);
      await data.write(bytes, 0, bytes.length, index * pieceBytes);
      await hashes.write(hash, 0, HASH_BYTES, index * HASH_BYTES);
    },
    async count(transferId) {
      return Math.floor((await sizeOf(pathsOf(transferId).hashes)) / HASH_BYTES);
    },
    async hashes(transferId, count) {
      const stored = await this.count(transferId);
      const wanted = Math.min(count, stored);
      if (wanted === 0) return [];
      const { hashes } = await handlesOf(transferId);
      const all = new Uint8Array(wanted * HASH_BYTES);
      await hashes.read(all, 0, all.length, 0);
      return Array.from({ length: wanted }, (_, i) => all.slice(i * HASH_BYTES, (i + 1) * HASH_BYTES));
    },
    async file(transferId, type) {
      const { data } = pathsOf(transferId);
      await handlesOf(transferId);
      // Read lazily from disk, as the browser's Blob of stored Blobs is.
      return openAsBlob(data, { type });
    },
    async remove(transferId) {
      const paths = pathsOf(transferId);
      const open = handles.get(transferId);
      handles.delete(transferId);
      if (open) {
        const { data, hashes } = await open;
        await Promise.allSettled([data.close(), hashes.close()]);
      }
      await rm(paths.data, { force: true });
      await rm(paths.hashes, { force: true });
    },
  };
}
