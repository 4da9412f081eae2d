/**
 * Debian's Firefox ESR with the built extension installed as a temporary add-on, driven by
 * puppeteer-core over WebDriver BiDi (never a downloaded browser). Used by the end-to-end tests.
 *
 * Extension pages are reached the way Firefox allows a remote agent to: the extension's internal
 * UUID is pinned with a pref so its pages have a known origin, `--remote-allow-system-access`
 * lifts the ban on navigating to `moz-extension:` URLs, and since Firefox reports no load events
 * for extension documents, the navigation is started without waiting and the page polled instead.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX = process.env.TINCAN_FIREFOX ?? '/usr/bin/firefox-esr';

export interface FirefoxWithExtension {
  browser: Browser;
  /** The add-on id from the manifest (`browser_specific_settings.gecko.id`). */
  extensionId: string;
  /** `moz-extension://<uuid>`, the origin of the extension's pages in this profile. */
  origin: string;
  /** The popup, opened as a page (what the toolbar button shows). */
  openPopup(): Promise<Page>;
  /** Any extension page, e.g. `options.html`; its `browser.*` API can be evaluated in it. */
  openPage(path: string): Promise<Page>;
  close(): Promise<void>;
}

/** Prefs for a quiet, test-friendly profile; puppeteer adds its own set of automation defaults. */
export function firefoxPrefs(geckoId: string, uuid: string): Record<string, unknown> {
  return {
    // A known origin for the extension's pages: moz-extension://<uuid>/.
    'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: uuid }),
    // Two browsers on one machine reach each other only over loopback, which Firefox skips by
    // default; mDNS-obfuscated host candidates would not resolve in a loopback-only namespace.
    'media.peerconnection.ice.loopback': true,
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    // Nothing here needs a name lookup (the test signaling server is 127.0.0.1). In a
    // loopback-only namespace lookups of the vendor's hosts hang until the resolver gives up
    // (5 s), and Firefox waits for them before it exits: fail them at once instead.
    'network.dns.disabled': true,
    // No first-run pages, updates, reporting or background calls to the vendor.
    'browser.shell.checkDefaultBrowser': false,
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'app.update.enabled': false,
    'app.update.auto': false,
    'app.normandy.enabled': false,
    'messaging-system.rsexperimentloader.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.safebrowsing.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'extensions.blocklist.enabled': false,
    // Headless, the system (libnotify) backend closes every notification at once, so
    // `notifications.getAll()` is always empty; Firefox's own alert window keeps it for 20 s.
    'alerts.useSystemBackend': false,
  };
}

/** Downloads go to `dir` without a dialog (Firefox writes `<name>.part`, then renames it). */
export function firefoxDownloadPrefs(dir: string): Record<string, unknown> {
  return {
    'browser.download.folderList': 2,
    'browser.download.dir': dir,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.alwaysOpenPanel': false,
  };
}

export async function launchFirefoxWithExtension(options: {
  extensionDir: string;
  userDataDir: string;
  headless?: boolean;
  /** Where downloads land, with no dialog; Firefox's default otherwise. */
  downloadDir?: string;
}): Promise<FirefoxWithExtension> {
  const manifest = JSON.parse(readFileSync(join(options.extensionDir, 'manifest.json'), 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const geckoId = manifest.browser_specific_settings?.gecko?.id;
  if (!geckoId) throw new Error(`${options.extensionDir}/manifest.json has no browser_specific_settings.gecko.id`);
  const uuid = randomUUID();
  const origin = `moz-extension://${uuid}`;

  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: options.headless ?? true,
    userDataDir: options.userDataDir,
    defaultViewport: { width: 400, height: 600 },
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      ...firefoxPrefs(geckoId, uuid),
      ...(options.downloadDir ? firefoxDownloadPrefs(options.downloadDir) : {}),
    },
  });
  try {
    const installed = await browser.installExtension(options.extensionDir);
    if (installed !== geckoId) throw new Error(`installed ${installed}, expected ${geckoId}`);
  } catch (error) {
    await browser.close();
    throw error;
  }

  const openPage = async (path: string) => {
    const url = `${origin}/${path}`;
    const page = await browser.newPage();
    // Firefox never reports this navigation as finished: start it, then watch the page.
    void page.goto(url).catch(() => {});
    const deadline = Date.now() + 15_000;
    for (;;) {
      const state = await page
        .evaluate(() => ({ href: location.href, ready: document.readyState }))
        .catch(() => undefined);
      if (state?.href === url && state.ready === 'complete') return page;
      if (Date.now() > deadline) {
        throw new Error(`${url} did not load (last seen: ${state ? `${state.href}, ${state.ready}` : 'nothing'})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  return {
    browser,
    extensionId: geckoId,
    origin,
    openPopup: () => openPage('popup.html'),
    openPage,
    close: () => browser.close(),
  };
}
