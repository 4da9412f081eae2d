/**
 * Blinded contact tags: a saved contact recognises me on a network; a stranger sees 32 random
 * bytes that change with every network, every day and every visit.
 *
 *   tag = HMAC-SHA256(presence key, "tincan/contact-tag/v1|" + ns + "|" + epoch + "|" + discovery id)
 *
 * - The presence key (32 bytes) is mine, shared with each contact at pairing.
 * - `epoch` is the UTC day: floor(ms since the Unix epoch / 86 400 000), in decimal. A day is
 *   long enough that a tag is computed once per visit, short enough that a stranger who saw my
 *   tag today learns nothing tomorrow.
 * - The discovery id goes in beyond DESIGN.md's `ns | epoch` so that a tag only matches in the
 *   record it was made for: anyone in the namespace can copy my tag into a record of their own,
 *   but not under my discovery id (the router places a record only for the member it names), so
 *   a copied tag is never taken for me. The cost is one HMAC per contact per record, not a lookup.
 *
 * Near midnight the two clocks may be on different days: within EPOCH_GRACE_MS of a day's edge
 * the adjacent day is tried as well.
 */
import { checkBytes, equalBytes, hmacSha256 } from '../crypto/primitives';

export const PRESENCE_KEY_BYTES = 32;
export const DAY_MS = 86_400_000;
/** Covers clock skew between two peers, as MAX_PRESENCE_TTL_MS does for expiries. */
export const EPOCH_GRACE_MS = 15 * 60_000;

const utf8 = new TextEncoder();

export const tagEpoch = (now: number): number => Math.floor(now / DAY_MS);

export type TagContext = { ns: string; discoveryId: string };

export function contactTagForEpoch(presenceKey: Uint8Array, context: TagContext, epoch: number): Uint8Array {
  checkBytes(presenceKey, 'presence key', PRESENCE_KEY_BYTES);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError('epoch must be a day number');
  const label = `tincan/contact-tag/v1|${context.ns}|${epoch}|${context.discoveryId}`;
  return hmacSha256(presenceKey, utf8.encode(label));
}

/** My tag for the record I publish now. */
export function myContactTag(presenceKey: Uint8Array, context: TagContext, now: number): Uint8Array {
  return contactTagForEpoch(presenceKey, context, tagEpoch(now));
}

/** Today, plus yesterday or tomorrow when `now` is within the grace of that edge. */
export function candidateEpochs(now: number): number[] {
  const epoch = tagEpoch(now);
  const sinceStart = now - epoch * DAY_MS;
  const epochs = [epoch];
  if (sinceStart < EPOCH_GRACE_MS && epoch > 0) epochs.push(epoch - 1);
  if (DAY_MS - sinceStart <= EPOCH_GRACE_MS) epochs.push(epoch + 1);
  return epochs;
}

export type ContactPresenceKey<T> = { contact: T; presenceKey: Uint8Array };

/**
 * The first contact whose presence key made `tag` for this record, or undefined (a stranger).
 * Contacts with a key of the wrong length are skipped, not thrown on: one bad stored contact
 * must not hide the rest.
 */
export function matchContactTag<T>(
  tag: Uint8Array,
  context: TagContext,
  now: number,
  contacts: readonly ContactPresenceKey<T>[],
): T | undefined {
  if (!(tag instanceof Uint8Array) || tag.length !== 32) return undefined;
  const epochs = candidateEpochs(now);
  for (const { contact, presenceKey } of contacts) {
    if (!(presenceKey instanceof Uint8Array) || presenceKey.length !== PRESENCE_KEY_BYTES) continue;
    for (const epoch of epochs) {
      if (equalBytes(contactTagForEpoch(presenceKey, context, epoch), tag)) return contact;
    }
  }
  return undefined;
}
