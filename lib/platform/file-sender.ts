/**
 * Files chosen in the popup, on their way to the agent. A `File` cannot cross runtime messaging,
 * but the popup and the agent share the extension origin's IndexedDB: the popup stores each file
 * there under a random id (the browser keeps the bytes on disk, not in memory), then names the
 * ids in `sendFiles`. The agent reads, hashes and offers them.
 */
import { toHex } from '../bytes';
import { RemoteError } from '../messaging/channel';
import { MAX_FILES_AT_ONCE, MAX_RECIPIENTS } from '../messaging/page-messages';
import type { IndexedDBHost } from '../store/chat-store';
import { openTransferStore, saveFileSource } from '../store/transfer-store';

export interface FileSenderDeps {
  host: IndexedDBHost;
  randomBytes(length: number): Uint8Array;
  now(): number;
  /** The `sendFiles` request to the background. */
  sendFiles(request: { contactKeys: string[]; sourceIds: string[] }): Promise<{ transferIds: string[] }>;
}

/** A file as the popup has it: from a drop or a file input. */
export type ChosenFile = Pick<File, 'name' | 'type'> & Blob;

export class FileSendError extends Error {
  constructor(
    readonly kind: 'no-files' | 'no-contacts' | 'too-many-contacts' | 'not-stored',
    detail: string,
  ) {
    super(detail);
    this.name = 'FileSendError';
  }
}

/** Refusals that come before the agent opens a source: a bad request, or a key that is not a contact. */
const REFUSED_UNREAD = new Set(['bad-request', 'forbidden', 'not-connected']);

export function createFileSender(deps: FileSenderDeps) {
  /** Stores the files, or none of them: one that fails takes the ones before it away again. */
  const store = async (files: readonly ChosenFile[]): Promise<string[]> => {
    const ids: string[] = [];
    try {
      for (const file of files) {
        const id = toHex(deps.randomBytes(16));
        await saveFileSource(deps.host, { blob: file, name: file.name, type: file.type }, id, deps.now());
        ids.push(id);
      }
      return ids;
    } catch (error) {
      await forget(ids).catch(() => {});
      const detail = error instanceof Error ? error.message : String(error);
      throw new FileSendError('not-stored', `The file could not be added (${detail}).`);
    }
  };

  const forget = async (ids: readonly string[]) => {
    if (ids.length === 0) return;
    const opened = await openTransferStore(deps.host);
    try {
      for (const id of ids) await opened.deleteSource(id);
    } finally {
      opened.close();
    }
  };

  /**
   * Offers every file to every contact (one transfer each); resolves with the transfer ids.
   * More files than one request may name go in several requests, one after the other.
   */
  return async function sendFiles(contactKeys: readonly string[], files: readonly ChosenFile[]): Promise<string[]> {
    if (files.length === 0) throw new FileSendError('no-files', 'Choose a file to send.');
    if (contactKeys.length === 0) throw new FileSendError('no-contacts', 'Choose who to send it to.');
    if (contactKeys.length > MAX_RECIPIENTS) {
      throw new FileSendError('too-many-contacts', `A file goes to at most ${MAX_RECIPIENTS} contacts at once.`);
    }
    const transferIds: string[] = [];
    for (let at = 0; at < files.length; at += MAX_FILES_AT_ONCE) {
      const sourceIds = await store(files.slice(at, at + MAX_FILES_AT_ONCE));
      try {
        const sent = await deps.sendFiles({ contactKeys: [...contactKeys], sourceIds });
        transferIds.push(...sent.transferIds);
      } catch (error) {
        // Refused before the agent read any of them: they are ours to take away. Otherwise the
        // agent may be using them, and they are its to clean up.
        if (error instanceof RemoteError && REFUSED_UNREAD.has(error.problem.kind))
          await forget(sourceIds).catch(() => {});
        throw error;
      }
    }
    return transferIds;
  };
}
export type FileSender = ReturnType<typeof createFileSender>;
