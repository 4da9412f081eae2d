/**
 * A presence record: what one member of a network namespace publishes about itself, signed by
 * its discovery key so the router (and everyone who relays it) can pass it on but not forge or
 * alter it. The discovery key is a fresh Ed25519 key for each namespace visit, never the
 * identity key: strangers must not link one person across networks.
 *
 *   byte 0          record version (1)
 *   bytes 1–32      discovery public key (Ed25519)
 *   bytes 33–64     blinded contact tag (contact-tag.ts)
 *   bytes 65–72     expiry, ms since the Unix epoch, unsigned 64-bit big-endian (≤ 2^53 − 1)
 *   byte 73         discovery id length d (1…100)
 *   bytes 74…       discovery id, ASCII (`{root}-{ns}-d-{rand}`)
 *   next byte       name length n (0…160)
 *   next n bytes    name, UTF-8 (≤ 40 characters)
 *   last 64 bytes   Ed25519 signature, by the discovery key, over
 *                   "tincan/presence/v1" || every byte before the signature
 */
import { platformCurve25519 } from '../crypto/curve25519';
import { checkBytes, concatBytes, ed25519, SIGNATURE_BYTES } from '../crypto/primitives';
import { plainName } from '../protocol/handshake-payload';
import { MAX_DISCOVERY_ID_CHARS, parseDiscoveryId } from './network-namespace';

export const PRESENCE_VERSION = 1;
export const DISCOVERY_KEY_BYTES = 32;
export const CONTACT_TAG_BYTES = 32;
export const MAX_PRESENCE_NAME_CHARS = 40;
const MAX_NAME_BYTES = MAX_PRESENCE_NAME_CHARS * 4;
const ID_LENGTH_AT = 1 + DISCOVERY_KEY_BYTES + CONTACT_TAG_BYTES + 8;
const MIN_BYTES = ID_LENGTH_AT + 1 + 1 + 1 + SIGNATURE_BYTES;
export const MAX_PRESENCE_BYTES = ID_LENGTH_AT + 1 + MAX_DISCOVERY_ID_CHARS + 1 + MAX_NAME_BYTES + SIGNATURE_BYTES;
/**
 * A record may live at most this long past the verifier's clock. A member refreshes its record
 * well within it; a longer expiry would let a departed member's record outlive it in every
 * cached registry. The margin also absorbs clock skew between peers.
 */
export const MAX_PRESENCE_TTL_MS = 15 * 60_000;

const SIGNING_LABEL = new TextEncoder().encode('tincan/presence/v1');

export type PresenceRecord = {
  name: string;
  discoveryId: string;
  contactTag: Uint8Array;
  /** ms since the Unix epoch. */
  expiresAt: number;
  discoveryKey: Uint8Array;
};

/** What a member fills in; the discovery key comes from the seed that signs. */
export type PresenceFields = Omit<PresenceRecord, 'discoveryKey'>;

/** A record whose signature and expiry were checked, with the exact bytes that were signed, for relaying. */
export type VerifiedPresence = { record: PresenceRecord; bytes: Uint8Array };

export type PresenceResult =
  | ({ ok: true } & VerifiedPresence)
  | { ok: false; kind: 'malformed'; detail: string }
  | { ok: false; kind: 'bad-signature' }
  | { ok: false; kind: 'expired'; expiresAt: number }
  | { ok: false; kind: 'expiry-too-far'; expiresAt: number };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Control and bidi characters stripped, then cut to 40 characters (code points), never refused. */
export function presenceName(name: string): string {
  return plainName([...plainName(name)].slice(0, MAX_PRESENCE_NAME_CHARS).join(''));
}

