/**
 * What each side proves about itself inside the Noise XX handshake (messages 2 and 3, so it is
 * encrypted and only sent once the other side's ephemeral key is mixed in):
 *
 *   byte 0        payload version (1)
 *   bytes 1–32    Ed25519 identity public key
 *   bytes 33–96   certificate: the identity key's signature over the Noise static key
 *   byte 97       name length n (≤ MAX_NAME_BYTES)
 *   bytes 98…     the name the user chose, UTF-8
 *
 * Message 1 carries no payload: it travels before any key is agreed.
 */
import { MAX_NAME_BYTES } from './frame';

export const HANDSHAKE_PAYLOAD_VERSION = 1;
export const IDENTITY_KEY_BYTES = 32;
export const CERTIFICATE_BYTES = 64;
const FIXED_BYTES = 1 + IDENTITY_KEY_BYTES + CERTIFICATE_BYTES + 1;

export type IdentityProof = { identityKey: Uint8Array; certificate: Uint8Array; name: string };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Names longer than the limit are cut at a character boundary, never refused. */
function nameBytes(name: string): Uint8Array {
  let bytes = utf8.encode(name);
  let chars = [...name];
  while (bytes.length > MAX_NAME_BYTES) {
    chars = chars.slice(0, -1);
    bytes = utf8.encode(chars.join(''));
  }
  return bytes;
}

export function encodeIdentityProof(proof: IdentityProof): Uint8Array {
  if (proof.identityKey.length !== IDENTITY_KEY_BYTES) throw new RangeError('identity key must be 32 bytes');
  if (proof.certificate.length !== CERTIFICATE_BYTES) throw new RangeError('certificate must be 64 bytes');
  const name = nameBytes(proof.name);
  const out = new Uint8Array(FIXED_BYTES + name.length);
  out[0] = HANDSHAKE_PAYLOAD_VERSION;
  out.set(proof.identityKey, 1);
  out.set(proof.certificate, 1 + IDENTITY_KEY_BYTES);
  out[FIXED_BYTES - 1] = name.length;
  out.set(name, FIXED_BYTES);
  return out;
}

/**
 * A peer's name is shown next to text we write ("… (key abcd …) wants to chat"): control
 * characters, line breaks and bidirectional overrides could make it rewrite that text (or fake
 * the key shown after it), so they go.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
const LAYOUT_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function plainName(name: string): string {
  return name.replace(LAYOUT_CONTROLS, '').trim();
}

export type IdentityProofResult = { ok: true; proof: IdentityProof } | { ok: false; detail: string };

/** From a decrypted handshake payload: authenticated by Noise, but still the peer's bytes. */
export function decodeIdentityProof(bytes: Uint8Array): IdentityProofResult {
  if (bytes.length < FIXED_BYTES) return { ok: false, detail: 'identity proof too short' };
  if (bytes[0] !== HANDSHAKE_PAYLOAD_VERSION) return { ok: false, detail: `identity proof version ${bytes[0]}` };
  const length = bytes[FIXED_BYTES - 1] ?? 0;
  if (length > MAX_NAME_BYTES || bytes.length !== FIXED_BYTES + length) {
    return { ok: false, detail: 'identity proof name length' };
  }
  let name: string;
  try {
    name = strictUtf8.decode(bytes.subarray(FIXED_BYTES));
  } catch {
    return { ok: false, detail: 'identity proof name is not UTF-8' };
  }
  return {
    ok: true,
    proof: {
      identityKey: bytes.slice(1, 1 + IDENTITY_KEY_BYTES),
      certificate: bytes.slice(1 + IDENTITY_KEY_BYTES, 1 + IDENTITY_KEY_BYTES + CERTIFICATE_BYTES),
      name: plainName(name),
    },
  };
}
