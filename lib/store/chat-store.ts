/**
 * History, outbox and contact state in IndexedDB (DESIGN.md, storage ownership: the agent's
 * context owns them). The factory comes in as a parameter: the browser's `indexedDB` in the
 * offscreen document or Firefox's background page, `fake-indexeddb` in Node tests.
 */
import {
  type ChatArchive,
  ChatArchiveSchema,
  type ChatRecord,
  ChatRecordSchema,
  type ChatWrite,
  type OutboxEntry,
  OutboxEntrySchema,
  type StoredMessage,
  StoredMessageSchema,
} from './chat-records';
import { CHAT_DB_VERSION, migrate } from './chat-schema';
import { committed, request } from './idb-requests';

export const CHAT_DB_NAME = 'tincan-chats';

export type ChatStoreProblem = {
  kind: 'storage-full' | 'storage-unavailable' | 'newer-version' | 'blocked';
  detail: string;
};

export class ChatStoreError extends Error {
  constructor(readonly problem: ChatStoreProblem) {
    super(`${problem.kind}: ${problem.detail}`);
    this.name = 'ChatStoreError';
  }
}

export interface ChatStore {
  /** Everything needed to resume after a restart; unreadable records are skipped and counted. */
  load(): Promise<{ chats: ChatRecord[]; outbox: OutboxEntry[]; skipped: number }>;
  /** The newest `limit` messages of a chat, oldest first. */
  recent(contactKey: string, limit: number): Promise<StoredMessage[]>;
  /** Up to `limit` messages older than `beforeAt`, oldest first. */
  older(contactKey: string, beforeAt: number, limit: number): Promise<StoredMessage[]>;
  /** All in one readwrite transaction; resolves once it committed. */
  write(writes: readonly ChatWrite[]): Promise<void>;
  exportAll(): Promise<ChatArchive>;
  /** Validated as a whole first; then merged (same keys replaced) in one transaction. */
  importAll(archive: unknown): Promise<{ ok: true; chats: number; messages: number } | { ok: false; error: string }>;
  close(): void;
}

function problemOf(error: unknown): ChatStoreProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (name === 'QuotaExceededError') return { kind: 'storage-full', detail };
  if (name === 'VersionError') return { kind: 'newer-version', detail };
  return { kind: 'storage-unavailable', detail };
}

function open(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let opening: IDBOpenDBRequest;
    try {
      opening = factory.open(name, CHAT_DB_VERSION);
    } catch (error) {
      reject(new ChatStoreError(problemOf(error)));
      return;
    }
    opening.onupgradeneeded = (event) => {
      const tx = opening.transaction;
      if (tx) migrate(opening.result, event.oldVersion, tx);
    };
    opening.onblocked = () =>
      reject(new ChatStoreError({ kind: 'blocked', detail: 'another page holds an older version open' }));
    // A database from a newer Tincan is refused untouched (VersionError): a downgrade must not wipe history.
    opening.onerror = () => reject(new ChatStoreError(problemOf(opening.error)));
    opening.onsuccess = () => {
      const db = opening.result;
      // Another context wants to upgrade: let it, rather than block it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
  });
}

/** The host's IndexedDB: a browser's own, or `fake-indexeddb`'s (whose key ranges are its own class). */
export type IndexedDBHost = { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange };

function checked<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  rows: unknown[],
) {
  const good: T[] = [];
  let skipped = 0;
  for (const row of rows) {
    const parsed = schema.safeParse(row);
    if (parsed.success) good.push(parsed.data);
    else skipped += 1;
  }
  return { good, skipped };
}

const STORES = ['chats', 'messages', 'outbox'] as const;

