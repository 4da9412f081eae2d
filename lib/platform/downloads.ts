import { browser } from 'wxt/browser';

/** How a download ended: whole on disk, or stopped with the browser's reason (e.g. `FILE_NO_SPACE`). */
export type DownloadEnd = { state: 'complete' } | { state: 'interrupted'; reason: string };

/** The downloads API, and which transfer each of our downloads is saving. */
export interface Downloads {
  /** Saves `url` as `filename` in the downloads folder, never asking; rejects when it cannot start. */
  start(url: string, filename: string): Promise<number>;
  /** How it ended; undefined while it runs (or when the browser no longer knows it). */
  end(downloadId: number): Promise<DownloadEnd | undefined>;
  /** Kept in session storage: a service worker stopped mid-download still knows whose it was. */
  remember(downloadId: number, transferId: string): Promise<void>;
  /** The transfer a download was saving, and forgets it: a second call gives undefined. */
  take(downloadId: number): Promise<string | undefined>;
  /** Every download that ends. Register at startup, so that the event wakes the worker into it. */
  onEnd(listener: (downloadId: number, end: DownloadEnd) => void): () => void;
}

const KEY = 'tincan:downloads:v1';

function endOf(state: string | undefined, reason: string | undefined): DownloadEnd | undefined {
  if (state === 'complete') return { state: 'complete' };
  if (state === 'interrupted') return { state: 'interrupted', reason: reason ?? 'unknown' };
  return undefined;
}

export function browserDownloads(): Downloads {
  // Session storage outlives the worker but not the browser, like the blob: URLs it refers to.
  const area = browser.storage.session;
  const memory: Record<string, string> = {};
  const read = async (): Promise<Record<string, string>> => {
    if (!area) return memory;
    const stored: unknown = (await area.get(KEY))[KEY];
    return typeof stored === 'object' && stored !== null ? { ...(stored as Record<string, string>) } : {};
  };
  const write = async (map: Record<string, string>) => {
    if (area) await area.set({ [KEY]: map });
  };
  // One read-modify-write at a time, so a download that ends twice over is taken once.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => {});
    return next;
  };

  return {
    start: (url, filename) => browser.downloads.download({ url, filename, conflictAction: 'uniquify', saveAs: false }),
    async end(downloadId) {
      const [item] = await browser.downloads.search({ id: downloadId });
      return endOf(item?.state, item?.error);
    },
    remember: (downloadId, transferId) =>
      serial(async () => {
        const map = await read();
        map[String(downloadId)] = transferId;
        await write(map);
      }),
    take: (downloadId) =>
      serial(async () => {
        const map = await read();
        const transferId = map[String(downloadId)];
        if (transferId === undefined) return undefined;
        delete map[String(downloadId)];
        await write(map);
        return transferId;
      }),
    onEnd(listener) {
      const handler = (delta: { id: number; state?: { current?: string }; error?: { current?: string } }) => {
        const end = endOf(delta.state?.current, delta.error?.current);
        if (end) listener(delta.id, end);
      };
      browser.downloads.onChanged.addListener(handler);
      return () => browser.downloads.onChanged.removeListener(handler);
    },
  };
}
