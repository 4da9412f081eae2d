/**
 * Debian's Chromium with the unpacked extension loaded, driven by playwright-core (never a
 * downloaded browser). Used by the end-to-end tests and by `npm start`.
 */
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';

export const CHROMIUM = process.env.TINCAN_CHROMIUM ?? '/usr/bin/chromium';

export interface ChromiumWithExtension {
  context: BrowserContext;
  extensionId: string;
  /** The extension's service worker, for reading the badge and notifications. */
  worker: () => Promise<Worker>;
  /** The popup, opened as a page (what the toolbar button shows). */
  openPopup(): Promise<Page>;
  /** Any extension page, e.g. `options.html`. */
  openPage(path: string): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromiumWithExtension(options: {
  extensionDir: string;
  userDataDir: string;
  headless?: boolean;
}): Promise<ChromiumWithExtension> {
  const context = await chromium.launchPersistentContext(options.userDataDir, {
    executablePath: CHROMIUM,
    headless: options.headless ?? true,
    viewport: { width: 400, height: 600 },
    args: [
      `--load-extension=${options.extensionDir}`,
      `--disable-extensions-except=${options.extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Two browsers on one machine reach each other only over loopback.
      '--allow-loopback-in-peer-connection',
    ],
  });
  const worker = async () =>
    context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
    (await context.waitForEvent('serviceworker', { timeout: 10_000 }));
  const extensionId = new URL((await worker()).url()).host;
  const openPage = async (path: string) => {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/${path}`);
    return page;
  };
  return {
    context,
    extensionId,
    worker,
    openPopup: () => openPage('popup.html'),
    openPage,
    close: () => context.close(),
  };
}
