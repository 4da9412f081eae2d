/**
 * The chat store's IndexedDB layout, as an ordered list of migrations: a database at version
 * `v` gets every step after `v`, inside the upgrade transaction (so a failed step leaves the
 * database as it was). The next layout is one more entry here.
 */

/*
 * Stores (version 1):
 *   chats     key contactKey            ChatRecord
 *   messages  key [contactKey, id]      StoredMessage; index byTime [contactKey, at, id]:
 *                                       pages of one chat in time order, ties broken by id
 *   outbox    key [contactKey, seq]     OutboxEntry
 */

/** A step runs inside the upgrade transaction. */
type Upgrade = (db: IDBDatabase, tx: IDBTransaction) => void;

/** `MIGRATIONS[i]` takes a database from version i to i + 1. */
export const MIGRATIONS: readonly Upgrade[] = [
  // 0 → 1: chats, messages (with their time index), outbox.
  (db) => {
    db.createObjectStore('chats', { keyPath: 'contactKey' });
    const messages = db.createObjectStore('messages', { keyPath: ['contactKey', 'id'] });
    messages.createIndex('byTime', ['contactKey', 'at', 'id']);
    db.createObjectStore('outbox', { keyPath: ['contactKey', 'seq'] });
  },
];

export const CHAT_DB_VERSION = MIGRATIONS.length;

export function migrate(db: IDBDatabase, oldVersion: number, tx: IDBTransaction): void {
  for (let version = oldVersion; version < MIGRATIONS.length; version++) MIGRATIONS[version]?.(db, tx);
}
