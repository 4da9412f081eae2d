/**
 * Moving to a new browser: Bob exports a backup from the settings page, a fresh profile imports
 * it, and is Bob — same key, Alice as a saved contact, their history — and Alice reaches him there.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import {
  acceptRequest,
  dial,
  inviteText,
  openContactChat,
  send,
  setDisplayName,
  waitForAddress,
  waitForMessage,
  waitUntilConnected,
} from '../../scripts/browsers/popup-actions';
import type { RunningSignalingServer } from '../../server/signaling-server';
import { TEST_OUTPUT } from './support/paths';
import { CHROMIUM_WITH_TINCAN, startE2ESignalingServer } from './support/two-browsers';

let server: RunningSignalingServer;
const dirs: string[] = [];
const open: ChromiumWithExtension[] = [];
const shots = join(TEST_OUTPUT, 'chromium-backup');

const dir = (name: string) => {
  const made = mkdtempSync(join(tmpdir(), `tincan-backup-${name}-`));
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
  await Promise.allSettled(open.map((browser) => browser.close()));
  await server?.close();
  for (const made of dirs) rmSync(made, { recursive: true, force: true });
});

describe('a backup', () => {
  it('moves Bob, his contact and their history to a new browser', async () => {
    const alice = await launch(dir('alice'));
    const bob = await launch(dir('bob'));
    await Promise.all([setDisplayName(alice, 'Alice'), setDisplayName(bob, 'Bob')]);
    const alicePopup = await alice.openPopup();
    await waitForAddress(alicePopup);
    const bobPopup = await bob.openPopup();
    await waitForAddress(bobPopup);
    const bobKey = await bobPopup.getByTestId('my-fingerprint').innerText();
    await dial(bobPopup, await inviteText(alicePopup));
    await acceptRequest(alicePopup);
    await waitUntilConnected(bobPopup);
    await send(bobPopup, 'Said before the move');

    // Export from Bob's settings page.
    const options = await bob.openPage('options.html');
    await options.getByTestId('backup-export-passphrase').fill('moving day passphrase');
    await options.getByTestId('backup-export-repeat').fill('moving day passphrase');
    const [download] = await Promise.all([
      options.waitForEvent('download'),
      options.getByTestId('backup-export').click(),
    ]);
    const saved = join(dir('file'), download.suggestedFilename());
    await download.saveAs(saved);
    expect(readFileSync(saved).subarray(0, 14).toString()).toBe('TINCAN-BACKUP\n');
    await options.getByTestId('backup-status').filter({ hasText: 'Saved' }).waitFor();
    await bob.close();

    // A new browser imports it.
    const moved = await launch(dir('moved'));
    const importing = await moved.openPage('options.html');
    importing.on('dialog', (dialog) => void dialog.accept());
    await importing.getByTestId('backup-import-file').setInputFiles(saved);
    await importing.getByTestId('backup-import-passphrase').fill('moving day passphrase');
    await importing.getByTestId('backup-import').click();
    await importing
      .getByTestId('backup-status')
      .filter({ hasText: 'Imported: 1 contact, 1 message.' })
      .waitFor({ timeout: 30_000 });
    await importing.screenshot({ path: join(shots, '1-imported.png') });

    const movedPopup = await moved.openPopup();
    await waitForAddress(movedPopup);
    expect(await movedPopup.getByTestId('my-fingerprint').innerText()).toBe(bobKey);
    await openContactChat(movedPopup, 'Alice');
    await waitForMessage(movedPopup, 'Said before the move');
    // The contact is special (an invite pair): Alice finds the moved Bob, and they chat.
    await waitUntilConnected(movedPopup);
    await send(movedPopup, 'Hello from my new browser');
    await openContactChat(alicePopup, 'Bob');
    await waitForMessage(alicePopup, 'Hello from my new browser');
    await movedPopup.screenshot({ path: join(shots, '2-moved-bob-chat.png') });
  });
});
