/**
 * Rendezvous slots: where two special contacts look for each other during one 10-minute window
 * (DESIGN.md, "Rendezvous"):
 *
 *   tag = first 26 base32 chars of HMAC-SHA256(secret, "tincan/rv/v1|UTC-YYYY-MM-DD-HH-" + floor(min/10))
 *
 * and the slot's router ids are `{root}-v-{tag}-r{k}`. 26 base32 characters carry the MAC's first
 * 130 bits (its first 16 bytes whole, and two bits of the 17th). 128 bits is the secret-strength
 * line: nobody without the secret can guess a slot to squat or watch, and two slot tags
 * collide only after some 2^64 of them (the birthday bound). Any shorter and the id would be the weakest
 * link; longer buys nothing and PeerJS ids stay short. Near a slot edge both adjacent slots are
 * tried, so clocks a minute or two apart still meet.
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

/** The latest moment a `Date` can hold (ECMA-262, "Time Values and Time Range"); past it no label can be written. */
const MAX_TIME_MS = 8.64e15;

function checkTime(timeMs: number): void {
  if (!Number.isFinite(timeMs) || timeMs < 0 || timeMs > MAX_TIME_MS) throw new RangeError(`not a time: ${timeMs}`);
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
 * The starts of the slots to be in at `timeMs`, ascending. Each slot is visited from SLOT_EDGE_MS
 * before it begins until SLOT_EDGE_MS after it ends, start inclusive, end exclusive:
 * [S − 2 min, S + 12 min). So within 2 minutes before a boundary (`B − 2 min ≤ t < B`) the next
 * slot is visited as well, and from the boundary itself until 2 minutes after (`B ≤ t < B + 2 min`)
 * the previous one: two clocks up to 2 minutes apart always share a slot. Half-open like the slots
 * themselves, so every moment has one answer and the set changes at exactly two moments per slot.
 */
export function slotsAt(timeMs: number): number[] {
  const start = slotStart(timeMs);
  const slots = [start];
  if (timeMs - start < SLOT_EDGE_MS && start >= SLOT_MS) slots.unshift(start - SLOT_MS);
  if (start + SLOT_MS - timeMs <= SLOT_EDGE_MS) slots.push(start + SLOT_MS);
  return slots;
}

/**
 * The first moment after `timeMs` at which `slotsAt` gives a different set, for one timer or
 * alarm. The boundary itself is not one: the same two slots are visited on both sides of it.
 */
export function nextSlotChange(timeMs: number): number {
  const start = slotStart(timeMs);
  const nextJoins = start + SLOT_MS - SLOT_EDGE_MS;
  const thisLeft = start + SLOT_MS + SLOT_EDGE_MS;
  // The previous slot is left SLOT_EDGE_MS into this one; the epoch's first slot has none to leave.
  const previousLeft = start >= SLOT_MS && timeMs < start + SLOT_EDGE_MS ? start + SLOT_EDGE_MS : undefined;
  return previousLeft ?? (timeMs < nextJoins ? nextJoins : thisLeft);
}

export function rendezvousNamespace(tag: string): string {
  return `v-${tag}`;
}

// `{root}-v-{tag}-r{k}` for any root (the constant `tincan`, or a beacon token: letters, digits,
// `-`, `_`, alphanumeric at both ends), ranks as router-election.ts writes them. No transport,
// discovery or namespace router id has 26 base32 characters after a `-v-`.
const RENDEZVOUS_ID = new RegExp(
  `^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?-v-[a-z2-7]{${SLOT_TAG_CHARS}}-r[1-9][0-9]{0,2}$`,
);

/**
 * A slot's router id: a meeting place, never an address to keep for a contact, and never a way
 * in for someone who is not one.
 */
export function isRendezvousId(id: string): boolean {
  return RENDEZVOUS_ID.test(id);
}
