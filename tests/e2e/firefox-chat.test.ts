import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirefoxWithExtension } from '../../scripts/browsers/firefox';
import {
  acceptRequest,
  dial,
  messageTexts,
  openFirstChat,
  send,
  setDisplayName,
  textOf,
  waitForAddress,
  waitForMessage,
  waitUntilConnected,
} from './support/firefox-popup';
import { TEST_OUTPUT } from './support/paths';
import { FIREFOX_WITH_TINCAN, type Session, startSession } from './support/two-browsers';

let session: Session<FirefoxWithExtension, FirefoxWithExtension> | undefined;
let alice: FirefoxWithExtension;
let bob: FirefoxWithExtension;
const shots = join(TEST_OUTPUT, 'firefox');

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  session = await startSession(FIREFOX_WITH_TINCAN, FIREFOX_WITH_TINCAN);
  [alice, bob] = session.browsers;
});

afterAll(() => session?.close());

describe('two Firefox users chat through the popup', () => {
  it('B pastes A’s address, both chat; with B’s popup closed, A’s message raises a notification and a badge of 1', async () => {
    await Promise.all([setDisplayName(alice, 'Alice'), setDisplayName(bob, 'Bob')]);
    const alicePopup = await alice.openPopup();
    const aliceAddress = await waitForAddress(alicePopup);
    expect(aliceAddress).toMatch(/^tincan-t-[a-z2-7]+$/);
    expect(await textOf(alicePopup, 'server')).toContain('127.0.0.1:9000/tincan');
    await alicePopup.screenshot({ path: join(shots, '1-alice-address.png') });

    let bobPopup = await bob.openPopup();
    await waitForAddress(bobPopup);
    await dial(bobPopup, aliceAddress);
    // Firefox has no notification buttons: Alice answers in her popup.
    expect(await acceptRequest(alicePopup)).toBe('Bob');
    await waitUntilConnected(bobPopup);
    expect(await textOf(bobPopup, 'chat-encryption')).toContain('Encrypted with Alice');
    await send(bobPopup, 'Hello from Bob');

    await openFirstChat(alicePopup);
    await waitForMessage(alicePopup, 'Hello from Bob');
    expect(await textOf(alicePopup, 'chat-peer-name')).toBe('Bob');
    await send(alicePopup, 'Hi Bob, Alice here');
    await waitForMessage(bobPopup, 'Hi Bob, Alice here');
    expect(await textOf(bobPopup, 'chat-peer-name')).toBe('Alice');
    expect(await messageTexts(bobPopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here']);
    expect(await messageTexts(alicePopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here']);
    await alicePopup.screenshot({ path: join(shots, '2-alice-chat.png') });
    await bobPopup.screenshot({ path: join(shots, '3-bob-chat.png') });

    // Closing the popup does not drop the connection: it lives in the background page.
    await bobPopup.close();
    // Any extension page can read the badge and notifications; this one is not the popup, so
    // Bob still counts as away.
    const bobOptions = await bob.openPage('options.html');
    // (The callback form: the typings give MV2's browserAction no promise overload.)
    const badge = () =>
      bobOptions.evaluate(() => new Promise<string>((resolve) => chrome.browserAction.getBadgeText({}, resolve)));
    expect(await badge()).toBe('');
    await send(alicePopup, 'Are you there?');
    await expect.poll(badge, { timeout: 15_000 }).toBe('1');
    await expect
      .poll(() => bobOptions.evaluate(async () => Object.keys(await browser.notifications.getAll())))
      .toEqual([expect.stringMatching(/^tincan-message:/)]);

    // Reopening the popup shows the whole conversation of this session and clears the badge.
    bobPopup = await bob.openPopup();
    await openFirstChat(bobPopup);
    await waitForMessage(bobPopup, 'Are you there?');
    expect(await messageTexts(bobPopup)).toEqual(['Hello from Bob', 'Hi Bob, Alice here', 'Are you there?']);
    await expect.poll(badge).toBe('');
    await bobPopup.screenshot({ path: join(shots, '4-bob-reopened.png') });
  });
});
