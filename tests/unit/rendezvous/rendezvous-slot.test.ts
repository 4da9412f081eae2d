/**
 * Rendezvous slots against tests/data/rendezvous-slot-tags.json, known answers written by an
 * independent Python implementation (tests/data/rendezvous-slot-tags.py), plus properties of the
 * schedule over many times.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../lib/bytes';
import { hmacSha256 } from '../../../lib/crypto/primitives';
import { makeDiscoveryId, namespaceId, rootKey } from '../../../lib/discovery/network-namespace';
import { routerId } from '../../../lib/discovery/router-election';
import {
  isRendezvousId,
  nextSlotChange,
  RENDEZVOUS_LABEL,
  rendezvousNamespace,
  SLOT_EDGE_MS,
  SLOT_MS,
  SLOT_TAG_CHARS,
  slotLabel,
  slotStart,
  slotsAt,
  slotTag,
} from '../../../lib/rendezvous/rendezvous-slot';
import { hex, isRecord, num, records, text } from '../crypto/vectors';

const file: unknown = JSON.parse(
  readFileSync(new URL('../../data/rendezvous-slot-tags.json', import.meta.url), 'utf8'),
);
if (!isRecord(file)) throw new Error('rendezvous-slot-tags.json is not an object');
const tagVectors = records(file.tags, 'tags');
const scheduleVectors = records(file.schedule, 'schedule');

function numbers(record: Record<string, unknown>, name: string): number[] {
  const value = record[name];
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'number')) throw new Error(`${name} is not numbers`);
  return value;
}

const utf8 = new TextEncoder();
const SECRET = new Uint8Array(32).map((_, i) => i);
const BOUNDARY = Date.UTC(2024, 4, 17, 14, 40);

/** A fixed-seed generator (mulberry32): the same "random" times on every run. */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('slot tag vectors from the independent implementation', () => {
  it('agree on the constants', () => {
    expect(text(file, 'message_prefix')).toBe(RENDEZVOUS_LABEL);
    expect(num(file, 'slot_ms')).toBe(SLOT_MS);
    expect(num(file, 'edge_ms')).toBe(SLOT_EDGE_MS);
    expect(num(file, 'tag_chars')).toBe(SLOT_TAG_CHARS);
    expect(tagVectors.length).toBeGreaterThanOrEqual(30);
    expect(scheduleVectors.length).toBeGreaterThanOrEqual(10);
  });

  it.each(tagVectors.map((v) => [text(v, 'about'), text(v, 'secret').slice(0, 4), v] as const))(
    '%s (secret %s…): label, message, HMAC and tag match',
    (_about, _secret, vector) => {
      const timeMs = num(vector, 'time_ms');
      const secret = hex(vector, 'secret');
      expect(new Date(timeMs).toISOString()).toBe(text(vector, 'time'));
      const label = slotLabel(timeMs);
      expect(label).toBe(text(vector, 'label'));
      expect(RENDEZVOUS_LABEL + label).toBe(text(vector, 'message'));
      expect(toHex(hmacSha256(secret, utf8.encode(text(vector, 'message'))))).toBe(text(vector, 'hmac'));
      expect(slotTag(secret, label)).toBe(text(vector, 'tag'));
    },
  );

  it.each(scheduleVectors.map((v) => [text(v, 'about'), v] as const))(
    '%s: the same slots and the same next change',
    (_about, vector) => {
      const timeMs = num(vector, 'time_ms');
      expect(slotsAt(timeMs)).toEqual(numbers(vector, 'slots_ms'));
      expect(nextSlotChange(timeMs)).toBe(num(vector, 'next_change_ms'));
    },
  );
});

describe('slot labels and tags', () => {
  it('name the 10-minute slot in UTC, zero-padded', () => {
    expect(slotLabel(Date.UTC(2025, 0, 2, 3, 9, 59, 999))).toBe('UTC-2025-01-02-03-0');
    expect(slotLabel(Date.UTC(2025, 0, 2, 3, 10))).toBe('UTC-2025-01-02-03-1');
    expect(slotLabel(Date.UTC(2025, 10, 30, 21, 59))).toBe('UTC-2025-11-30-21-5');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1, 8.64e15 + 1])('time %s is refused', (time) => {
    expect(() => slotLabel(time)).toThrow(RangeError);
    expect(() => slotStart(time)).toThrow(RangeError);
    expect(() => slotsAt(time)).toThrow(RangeError);
    expect(() => nextSlotChange(time)).toThrow(RangeError);
  });

  it('are 26 lowercase base32 characters, and differ between contacts and between slots', () => {
    const label = slotLabel(BOUNDARY);
    const tag = slotTag(SECRET, label);
    expect(tag).toMatch(/^[a-z2-7]{26}$/);
    expect(slotTag(new Uint8Array(32).fill(0xff), label)).not.toBe(tag);
    expect(slotTag(SECRET, slotLabel(BOUNDARY + SLOT_MS))).not.toBe(tag);
  });

  it.each([0, 16, 31, 33, 64])('a secret of %s bytes is refused', (length) => {
    expect(() => slotTag(new Uint8Array(length), slotLabel(BOUNDARY))).toThrow();
  });
});

