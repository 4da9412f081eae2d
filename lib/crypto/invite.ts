/**
 * An invite: where to reach someone (a transport address) and who they are (their Ed25519
 * identity key), as one line of text: `tincan1.<address>.<key>`, the key in 52 lowercase
 * unpadded base32 characters (RFC 4648 §6). Letters, digits, `-`, `_` and `.` only, so it survives
 * URLs, chat apps and QR codes. The address is a locator; the key is what the handshake checks.
 */
import { toBase32 } from '../bytes';
import { isValidAddress } from '../transport/transport';
import { ed25519 } from './primitives';

export type Invite = { address: string; identityKey: Uint8Array };
export type InviteParse =
  | { ok: true; invite: Invite }
  | { ok: false; error: 'not-an-invite' | 'bad-address' | 'bad-key' };

export const INVITE_PREFIX = 'tincan1.';
const KEY_BYTES = 32;
/** ceil(256 / 5): the last character carries one bit of key and four zero bits. */
const KEY_CHARS = 52;
/** Far above any real invite (about 160 characters); bigger input is not looked at. */
const MAX_INPUT_CHARS = 4096;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function encodeInvite(invite: Invite): string {
  if (!isValidAddress(invite.address)) throw new RangeError(`not a valid address: "${invite.address}"`);
  if (!ed25519.isValidPublicKey(invite.identityKey)) throw new RangeError('not a valid identity key');
  return `${INVITE_PREFIX}${invite.address}.${toBase32(invite.identityKey)}`;
}

export function looksLikeInvite(text: string): boolean {
  return typeof text === 'string' && text.trimStart().slice(0, INVITE_PREFIX.length).toLowerCase() === INVITE_PREFIX;
}

/** Untrusted text in, a typed result out: never throws. */
export function decodeInvite(text: string): InviteParse {
  if (typeof text !== 'string' || text.length > MAX_INPUT_CHARS || !looksLikeInvite(text)) {
    return { ok: false, error: 'not-an-invite' };
  }
  const body = text.trim().slice(INVITE_PREFIX.length);
  // Addresses never contain '.', so the last one separates the key (or is missing with it).
  const split = body.lastIndexOf('.');
  const address = split < 0 ? body : body.slice(0, split);
  if (!isValidAddress(address)) return { ok: false, error: 'bad-address' };
  const identityKey = split < 0 ? undefined : decodeKey(body.slice(split + 1));
  if (!identityKey || !ed25519.isValidPublicKey(identityKey)) return { ok: false, error: 'bad-key' };
  return { ok: true, invite: { address, identityKey } };
}

/** Exactly 52 base32 characters, any case, with the four unused trailing bits zero (canonical). */
function decodeKey(text: string): Uint8Array | undefined {
  if (text.length !== KEY_CHARS || !/^[A-Za-z2-7]+$/.test(text)) return undefined;
  const out = new Uint8Array(KEY_BYTES);
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
  if (at !== KEY_BYTES || (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}
