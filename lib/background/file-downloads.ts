/**
 * Received files into the browser's downloads: the agent says a verified file is ready at a
 * blob: URL of its document; the background starts the download and tells the agent what came
 * of it. A download that cannot start is reported at once. Its end is reported when the browser
 * says so, which may be to a later service worker than the one that started it (session storage
 * carries which transfer it was); if none hears it, the file stays unsaved and "Save" offers it again.
 */
import type { AgentNotice, backgroundToAgent } from '../messaging/agent-messages';
import type { DownloadEnd, Downloads } from '../platform/downloads';
import type { ChannelClient } from '../platform/runtime-messaging';
import { safeFileName } from '../transfer/file-name';

type FileReady = Extract<AgentNotice, { type: 'file-ready' }>;

/** What `fileSaved` may carry as its detail. */
const MAX_DETAIL = 500;

/**
 * The name to save under. The agent sends a safe name already; the background checks again, as
 * it checks anything from another context. Control characters and path separators never reach
 * the downloads API, and a name never comes out empty.
 */
export function downloadFileName(name: string): string {
  return safeFileName(name);
}

/**
 * Letters, digits, '-', '_' and one extension: for a browser that refuses a name the first one
 * allowed (Chrome and Firefox each refuse some characters the other accepts).
 */
export function plainFileName(name: string): string {
  const safe = safeFileName(name);
  const dot = safe.lastIndexOf('.');
  const extension = dot > 0 ? safe.slice(dot + 1).replace(/[^A-Za-z0-9]/g, '') : '';
  const stem = (dot > 0 ? safe.slice(0, dot) : safe).replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 100);
  const base = /[A-Za-z0-9]/.test(stem) ? stem : 'file';
  return extension ? `${base}.${extension.slice(0, 16)}` : base;
}

/** The browser's reason for an interrupted download, in words (Chrome's and Firefox's names). */
export function describeInterrupt(reason: string): string {
  switch (reason) {
    case 'FILE_NO_SPACE':
      return 'The disk is full.';
    case 'FILE_TOO_LARGE':
      return 'The file is too large for the downloads folder’s disk.';
    case 'FILE_ACCESS_DENIED':
      return 'The downloads folder cannot be written to.';
    case 'FILE_NAME_TOO_LONG':
      return 'The file name is too long for this system.';
    case 'FILE_BLOCKED':
    case 'FILE_SECURITY_CHECK_FAILED':
    case 'FILE_VIRUS_INFECTED':
      return 'The browser blocked the file.';
    case 'USER_CANCELED':
      return 'The download was cancelled.';
    case 'USER_SHUTDOWN':
    case 'CRASH':
      return 'The browser closed before the file was saved.';
    default:
      return `The download stopped (${reason.slice(0, 100)}).`;
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createFileDownloads({
  agent,
  downloads,
}: {
  agent: ChannelClient<(typeof backgroundToAgent)['map']>;
  downloads: Downloads;
}) {
  const report = (transferId: string, ok: boolean, detail?: string) =>
    agent('fileSaved', { transferId, ok, ...(detail === undefined ? {} : { detail: detail.slice(0, MAX_DETAIL) }) });

  const ended = async (downloadId: number, end: DownloadEnd) => {
    const transferId = await downloads.take(downloadId);
    if (transferId === undefined) return; // not ours, or reported already
    await report(
      transferId,
      end.state === 'complete',
      end.state === 'complete' ? undefined : describeInterrupt(end.reason),
    );
  };

  const start = async (url: string, name: string): Promise<number> => {
    const filename = downloadFileName(name);
    try {
      return await downloads.start(url, filename);
    } catch (error) {
      const plain = plainFileName(name);
      if (plain === filename) throw error;
      return downloads.start(url, plain);
    }
  };

  return {
    async fileReady({ transferId, url, name }: FileReady) {
      let downloadId: number;
      try {
        downloadId = await start(url, name);
      } catch (error) {
        await report(transferId, false, `The download could not start (${messageOf(error)}).`);
        return;
      }
      await downloads.remember(downloadId, transferId);
      // A small file may be on disk before it was remembered: its end event found no one.
      const end = await downloads.end(downloadId);
      if (end) await ended(downloadId, end);
    },
    /** `downloads.onChanged`: a download of ours completed or was interrupted. */
    downloadEnded: ended,
  };
}
