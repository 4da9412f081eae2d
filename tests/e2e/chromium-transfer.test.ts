/**
 * A file from one Chromium user to another through the popup: Alice drops it into Bob's chat,
 * Bob accepts, both see it move, and it lands in Bob's downloads folder with the SHA-256 it left
 * with. A second file, chosen with the file input, is declined.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import { browserHandlesDownloads, profileDownloadingInto, waitForDownload } from '../../scripts/browsers/downloads';
import {
  acceptRequest,
  transferCard as card,
  dial,
  dragFileOver,
  dropHeldFile,
  inviteText,
  openContactChat,
  setDisplayName,
  waitForAddress,
  waitUntilConnected,
} from '../../scripts/browsers/popup-actions';
import type { RunningSignalingServer } from '../../server/signaling-server';
import { watchOffscreenConsole } from './support/offscreen-console';
import { TEST_OUTPUT } from './support/paths';
import { CHROMIUM_WITH_TINCAN, startE2ESignalingServer } from './support/two-browsers';

/** Big enough to be caught moving on this machine (tens of MB/s), small enough to stay quick. */
const DROPPED_BYTES = 32 * 1024 * 1024;
const DROPPED_NAME = 'holiday-video.bin';
const SEED = 20_261_122;

let server: RunningSignalingServer | undefined;
const open: ChromiumWithExtension[] = [];
const dirs: string[] = [];
const shots = join(TEST_OUTPUT, 'chromium-transfer');
const cleanups: (() => Promise<void>)[] = [];
/** Left by the first test: both popups in each other's chat. */
let popups: { alice: Page; bob: Page } | undefined;

const dir = (name: string) => {
  const made = mkdtempSync(join(tmpdir(), `tincan-transfer-${name}-`));
  dirs.push(made);
  return made;
};

async function launch(profile: string): Promise<ChromiumWithExtension> {
  const browser = await CHROMIUM_WITH_TINCAN.launch(profile);
  open.push(browser);
  return browser;
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startE2ESignalingServer();
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => {});
  await Promise.allSettled(open.map((browser) => browser.close()));
  await server?.close();
  for (const made of dirs) rmSync(made, { recursive: true, force: true });
});

