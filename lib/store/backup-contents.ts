/**
 * What a backup holds: this browser's identity, its contacts and settings (the background's),
 * and the agent's chat history. JSON inside the encrypted file (lib/crypto/backup-seal.ts).
 */
import { z } from 'zod';
import { ContactsSchema, StoredIdentitySchema } from './contacts';
import { SettingsSchema } from './settings';

export const BackupContentsSchema = z.object({
  format: z.literal('tincan-backup'),
  version: z.literal(1),
  createdAt: z.number().int().min(0),
  identity: StoredIdentitySchema,
  contacts: ContactsSchema,
  settings: SettingsSchema,
  /** Checked by the agent's chat store, which refuses it whole if any of it is bad. */
  history: z.unknown(),
});
export type BackupContents = z.infer<typeof BackupContentsSchema>;

export function encodeBackupContents(contents: BackupContents): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(contents));
}

export function decodeBackupContents(bytes: Uint8Array): BackupContents | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  const checked = BackupContentsSchema.safeParse(parsed);
  return checked.success ? checked.data : undefined;
}
