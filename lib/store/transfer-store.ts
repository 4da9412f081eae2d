/**
 * File transfers in IndexedDB: the files people chose to send (sources), one record per
 * transfer either way, and the pieces a receiver holds. The popup stores a source (a `File`
 * cannot cross runtime messaging, but the popup and the agent share the extension's origin);
 * the agent does the rest. Pieces are stored as Blobs, so a browser keeps them on disk and a
 * finished file is a Blob of Blobs: memory stays flat whatever the size.
 */
import type { IndexedDBHost } from './chat-store';
import { committed, request } from './idb-requests';

export const TRANSFER_DB_NAME = 'tincan-transfers';
const TRANSFER_DB_VERSION = 1;
const SOURCES = 'sources';
const TRANSFERS = 'transfers';
const PIECES = 'pieces';

export type FileSource = {
  id: string;
  blob: Blob;
  name: string;
  type: string;
  addedAt: number;
  /** Set once the agent has read and hashed it; shared by every transfer of this file. */
  digest?: FileDigest;
};

/** A source read once and hashed piece by piece (lib/transfer/file-digest.ts). */
export type FileDigest = { pieceBytes: number; pieces: number; root: Uint8Array; hashes: Uint8Array };

export type TransferRecordStatus = 'offered' | 'accepted' | 'done' | 'declined' | 'cancelled' | 'failed';

export type TransferRecord = {
  id: string;
  direction: 'outgoing' | 'incoming';
  contactKey: string;
  name: string;
  type: string;
  size: number;
  pieceBytes: number;
  pieces: number;
  root: Uint8Array;
  status: TransferRecordStatus;
  createdAt: number;
  /** Outgoing: where the bytes are read from. */
  sourceId?: string;
  problem?: { kind: 'damaged' | 'storage' | 'download'; detail: string };
  /** Incoming and done: the file reached downloads. */
  saved?: boolean;
};

/** Where a receiver keeps pieces; a Node benchmark may bring one on disk. */
export interface PieceStore {
  /** Durable once resolved. Pieces arrive in order: `index` is always the count stored so far. */
  put(transferId: string, index: number, bytes: Uint8Array, hash: Uint8Array): Promise<void>;
  /** How many pieces, from the first, are stored (a resume starts there). */
  count(transferId: string): Promise<number>;
  hashes(transferId: string, count: number): Promise<Uint8Array[]>;
  /** The stored pieces as one file, read lazily. */
  file(transferId: string, type: string): Promise<Blob>;
  remove(transferId: string): Promise<void>;
}

export interface TransferStore {
  putSource(source: FileSource): Promise<void>;
  source(id: string): Promise<FileSource | undefined>;
  deleteSource(id: string): Promise<void>;
  /** Every record that reads back whole; others are skipped and counted. */
  transfers(): Promise<{ records: TransferRecord[]; skipped: number }>;
  putTransfers(records: readonly TransferRecord[]): Promise<void>;
  /** The record and any pieces. */
  deleteTransfer(id: string): Promise<void>;
  pieces: PieceStore;
  close(): void;
}

export class TransferStoreError extends Error {
  constructor(
    readonly kind: 'storage-full' | 'storage-unavailable',
    detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = 'TransferStoreError';
  }
}

function storeError(error: unknown): TransferStoreError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  const detail = error instanceof Error ? error.message : String(error);
  return new TransferStoreError(name === 'QuotaExceededError' ? 'storage-full' : 'storage-unavailable', detail);
}

/** A transaction's end, its failure in our words. */
const done = (tx: IDBTransaction): Promise<void> =>
  committed(tx).catch((error: unknown) => {
    throw storeError(error);
  });

function openDatabase(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const opening = factory.open(TRANSFER_DB_NAME, TRANSFER_DB_VERSION);
    opening.onupgradeneeded = () => {
      const db = opening.result;
      if (!db.objectStoreNames.contains(SOURCES)) db.createObjectStore(SOURCES, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(TRANSFERS)) db.createObjectStore(TRANSFERS, { keyPath: 'id' });
      // Key [transferId, index]: a transfer's pieces are one key range, in order.
      if (!db.objectStoreNames.contains(PIECES)) db.createObjectStore(PIECES);
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(storeError(opening.error));
    opening.onblocked = () => reject(new TransferStoreError('storage-unavailable', 'another tab holds an old version'));
  });
}

const HEX_ID = /^[0-9a-f]{32}$/;
const STATUSES = new Set(['offered', 'accepted', 'done', 'declined', 'cancelled', 'failed']);