describe('a file between two Chromium users', () => {
  it('dropped into the chat, accepted, shown moving, and saved to downloads with the same SHA-256', async () => {
    const downloads = dir('bob-downloads');
    const bobProfile = dir('bob');
    profileDownloadingInto(bobProfile, downloads);
    const [alice, bob] = await Promise.all([launch(dir('alice')), launch(bobProfile)]);
    await browserHandlesDownloads(bob);
    await Promise.all([setDisplayName(alice, 'Alice'), setDisplayName(bob, 'Bob')]);
    const alicePopup = await alice.openPopup();
    await waitForAddress(alicePopup);
    const bobPopup = await bob.openPopup();
    await waitForAddress(bobPopup);
    const [aliceAgent, bobAgent] = await Promise.all([watchOffscreenConsole(alice), watchOffscreenConsole(bob)]);
    cleanups.push(aliceAgent.close, bobAgent.close);
    const keepLogs = () => {
      writeFileSync(join(shots, 'alice-offscreen.log'), aliceAgent.lines.join('\n'));
      writeFileSync(join(shots, 'bob-offscreen.log'), bobAgent.lines.join('\n'));
    };

    try {
      // Paired with Alice's invite; Bob's popup stays in their chat, Alice opens Bob's.
      await dial(bobPopup, await inviteText(alicePopup));
      await acceptRequest(alicePopup);
      await waitUntilConnected(bobPopup);
      await openContactChat(alicePopup, 'Bob');

      // The drop: highlighted while the file hovers, offered once it is let go.
      const sha256 = await dragFileOver(alicePopup, DROPPED_NAME, DROPPED_BYTES, SEED);
      await alicePopup.locator('[data-testid="drop-zone"][data-dropping="true"]').waitFor();
      await alicePopup.screenshot({ path: join(shots, '1-alice-dragging.png') });
      await dropHeldFile(alicePopup);
      await card(alicePopup, DROPPED_NAME, 'offered').waitFor({ timeout: 60_000 });
      expect(await card(alicePopup, DROPPED_NAME).getByTestId('transfer-status').innerText()).toBe(
        'Waiting for Bob to accept',
      );

      // A second file through the file input: Bob will decline it.
      const small = join(dir('alice-files'), 'notes.txt');
      writeFileSync(small, randomBytes(200_000));
      await alicePopup.getByTestId('file-input').setInputFiles(small);
      await card(alicePopup, 'notes.txt', 'offered').waitFor({ timeout: 30_000 });

      const offer = card(bobPopup, DROPPED_NAME, 'offered');
      await offer.waitFor({ timeout: 30_000 });
      expect(await offer.getByTestId('transfer-status').innerText()).toBe('Alice wants to send you this file');
      await bobPopup.screenshot({ path: join(shots, '2-bob-offer.png') });
      await card(bobPopup, 'notes.txt', 'offered').getByTestId('transfer-decline').click();
      await offer.getByTestId('transfer-accept').click();

      // Progress, on whichever side shows it moving first.
      const moving = await Promise.race([
        card(bobPopup, DROPPED_NAME, 'moving')
          .waitFor({ timeout: 30_000 })
          .then(() => bobPopup),
        card(alicePopup, DROPPED_NAME, 'moving')
          .waitFor({ timeout: 30_000 })
          .then(() => alicePopup),
      ]).catch(() => undefined);
      if (moving) {
        const bar = card(moving, DROPPED_NAME).getByTestId('transfer-progress');
        await bar.waitFor();
        await moving.screenshot({ path: join(shots, `3-${moving === bobPopup ? 'bob' : 'alice'}-moving.png`) });
        const other = moving === bobPopup ? alicePopup : bobPopup;
        await other.screenshot({ path: join(shots, `3-${moving === bobPopup ? 'alice' : 'bob'}-meanwhile.png`) });
      } else {
        console.warn('the transfer was never seen moving: no progress screenshot');
      }
      expect(moving, 'a progress bar was seen while the file moved').toBeDefined();

      const done = card(bobPopup, DROPPED_NAME, 'done');
      await done.waitFor({ timeout: 120_000 });
      await done.getByTestId('transfer-status').filter({ hasText: 'Saved to downloads' }).waitFor({ timeout: 30_000 });
      await card(alicePopup, DROPPED_NAME, 'done').getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
      await card(alicePopup, 'notes.txt', 'declined').getByText('Bob declined').waitFor({ timeout: 30_000 });
      await bobPopup.screenshot({ path: join(shots, '4-bob-saved.png') });
      await alicePopup.screenshot({ path: join(shots, '5-alice-sent.png') });
      popups = { alice: alicePopup, bob: bobPopup };

      // In Bob's downloads folder, whole, with the bytes Alice dropped.
      const saved = readFileSync(await waitForDownload(downloads, DROPPED_NAME));
      expect(saved.length).toBe(DROPPED_BYTES);
      expect(createHash('sha256').update(saved).digest('hex')).toBe(sha256);
    } catch (error) {
      await Promise.allSettled([
        alicePopup.screenshot({ path: join(shots, 'failed-alice.png') }),
        bobPopup.screenshot({ path: join(shots, 'failed-bob.png') }),
      ]);
      throw error;
    } finally {
      keepLogs();
    }
  });

  it('“Send a file…” on the contact list offers to the contacts ticked; the sender’s Cancel reaches the receiver', async () => {
    if (!popups) throw new Error('the first test did not pair them');
    const { alice, bob } = popups;
    await alice.getByRole('button', { name: 'Back to chats' }).click();
    await alice.getByTestId('send-files-open').click();
    const chooser = alice.getByTestId('send-files');
    await chooser.getByTestId('send-files-contact').check();
    const report = join(dir('alice-report'), 'report.pdf');
    writeFileSync(report, randomBytes(300_000));
    await chooser.getByTestId('send-files-input').setInputFiles(report);
    await alice.screenshot({ path: join(shots, '6-alice-send-a-file.png') });
    await chooser.getByTestId('send-files-submit').click();
    await alice.getByTestId('send-files-result').waitFor({ timeout: 30_000 });
    expect(await alice.getByTestId('send-files-result').innerText()).toBe(
      '1 file offered to 1 contact: each chat shows how it goes.',
    );

    await card(bob, 'report.pdf', 'offered').waitFor({ timeout: 30_000 });
    await openContactChat(alice, 'Bob');
    await card(alice, 'report.pdf', 'offered').getByTestId('transfer-cancel').click();
    await card(alice, 'report.pdf', 'cancelled').waitFor({ timeout: 15_000 });
    await card(bob, 'report.pdf', 'cancelled').waitFor({ timeout: 15_000 });
    expect(await card(bob, 'report.pdf').getByTestId('transfer-accept').count()).toBe(0);
    await bob.screenshot({ path: join(shots, '7-bob-offer-cancelled.png') });
  });
});
