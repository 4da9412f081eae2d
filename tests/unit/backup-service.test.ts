/**
 * Moving to a new browser: a backup exported from one browser's storages (and its agent's real
 * chat store) imports into an empty one whole; a wrong passphrase, a damaged file or a backup
 * whose insides do not hold together changes nothing there, and a failure part-way never leaves
 * the new identity without its contacts.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { type BackupDeps, exportBackup, importBackup } from '../../lib/background/backup-service';
import { toHex } from '../../lib/bytes';
import { sealBackup } from '../../lib/crypto/backup-seal';
import { createIdentity } from '../../lib/crypto/identity';
import type { BackupContents } from '../../lib/store/backup-contents';
import type { ChatStore } from '../../lib/store/chat-store';
import { openChatStore } from '../../lib/store/chat-store';
import type { Contact, StoredIdentity } from '../../lib/store/contacts';
import { FACTORY_SETTINGS, type Settings } from '../../lib/store/settings';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const PASSPHRASE = 'a long passphrase';

function storedIdentity(): StoredIdentity {
  const made = createIdentity(random);
  return {
    signingSeed: toHex(made.signingSeed),
    signingPublic: toHex(made.signingPublic),
    staticSecret: toHex(made.staticSecret),
    staticPublic: toHex(made.staticPublic),
    certificate: toHex(made.certificate),
    createdAt: 5,
  };
}

type Failing = { importHistory?: boolean; replaceAll?: boolean };

/** A browser: what its background stores, and its agent's chat store behind the agent's messages. */
function browserWith(store: ChatStore, identity?: StoredIdentity, contacts: Contact[] = [], failing: Failing = {}) {
  const state = { identity, contacts, settings: FACTORY_SETTINGS as Settings };
  const calls: string[] = [];
  const deps: BackupDeps = {
    identity: {
      loadIdentity: async () => {
        if (!state.identity) throw new Error('no identity');
        return state.identity;
      },
      loadContacts: async () => state.contacts,
      replaceAll: async (next, list) => {
        calls.push('replaceAll');
        if (failing.replaceAll) throw new Error('storage.local is full');
        state.identity = next;
        state.contacts = list;
      },
    },
    settings: {
      load: async () => state.settings,
      save: async (next) => {
        calls.push('saveSettings');
        state.settings = next;
      },
    },
    agent: (async (type: string, data?: { archive: unknown }) => {
      calls.push(type);
      if (type === 'exportHistory') return store.exportAll();
      if (type === 'importHistory') {
        if (failing.importHistory) throw new Error('the agent did not answer');
        const result = await store.importAll(data?.archive);
        if (!result.ok) throw new Error(result.error);
        return result;
      }
      throw new Error(`unexpected ${type}`);
    }) as BackupDeps['agent'],
    randomBytes: random,
    now: () => Date.UTC(2026, 10, 22),
  };
  return { state, deps, calls, store };
}

const store = () => openChatStore({ indexedDB: new IDBFactory(), IDBKeyRange });
const bob: Contact = {
  identityKey: 'b0'.repeat(32),
  petname: 'Bob',
  address: 'tincan-t-bob',
  verified: true,
  addedAt: 1,
  special: true,
  rendezvousPaused: false,
  rendezvousSecret: '5e'.repeat(32),
};
const hello = {
  contactKey: bob.identityKey,
  id: '0'.repeat(32),
  from: 'peer' as const,
  text: 'hi',
  sentAt: 1,
  at: 1,
  seq: 1,
  state: 'received' as const,
};

/** Alice's browser: her identity, Bob as a contact, one message from him. */
async function alicesBrowser() {
  const chats = await store();
  await chats.write([{ type: 'message', message: hello }]);
  const alice = browserWith(chats, storedIdentity(), [bob]);
  alice.state.settings = { ...FACTORY_SETTINGS, displayName: 'Alice' };
  return alice;
}

/** A backup file with these contents, sealed with small scrypt parameters (tests stay quick). */
async function fileWith(contents: Record<string, unknown>): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(contents));
  return Buffer.from(await sealBackup(bytes, PASSPHRASE, random, { logN: 10, r: 8, p: 1 })).toString('base64');
}

function contentsOf(alice: Awaited<ReturnType<typeof alicesBrowser>>, history: unknown): BackupContents {
  if (!alice.state.identity) throw new Error('Alice has an identity');
  return {
    format: 'tincan-backup',
    version: 1,
    createdAt: 1,
    identity: alice.state.identity,
    contacts: alice.state.contacts,
    settings: alice.state.settings,
    history,
  };
}

/** Everything an empty browser holds, to show that nothing changed. */
async function snapshot(browser: ReturnType<typeof browserWith>) {
  return { state: structuredClone(browser.state), history: await browser.store.exportAll() };
}