describe('the slot schedule', () => {
  it('visits the next slot from exactly 2 minutes before a boundary, not 1 ms earlier', () => {
    expect(slotsAt(BOUNDARY - SLOT_EDGE_MS - 1)).toEqual([BOUNDARY - SLOT_MS]);
    expect(slotsAt(BOUNDARY - SLOT_EDGE_MS)).toEqual([BOUNDARY - SLOT_MS, BOUNDARY]);
  });

  it('keeps the previous slot from the boundary until 1 ms before 2 minutes after it', () => {
    expect(slotsAt(BOUNDARY - 1)).toEqual([BOUNDARY - SLOT_MS, BOUNDARY]);
    expect(slotsAt(BOUNDARY)).toEqual([BOUNDARY - SLOT_MS, BOUNDARY]);
    expect(slotsAt(BOUNDARY + SLOT_EDGE_MS - 1)).toEqual([BOUNDARY - SLOT_MS, BOUNDARY]);
    expect(slotsAt(BOUNDARY + SLOT_EDGE_MS)).toEqual([BOUNDARY]);
  });

  it('sets no timer for the boundary itself: the same two slots are visited on both sides', () => {
    expect(nextSlotChange(BOUNDARY - SLOT_EDGE_MS)).toBe(BOUNDARY + SLOT_EDGE_MS);
    expect(nextSlotChange(BOUNDARY - 1)).toBe(BOUNDARY + SLOT_EDGE_MS);
  });

  it('two clocks up to 2 minutes apart always share a slot', () => {
    const random = seeded(7);
    for (let i = 0; i < 2_000; i++) {
      const t = BOUNDARY + Math.floor((random() - 0.5) * 4 * SLOT_MS);
      const skew = Math.floor(random() * SLOT_EDGE_MS);
      const late = slotsAt(t);
      expect(slotsAt(t + skew).some((start) => late.includes(start))).toBe(true);
    }
  });

  it('for many times: the current slot is in, the set holds until the next change and differs at it', () => {
    const random = seeded(42);
    const times = [0, 1, SLOT_EDGE_MS - 1, SLOT_EDGE_MS, SLOT_MS - 1, SLOT_MS, SLOT_MS + SLOT_EDGE_MS - 1];
    for (let i = 0; i < 2_000; i++) times.push(Math.floor(random() * Date.UTC(2100, 0, 1)));
    for (const t of times) {
      const slots = slotsAt(t);
      const next = nextSlotChange(t);
      expect(slots).toContain(slotStart(t));
      expect(slots.length === 1 || slots.length === 2).toBe(true);
      expect([...slots].sort((a, b) => a - b)).toEqual(slots);
      expect(next).toBeGreaterThan(t);
      expect(next - t).toBeLessThanOrEqual(SLOT_MS - SLOT_EDGE_MS);
      for (const inside of [t + 1, Math.floor((t + next) / 2), next - 1]) {
        if (inside < next) expect(slotsAt(inside)).toEqual(slots);
      }
      expect(slotsAt(next)).not.toEqual(slots);
    }
  });
});

describe('rendezvous ids', () => {
  const tag = slotTag(SECRET, slotLabel(BOUNDARY));

  it('are the router election run in the slot namespace: {root}-v-{tag}-r{k}', () => {
    expect(rendezvousNamespace(tag)).toBe(`v-${tag}`);
    expect(routerId('tincan', rendezvousNamespace(tag), 1)).toBe(`tincan-v-${tag}-r1`);
  });

  it('are recognised, under the default root and under a beacon root, so none is kept as an address', () => {
    expect(isRendezvousId(routerId('tincan', rendezvousNamespace(tag), 1))).toBe(true);
    expect(isRendezvousId(routerId('tincan', rendezvousNamespace(tag), 8))).toBe(true);
    expect(isRendezvousId(routerId('Beacon_Tok-3', rendezvousNamespace(tag), 2))).toBe(true);
  });

  it('are told apart from transport, discovery and network router ids, and from near misses', () => {
    const ns = namespaceId(rootKey('tincan'), '203.0.113.7');
    expect(isRendezvousId(routerId('tincan', ns, 1))).toBe(false);
    expect(isRendezvousId(makeDiscoveryId('tincan', ns, (n) => new Uint8Array(n)))).toBe(false);
    expect(isRendezvousId('tincan-t-abcdefghijklmnopqrstuvwxyz')).toBe(false);
    expect(isRendezvousId(`tincan-v-${tag.slice(1)}-r1`)).toBe(false);
    expect(isRendezvousId(`tincan-v-${tag}a-r1`)).toBe(false);
    expect(isRendezvousId(`tincan-v-${tag.toUpperCase()}-r1`)).toBe(false);
    expect(isRendezvousId(`tincan-v-${tag}-r0`)).toBe(false);
    expect(isRendezvousId(`tincan-v-${tag}`)).toBe(false);
    expect(isRendezvousId(`-v-${tag}-r1`)).toBe(false);
  });
});
