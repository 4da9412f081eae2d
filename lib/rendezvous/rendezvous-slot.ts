/**
 * Rendezvous slots: where two special contacts look for each other during one 10-minute window
 * (DESIGN.md, "Rendezvous"):
 *
 *   tag = first 26 base32 chars of HMAC-SHA256(secret, "tincan/rv/v1|UTC-YYYY-MM-DD-HH-" + floor(min/10))
 *
 * and the slot's router ids are `tincan-v-{tag}-r{k}`. 26 base32 characters are 130 bits (the
 * last character carries 5 bits of the 16th byte, so 128 whole bits and two more): unguessable
 * for anyone without the secret, and no collision between pairs worth a thought. Near a slot
 * edge both adjacent slots are tried, so clocks a minute or two apart still meet.
 */
import { toBase32 } from '../bytes';
import { checkBytes, hmacSha256 } from '../crypto/primitives';

export const SLOT_MS = 10 * 60_000;
/** Within this much of a boundary, the slot on the other side of it is visited too. */
export const SLOT_EDGE_MS = 2 * 60_000;
export const SLOT_TAG_CHARS = 26;
export const RENDEZVOUS_LABEL = 'tincan/rv/v1|';

const utf8 = new TextEncoder();
const two = (n: number) => String(n).padStart(2, '0');

function checkTime(timeMs: number): void {
  if (!Number.isFinite(timeMs) || timeMs < 0) throw new RangeError(`not a time: ${timeMs}`);
}

/** `UTC-YYYY-MM-DD-HH-N`, N = floor(minute / 10), for the slot holding `timeMs`. */
export function slotLabel(timeMs: number): string {
  checkTime(timeMs);
  const t = new Date(timeMs);
  const date = `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}`;
  return `UTC-${date}-${two(t.getUTCHours())}-${Math.floor(t.getUTCMinutes() / 10)}`;
}

export function slotTag(secret: Uint8Array, label: string): string {
  checkBytes(secret, 'rendezvous secret', 32);
  return toBase32(hmacSha256(secret, utf8.encode(RENDEZVOUS_LABEL + label))).slice(0, SLOT_TAG_CHARS);
}

export function slotStart(timeMs: number): number {
  checkTime(timeMs);
  return Math.floor(timeMs / SLOT_MS) * SLOT_MS;
}

/**
 * The starts of the slots to be in at `timeMs`: the current one, plus the previous one for the
 * first SLOT_EDGE_MS after a boundary (inclusive of the boundary itself), plus the next one for
 * the last SLOT_EDGE_MS before the next boundary. Ascending.
 */
export function slotsAt(timeMs: number): number[] {
  const start = slotStart(timeMs);
  const slots = [start];
  if (timeMs - start < SLOT_EDGE_MS && start >= SLOT_MS) slots.unshift(start - SLOT_MS);
  if (start + SLOT_MS - timeMs <= SLOT_EDGE_MS) slots.push(start + SLOT_MS);
  return slots;
}

/** The first moment after `timeMs` at which `slotsAt` gives a different set. */
export function nextSlotChange(timeMs: number): number {
  const start = slotStart(timeMs);
  const changes = [start + SLOT_EDGE_MS, start + SLOT_MS - SLOT_EDGE_MS, start + SLOT_MS];
  return changes.find((t) => t > timeMs) ?? start + SLOT_MS + SLOT_EDGE_MS;
}

export function rendezvousNamespace(tag: string): string {
  return `v-${tag}`;
}

const RENDEZVOUS_ID = new RegExp(`^tincan-v-[a-z2-7]{${SLOT_TAG_CHARS}}-r[1-9][0-9]?$`);

/** A slot's router id: a meeting place, never an address to keep for a contact. */
export function isRendezvousId(id: string): boolean {
  return RENDEZVOUS_ID.test(id);
}