export function signPresence(fields: PresenceFields, discoverySeed: Uint8Array): Uint8Array {
  checkBytes(discoverySeed, 'discovery seed', 32);
  checkBytes(fields.contactTag, 'contact tag', CONTACT_TAG_BYTES);
  if (!parseDiscoveryId(fields.discoveryId)) throw new RangeError('not a discovery id');
  if (!Number.isSafeInteger(fields.expiresAt) || fields.expiresAt < 0) throw new RangeError('expiry must be a time');
  const id = utf8.encode(fields.discoveryId);
  const name = utf8.encode(presenceName(fields.name));
  const body = new Uint8Array(ID_LENGTH_AT + 1 + id.length + 1 + name.length);
  body[0] = PRESENCE_VERSION;
  body.set(ed25519.publicKeyFromSeed(discoverySeed), 1);
  body.set(fields.contactTag, 1 + DISCOVERY_KEY_BYTES);
  new DataView(body.buffer).setBigUint64(ID_LENGTH_AT - 8, BigInt(fields.expiresAt));
  body[ID_LENGTH_AT] = id.length;
  body.set(id, ID_LENGTH_AT + 1);
  body[ID_LENGTH_AT + 1 + id.length] = name.length;
  body.set(name, ID_LENGTH_AT + 2 + id.length);
  return concatBytes(body, ed25519.sign(discoverySeed, concatBytes(SIGNING_LABEL, body)));
}

const malformed = (detail: string): PresenceResult => ({ ok: false, kind: 'malformed', detail });

type Decoded = { record: PresenceRecord; body: Uint8Array; signature: Uint8Array };

/** The layout alone, from anything a peer sent: no signature or clock yet. */
function decodePresence(data: unknown): Decoded | string {
  if (!(data instanceof Uint8Array)) return 'not bytes';
  if (data.length < MIN_BYTES) return 'too short';
  if (data.length > MAX_PRESENCE_BYTES) return 'too large';
  // Copy once: nothing decoded may share memory with the caller's buffer.
  const bytes = data.slice();
  if (bytes[0] !== PRESENCE_VERSION) return `version ${bytes[0]}`;
  const expiry = new DataView(bytes.buffer).getBigUint64(ID_LENGTH_AT - 8);
  if (expiry > BigInt(Number.MAX_SAFE_INTEGER)) return 'expiry out of range';
  const idLength = bytes[ID_LENGTH_AT] ?? 0;
  const nameLengthAt = ID_LENGTH_AT + 1 + idLength;
  const nameLength = bytes[nameLengthAt] ?? 0;
  if (nameLength > MAX_NAME_BYTES) return 'name too long';
  if (bytes.length !== nameLengthAt + 1 + nameLength + SIGNATURE_BYTES) return 'lengths do not add up';
  let discoveryId: string;
  let rawName: string;
  try {
    discoveryId = strictUtf8.decode(bytes.subarray(ID_LENGTH_AT + 1, nameLengthAt));
    rawName = strictUtf8.decode(bytes.subarray(nameLengthAt + 1, nameLengthAt + 1 + nameLength));
  } catch {
    return 'text is not UTF-8';
  }
  if (!parseDiscoveryId(discoveryId)) return 'not a discovery id';
  if ([...rawName].length > MAX_PRESENCE_NAME_CHARS) return 'name too long';
  const signatureAt = bytes.length - SIGNATURE_BYTES;
  return {
    record: {
      name: presenceName(rawName),
      discoveryId,
      contactTag: bytes.slice(1 + DISCOVERY_KEY_BYTES, ID_LENGTH_AT - 8),
      expiresAt: Number(expiry),
      discoveryKey: bytes.slice(1, 1 + DISCOVERY_KEY_BYTES),
    },
    body: bytes.subarray(0, signatureAt),
    signature: bytes.subarray(signatureAt),
  };
}

/**
 * Decodes, checks the signature (strict RFC 8032, in WebCrypto where the platform has it),
 * then the expiry against the verifier's clock. A bad signature is reported before an expiry:
 * it says more about who sent it.
 */
export async function verifyPresence(data: unknown, now: number): Promise<PresenceResult> {
  const decoded = decodePresence(data);
  if (typeof decoded === 'string') return malformed(decoded);
  const { record, body, signature } = decoded;
  const curve = await platformCurve25519();
  const valid = await curve.verifyEd25519(record.discoveryKey, concatBytes(SIGNING_LABEL, body), signature);
  if (!valid) return { ok: false, kind: 'bad-signature' };
  if (record.expiresAt <= now) return { ok: false, kind: 'expired', expiresAt: record.expiresAt };
  if (record.expiresAt > now + MAX_PRESENCE_TTL_MS)
    return { ok: false, kind: 'expiry-too-far', expiresAt: record.expiresAt };
  return { ok: true, record, bytes: concatBytes(body, signature) };
}
