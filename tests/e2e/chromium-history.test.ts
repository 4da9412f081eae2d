/**
 * Nothing typed is ever lost: history and the outbox live in IndexedDB (the agent's offscreen
 * document), so they survive a browser restart; a message written to a contact who is away
 * waits as pending and is delivered when they are back; a service worker stopped in the middle
 * of a conversation loses and duplicates nothing.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import {
  acceptRequest,
  dial,
  inviteText,
  messageTexts,
  openContactChat,
  send,
  setDisplayName,
  waitForAddress,
  waitForMessage,
  waitUntilConnected,
} from '../../scripts/browsers/popup-actions';
import type { RunningSignalingServer } from '../../server/signaling-server';
import { TEST_OUTPUT } from './support/paths';
import { stopServiceWorker } from './support/service-worker';
import { CHROMIUM_WITH_TINCAN, startE2ESignalingServer } from './support/two-browsers';

let server: RunningSignalingServer;
const profiles: string[] = [];
const open: ChromiumWithExtension[] = [];
const shots = join(TEST_OUTPUT, 'chromium-history');

async function launch(profile: string): Promise<ChromiumWithExtension> {
  const browser = await CHROMIUM_WITH_TINCAN.launch(profile);
  open.push(browser);
  return browser;
}

function profile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tincan-history-${name}-`));
  profiles.push(dir);
  return dir;
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startE2ESignalingServer();
});

afterAll(async () => {
  await Promise.allSettled(open.map((browser) => browser.close()));
  await server?.close();
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

/** Alice and Bob, paired by Bob using Alice's invite; both popups in the chat. */
async function pairedBrowsers(profileA: string, profileB: string) {
  const alice = await launch(profileA);
  const bob = await launch(profileB);
  await Promise.all([setDisplayName(alice, 'Alice'), setDisplayName(bob, 'Bob')]);
  const alicePopup = await alice.openPopup();
  await waitForAddress(alicePopup);
  const bobPopup = await bob.openPopup();
  await waitForAddress(bobPopup);
  await dial(bobPopup, await inviteText(alicePopup));
  await acceptRequest(alicePopup);
  await waitUntilConnected(bobPopup);
  return { alice, bob, alicePopup, bobPopup };
}

const stateOf = (popup: Page, text: string) =>
  popup.getByTestId('message').filter({ hasText: text }).getByTestId('message-state').getAttribute('data-state');

describe('history and the outbox', () => {
  it('survive a restart, and a message to a contact who is away is delivered when they are back', async () => {
    const [profileA, profileB] = [profile('a'), profile('b')];
    const { alice, bobPopup } = await pairedBrowsers(profileA, profileB);
    await send(bobPopup, 'Before the restart');
    await expect.poll(() => stateOf(bobPopup, 'Before the restart'), { timeout: 15_000 }).toBe('delivered');

    await alice.close();
    // Bob's chat sees Alice go: her keepalives stop, and the session ends within seconds.
    await bobPopup.screenshot({ path: join(shots, '0-bob-alice-closing.png') });
    await bobPopup
      .getByTestId('chat-offline')
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        await bobPopup.screenshot({ path: join(shots, '0-bob-alice-gone-timeout.png') });
        throw error;
      });
    // Alice is away: Bob's message waits in his outbox, shown as pending.
    await send(bobPopup, 'While you were away');
    await expect.poll(() => stateOf(bobPopup, 'While you were away')).toBe('pending');
    await bobPopup.screenshot({ path: join(shots, '1-bob-pending.png') });

    const aliceAgain = await launch(profileA);
    const alicePopup = await aliceAgain.openPopup();
    await waitForAddress(alicePopup);
    await openContactChat(alicePopup, 'Bob');
    // Her history came back from IndexedDB; his outbox reached her once she was online.
    await waitForMessage(alicePopup, 'Before the restart');
    await waitForMessage(alicePopup, 'While you were away');
    await expect.poll(() => stateOf(bobPopup, 'While you were away'), { timeout: 30_000 }).toBe('delivered');
    expect(await messageTexts(alicePopup)).toEqual(['Before the restart', 'While you were away']);
    await alicePopup.screenshot({ path: join(shots, '2-alice-after-restart.png') });
    await bobPopup.screenshot({ path: join(shots, '3-bob-delivered.png') });
  });

  it('a service worker stopped mid-conversation loses and duplicates nothing', async () => {
    const { bob, alicePopup, bobPopup } = await pairedBrowsers(profile('c'), profile('d'));
    await openContactChat(alicePopup, 'Bob');
    const texts = Array.from({ length: 12 }, (_, i) => `message ${i + 1}`);
    for (const text of texts.slice(0, 6)) await send(bobPopup, text);

    // Stop Bob's service worker (as Chrome does after 30 s idle) between two messages.
    await stopServiceWorker(bob);

    for (const text of texts.slice(6)) await send(bobPopup, text);
    await waitForMessage(alicePopup, 'message 12');
    await expect.poll(() => stateOf(bobPopup, 'message 12'), { timeout: 15_000 }).toBe('delivered');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await messageTexts(alicePopup)).toEqual(texts);
    await alicePopup.screenshot({ path: join(shots, '4-alice-after-worker-stop.png') });
  });
});
