import { describe, expect, it } from 'vitest';
import { toHex } from '../../../lib/bytes';
import {
  candidateEpochs,
  contactTagForEpoch,
  DAY_MS,
  EPOCH_GRACE_MS,
  matchContactTag,
  myContactTag,
  tagEpoch,
} from '../../../lib/discovery/contact-tag';

const alice = new Uint8Array(32).fill(0xa1);
const bob = new Uint8Array(32).fill(0xb0);
const here = { ns: 'abcdefghijklmnop', discoveryId: 'tincan-abcdefghijklmnop-d-aaaaaaaaaaaaaaaa' };
const there = { ns: 'qrstuvwxyz234567', discoveryId: 'tincan-qrstuvwxyz234567-d-aaaaaaaaaaaaaaaa' };
const NOON = 20_000 * DAY_MS + DAY_MS / 2;
const contacts = [
  { contact: 'bob', presenceKey: bob },
  { contact: 'alice', presenceKey: alice },
];

describe('blinded contact tags', () => {
  it('a contact who holds my presence key recognises my tag', () => {
    const tag = myContactTag(alice, here, NOON);
    expect(matchContactTag(tag, here, NOON, contacts)).toBe('alice');
  });

  it('a stranger without the key sees nobody they know', () => {
    const tag = myContactTag(alice, here, NOON);
    expect(matchContactTag(tag, here, NOON, [{ contact: 'bob', presenceKey: bob }])).toBeUndefined();
  });

  it('cannot be linked across networks, days or visits', () => {
    const today = toHex(myContactTag(alice, here, NOON));
    expect(toHex(myContactTag(alice, there, NOON))).not.toBe(today);
    expect(toHex(myContactTag(alice, here, NOON + DAY_MS))).not.toBe(today);
    const nextVisit = { ...here, discoveryId: 'tincan-abcdefghijklmnop-d-bbbbbbbbbbbbbbbb' };
    expect(toHex(myContactTag(alice, nextVisit, NOON))).not.toBe(today);
  });

  it('a tag copied into someone else’s record is not taken for me', () => {
    const tag = myContactTag(alice, here, NOON);
    const impostor = { ...here, discoveryId: 'tincan-abcdefghijklmnop-d-eeeeeeeeeeeeeeee' };
    expect(matchContactTag(tag, impostor, NOON, contacts)).toBeUndefined();
  });

  it('near midnight a clock on the other side of it still matches', () => {
    const midnight = 20_001 * DAY_MS;
    const beforeMidnight = myContactTag(alice, here, midnight - 60_000);
    expect(matchContactTag(beforeMidnight, here, midnight + 60_000, contacts)).toBe('alice');
    const afterMidnight = myContactTag(alice, here, midnight + 60_000);
    expect(matchContactTag(afterMidnight, here, midnight - 60_000, contacts)).toBe('alice');
    // Yesterday's tag at noon is no longer today's.
    expect(matchContactTag(beforeMidnight, here, midnight + DAY_MS / 2, contacts)).toBeUndefined();
  });

  it('the epoch is the UTC day, with the adjacent day only near its edges', () => {
    expect(tagEpoch(Date.UTC(2025, 0, 1, 23, 59))).toBe(Date.UTC(2025, 0, 1) / DAY_MS);
    expect(candidateEpochs(NOON)).toEqual([20_000]);
    expect(candidateEpochs(20_000 * DAY_MS + EPOCH_GRACE_MS - 1)).toEqual([20_000, 19_999]);
    expect(candidateEpochs(20_001 * DAY_MS - EPOCH_GRACE_MS)).toEqual([20_000, 20_001]);
  });

  it('has a known answer (HMAC-SHA256 over the label, computed with Node crypto)', () => {
    expect(toHex(contactTagForEpoch(alice, here, 20_000))).toBe(EXPECTED);
  });

  it('skips contacts with a broken key and refuses tags of the wrong size', () => {
    const tag = myContactTag(alice, here, NOON);
    const broken = [{ contact: 'broken', presenceKey: new Uint8Array(3) }, ...contacts];
    expect(matchContactTag(tag, here, NOON, broken)).toBe('alice');
    expect(matchContactTag(tag.subarray(0, 31), here, NOON, contacts)).toBeUndefined();
    expect(() => myContactTag(new Uint8Array(31), here, NOON)).toThrow(RangeError);
  });
});

const EXPECTED = '24e828b244b7add83d7a4f57ce46458b8b680ad31dea0a94b159e06a30f0d506';
