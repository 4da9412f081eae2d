import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChromiumWithExtension } from './chromium';

/**
 * A new Chromium profile whose downloads go to `dir` without asking: Chromium's own preference,
 * written before the first launch.
 */
export function profileDownloadingInto(profileDir: string, dir: string): void {
  mkdirSync(join(profileDir, 'Default'), { recursive: true });
  writeFileSync(
    join(profileDir, 'Default', 'Preferences'),
    JSON.stringify({ download: { default_directory: dir, prompt_for_download: false } }),
  );
}

/**
 * Gives downloads back to the browser. Playwright's persistent context takes them over (CDP
 * `Browser.setDownloadBehavior` 'allowAndName': GUID names in a folder of its own), and 'allow'
 * into a folder ignores the name an extension asks for; 'default' keeps the extension's name and
 * the profile's folder. The setting outlives the page it is sent from.
 */
export async function browserHandlesDownloads(browser: ChromiumWithExtension): Promise<void> {
  const page = await browser.openPage('options.html');
  try {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' });
  } finally {
    await page.close();
  }
}

/**
 * The finished file named `name` in `dir`: browsers write a download under another name first
 * (Chromium `.crdownload`, Firefox `.part`) and rename it once it is whole.
 */
export function finishedDownload(dir: string, name: string): string | undefined {
  const path = join(dir, name);
  if (!existsSync(path) || !statSync(path).isFile()) return undefined;
  const writing = readdirSync(dir).some((entry) => entry.endsWith('.crdownload') || entry.endsWith('.part'));
  return writing ? undefined : path;
}

/** Waits for `finishedDownload`; gives its path. */
export async function waitForDownload(dir: string, name: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = finishedDownload(dir, name);
    if (found) return found;
    if (Date.now() > until) throw new Error(`${name} never reached the downloads folder ${dir}`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
}
