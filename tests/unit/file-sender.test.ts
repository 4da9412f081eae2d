/**
 * The popup's half of sending files, over fake-indexeddb: each chosen file is stored where the
 * agent reads it, under a random id, and only then named in `sendFiles`; nothing is left behind
 * when it cannot be stored or the agent refuses it unread.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { RemoteError } from '../../lib/messaging/channel';
import { type ChosenFile, createFileSender, FileSendError } from '../../lib/platform/file-sender';
import { openTransferStore } from '../../lib/store/transfer-store';

const ALICE = 'a0'.repeat(32);
const CAROL = 'c0'.repeat(32);

function harness(answer?: (request: { contactKeys: string[]; sourceIds: string[] }) => Promise<string[]>) {
  const host = { indexedDB: new IDBFactory(), IDBKeyRange };
  const requests: { contactKeys: string[]; sourceIds: string[] }[] = [];
  let counter = 0;
  const send = createFileSender({
    host,
    // Distinct, predictable ids: the counter in the last byte.
    randomBytes: (length) => Uint8Array.from({ length }, (_, i) => (i === length - 1 ? ++counter : 0x5a)),
    now: () => 1_700_000_000_000,
    sendFiles: async (request) => {
      requests.push(request);
      const ids = answer ? await answer(request) : request.sourceIds.map((id) => `t${id.slice(1)}`);
      return { transferIds: ids };
    },
  });
  const stored = async () => {
    const store = await openTransferStore(host);
    try {
      const ids = requests.flatMap((r) => r.sourceIds);
      const all = await Promise.all([...new Set(ids)].map((id) => store.source(id)));
      return all.filter((s) => s !== undefined);
    } finally {
      store.close();
    }
  };
  return { send, requests, host, stored };
}

const file = (name: string, text: string, type = 'text/plain') => new File([text], name, { type }) as ChosenFile;

describe('sending files from the popup', () => {
  it('stores each file where the agent reads it, under a fresh 32-hex id, then names those ids', async () => {
    const { send, requests, stored } = harness();
    await send([ALICE, CAROL], [file('notes.txt', 'hello'), file('photo.jpg', 'jpeg bytes', 'image/jpeg')]);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.contactKeys).toEqual([ALICE, CAROL]);
    expect(request?.sourceIds).toHaveLength(2);
    for (const id of request?.sourceIds ?? []) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(request?.sourceIds).size).toBe(2);
    const sources = await stored();
    expect(sources.map((s) => [s.name, s.type, s.addedAt])).toEqual([
      ['notes.txt', 'text/plain', 1_700_000_000_000],
      ['photo.jpg', 'image/jpeg', 1_700_000_000_000],
    ]);
    expect(await sources[0]?.blob.text()).toBe('hello');
  });

  it('more files than one request may carry go in several requests, every transfer id returned', async () => {
    const { send, requests } = harness();
    const files = Array.from({ length: 45 }, (_, i) => file(`f${i}.txt`, String(i)));
    const ids = await send([ALICE], files);
    expect(requests.map((r) => r.sourceIds.length)).toEqual([20, 20, 5]);
    expect(ids).toHaveLength(45);
  });

  it('nothing is stored or sent without a file, without a contact, or to more than 20 contacts', async () => {
    const { send, requests } = harness();
    const many = Array.from({ length: 21 }, (_, i) => i.toString(16).padStart(2, '0').repeat(32));
    await expect(send([ALICE], [])).rejects.toMatchObject({ kind: 'no-files' });
    await expect(send([], [file('a.txt', 'a')])).rejects.toMatchObject({ kind: 'no-contacts' });
    await expect(send(many, [file('a.txt', 'a')])).rejects.toMatchObject({ kind: 'too-many-contacts' });
    expect(requests).toEqual([]);
  });

  it('a file that cannot be stored takes the ones stored before it away, and nothing is sent', async () => {
    const { send, requests, host } = harness();
    // Not cloneable into IndexedDB (a function inside).
    const broken = { name: 'broken', type: '', size: 1, read: () => {} } as unknown as ChosenFile;
    const error = await send([ALICE], [file('fine.txt', 'fine'), broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileSendError);
    expect(error).toMatchObject({ kind: 'not-stored' });
    expect(requests).toEqual([]);
    const store = await openTransferStore(host);
    const first = await store.source(`${'5a'.repeat(15)}01`);
    store.close();
    expect(first).toBeUndefined();
  });

  it('files the agent refused unread are taken away; after no answer they are left to the agent', async () => {
    const refused = harness(async () => {
      throw new RemoteError({ kind: 'not-connected', detail: 'Files go to saved contacts only.' });
    });
    await expect(refused.send([CAROL], [file('a.txt', 'a')])).rejects.toBeInstanceOf(RemoteError);
    expect(await refused.stored()).toEqual([]);

    const silent = harness(async () => {
      throw new RemoteError({ kind: 'no-answer', detail: 'The other part of the extension did not answer.' });
    });
    await expect(silent.send([CAROL], [file('a.txt', 'a')])).rejects.toBeInstanceOf(RemoteError);
    expect(await silent.stored()).toHaveLength(1);
  });
});
