/**
 * The chat store over fake-indexeddb (a spec-complete IndexedDB): history that survives a
 * restart, pages in time order, batches that are all or nothing, a schema that migrates and a
 * newer database that is refused untouched.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ChatRecord, ChatWrite, StoredMessage } from '../../lib/store/chat-records';
import { CHAT_DB_VERSION } from '../../lib/store/chat-schema';
import { CHAT_DB_NAME, ChatStoreError, type IndexedDBHost, openChatStore } from '../../lib/store/chat-store';
import { rawPut } from '../support/raw-idb';

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const host = (): IndexedDBHost => ({ indexedDB: new IDBFactory(), IDBKeyRange });
const id = (n: number) => n.toString(16).padStart(32, '0');

const chat = (contactKey: string, extra: Partial<ChatRecord> = {}): ChatRecord => ({
  contactKey,
  stream: 7,
  nextSeq: 1,
  peerStream: null,
  receivedUpTo: 0,
  unread: 0,
  lastSeenAt: null,
  blockedAddresses: [],
  ...extra,
});
const message = (contactKey: string, n: number, at = n): StoredMessage => ({
  contactKey,
  id: id(n),
  from: 'peer',
  text: `m${n}`,
  sentAt: at,
  at,
  seq: n,
  state: 'received',
});

describe('the chat store', () => {
  it('history survives closing and opening the store again (a browser restart)', async () => {
    const h = host();
    const first = await openChatStore(h);
    await first.write([
      { type: 'chat', chat: chat(A, { unread: 2 }) },
      { type: 'message', message: message(A, 1) },
    ]);
    first.close();
    const again = await openChatStore(h);
    expect((await again.load()).chats).toEqual([chat(A, { unread: 2 })]);
    expect(await again.recent(A, 10)).toEqual([message(A, 1)]);
    again.close();
  });

  it('recent and older give pages in time order, equal times in id order, one contact only', async () => {
    const store = await openChatStore(host());
    const writes: ChatWrite[] = [];
    for (let n = 1; n <= 10; n++) writes.push({ type: 'message', message: message(A, n, Math.ceil(n / 2)) });
    writes.push({ type: 'message', message: message(B, 99, 3) });
    await store.write(writes);
    expect((await store.recent(A, 4)).map((m) => m.seq)).toEqual([7, 8, 9, 10]);
    expect((await store.older(A, 4, 3)).map((m) => m.seq)).toEqual([4, 5, 6]);
    expect((await store.recent(B, 10)).map((m) => m.seq)).toEqual([99]);
  });

  it('a batch is all or nothing', async () => {
    const store = await openChatStore(host());
    const bad = { ...message(A, 2), contactKey: undefined } as unknown as StoredMessage;
    await expect(
      store.write([
        { type: 'message', message: message(A, 1) },
        { type: 'message', message: bad },
      ]),
    ).rejects.toBeInstanceOf(ChatStoreError);
    expect(await store.recent(A, 10)).toEqual([]);
  });

  it('message states change in place; outbox entries go up to a sequence number, for one contact only', async () => {
    const store = await openChatStore(host());
    const entry = (contactKey: string, seq: number) => ({ contactKey, seq, id: id(seq), text: 'x', sentAt: 1 });
    await store.write([
      { type: 'message', message: { ...message(A, 1), from: 'me', state: 'pending' } },
      ...[1, 2, 3].map((seq) => ({ type: 'outbox-add' as const, entry: entry(A, seq) })),
      { type: 'outbox-add', entry: entry(B, 1) },
    ]);
    await store.write([
      { type: 'message-state', contactKey: A, ids: [id(1)], state: 'delivered' },
      { type: 'outbox-remove', contactKey: A, upToSeq: 2 },
    ]);
    expect((await store.recent(A, 1))[0]?.state).toBe('delivered');
    expect((await store.load()).outbox.map((e) => [e.contactKey, e.seq])).toEqual([
      [A, 3],
      [B, 1],
    ]);
  });

  it('forgetting a chat removes that contact’s history and outbox, nobody else’s', async () => {
    const store = await openChatStore(host());
    await store.write([
      { type: 'chat', chat: chat(A) },
      { type: 'chat', chat: chat(B) },
      { type: 'message', message: message(A, 1) },
      { type: 'message', message: message(B, 1) },
    ]);
    await store.write([{ type: 'forget-chat', contactKey: A }]);
    expect((await store.load()).chats.map((c) => c.contactKey)).toEqual([B]);
    expect(await store.recent(A, 5)).toEqual([]);
    expect(await store.recent(B, 5)).toHaveLength(1);
  });

  it('an unreadable record is skipped and counted, never fatal', async () => {
    const h = host();
    (await openChatStore(h)).close();
    await rawPut(h, CHAT_DB_NAME, 'chats', { contactKey: B, stream: 'seven' });
    const store = await openChatStore(h);
    await store.write([{ type: 'chat', chat: chat(A) }]);
    const loaded = await store.load();
    expect(loaded.chats.map((c) => c.contactKey)).toEqual([A]);
    expect(loaded.skipped).toBe(1);
  });

  it('export then import into a fresh store gives the same contents; a bad archive writes nothing', async () => {
    const source = await openChatStore(host());
    await source.write([
      { type: 'chat', chat: chat(A, { receivedUpTo: 1 }) },
      { type: 'message', message: message(A, 1) },
      { type: 'outbox-add', entry: { contactKey: A, seq: 1, id: id(5), text: 'later', sentAt: 2 } },
    ]);
    const archive = await source.exportAll();
    const target = await openChatStore(host());
    expect(await target.importAll({ ...archive, messages: [{ nonsense: true }] })).toMatchObject({ ok: false });
    expect(await target.exportAll()).toMatchObject({ chats: [], messages: [], outbox: [] });
    expect(await target.importAll(archive)).toEqual({ ok: true, chats: 1, messages: 1 });
    expect(await target.exportAll()).toEqual(archive);
  });

  it('a database from a newer Tincan is refused, and left as it is', async () => {
    const h = host();
    await new Promise<void>((resolve) => {
      const open = h.indexedDB.open(CHAT_DB_NAME, CHAT_DB_VERSION + 1);
      open.onupgradeneeded = () => open.result.createObjectStore('future');
      open.onsuccess = () => {
        open.result.close();
        resolve();
      };
    });
    await expect(openChatStore(h)).rejects.toMatchObject({ problem: { kind: 'newer-version' } });
    const names = await new Promise<string[]>((resolve) => {
      const open = h.indexedDB.open(CHAT_DB_NAME);
      open.onsuccess = () => {
        resolve([...open.result.objectStoreNames]);
        open.result.close();
      };
    });
    expect(names).toEqual(['future']);
  });

  it('opening a version-1 database made by hand keeps its data (only missing steps run)', async () => {
    const h = host();
    await new Promise<void>((resolve) => {
      const open = h.indexedDB.open(CHAT_DB_NAME, 1);
      open.onupgradeneeded = () => {
        const db = open.result;
        db.createObjectStore('chats', { keyPath: 'contactKey' }).put(chat(A));
        db.createObjectStore('messages', { keyPath: ['contactKey', 'id'] }).createIndex('byTime', [
          'contactKey',
          'at',
          'id',
        ]);
        db.createObjectStore('outbox', { keyPath: ['contactKey', 'seq'] });
      };
      open.onsuccess = () => {
        open.result.close();
        resolve();
      };
    });
    const store = await openChatStore(h);
    expect((await store.load()).chats).toEqual([chat(A)]);
  });
});
