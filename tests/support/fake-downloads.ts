import type { DownloadEnd, Downloads } from '../../lib/platform/downloads';

/**
 * The downloads API as a recording fake. Its remembered downloads stand for session storage: a
 * second background service given the same fake is a service worker started again.
 */
export function fakeDownloads() {
  const started: { url: string; filename: string }[] = [];
  const remembered = new Map<number, string>();
  /** Downloads that have ended, as `downloads.search` would tell. */
  const ended = new Map<number, DownloadEnd>();
  let nextId = 1;
  let refuse: (filename: string) => string | undefined = () => undefined;
  /** What every download started from now on turns out to be before anyone asks. */
  let endsAtOnce: DownloadEnd | undefined;
  const downloads: Downloads = {
    async start(url, filename) {
      started.push({ url, filename });
      const why = refuse(filename);
      if (why !== undefined) throw new Error(why);
      const id = nextId++;
      if (endsAtOnce) ended.set(id, endsAtOnce);
      return id;
    },
    end: async (downloadId) => ended.get(downloadId),
    remember: async (downloadId, transferId) => void remembered.set(downloadId, transferId),
    async take(downloadId) {
      const transferId = remembered.get(downloadId);
      remembered.delete(downloadId);
      return transferId;
    },
    onEnd: () => () => {},
  };
  return {
    downloads,
    started,
    remembered,
    /** The browser refuses names for which this gives a reason. */
    refuseNames(rule: (filename: string) => string | undefined) {
      refuse = rule;
    },
    endAtOnce(end: DownloadEnd) {
      endsAtOnce = end;
    },
  };
}