describe('a backup', () => {
  it('moves identity, contacts, settings and history to an empty browser', async () => {
    const alice = await alicesBrowser();
    const { file, name } = await exportBackup(alice.deps, PASSPHRASE);
    expect(name).toBe('tincan-backup-2026-11-22.tincan');

    const fresh = browserWith(await store());
    expect(await importBackup(fresh.deps, file, PASSPHRASE)).toEqual({ contacts: 1, messages: 1 });
    expect(fresh.state).toEqual(alice.state);
    expect(await fresh.store.exportAll()).toEqual(await alice.store.exportAll());
    // History first, then identity with contacts, then settings.
    expect(fresh.calls).toEqual(['importHistory', 'replaceAll', 'saveSettings']);
  }, 30_000);

  it('a wrong passphrase, a damaged file or something else entirely changes nothing', async () => {
    const alice = await alicesBrowser();
    const { file } = await exportBackup(alice.deps, PASSPHRASE);
    const fresh = browserWith(await store());
    const before = await snapshot(fresh);
    await expect(importBackup(fresh.deps, file, 'not the passphrase')).rejects.toMatchObject({
      problem: { kind: 'wrong-passphrase-or-damaged' },
    });
    const damaged = `${file.slice(0, 100)}${file[100] === 'A' ? 'B' : 'A'}${file.slice(101)}`;
    await expect(importBackup(fresh.deps, damaged, PASSPHRASE)).rejects.toMatchObject({
      problem: { kind: 'wrong-passphrase-or-damaged' },
    });
    await expect(importBackup(fresh.deps, 'not base64 at all!', PASSPHRASE)).rejects.toMatchObject({
      problem: { kind: 'not-a-backup' },
    });
    await expect(importBackup(fresh.deps, btoa('{"json":true}'), PASSPHRASE)).rejects.toMatchObject({
      problem: { kind: 'not-a-backup' },
    });
    expect(await snapshot(fresh)).toEqual(before);
    expect(fresh.calls).toEqual([]);
  }, 30_000);

  it('a backup whose history, identity or contacts do not hold together is refused before anything is written', async () => {
    const alice = await alicesBrowser();
    const history = await alice.store.exportAll();
    const fresh = browserWith(await store());
    const before = await snapshot(fresh);
    const good = contentsOf(alice, history);
    const identity = good.identity;
    const broken: Array<Record<string, unknown>> = [
      { ...good, history: { ...history, messages: [{ ...hello, seq: -1 }] } },
      { ...good, history: 'not an archive' },
      // Someone else's certificate: every contact's handshake would refuse this identity.
      { ...good, identity: { ...identity, certificate: storedIdentity().certificate } },
      { ...good, identity: { ...identity, staticPublic: storedIdentity().staticPublic } },
      { ...good, identity: { ...identity, signingPublic: storedIdentity().signingPublic } },
      { ...good, contacts: [{ ...bob, identityKey: 'not a key' }] },
      { ...good, settings: { nonsense: true } },
      { ...good, format: 'something-else' },
    ];
    for (const contents of broken) {
      await expect(importBackup(fresh.deps, await fileWith(contents), PASSPHRASE)).rejects.toMatchObject({
        problem: { kind: 'damaged' },
      });
    }
    expect(await snapshot(fresh)).toEqual(before);
    expect(fresh.calls).toEqual([]);
    // The same contents, whole, do import: the refusals above were for what was broken.
    expect(await importBackup(fresh.deps, await fileWith({ ...good }), PASSPHRASE)).toEqual({
      contacts: 1,
      messages: 1,
    });
  }, 30_000);

  it('a backup from a newer Tincan says so and changes nothing', async () => {
    const alice = await alicesBrowser();
    const fresh = browserWith(await store());
    const newer = { ...contentsOf(alice, await alice.store.exportAll()), version: 2, somethingNew: [] };
    await expect(importBackup(fresh.deps, await fileWith(newer), PASSPHRASE)).rejects.toMatchObject({
      problem: { kind: 'newer-version' },
    });
    expect(fresh.calls).toEqual([]);
  });

  it('when the history cannot be saved, the identity and contacts are left as they were', async () => {
    const alice = await alicesBrowser();
    const file = await fileWith(contentsOf(alice, await alice.store.exportAll()));
    const mine = storedIdentity();
    const fresh = browserWith(await store(), mine, [], { importHistory: true });
    await expect(importBackup(fresh.deps, file, PASSPHRASE)).rejects.toMatchObject({
      problem: { kind: 'storage' },
    });
    expect(fresh.state.identity).toEqual(mine);
    expect(fresh.state.contacts).toEqual([]);
    expect(fresh.calls).toEqual(['importHistory']);
  });

  it('when identity and contacts cannot be saved, the user is told it was storage', async () => {
    const alice = await alicesBrowser();
    const file = await fileWith(contentsOf(alice, await alice.store.exportAll()));
    const mine = storedIdentity();
    const fresh = browserWith(await store(), mine, [], { replaceAll: true });
    await expect(importBackup(fresh.deps, file, PASSPHRASE)).rejects.toMatchObject({
      problem: { kind: 'storage', detail: expect.stringContaining('storage.local is full') },
    });
    expect(fresh.state.identity).toEqual(mine);
    expect(fresh.calls).toEqual(['importHistory', 'replaceAll']);
  });

  it('a passphrase needs 8 characters as people count them (an emoji is one)', async () => {
    const alice = await alicesBrowser();
    for (const short of ['', 'short', '1234567', '🍵'.repeat(7)]) {
      await expect(exportBackup(alice.deps, short)).rejects.toMatchObject({ problem: { kind: 'weak-passphrase' } });
    }
    expect(alice.calls).toEqual([]);
    await expect(exportBackup(alice.deps, '🍵'.repeat(8))).resolves.toMatchObject({ name: expect.any(String) });
  }, 30_000);

  it('a history the agent cannot read is a storage problem, not a broken file', async () => {
    const alice = await alicesBrowser();
    alice.store.close();
    await expect(exportBackup(alice.deps, PASSPHRASE)).rejects.toMatchObject({ problem: { kind: 'storage' } });
  });
});
