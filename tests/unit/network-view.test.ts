import { describe, expect, it } from 'vitest';
import { networkViewer } from '../../lib/agent/network-view';
import { toHex } from '../../lib/bytes';
import { myContactTag } from '../../lib/discovery/contact-tag';
import type { VerifiedPresence } from '../../lib/discovery/presence-record';
import { applyContactChange, type Contact } from '../../lib/store/contacts';

const NS = 'abcdefghijklmnop';
const NOW = 1_750_000_000_000;
const ACTIVE = { state: 'active', ns: NS, visit: { state: 'member', rank: 1 } } as const;
const keyOf = (n: number) => new Uint8Array(32).fill(n);
const idOf = (c: string) => `tincan-${NS}-d-${c.repeat(16)}`;

function record(discoveryId: string, name: string, tag: Uint8Array): VerifiedPresence {
  const record = { name, discoveryId, contactTag: tag, expiresAt: NOW + 60_000, discoveryKey: new Uint8Array(32) };
  return { record, bytes: new Uint8Array(0) };
}
const tagFor = (presenceKey: Uint8Array, discoveryId: string) =>
  myContactTag(presenceKey, { ns: NS, discoveryId }, NOW);
const contact = (n: number, presenceKey?: Uint8Array): Contact => ({
  identityKey: toHex(keyOf(n)),
  petname: `contact ${n}`,
  address: '',
  verified: false,
  addedAt: 0,
  special: false,
  rendezvousPaused: false,
  ...(presenceKey ? { presenceKey: toHex(presenceKey) } : {}),
});

describe('who "On this network" shows', () => {
  it('a record tagged with a contact’s presence key is that contact; others are strangers by their chosen name', () => {
    const view = networkViewer();
    const amy = idOf('a');
    const bea = idOf('b');
    const records = [record(amy, 'amy', tagFor(keyOf(9), amy)), record(bea, 'bea', tagFor(keyOf(8), bea))];
    const result = view(ACTIVE, NS, records, [contact(1, keyOf(9))], NOW);
    expect(result.peers).toEqual([
      { discoveryId: amy, name: 'amy', contactKey: toHex(keyOf(1)) },
      { discoveryId: bea, name: 'bea' },
    ]);
  });

  it('a contact’s tag copied into someone else’s record does not make them the contact', () => {
    const view = networkViewer();
    const amy = idOf('a');
    const copycat = idOf('c');
    const tag = tagFor(keyOf(9), amy);
    const result = view(ACTIVE, NS, [record(copycat, 'amy', tag)], [contact(1, keyOf(9))], NOW);
    expect(result.peers).toEqual([{ discoveryId: copycat, name: 'amy' }]);
  });

  it('two records of one contact (an old visit’s still there): shown once, by the record that lives longest', () => {
    const view = networkViewer();
    const old = idOf('a');
    const fresh = idOf('b');
    const newer = record(fresh, 'amy', tagFor(keyOf(9), fresh));
    const records = [
      record(old, 'amy', tagFor(keyOf(9), old)),
      { ...newer, record: { ...newer.record, expiresAt: NOW + 120_000 } },
    ];
    const result = view(ACTIVE, NS, records, [contact(1, keyOf(9))], NOW);
    expect(result.peers).toEqual([{ discoveryId: fresh, name: 'amy', contactKey: toHex(keyOf(1)) }]);
  });

  it('a contact without a presence key yet (paired before it was sent) shows as a stranger', () => {
    const view = networkViewer();
    const amy = idOf('a');
    const result = view(ACTIVE, NS, [record(amy, 'amy', tagFor(keyOf(9), amy))], [contact(1)], NOW);
    expect(result.peers[0]?.contactKey).toBeUndefined();
  });

  it('a newly saved contact is recognised on the next view (matches are not cached across contact lists)', () => {
    const view = networkViewer();
    const amy = idOf('a');
    const records = [record(amy, 'amy', tagFor(keyOf(9), amy))];
    expect(view(ACTIVE, NS, records, [], NOW).peers[0]?.contactKey).toBeUndefined();
    expect(view(ACTIVE, NS, records, [contact(1, keyOf(9))], NOW).peers[0]?.contactKey).toBe(toHex(keyOf(1)));
  });
});

describe('a contact introducing itself', () => {
  const base = [contact(1)];
  it('stores its presence key and the address to reach it at', () => {
    const next = applyContactChange(base, {
      type: 'introduced',
      identityKey: toHex(keyOf(1)),
      presenceKey: toHex(keyOf(9)),
      address: 'tincan-t-abc',
    });
    expect(next[0]).toMatchObject({ presenceKey: toHex(keyOf(9)), address: 'tincan-t-abc' });
  });

  it('with no address (not online yet) keeps the address it had', () => {
    const withAddress = [{ ...contact(1), address: 'tincan-t-old' }];
    const next = applyContactChange(withAddress, {
      type: 'introduced',
      identityKey: toHex(keyOf(1)),
      presenceKey: toHex(keyOf(9)),
      address: '',
    });
    expect(next[0]?.address).toBe('tincan-t-old');
  });

  it('from a key that is no contact changes nothing', () => {
    const next = applyContactChange(base, {
      type: 'introduced',
      identityKey: toHex(keyOf(2)),
      presenceKey: toHex(keyOf(9)),
      address: 'x',
    });
    expect(next).toEqual(base);
  });
});
