/**
 * An invite: where to reach someone (a transport address) and who they are (their Ed25519
 * identity key), as one line of text: `tincan1.<address>.<key>`, the key in 52 lowercase
 * unpadded base32 characters (RFC 4648 §6). Letters, digits, `-`, `_` and `.` only, so it survives
 * URLs, chat apps and QR codes. The address is a locator; the key is what the handshake checks.
 */
import { toBase32 } from '../bytes';
import { INVITE_PREFIX, looksLikeInvite, readInviteText } from '../protocol/invite-text';
import { isValidAddress } from '../transport/transport';
import { ed25519 } from './primitives';

export { INVITE_PREFIX, looksLikeInvite };

export type Invite = { address: string; identityKey: Uint8Array };
export type InviteParse =
  | { ok: true; invite: Invite }
  | { ok: false; error: 'not-an-invite' | 'bad-address' | 'bad-key' };

export function encodeInvite(invite: Invite): string {
  if (!isValidAddress(invite.address)) throw new RangeError(`not a valid address: "${invite.address}"`);
  if (!ed25519.isValidPublicKey(invite.identityKey)) throw new RangeError('not a valid identity key');
  return `${INVITE_PREFIX}${invite.address}.${toBase32(invite.identityKey)}`;
}

/** Untrusted text in, a typed result out: never throws. The key must be a valid Ed25519 point. */
export function decodeInvite(text: string): InviteParse {
  const read = readInviteText(text);
  if (!read.ok) return read;
  if (!ed25519.isValidPublicKey(read.keyBytes)) return { ok: false, error: 'bad-key' };
  return { ok: true, invite: { address: read.address, identityKey: read.keyBytes } };
}
