import { browser } from 'wxt/browser';
import { toHex } from '../bytes';
import { createIdentity } from '../crypto/identity';
import {
  applyContactChange,
  type Contact,
  type ContactChange,
  ContactsSchema,
  readStoredContacts,
  type StoredIdentity,
  StoredIdentitySchema,
} from '../store/contacts';

const IDENTITY_KEY = 'tincan:identity:v1';
const CONTACTS_KEY = 'tincan:contacts:v1';

/**
 * This browser's identity and saved contacts, in the background's `storage.local` (DESIGN.md:
 * keys live with the background context; pages and content scripts never read them).
 */
export function identityStorage(randomBytes: (length: number) => Uint8Array, now: () => number) {
  let creating: Promise<StoredIdentity> | undefined;
  // Contact changes are read-modify-write: one at a time, so none is lost.
  let contactWrites: Promise<unknown> = Promise.resolve();

  const loadContacts = async (): Promise<Contact[]> =>
    readStoredContacts((await browser.storage.local.get(CONTACTS_KEY))[CONTACTS_KEY]);

  return {
    /** The identity, made on first use and kept from then on. */
    loadIdentity(): Promise<StoredIdentity> {
      creating ??= (async () => {
        const raw = (await browser.storage.local.get(IDENTITY_KEY))[IDENTITY_KEY];
        const stored = StoredIdentitySchema.safeParse(raw);
        if (stored.success) return stored.data;
        // Never replace an identity that exists but cannot be read: every contact would see a
        // changed key. Only a browser with none gets a new one.
        if (raw !== undefined) throw new Error('The stored identity cannot be read; it was left as it is.');
        const fresh = createIdentity(randomBytes);
        const identity: StoredIdentity = {
          signingSeed: toHex(fresh.signingSeed),
          signingPublic: toHex(fresh.signingPublic),
          staticSecret: toHex(fresh.staticSecret),
          staticPublic: toHex(fresh.staticPublic),
          certificate: toHex(fresh.certificate),
          createdAt: now(),
        };
        await browser.storage.local.set({ [IDENTITY_KEY]: identity });
        return identity;
      })().finally(() => {
        creating = undefined;
      });
      return creating;
    },
    loadContacts,
    changeContacts(change: ContactChange): Promise<void> {
      const write = contactWrites.then(async () => {
        const next = ContactsSchema.parse(applyContactChange(await loadContacts(), change));
        await browser.storage.local.set({ [CONTACTS_KEY]: next });
      });
      contactWrites = write.catch(() => {});
      return write;
    },
    /** A backup's identity and contacts, in one write (validated first: nothing half-written). */
    replaceAll(identity: StoredIdentity, contacts: Contact[]): Promise<void> {
      const write = contactWrites.then(async () => {
        // A first-run identity still being made would otherwise land after, and replace, this one.
        await creating?.catch(() => {});
        await browser.storage.local.set({
          [IDENTITY_KEY]: StoredIdentitySchema.parse(identity),
          [CONTACTS_KEY]: ContactsSchema.parse(contacts),
        });
      });
      contactWrites = write.catch(() => {});
      return write;
    },
    onChange(listener: () => void): () => void {
      const handler = (changes: Record<string, unknown>, area: string) => {
        if (area === 'local' && (CONTACTS_KEY in changes || IDENTITY_KEY in changes)) listener();
      };
      browser.storage.onChanged.addListener(handler);
      return () => browser.storage.onChanged.removeListener(handler);
    },
  };
}
export type IdentityStorage = ReturnType<typeof identityStorage>;