export async function openChatStore(host: IndexedDBHost, name = CHAT_DB_NAME): Promise<ChatStore> {
  const db = await open(host.indexedDB, name);
  const Range = host.IDBKeyRange;
  const chatRange = (key: string) => Range.bound([key, ''], [key, '\uffff']);
  const outboxRange = (key: string, upTo = Number.MAX_SAFE_INTEGER) => Range.bound([key, 0], [key, upTo]);
  const timeRange = (key: string, before = Number.MAX_VALUE, open = false) =>
    Range.bound([key, -1, ''], [key, before, open ? '' : '\uffff'], false, open);

  /** Newest first from the time index, `limit` of them, returned oldest first. */
  const page = (range: IDBKeyRange, limit: number): Promise<StoredMessage[]> =>
    new Promise((resolve, reject) => {
      const out: StoredMessage[] = [];
      const cursor = db.transaction('messages').objectStore('messages').index('byTime').openCursor(range, 'prev');
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at || out.length >= limit) return resolve(out.reverse());
        const parsed = StoredMessageSchema.safeParse(at.value);
        if (parsed.success) out.push(parsed.data);
        at.continue();
      };
    });

  /** Asks for every write of a batch, in order, inside one transaction. */
  const issue = (
    writes: readonly ChatWrite[],
    chats: IDBObjectStore,
    messages: IDBObjectStore,
    outbox: IDBObjectStore,
  ) => {
    for (const w of writes) {
      switch (w.type) {
        case 'chat':
          chats.put(w.chat);
          break;
        case 'message':
          messages.put(w.message);
          break;
        case 'message-state':
          for (const id of w.ids) {
            const read = messages.get([w.contactKey, id]);
            read.onsuccess = () => {
              const found = StoredMessageSchema.safeParse(read.result);
              if (found.success) messages.put({ ...found.data, state: w.state });
            };
          }
          break;
        case 'outbox-add':
          outbox.put(w.entry);
          break;
        case 'outbox-remove':
          outbox.delete(outboxRange(w.contactKey, w.upToSeq));
          break;
        case 'forget-chat':
          chats.delete(w.contactKey);
          messages.delete(chatRange(w.contactKey));
          outbox.delete(outboxRange(w.contactKey));
          break;
      }
    }
  };

  const readAll = async (stores: readonly (typeof STORES)[number][]) => {
    const tx = db.transaction([...stores]);
    return Promise.all(stores.map((store) => request(tx.objectStore(store).getAll())));
  };

  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw error instanceof ChatStoreError ? error : new ChatStoreError(problemOf(error));
    }
  };

  return {
    load: () =>
      guarded(async () => {
        const [chats = [], outbox = []] = await readAll(['chats', 'outbox']);
        const c = checked<ChatRecord>(ChatRecordSchema, chats);
        const o = checked<OutboxEntry>(OutboxEntrySchema, outbox);
        return { chats: c.good, outbox: o.good, skipped: c.skipped + o.skipped };
      }),

    recent: (contactKey, limit) => guarded(() => page(timeRange(contactKey), limit)),

    older: (contactKey, beforeAt, limit) => guarded(() => page(timeRange(contactKey, beforeAt, true), limit)),

    write: (writes) =>
      guarded(async () => {
        if (writes.length === 0) return;
        const tx = db.transaction([...STORES], 'readwrite');
        const done = committed(tx);
        const chats = tx.objectStore('chats');
        const messages = tx.objectStore('messages');
        const outbox = tx.objectStore('outbox');
        // Every request is made now, in this task, so the transaction cannot commit half-way; a
        // request that throws (a record with no valid key) aborts what was already asked.
        try {
          issue(writes, chats, messages, outbox);
        } catch (error) {
          tx.abort();
          await done.catch(() => {});
          throw error;
        }
        await done;
      }),

    exportAll: () =>
      guarded(async () => {
        const [chats = [], messages = [], outbox = []] = await readAll(STORES);
        return {
          format: 'tincan-chats' as const,
          version: 1 as const,
          chats: checked<ChatRecord>(ChatRecordSchema, chats).good,
          messages: checked<StoredMessage>(StoredMessageSchema, messages).good,
          outbox: checked<OutboxEntry>(OutboxEntrySchema, outbox).good,
        };
      }),

    async importAll(archive) {
      const parsed = ChatArchiveSchema.safeParse(archive);
      if (!parsed.success) return { ok: false, error: 'the history in this backup is not readable' };
      const { chats, messages, outbox } = parsed.data;
      await guarded(async () => {
        const tx = db.transaction([...STORES], 'readwrite');
        const done = committed(tx);
        for (const c of chats) tx.objectStore('chats').put(c);
        for (const m of messages) tx.objectStore('messages').put(m);
        for (const o of outbox) tx.objectStore('outbox').put(o);
        await done;
      });
      return { ok: true, chats: chats.length, messages: messages.length };
    },

    close: () => db.close(),
  };
}
