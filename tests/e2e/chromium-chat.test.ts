import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import {
  dial,
  messageTexts,
  openFirstChat,
  safetyNumber,
  send,
  setDisplayName,
  waitForAddress,
  waitForMessage,
  waitUntilConnected,
} from '../../scripts/browsers/popup-actions';
import { TEST_OUTPUT } from './support/paths';
import { stopServiceWorker } from './support/service-worker';
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

/** A name with markup in it: it must reach the other side as text, never as HTML. */
const BOBS_NAME = 'Bob<img src=x onerror=document.title=1>';

describe('two Chromium users: a connection request, then an encrypted chat', () => {
  it('B dials A; A is notified of the request and accepts it; they chat encrypted with equal safety numbers', async () => {
    await Promise.all([setDisplayName(alice, 'Alice'), setDisplayName(bob, BOBS_NAME)]);
    let alicePopup = await alice.openPopup();
    const aliceAddress = await waitForAddress(alicePopup);
    expect(aliceAddress).toMatch(/^tincan-t-[a-z2-7]+$/);
    expect(await alicePopup.getByTestId('server').innerText()).toContain('127.0.0.1:9000/tincan');
    expect(await alicePopup.getByTestId('my-fingerprint').innerText()).toMatch(/[a-z2-7]{4}( [a-z2-7]{4}){3}/);
    await alicePopup.screenshot({ path: join(shots, '1-alice-address.png') });
    // Alice is away: the request reaches her as a notification.
    await alicePopup.close();

    const bobPopup = await bob.openPopup();
    await waitForAddress(bobPopup);
    await dial(bobPopup, aliceAddress);
    await bobPopup.getByTestId('chat-link').filter({ hasText: 'Waiting' }).waitFor({ timeout: 30_000 });
    await bobPopup.screenshot({ path: join(shots, '2-bob-waiting.png') });

    const aliceWorker = await alice.worker();
    const requestId = await expect
      .poll(async () => Object.keys(await aliceWorker.evaluate(() => chrome.notifications.getAll())), {
        timeout: 15_000,
      })
      .toEqual([expect.stringMatching(/^tincan-request:tincan-t-/)])
      .then(async () => Object.keys(await aliceWorker.evaluate(() => chrome.notifications.getAll()))[0] ?? '');
    // The notification's Accept button: Chrome gives no way to click a notification from a
    // test, so the worker's own button listener is invoked with Accept's index.
    const accepted = await aliceWorker.evaluate((id) => {
      const event = chrome.notifications.onButtonClicked as unknown as {
        dispatch?: (id: string, index: number) => void;
      };
      if (!event.dispatch) return false;
      event.dispatch(id, 0);
      return true;
    }, requestId);
    expect(accepted).toBe(true);
    await waitUntilConnected(bobPopup);
    // The answered request's notification is gone.
    expect(await aliceWorker.evaluate(() => chrome.notifications.getAll())).toEqual({});
    alicePopup = await alice.openPopup();
    expect(await bobPopup.getByTestId('chat-encryption').innerText()).toContain('Encrypted with Alice');

    await send(bobPopup, 'Hello from Bob');
    await openFirstChat(alicePopup);
    await waitForMessage(alicePopup, 'Hello from Bob');
    // The peer's markup is shown as the characters it is made of, and nothing ran.
    expect(await alicePopup.getByTestId('chat-peer-name').innerText()).toBe(BOBS_NAME);
    expect(await alicePopup.locator('img[src="x"]').count()).toBe(0);
    expect(await alicePopup.title()).not.toBe('1');
    await send(alicePopup, 'Hi Bob, Alice here');
    await waitForMessage(bobPopup, 'Hi Bob, Alice here');
    expect(await messageTexts(bobPopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here']);
    expect(await messageTexts(alicePopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here']);
    expect(await alicePopup.getByTestId('chat-encryption').innerText()).toContain('Encrypted with');
    await alicePopup.screenshot({ path: join(shots, '3-alice-chat.png') });
    await bobPopup.screenshot({ path: join(shots, '4-bob-chat.png') });

    // Both saved each other; the safety numbers they would read to each other are the same.
    const [aliceSees, bobSees] = await Promise.all([safetyNumber(await alice.openPopup()), safetyNumber(bobPopup)]);
    expect(aliceSees).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(aliceSees).toBe(bobSees);
    await bobPopup.screenshot({ path: join(shots, '5-bob-safety-number.png') });
    await bobPopup.close();
    await alicePopup.close();
  });

  it('with B’s popup closed, A’s message raises a notification and a badge of 1; reopening shows it all', async () => {
    const alicePopup = await alice.openPopup();
    await openFirstChat(alicePopup);
    const bobWorker = await bob.worker();
    await send(alicePopup, 'Are you there?');
    await expect.poll(() => bobWorker.evaluate(() => chrome.action.getBadgeText({})), { timeout: 15_000 }).toBe('1');
    await expect
      .poll(async () => Object.keys(await bobWorker.evaluate(() => chrome.notifications.getAll())))
      .toEqual([expect.stringMatching(/^tincan-message:/)]);

    // Reopening the popup shows the whole conversation of this session.
    const bobPopup = await bob.openPopup();
    await openFirstChat(bobPopup);
    await waitForMessage(bobPopup, 'Are you there?');
    expect(await messageTexts(bobPopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here', 'Are you there?']);
    await expect.poll(() => bobWorker.evaluate(() => chrome.action.getBadgeText({}))).toBe('');
    await bobPopup.screenshot({ path: join(shots, '6-bob-reopened.png') });
    await bobPopup.close();
    await alicePopup.close();
  });
});

describe('the agent outlives the service worker and comes back when its document is gone', () => {
  it('with the worker stopped, messages still arrive and the badge still counts', async () => {
    const alicePopup = await alice.openPopup();
    await openFirstChat(alicePopup);
    await stopServiceWorker(bob);

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
    await bobPopup.screenshot({ path: join(shots, '7-bob-agent-recreated.png') });
  });
});
