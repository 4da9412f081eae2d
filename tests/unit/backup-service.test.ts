/**
 * Moving to a new browser: a backup exported from one browser's storages (and its agent's real
 * chat store) imports into an empty one whole; a wrong passphrase or a damaged file changes
 * nothing there.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { type BackupDeps, BackupError, exportBackup, importBackup } from '../../lib/background/backup-service';
import { toHex } from '../../lib/bytes';
import { createIdentity } from '../../lib/crypto/identity';
import type { ChatStore } from '../../lib/store/chat-store';
import { openChatStore } from '../../lib/store/chat-store';
import type { Contact, StoredIdentity } from '../../lib/store/contacts';
import { FACTORY_SETTINGS, type Settings } from '../../lib/store/settings';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

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

/** A browser: what its background stores, and its agent's chat store behind the agent's messages. */
function browserWith(store: ChatStore, identity?: StoredIdentity, contacts: Contact[] = []) {
  const state = { identity, contacts, settings: FACTORY_SETTINGS as Settings };
  const deps: BackupDeps = {
    identity: {
      loadIdentity: async () => {
        if (!state.identity) throw new Error('no identity');
        return state.identity;
      },
      loadContacts: async () => state.contacts,
      replaceAll: async (next, list) => {
        state.identity = next;
        state.contacts = list;
      },
    },
    settings: {
      load: async () => state.settings,
      save: async (next) => {
        state.settings = next;
      },
    },
    agent: (async (type: string, data?: { archive: unknown }) => {
      if (type === 'exportHistory') return store.exportAll();
      if (type === 'importHistory') {
        const result = await store.importAll(data?.archive);
        if (!result.ok) throw new Error(result.error);
        return result;
      }
      throw new Error(`unexpected ${type}`);
    }) as BackupDeps['agent'],
    randomBytes: random,
    now: () => Date.UTC(2026, 10, 22),
  };
  return { state, deps };
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

describe('a backup', () => {
  it('moves identity, contacts, settings and history to an empty browser', async () => {
    const oldStore = await store();
    await oldStore.write([
      {
        type: 'message',
        message: {
          contactKey: bob.identityKey,
          id: '0'.repeat(32),
          from: 'peer',
          text: 'hi',
          sentAt: 1,
          at: 1,
          seq: 1,
          state: 'received',
        },
      },
    ]);
    const old = browserWith(oldStore, storedIdentity(), [bob]);
    old.state.settings = { ...FACTORY_SETTINGS, displayName: 'Alice' };
    const { file, name } = await exportBackup(old.deps, 'a long passphrase');
    expect(name).toBe('tincan-backup-2026-11-22.tincan');

    const fresh = browserWith(await store());
    expect(await importBackup(fresh.deps, file, 'a long passphrase')).toEqual({ contacts: 1, messages: 1 });
    expect(fresh.state).toEqual(old.state);
    expect((await fresh.deps.agent('exportHistory')) as unknown).toEqual(await oldStore.exportAll());
  }, 30_000);

  it('a wrong passphrase, a damaged file or a short passphrase changes nothing', async () => {
    const old = browserWith(await store(), storedIdentity(), [bob]);
    const { file } = await exportBackup(old.deps, 'a long passphrase');
    const fresh = browserWith(await store());
    const before = structuredClone(fresh.state);
    await expect(importBackup(fresh.deps, file, 'not the passphrase')).rejects.toMatchObject({
      problem: { kind: 'wrong-passphrase-or-damaged' },
    });
    await expect(
      importBackup(fresh.deps, `${file.slice(0, 100)}AAAA${file.slice(104)}`, 'a long passphrase'),
    ).rejects.toBeInstanceOf(BackupError);
    await expect(importBackup(fresh.deps, 'not base64 at all!', 'a long passphrase')).rejects.toMatchObject({
      problem: { kind: 'not-a-backup' },
    });
    await expect(exportBackup(old.deps, 'short')).rejects.toMatchObject({ problem: { kind: 'weak-passphrase' } });
    expect(fresh.state).toEqual(before);
  }, 30_000);
});
