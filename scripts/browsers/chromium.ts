/**
 * Debian's Chromium with the unpacked extension loaded, driven by playwright-core (never a
 * downloaded browser). Used by the end-to-end tests and by `npm start`.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

export interface ChromiumLaunchOptions {
  extensionDir: string;
  userDataDir: string;
  headless?: boolean;
  /**
   * Runs the browser inside this named network namespace (`ip netns`, needs root): Playwright
   * starts a wrapper that does `ip netns exec <ns> chromium …`, and still drives the browser
   * over its pipe, which needs no network.
   */
  networkNamespace?: string;
  /**
   * Whether WebRTC may use loopback candidates. Two browsers on one machine reach each other
   * only over loopback, so by default only when no network namespace is given (hosts in a
   * namespace have addresses of their own).
   */
  loopbackPeerConnections?: boolean;
  /** More switches, e.g. `--remote-debugging-port=0` for a benchmark that reads targets Playwright hides. */
  extraArgs?: readonly string[];
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * Writes an executable that runs Chromium in a network namespace, for Playwright's
 * `executablePath`. `ip netns exec` replaces itself with Chromium (same pid), so Playwright's
 * pipe and its kill on close reach the browser. Gives the wrapper and a function removing it.
 */
export function chromiumInNetworkNamespace(namespace: string): { executablePath: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `tincan-chromium-netns-${namespace.replace(/[^\w.-]/g, '_')}-`));
  const executablePath = join(dir, 'chromium');
  writeFileSync(
    executablePath,
    `#!/bin/sh\nexec ip netns exec ${shellQuote(namespace)} ${shellQuote(CHROMIUM)} "$@"\n`,
  );
  chmodSync(executablePath, 0o755);
  return { executablePath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function launchChromiumWithExtension(options: ChromiumLaunchOptions): Promise<ChromiumWithExtension> {
  const wrapper = options.networkNamespace ? chromiumInNetworkNamespace(options.networkNamespace) : undefined;
  const loopback = options.loopbackPeerConnections ?? options.networkNamespace === undefined;
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(options.userDataDir, {
      executablePath: wrapper?.executablePath ?? CHROMIUM,
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
        ...(loopback ? ['--allow-loopback-in-peer-connection'] : []),
        ...(options.extraArgs ?? []),
      ],
    });
  } catch (error) {
    wrapper?.remove();
    throw error;
  }
  const close = async () => {
    try {
      await context.close();
    } finally {
      wrapper?.remove();
    }
  };
  const worker = async () =>
    context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
    (await context.waitForEvent('serviceworker', { timeout: 10_000 }));
  let extensionId: string;
  try {
    extensionId = new URL((await worker()).url()).host;
  } catch (error) {
    await close();
    throw error;
  }
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
    close,
  };
}
