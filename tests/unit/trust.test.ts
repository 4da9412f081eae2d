import { describe, expect, it } from 'vitest';
import { contactChangesWhenReady, introducedChange, keyProblem } from '../../lib/agent/trust';
import type { PeerView } from '../../lib/sessions/conversations';
import type { Contact } from '../../lib/store/contacts';

const bobKey = 'b0'.repeat(32);
const malloryKey = 'ee'.repeat(32);
const bob: Contact = {
  identityKey: bobKey,
  petname: 'Bob',
  address: 'tincan-t-bob',
  verified: true,
  addedAt: 1,
  special: false,
  rendezvousPaused: false,
};
const presenting = (identityKey: string): PeerView => ({
  identityKey,
  name: 'Bob',
  fingerprint: `fp-${identityKey.slice(0, 4)}`,
});

describe('the key expected at an address', () => {
  it('nothing expected: any key is trusted on first use', () => {
    expect(keyProblem({}, presenting(malloryKey))).toBeUndefined();
  });

  it('a pinned contact’s address answering with its key is fine; another key is a changed key', () => {
    expect(keyProblem({ pinned: bob }, presenting(bobKey))).toBeUndefined();
    expect(keyProblem({ pinned: bob }, presenting(malloryKey))).toMatchObject({
      kind: 'key-changed',
      contactKey: bobKey,
      presentedKey: malloryKey,
    });
  });

  it('an invite’s key wins over a pinned contact: the user pasted it on purpose', () => {
    expect(keyProblem({ inviteKey: malloryKey, pinned: bob }, presenting(malloryKey))).toBeUndefined();
    expect(keyProblem({ inviteKey: malloryKey, pinned: bob }, presenting(bobKey))).toMatchObject({
      kind: 'invite-key-mismatch',
    });
  });
});

describe('what contacts learn when a session is ready', () => {
  it('a new key is learned, verified only when an invite vouched for it', () => {
    expect(contactChangesWhenReady([], presenting(bobKey), 'tincan-t-x', true, 5)).toEqual([
      {
        type: 'learned',
        identityKey: bobKey,
        name: 'Bob',
        address: 'tincan-t-x',
        verified: true,
        at: 5,
        special: true,
      },
    ]);
  });

  it('a known contact at a new address is seen there; an invite verifies an unverified one', () => {
    const unverified = { ...bob, verified: false };
    expect(contactChangesWhenReady([unverified], presenting(bobKey), 'tincan-t-new', true, 5)).toEqual([
      { type: 'seen', identityKey: bobKey, address: 'tincan-t-new' },
      { type: 'verified', identityKey: bobKey, verified: true },
    ]);
    expect(contactChangesWhenReady([bob], presenting(bobKey), bob.address, false, 5)).toEqual([]);
  });
});

describe('a contact introducing itself', () => {
  const carol: Contact = {
    identityKey: 'c0'.repeat(32),
    petname: 'Carol',
    address: 'tincan-t-carol',
    verified: false,
    addedAt: 1,
    special: false,
    rendezvousPaused: false,
  };
  const key = 'ab'.repeat(32);

  it('sets its presence key and the address to reach it at', () => {
    expect(introducedChange([bob], presenting(bobKey), key, 'tincan-t-bob2')).toEqual({
      type: 'introduced',
      identityKey: bobKey,
      presenceKey: key,
      address: 'tincan-t-bob2',
    });
  });

  it('cannot take the address another contact is known at: the key is kept, the address is not', () => {
    expect(introducedChange([bob, carol], presenting(bobKey), key, 'tincan-t-carol')).toMatchObject({ address: '' });
  });

  it('changes nothing when it repeats what is stored, or comes from no contact', () => {
    const known = { ...bob, presenceKey: key };
    expect(introducedChange([known], presenting(bobKey), key, 'tincan-t-bob')).toBeUndefined();
    expect(introducedChange([known], presenting(bobKey), key, '')).toBeUndefined();
    expect(introducedChange([bob], presenting(malloryKey), key, 'tincan-t-x')).toBeUndefined();
  });
});
