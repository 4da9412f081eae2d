import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import {
  connectTo,
  messageTexts,
  openFirstChat,
  send,
  setDisplayName,
  waitForAddress,
  waitForMessage,
} from '../../scripts/browsers/popup-actions';
import { TEST_OUTPUT } from './support/paths';
import { CHROMIUM_WITH_TINCAN, type Session, startSession } from './support/two-browsers';

let session: Session<ChromiumWithExtension, ChromiumWithExtension> | undefined;
let alice: ChromiumWithExtension;
let bob: ChromiumWithExtension;
const shots = join(TEST_OUTPUT, 'chromium');

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  session = await startSession(CHROMIUM_WITH_TINCAN, CHROMIUM_WITH_TINCAN);
  [alice, bob] = session.browsers;
});

afterAll(() => session?.close());

describe('two Chromium users chat through the popup', () => {
  it('B pastes A’s address, both chat; with B’s popup closed, A’s message raises a notification and a badge of 1', async () => {
    await Promise.all([setDisplayName(alice, 'Alice'), setDisplayName(bob, 'Bob')]);
    const alicePopup = await alice.openPopup();
    const aliceAddress = await waitForAddress(alicePopup);
    expect(aliceAddress).toMatch(/^tincan-t-[a-z2-7]+$/);
    expect(await alicePopup.getByTestId('server').innerText()).toContain('127.0.0.1:9000/tincan');
    await alicePopup.screenshot({ path: join(shots, '1-alice-address.png') });

    let bobPopup = await bob.openPopup();
    await waitForAddress(bobPopup);
    await connectTo(bobPopup, aliceAddress);
    await send(bobPopup, 'Hello from Bob');

    await openFirstChat(alicePopup);
    await waitForMessage(alicePopup, 'Hello from Bob');
    expect(await alicePopup.getByTestId('chat-peer-name').innerText()).toBe('Bob');
    await send(alicePopup, 'Hi Bob, Alice here');
    await waitForMessage(bobPopup, 'Hi Bob, Alice here');
    expect(await messageTexts(bobPopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here']);
    expect(await messageTexts(alicePopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here']);
    await alicePopup.screenshot({ path: join(shots, '2-alice-chat.png') });
    await bobPopup.screenshot({ path: join(shots, '3-bob-chat.png') });

    // Closing the popup does not drop the connection: it lives in the offscreen agent.
    await bobPopup.close();
    const bobWorker = await bob.worker();
    await send(alicePopup, 'Are you there?');
    await expect.poll(() => bobWorker.evaluate(() => chrome.action.getBadgeText({})), { timeout: 15_000 }).toBe('1');
    const notifications = await bobWorker.evaluate(() => chrome.notifications.getAll());
    expect(Object.keys(notifications)).toEqual([expect.stringContaining(aliceAddress)]);

    // Reopening the popup shows the whole conversation of this session.
    bobPopup = await bob.openPopup();
    await openFirstChat(bobPopup);
    await waitForMessage(bobPopup, 'Are you there?');
    expect(await messageTexts(bobPopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here', 'Are you there?']);
    await expect.poll(() => bobWorker.evaluate(() => chrome.action.getBadgeText({}))).toBe('');
    await bobPopup.screenshot({ path: join(shots, '4-bob-reopened.png') });
  });
});

describe('the agent outlives the service worker and comes back when its document is gone', () => {
  it('with the worker stopped, messages still arrive and the badge still counts', async () => {
    const alicePopup = await alice.openPopup();
    await openFirstChat(alicePopup);
    const page = await bob.openPage('options.html');
    const cdp = await bob.context.newCDPSession(page);
    const stopped = new Promise<void>((resolve) =>
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        if (versions.some((v) => v.runningStatus === 'stopped')) resolve();
      }),
    );
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await stopped;
    await page.close();

    await send(alicePopup, 'Sent while your worker slept');
    const bobWorker = await bob.worker();
    await expect.poll(() => bobWorker.evaluate(() => chrome.action.getBadgeText({})), { timeout: 15_000 }).toBe('1');
    const bobPopup = await bob.openPopup();
    await openFirstChat(bobPopup);
    await waitForMessage(bobPopup, 'Sent while your worker slept');
    await bobPopup.close();
    await alicePopup.close();
  });

  it('a closed offscreen document is created again on demand and the agent is back online', async () => {
    const worker = await bob.worker();
    await worker.evaluate(() => chrome.offscreen.closeDocument());
    const bobPopup = await bob.openPopup();
    const address = await waitForAddress(bobPopup);
    expect(address).toMatch(/^tincan-t-/);
    await bobPopup.screenshot({ path: join(shots, '5-bob-agent-recreated.png') });
  });
});
