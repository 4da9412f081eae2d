import { describe, expect, it } from 'vitest';
import {
  applyContactChange,
  type Contact,
  ContactsSchema,
  contactAtAddress,
  readStoredContacts,
} from '../../lib/store/contacts';

const BOB = 'b0'.repeat(32);
const CAROL = 'c0'.repeat(32);
const bob: Contact = {
  identityKey: BOB,
  petname: 'Bob',
  address: 'tincan-t-bob',
  verified: true,
  addedAt: 1,
  special: false,
  rendezvousPaused: false,
};

describe('saved contacts', () => {
  it('a new key is learned with the name it announced and where it was', () => {
    const next = applyContactChange([], {
      type: 'learned',
      identityKey: CAROL,
      name: '  Carol ',
      address: 'tincan-t-carol',
      verified: false,
      at: 5,
      special: false,
    });
    expect(next).toEqual([
      {
        identityKey: CAROL,
        petname: 'Carol',
        address: 'tincan-t-carol',
        verified: false,
        addedAt: 5,
        special: false,
        rendezvousPaused: false,
      },
    ]);
    expect(ContactsSchema.safeParse(next).success).toBe(true);
  });

  it('learning a key already saved keeps its petname and verification, and moves its address', () => {
    const next = applyContactChange([bob], {
      type: 'learned',
      identityKey: BOB,
      name: 'Robert',
      address: 'tincan-t-bob2',
      verified: false,
      at: 9,
      special: false,
    });
    expect(next).toEqual([{ ...bob, address: 'tincan-t-bob2' }]);
  });

  it('an address belongs to one contact: whoever held it before no longer does', () => {
    const next = applyContactChange([bob], {
      type: 'learned',
      identityKey: CAROL,
      name: 'Carol',
      address: bob.address,
      verified: false,
      at: 9,
      special: false,
    });
    expect(contactAtAddress(next, bob.address)?.identityKey).toBe(CAROL);
    expect(next.find((c) => c.identityKey === BOB)?.address).toBe('');
  });

  it('accepting a new key keeps the person, drops the verification', () => {
    const next = applyContactChange([bob], { type: 'key-replaced', oldKey: BOB, newKey: CAROL, address: 'tincan-t-x' });
    expect(next).toEqual([{ ...bob, identityKey: CAROL, address: 'tincan-t-x', verified: false }]);
  });

  it('renaming, verifying and removing touch only that contact', () => {
    const carol: Contact = { ...bob, identityKey: CAROL, petname: 'Carol', address: 'tincan-t-carol' };
    let contacts = applyContactChange([bob, carol], { type: 'renamed', identityKey: BOB, petname: ' Bobby ' });
    contacts = applyContactChange(contacts, { type: 'verified', identityKey: CAROL, verified: false });
    expect(contacts).toEqual([
      { ...bob, petname: 'Bobby' },
      { ...carol, verified: false },
    ]);
    expect(applyContactChange(contacts, { type: 'removed', identityKey: BOB })).toEqual([
      { ...carol, verified: false },
    ]);
  });

  it('stored contacts with a malformed key are refused as a whole', () => {
    expect(ContactsSchema.safeParse([{ ...bob, identityKey: 'B0'.repeat(32) }]).success).toBe(false);
    expect(ContactsSchema.safeParse([{ ...bob, identityKey: 'b0' }]).success).toBe(false);
  });
});

describe('reading stored contacts', () => {
  it('an unreadable entry is skipped; the others are kept', () => {
    expect(readStoredContacts([bob, { ...bob, identityKey: 'nope' }, 42, null])).toEqual([bob]);
  });

  it.each([undefined, null, 'contacts', { 0: bob }])('%s reads as no contacts', (raw) => {
    expect(readStoredContacts(raw)).toEqual([]);
  });
});
