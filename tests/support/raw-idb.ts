import type { IndexedDBHost } from '../../lib/store/chat-store';

/** Raw IndexedDB: puts `value` into `store` of database `name` as an older build, or a damaged write, left it. */
export function rawPut(h: IndexedDBHost, name: string, store: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = h.indexedDB.open(name);
    open.onsuccess = () => {
      const tx = open.result.transaction(store, 'readwrite');
      tx.objectStore(store).put(value);
      tx.oncomplete = () => {
        open.result.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}
