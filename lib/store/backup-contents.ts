/**
 * What a backup holds: this browser's identity, its contacts and settings (the background's),
 * and the agent's chat history. JSON inside the encrypted file (lib/crypto/backup-seal.ts).
 */
import { z } from 'zod';
import { fromHex } from '../bytes';
import { certifyStaticKey } from '../crypto/identity';
import { ed25519, equalBytes, x25519 } from '../crypto/primitives';
import { ContactsSchema, type StoredIdentity, StoredIdentitySchema } from './contacts';
import { SettingsSchema } from './settings';

export const BACKUP_CONTENTS_VERSION = 1;

export const BackupContentsSchema = z.object({
  format: z.literal('tincan-backup'),
  version: z.literal(BACKUP_CONTENTS_VERSION),
  createdAt: z.number().int().min(0),
  identity: StoredIdentitySchema,
  contacts: ContactsSchema,
  settings: SettingsSchema,
  /** The agent's chat archive: its format is the chat store's (lib/store/chat-records.ts). */
  history: z.unknown(),
});
export type BackupContents = z.infer<typeof BackupContentsSchema>;

/** Enough to tell a later Tincan's contents from damaged ones. */
const VersionOnlySchema = z.object({ format: z.literal('tincan-backup'), version: z.number().int() });

export type BackupContentsProblem = 'damaged' | 'newer-version';

export function encodeBackupContents(contents: BackupContents): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(contents));
}

/**
 * Its public keys are its secrets' and its certificate signs its static key: an identity that
 * is not whole would be refused by every contact's handshake, after it had replaced a good one.
 */
export function identityIsWhole(identity: StoredIdentity): boolean {
  const seed = fromHex(identity.signingSeed);
  const staticPublic = fromHex(identity.staticPublic);
  return (
    equalBytes(ed25519.publicKeyFromSeed(seed), fromHex(identity.signingPublic)) &&
    equalBytes(x25519.keyPairFromSecret(fromHex(identity.staticSecret)).publicKey, staticPublic) &&
    equalBytes(certifyStaticKey(seed, staticPublic), fromHex(identity.certificate))
  );
}

export function decodeBackupContents(
  bytes: Uint8Array,
): { ok: true; contents: BackupContents } | { ok: false; problem: BackupContentsProblem } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, problem: 'damaged' };
  }
  const checked = BackupContentsSchema.safeParse(parsed);
  if (checked.success) {
    return identityIsWhole(checked.data.identity)
      ? { ok: true, contents: checked.data }
      : { ok: false, problem: 'damaged' };
  }
  const version = VersionOnlySchema.safeParse(parsed);
  const newer = version.success && version.data.version > BACKUP_CONTENTS_VERSION;
  return { ok: false, problem: newer ? 'newer-version' : 'damaged' };
}
