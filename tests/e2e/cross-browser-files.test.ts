/**
 * Files between a Chromium user and a Firefox user through their popups, both ways: the chat the
 * request opened takes a dropped file, the other side accepts it, and it lands in that browser's
 * downloads folder with the SHA-256 it left with. Firefox runs the agent in its background page,
 * Chromium in its offscreen document; pieces cross in 256 KiB frames.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import { browserHandlesDownloads, profileDownloadingInto, waitForDownload } from '../../scripts/browsers/downloads';
import { type FirefoxWithExtension, launchFirefoxWithExtension } from '../../scripts/browsers/firefox';
import * as chromiumPopup from '../../scripts/browsers/popup-actions';
import { dropHeldFileInPage, holdFileOverDropZone, transferCard } from '../../scripts/browsers/popup-actions';
import * as firefoxPopup from './support/firefox-popup';
import { E2E_EXTENSION, TEST_OUTPUT } from './support/paths';
import { type BrowserKind, CHROMIUM_WITH_TINCAN, type Session, startSession } from './support/two-browsers';

const FILE_BYTES = 8 * 1024 * 1024;
const shots = join(TEST_OUTPUT, 'cross-browser-files');
const downloads = { chromium: '', firefox: '' };
let session: Session<ChromiumWithExtension, FirefoxWithExtension> | undefined;

const chromiumDownloading = (dir: string): BrowserKind<ChromiumWithExtension> => ({
  profilePrefix: 'tincan-chromium-',
  async launch(profile) {
    profileDownloadingInto(profile, dir);
    const browser = await CHROMIUM_WITH_TINCAN.launch(profile);
    await browserHandlesDownloads(browser);
    return browser;
  },
});

const firefoxDownloading = (dir: string): BrowserKind<FirefoxWithExtension> => ({
  profilePrefix: 'tincan-firefox-',
  launch: (profile) =>
    launchFirefoxWithExtension({ extensionDir: E2E_EXTENSION.firefox, userDataDir: profile, downloadDir: dir }),
});

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  downloads.chromium = mkdtempSync(join(tmpdir(), 'tincan-downloads-chromium-'));
  downloads.firefox = mkdtempSync(join(tmpdir(), 'tincan-downloads-firefox-'));
  session = await startSession(chromiumDownloading(downloads.chromium), firefoxDownloading(downloads.firefox));
});

afterAll(async () => {
  await session?.close();
  for (const dir of Object.values(downloads)) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('files between a Chromium user and a Firefox user', () => {
  it('go both ways, accepted in the chat, and reach each downloads folder whole', async () => {
    if (!session) throw new Error('no browsers');
    const [chromium, firefox] = session.browsers;
    await Promise.all([chromiumPopup.setDisplayName(chromium, 'Carol'), firefoxPopup.setDisplayName(firefox, 'Finn')]);
    const [carol, finn] = await Promise.all([chromium.openPopup(), firefox.openPopup()]);
    const carolAddress = await chromiumPopup.waitForAddress(carol);
    await firefoxPopup.waitForAddress(finn);
    await firefoxPopup.dial(finn, carolAddress);
    await chromiumPopup.acceptRequest(carol);
    await firefoxPopup.waitUntilConnected(finn);
    await chromiumPopup.openFirstChat(carol);

    try {
      // Chromium → Firefox.
      const toFirefox = 'from-chromium.bin';
      const sentToFirefox = await chromiumPopup.dragFileOver(carol, toFirefox, FILE_BYTES, 7);
      await chromiumPopup.dropHeldFile(carol);
      await firefoxPopup.acceptFile(finn, toFirefox);
      await firefoxPopup.waitForTransfer(finn, toFirefox, 'done', 'Saved to downloads', 120_000);
      expect(sha256Of(await waitForDownload(downloads.firefox, toFirefox))).toBe(sentToFirefox);
      await finn.screenshot({ path: join(shots, '1-firefox-received.png') });

      // Firefox → Chromium.
      const toChromium = 'from-firefox.bin';
      const sentToChromium = await finn.evaluate(holdFileOverDropZone, {
        name: toChromium,
        size: FILE_BYTES,
        seed: 11,
      });
      await finn.evaluate(dropHeldFileInPage);
      const offer = transferCard(carol, toChromium, 'offered');
      await offer.waitFor({ timeout: 60_000 });
      await offer.getByTestId('transfer-accept').click();
      await transferCard(carol, toChromium, 'done')
        .getByTestId('transfer-status')
        .filter({ hasText: 'Saved to downloads' })
        .waitFor({ timeout: 120_000 });
      expect(sha256Of(await waitForDownload(downloads.chromium, toChromium))).toBe(sentToChromium);
      await firefoxPopup.waitForTransfer(finn, toChromium, 'done', 'Sent');
      await carol.screenshot({ path: join(shots, '2-chromium-received.png') });
      await finn.screenshot({ path: join(shots, '3-firefox-sent.png') });
    } catch (error) {
      await Promise.allSettled([
        carol.screenshot({ path: join(shots, 'failed-chromium.png') }),
        finn.screenshot({ path: join(shots, 'failed-firefox.png') }),
      ]);
      throw error;
    }
  });
});
