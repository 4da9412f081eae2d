/**
 * Export and import of everything a user needs to move to a new browser: identity, contacts and
 * settings from the background's storage, history from the agent's chat store — one
 * passphrase-encrypted file (lib/crypto/backup-seal.ts). Files travel to and from the options
 * page as base64 (extension messaging is JSON).
 */
import { openBackup, sealBackup } from '../crypto/backup-seal';
import type { backgroundToAgent } from '../messaging/agent-messages';
import type { IdentityStorage } from '../platform/identity-storage';
import type { ChannelClient } from '../platform/runtime-messaging';
import type { SettingsStorage } from '../platform/settings-storage';
import { decodeBackupContents, encodeBackupContents } from '../store/backup-contents';

export const MIN_PASSPHRASE_CHARS = 8;

export type BackupProblem = {
  kind: 'weak-passphrase' | 'not-a-backup' | 'newer-version' | 'wrong-passphrase-or-damaged' | 'import-failed';
  detail: string;
};

export class BackupError extends Error {
  constructor(readonly problem: BackupProblem) {
    super(problem.detail);
    this.name = 'BackupError';
  }
}

export interface BackupDeps {
  identity: Pick<IdentityStorage, 'loadIdentity' | 'loadContacts' | 'replaceAll'>;
  settings: Pick<SettingsStorage, 'load' | 'save'>;
  agent: ChannelClient<(typeof backgroundToAgent)['map']>;
  randomBytes(length: number): Uint8Array;
  now(): number;
}

const toBase64 = (bytes: Uint8Array) => {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};

function fromBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export async function exportBackup(deps: BackupDeps, passphrase: string): Promise<{ file: string; name: string }> {
  if (passphrase.length < MIN_PASSPHRASE_CHARS) {
    throw new BackupError({
      kind: 'weak-passphrase',
      detail: `Use a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`,
    });
  }
  const [identity, contacts, settings, history] = await Promise.all([
    deps.identity.loadIdentity(),
    deps.identity.loadContacts(),
    deps.settings.load(),
    deps.agent('exportHistory'),
  ]);
  const createdAt = deps.now();
  const contents = encodeBackupContents({
    format: 'tincan-backup',
    version: 1,
    createdAt,
    identity,
    contacts,
    settings,
    history,
  });
  const sealed = await sealBackup(contents, passphrase, deps.randomBytes);
  const day = new Date(createdAt).toISOString().slice(0, 10);
  return { file: toBase64(sealed), name: `tincan-backup-${day}.tincan` };
}

/**
 * Decrypts and checks everything first; then the history goes to the agent (its store refuses a
 * bad archive whole), and only then identity, contacts and settings — so a failure part-way never
 * leaves a new identity without its contacts.
 */
export async function importBackup(
  deps: BackupDeps,
  file: string,
  passphrase: string,
): Promise<{ contacts: number; messages: number }> {
  const bytes = fromBase64(file);
  if (!bytes) throw new BackupError({ kind: 'not-a-backup', detail: 'This is not a Tincan backup file.' });
  const opened = await openBackup(bytes, passphrase);
  if (!opened.ok) throw new BackupError(opened.error);
  const contents = decodeBackupContents(opened.plaintext);
  if (!contents) {
    throw new BackupError({
      kind: 'wrong-passphrase-or-damaged',
      detail: 'The backup opened, but what is inside is not readable.',
    });
  }
  let imported: { chats: number; messages: number };
  try {
    imported = await deps.agent('importHistory', { archive: contents.history });
  } catch (error) {
    throw new BackupError({ kind: 'import-failed', detail: `The history could not be imported: ${String(error)}` });
  }
  await deps.identity.replaceAll(contents.identity, contents.contacts);
  await deps.settings.save(contents.settings);
  return { contacts: contents.contacts.length, messages: imported.messages };
}
