/**
 * The transfer store over fake-indexeddb: the files chosen to send, one record per transfer,
 * and the pieces a receiver holds — counted from the first, read back as the bytes put, and gone
 * with their transfer and no other.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { IndexedDBHost } from '../../lib/store/chat-store';
import {
  openTransferStore,
  saveFileSource,
  TRANSFER_DB_NAME,
  type TransferRecord,
} from '../../lib/store/transfer-store';
import { rawPut } from '../support/raw-idb';

const host = (): IndexedDBHost => ({ indexedDB: new IDBFactory(), IDBKeyRange });
const tid = (n: number) => n.toString(16).padStart(32, '0');
const T1 = tid(1);
const T2 = tid(2);
const bytesOf = (length: number, fill: number) => Uint8Array.from({ length }, (_, i) => (fill + i) & 0xff);
const hashOf = (n: number) => new Uint8Array(32).fill(n);
const blobBytes = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

const record = (id: string, extra: Partial<TransferRecord> = {}): TransferRecord => ({
  id,
  direction: 'incoming',
  contactKey: 'b2'.repeat(32),
  name: 'notes.txt',
  type: 'text/plain',
  size: 40_000,
  pieceBytes: 16_384,
  pieces: 3,
  root: hashOf(9),
  status: 'accepted',
  createdAt: 1_700_000_000_000,
  ...extra,
});

describe('sources: the files chosen to send', () => {
  it('a source is kept with its bytes, read back, and deleted', async () => {
    const store = await openTransferStore(host());
    const bytes = bytesOf(5000, 3);
    await store.putSource({ id: 's1', blob: new Blob([bytes]), name: 'a.bin', type: 'x/y', addedAt: 5 });
    const found = await store.source('s1');
    expect(found).toMatchObject({ id: 's1', name: 'a.bin', type: 'x/y', addedAt: 5 });
    expect(found?.blob).toBeInstanceOf(Blob);
    expect(await blobBytes(found?.blob ?? new Blob())).toEqual(bytes);
    await store.deleteSource('s1');
    expect(await store.source('s1')).toBeUndefined();
    expect(await store.source('never')).toBeUndefined();
    store.close();
  });

  it('a digest added later is kept with the source', async () => {
    const store = await openTransferStore(host());
    const source = { id: 's1', blob: new Blob([bytesOf(10, 0)]), name: 'a', type: '', addedAt: 1 };
    await store.putSource(source);
    const digest = { pieceBytes: 16_384, pieces: 1, root: hashOf(1), hashes: hashOf(2) };
    await store.putSource({ ...source, digest });
    expect((await store.source('s1'))?.digest).toEqual(digest);
    store.close();
  });

  it('the popup saves a source the agent opens later (same origin, same database)', async () => {
    const h = host();
    await saveFileSource(h, { blob: new Blob([bytesOf(100, 1)]), name: 'photo.jpg', type: 'image/jpeg' }, 's9', 42);
    const store = await openTransferStore(h);
    const found = await store.source('s9');
    expect(found).toMatchObject({ id: 's9', name: 'photo.jpg', type: 'image/jpeg', addedAt: 42 });
    expect(await blobBytes(found?.blob ?? new Blob())).toEqual(bytesOf(100, 1));
    store.close();
  });

  it('a stored source that is not one (no Blob) reads as missing', async () => {
    const h = host();
    (await openTransferStore(h)).close();
    await rawPut(h, TRANSFER_DB_NAME, 'sources', { id: 'bad', blob: 'not a blob', name: 'x', type: '' });
    const store = await openTransferStore(h);
    expect(await store.source('bad')).toBeUndefined();
    store.close();
  });
});

describe('transfer records', () => {
  it('records survive closing and opening the store (a restart) as they were written', async () => {
    const h = host();
    const first = await openTransferStore(h);
    const outgoing = record(T1, { direction: 'outgoing', sourceId: 's1', status: 'offered' });
    const incoming = record(T2, {
      status: 'failed',
      problem: { kind: 'damaged', detail: 'The file does not match what was offered.' },
      saved: false,
    });
    await first.putTransfers([outgoing, incoming]);
    first.close();
    const second = await openTransferStore(h);
    const { records, skipped } = await second.transfers();
    expect(skipped).toBe(0);
    expect(records.sort((a, b) => a.id.localeCompare(b.id))).toEqual([outgoing, incoming]);
    second.close();
  });

  it('writing a record again replaces it', async () => {
    const store = await openTransferStore(host());
    await store.putTransfers([record(T1)]);
    await store.putTransfers([record(T1, { status: 'done', saved: true })]);
    expect((await store.transfers()).records).toEqual([record(T1, { status: 'done', saved: true })]);
    await store.putTransfers([]);
    store.close();
  });

  it.each([
    ['not an object', 'hello'],
    ['an id that is not 32 hex digits', { ...record(T1), id: 'xyz' }],
    ['an unknown direction', { ...record(T1), direction: 'sideways' }],
    ['an unknown status', { ...record(T1), status: 'verifying' }],
    ['a negative size', { ...record(T1), size: -1 }],
    ['a fractional piece count', { ...record(T1), pieces: 1.5 }],
    ['a root of the wrong length', { ...record(T1), root: new Uint8Array(31) }],
    ['a root that is not bytes', { ...record(T1), root: 'abc' }],
    ['a source id that is not a string', { ...record(T1), sourceId: 7 }],
    ['no creation time', { ...record(T1), createdAt: undefined }],
  ])('a record that is %s is skipped and counted; the others are read', async (_, bad) => {
    const h = host();
    const store = await openTransferStore(h);
    await store.putTransfers([record(T2)]);
    await rawPut(h, TRANSFER_DB_NAME, 'transfers', typeof bad === 'object' ? bad : { id: T1, value: bad });
    expect(await store.transfers()).toEqual({ records: [record(T2)], skipped: 1 });
    store.close();
  });
});

describe('pieces a receiver holds', () => {
  it('are counted from the first, and read back as the file that was put', async () => {
    const store = await openTransferStore(host());
    const parts = [bytesOf(16_384, 1), bytesOf(16_384, 2), bytesOf(100, 3)];
    expect(await store.pieces.count(T1)).toBe(0);
    for (const [index, part] of parts.entries()) {
      await store.pieces.put(T1, index, part, hashOf(index));
      expect(await store.pieces.count(T1)).toBe(index + 1);
    }
    expect(await store.pieces.hashes(T1, 3)).toEqual([hashOf(0), hashOf(1), hashOf(2)]);
    expect(await store.pieces.hashes(T1, 2)).toEqual([hashOf(0), hashOf(1)]);
    const file = await store.pieces.file(T1, 'text/plain');
    expect(file.type).toBe('text/plain');
    expect(file.size).toBe(16_384 * 2 + 100);
    expect(await blobBytes(file)).toEqual(new Uint8Array(Buffer.concat(parts)));
    store.close();
  });

  it('a piece written again replaces the first copy', async () => {
    const store = await openTransferStore(host());
    await store.pieces.put(T1, 0, bytesOf(10, 1), hashOf(1));
    await store.pieces.put(T1, 0, bytesOf(10, 7), hashOf(7));
    expect(await store.pieces.count(T1)).toBe(1);
    expect(await blobBytes(await store.pieces.file(T1, ''))).toEqual(bytesOf(10, 7));
    expect(await store.pieces.hashes(T1, 1)).toEqual([hashOf(7)]);
    store.close();
  });

  it('a gap stops the count: a resume starts at the first missing piece', async () => {
    const store = await openTransferStore(host());
    for (const index of [0, 1, 3, 4]) await store.pieces.put(T1, index, bytesOf(10, index), hashOf(index));
    expect(await store.pieces.count(T1)).toBe(2);
    const gapAtStart = await openTransferStore(host());
    await gapAtStart.pieces.put(T2, 1, bytesOf(10, 1), hashOf(1));
    expect(await gapAtStart.pieces.count(T2)).toBe(0);
    store.close();
    gapAtStart.close();
  });

  it('each transfer counts and reads only its own pieces', async () => {
    const store = await openTransferStore(host());
    await store.pieces.put(T1, 0, bytesOf(10, 1), hashOf(1));
    await store.pieces.put(T2, 0, bytesOf(20, 2), hashOf(2));
    await store.pieces.put(T2, 1, bytesOf(20, 3), hashOf(3));
    expect(await store.pieces.count(T1)).toBe(1);
    expect(await store.pieces.count(T2)).toBe(2);
    expect(await blobBytes(await store.pieces.file(T1, ''))).toEqual(bytesOf(10, 1));
    expect(await store.pieces.hashes(T2, 5)).toEqual([hashOf(2), hashOf(3)]);
    store.close();
  });

  it('pieces stay in index order past 10 (numbers, not strings, as keys)', async () => {
    const store = await openTransferStore(host());
    for (const index of [2, 0, 11, 1, 10, 3, 4, 5, 6, 7, 8, 9])
      await store.pieces.put(T1, index, Uint8Array.of(index), hashOf(index));
    expect(await store.pieces.count(T1)).toBe(12);
    expect(await blobBytes(await store.pieces.file(T1, ''))).toEqual(Uint8Array.from({ length: 12 }, (_, i) => i));
    store.close();
  });

  it('survive a restart', async () => {
    const h = host();
    const first = await openTransferStore(h);
    await first.pieces.put(T1, 0, bytesOf(50, 4), hashOf(4));
    first.close();
    const second = await openTransferStore(h);
    expect(await second.pieces.count(T1)).toBe(1);
    expect(await blobBytes(await second.pieces.file(T1, ''))).toEqual(bytesOf(50, 4));
    second.close();
  });

  it('removing a transfer’s pieces leaves every other transfer’s', async () => {
    const store = await openTransferStore(host());
    await store.pieces.put(T1, 0, bytesOf(10, 1), hashOf(1));
    await store.pieces.put(T1, 1, bytesOf(10, 2), hashOf(2));
    await store.pieces.put(T2, 0, bytesOf(10, 3), hashOf(3));
    await store.pieces.remove(T1);
    expect(await store.pieces.count(T1)).toBe(0);
    expect((await store.pieces.file(T1, '')).size).toBe(0);
    expect(await store.pieces.hashes(T1, 2)).toEqual([]);
    expect(await store.pieces.count(T2)).toBe(1);
    store.close();
  });
});

describe('deleting a transfer', () => {
  it('removes its record and its pieces, and nothing of another transfer', async () => {
    const store = await openTransferStore(host());
    await store.putTransfers([record(T1), record(T2)]);
    await store.pieces.put(T1, 0, bytesOf(10, 1), hashOf(1));
    await store.pieces.put(T2, 0, bytesOf(10, 2), hashOf(2));
    await store.pieces.put(T2, 1, bytesOf(10, 3), hashOf(3));
    await store.putSource({ id: 's1', blob: new Blob([bytesOf(5, 0)]), name: 'a', type: '', addedAt: 1 });

    await store.deleteTransfer(T1);

    expect((await store.transfers()).records.map((r) => r.id)).toEqual([T2]);
    expect(await store.pieces.count(T1)).toBe(0);
    expect(await store.pieces.count(T2)).toBe(2);
    expect(await blobBytes(await store.pieces.file(T2, ''))).toEqual(
      Uint8Array.from([...bytesOf(10, 2), ...bytesOf(10, 3)]),
    );
    expect(await store.source('s1')).toBeDefined();
    store.close();
  });

  it('of a transfer with no record or pieces changes nothing', async () => {
    const store = await openTransferStore(host());
    await store.putTransfers([record(T2)]);
    await store.deleteTransfer(T1);
    expect((await store.transfers()).records).toEqual([record(T2)]);
    store.close();
  });
});
