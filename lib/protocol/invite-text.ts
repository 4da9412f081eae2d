/**
 * The text form of an invite, `tincan1.<address>.<key>`, read without any cryptography: enough
 * to know which address it dials (the popup needs that, and no curve code). Whether the key is a
 * real Ed25519 point is lib/crypto/invite.ts's call.
 */
import { isValidAddress } from '../transport/transport';

export const INVITE_PREFIX = 'tincan1.';
export const INVITE_KEY_BYTES = 32;
/** ceil(256 / 5): the last character carries one bit of key and four zero bits. */
const KEY_CHARS = 52;
/** Far above any real invite (about 160 characters); bigger input is not looked at. */
const MAX_INPUT_CHARS = 4096;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export type InviteText =
  | { ok: true; address: string; keyBytes: Uint8Array }
  | { ok: false; error: 'not-an-invite' | 'bad-address' | 'bad-key' };

export function looksLikeInvite(text: string): boolean {
  return typeof text === 'string' && text.trimStart().slice(0, INVITE_PREFIX.length).toLowerCase() === INVITE_PREFIX;
}

/** Untrusted text in, a typed result out: never throws. */
export function readInviteText(text: string): InviteText {
  if (typeof text !== 'string' || text.length > MAX_INPUT_CHARS || !looksLikeInvite(text)) {
    return { ok: false, error: 'not-an-invite' };
  }
  const body = text.trim().slice(INVITE_PREFIX.length);
  // Addresses never contain '.', so the last one separates the key (or is missing with it).
  const split = body.lastIndexOf('.');
  const address = split < 0 ? body : body.slice(0, split);
  if (!isValidAddress(address)) return { ok: false, error: 'bad-address' };
  const keyBytes = split < 0 ? undefined : decodeKey(body.slice(split + 1));
  return keyBytes ? { ok: true, address, keyBytes } : { ok: false, error: 'bad-key' };
}

/**
 * The address a pasted invite or address will dial; undefined for an invite too damaged to
 * name one (the agent says why when it refuses it).
 */
export function dialTarget(input: string): string | undefined {
  const text = input.trim();
  if (!looksLikeInvite(text)) return text;
  const read = readInviteText(text);
  return read.ok ? read.address : undefined;
}

/** Exactly 52 base32 characters, any case, with the four unused trailing bits zero (canonical). */
function decodeKey(text: string): Uint8Array | undefined {
  if (text.length !== KEY_CHARS || !/^[A-Za-z2-7]+$/.test(text)) return undefined;
  const out = new Uint8Array(INVITE_KEY_BYTES);
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const char of text.toLowerCase()) {
    const value = BASE32.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >>> bits) & 0xff;
    }
  }
  if (at !== INVITE_KEY_BYTES || (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}
