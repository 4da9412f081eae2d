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
import { BACKUP_CONTENTS_VERSION, decodeBackupContents, encodeBackupContents } from '../store/backup-contents';
import { ChatArchiveSchema } from '../store/chat-records';

/** Counted in characters as people see them (code points after NFKC), the options page says so. */
export const MIN_PASSPHRASE_CHARS = 8;

export type BackupProblem = {
  kind:
    | 'weak-passphrase'
    | 'not-a-backup'
    | 'newer-version'
    /** The file's authentication failed: GCM cannot say which of the two it was. */
    | 'wrong-passphrase-or-damaged'
    /** It opened with its passphrase, but what is inside is not a whole backup. */
    | 'damaged'
    /** This browser's storage (or the agent's chat store) did not read or write. */
    | 'storage';
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

function toBase64(bytes: Uint8Array): string {
  let text = '';
  // Chunks: spreading a whole backup into one call would overflow the argument stack.
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs one storage step; its failure becomes a `storage` problem in words. */
async function stored<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new BackupError({ kind: 'storage', detail: `${what} (${reason(error)}).` });
  }
}

export async function exportBackup(deps: BackupDeps, passphrase: string): Promise<{ file: string; name: string }> {
  if ([...passphrase.normalize('NFKC')].length < MIN_PASSPHRASE_CHARS) {
    throw new BackupError({
      kind: 'weak-passphrase',
      detail: `Use a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`,
    });
  }
  const [[identity, contacts, settings], history] = await Promise.all([
    stored('Your identity, contacts or settings could not be read', () =>
      Promise.all([deps.identity.loadIdentity(), deps.identity.loadContacts(), deps.settings.load()]),
    ),
    stored('The chat history could not be read', () => deps.agent('exportHistory')),
  ]);
  const createdAt = deps.now();
  const contents = encodeBackupContents({
    format: 'tincan-backup',
    version: BACKUP_CONTENTS_VERSION,
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
 * Decrypts and checks everything first (identity, contacts, settings and history); then the
 * history goes to the agent, and only then identity, contacts and settings — so a failure
 * part-way never leaves a new identity without its contacts.
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
  const decoded = decodeBackupContents(opened.plaintext);
  if (!decoded.ok) {
    throw new BackupError(
      decoded.problem === 'newer-version'
        ? { kind: 'newer-version', detail: 'This backup was made by a newer Tincan.' }
        : { kind: 'damaged', detail: 'The backup opened, but what is inside is damaged.' },
    );
  }
  const { contents } = decoded;
  // The agent's store checks it too; checking here as well means nothing is written for a bad one.
  if (!ChatArchiveSchema.safeParse(contents.history).success) {
    throw new BackupError({ kind: 'damaged', detail: 'The backup opened, but its chat history is damaged.' });
  }
  const imported = await stored('The chat history could not be saved; nothing else was changed', () =>
    deps.agent('importHistory', { archive: contents.history }),
  );
  await stored('The history was imported, but your identity and contacts could not be saved', () =>
    deps.identity.replaceAll(contents.identity, contents.contacts),
  );
  await stored('Identity, contacts and history were imported, but the settings could not be saved', () =>
    deps.settings.save(contents.settings),
  );
  return { contacts: contents.contacts.length, messages: imported.messages };
}