/** Our own records, but read back from disk: checked before the agent trusts them. */
export function isTransferRecord(value: unknown): value is TransferRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  return (
    typeof r.id === 'string' &&
    HEX_ID.test(r.id) &&
    (r.direction === 'outgoing' || r.direction === 'incoming') &&
    typeof r.contactKey === 'string' &&
    typeof r.name === 'string' &&
    typeof r.type === 'string' &&
    count(r.size) &&
    count(r.pieceBytes) &&
    count(r.pieces) &&
    r.root instanceof Uint8Array &&
    r.root.length === 32 &&
    typeof r.status === 'string' &&
    STATUSES.has(r.status) &&
    typeof r.createdAt === 'number' &&
    (r.sourceId === undefined || typeof r.sourceId === 'string')
  );
}

function isFileSource(value: unknown): value is FileSource {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.id === 'string' && r.blob instanceof Blob && typeof r.name === 'string' && typeof r.type === 'string';
}

type StoredPiece = { data: Blob | Uint8Array; hash: Uint8Array };

export async function openTransferStore(host: IndexedDBHost): Promise<TransferStore> {
  const db = await openDatabase(host.indexedDB);
  const range = (transferId: string) => host.IDBKeyRange.bound([transferId, 0], [transferId, Number.MAX_SAFE_INTEGER]);
  // Browsers keep a stored Blob on disk; a Uint8Array would be read back into memory whole.
  const asStored = (bytes: Uint8Array): Blob => new Blob([bytes as Uint8Array<ArrayBuffer>]);

  const readPieces = async (transferId: string): Promise<StoredPiece[]> => {
    const tx = db.transaction(PIECES, 'readonly');
    return (await request(tx.objectStore(PIECES).getAll(range(transferId)))) as StoredPiece[];
  };

  const pieces: PieceStore = {
    async put(transferId, index, bytes, hash) {
      const tx = db.transaction(PIECES, 'readwrite');
      tx.objectStore(PIECES).put({ data: asStored(bytes), hash } satisfies StoredPiece, [transferId, index]);
      await done(tx);
    },
    async count(transferId) {
      const tx = db.transaction(PIECES, 'readonly');
      const keys = (await request(tx.objectStore(PIECES).getAllKeys(range(transferId)))) as Array<[string, number]>;
      let n = 0;
      while (n < keys.length && keys[n]?.[1] === n) n += 1;
      return n;
    },
    async hashes(transferId, count) {
      const stored = await readPieces(transferId);
      return stored.slice(0, count).map((piece) => piece.hash);
    },
    async file(transferId, type) {
      const stored = await readPieces(transferId);
      return new Blob(
        stored.map((piece) => piece.data as Blob | Uint8Array<ArrayBuffer>),
        { type },
      );
    },
    async remove(transferId) {
      const tx = db.transaction(PIECES, 'readwrite');
      tx.objectStore(PIECES).delete(range(transferId));
      await done(tx);
    },
  };

  return {
    pieces,
    async putSource(source) {
      const tx = db.transaction(SOURCES, 'readwrite');
      tx.objectStore(SOURCES).put(source);
      await done(tx);
    },
    async source(id) {
      const tx = db.transaction(SOURCES, 'readonly');
      const found: unknown = await request(tx.objectStore(SOURCES).get(id));
      return isFileSource(found) ? found : undefined;
    },
    async deleteSource(id) {
      const tx = db.transaction(SOURCES, 'readwrite');
      tx.objectStore(SOURCES).delete(id);
      await done(tx);
    },
    async transfers() {
      const tx = db.transaction(TRANSFERS, 'readonly');
      const all: unknown[] = await request(tx.objectStore(TRANSFERS).getAll());
      const records = all.filter(isTransferRecord);
      return { records, skipped: all.length - records.length };
    },
    async putTransfers(records) {
      if (records.length === 0) return;
      const tx = db.transaction(TRANSFERS, 'readwrite');
      for (const record of records) tx.objectStore(TRANSFERS).put(record);
      await done(tx);
    },
    async deleteTransfer(id) {
      const tx = db.transaction([TRANSFERS, PIECES], 'readwrite');
      tx.objectStore(TRANSFERS).delete(id);
      tx.objectStore(PIECES).delete(range(id));
      await done(tx);
    },
    close: () => db.close(),
  };
}

/**
 * The popup's half: keeps a chosen file where the agent can read it, and returns its id for
 * `sendFiles`. A browser stores the File's bytes (not a path), so a send survives a restart.
 */
export async function saveFileSource(
  host: IndexedDBHost,
  file: { blob: Blob; name: string; type: string },
  id: string,
  now: number,
): Promise<void> {
  const store = await openTransferStore(host);
  try {
    await store.putSource({ id, blob: file.blob, name: file.name, type: file.type, addedAt: now });
  } finally {
    store.close();
  }
}
