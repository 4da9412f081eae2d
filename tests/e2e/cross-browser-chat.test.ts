import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import type { FirefoxWithExtension } from '../../scripts/browsers/firefox';
import * as chromiumPopup from '../../scripts/browsers/popup-actions';
import type { RunningSignalingServer } from '../../server/signaling-server';
import * as firefoxPopup from './support/firefox-popup';
import { TEST_OUTPUT } from './support/paths';
import {
  CHROMIUM_WITH_TINCAN,
  FIREFOX_WITH_TINCAN,
  launchTwoBrowsers,
  startE2ESignalingServer,
  type TwoBrowsers,
} from './support/two-browsers';

let server: RunningSignalingServer | undefined;
let pair: TwoBrowsers<ChromiumWithExtension, FirefoxWithExtension> | undefined;
const shots = join(TEST_OUTPUT, 'cross-browser');

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startE2ESignalingServer();
});

afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

afterAll(async () => {
  await server?.close();
});

/** A fresh Chromium user (Carol) and a fresh Firefox user (Finn), both with Tincan and a name. */
async function launchPair() {
  pair = await launchTwoBrowsers(CHROMIUM_WITH_TINCAN, FIREFOX_WITH_TINCAN);
  const [chromium, firefox] = pair.browsers;
  await Promise.all([chromiumPopup.setDisplayName(chromium, 'Carol'), firefoxPopup.setDisplayName(firefox, 'Finn')]);
  const [carol, finn] = await Promise.all([chromium.openPopup(), firefox.openPopup()]);
  const [carolAddress, finnAddress] = await Promise.all([
    chromiumPopup.waitForAddress(carol),
    firefoxPopup.waitForAddress(finn),
  ]);
  return { carol, finn, carolAddress, finnAddress };
}

describe('a Chromium user and a Firefox user chat through their popups', () => {
  it('Firefox pastes the Chromium user’s address; messages go both ways', async () => {
    const { carol, finn, carolAddress } = await launchPair();
    await firefoxPopup.dial(finn, carolAddress);
    expect(await chromiumPopup.acceptRequest(carol)).toBe('Finn');
    await firefoxPopup.waitUntilConnected(finn);
    await firefoxPopup.send(finn, 'Hello from Firefox');

    await chromiumPopup.openFirstChat(carol);
    await chromiumPopup.waitForMessage(carol, 'Hello from Firefox');
    expect(await carol.getByTestId('chat-peer-name').textContent()).toBe('Finn');
    await chromiumPopup.send(carol, 'Hello from Chromium');
    // Carol's agent knows her name: it labels her own messages with it.
    expect(await carol.locator('.message.me .sender').first().textContent()).toBe('Carol');
    await firefoxPopup.waitForMessage(finn, 'Hello from Chromium');
    expect(await firefoxPopup.textOf(finn, 'chat-peer-name')).toBe('Carol');

    const both = ['Hello from Firefox', 'Hello from Chromium'];
    expect(await firefoxPopup.messageTexts(finn)).toEqual(both);
    expect(await chromiumPopup.messageTexts(carol)).toEqual(both);
    await carol.screenshot({ path: join(shots, '1-chromium-answered.png') });
    await finn.screenshot({ path: join(shots, '2-firefox-dialled.png') });
  });

  it('Chromium pastes the Firefox user’s address; messages go both ways', async () => {
    const { carol, finn, finnAddress } = await launchPair();
    await chromiumPopup.dial(carol, finnAddress);
    expect(await firefoxPopup.acceptRequest(finn)).toBe('Carol');
    await chromiumPopup.waitUntilConnected(carol);
    await chromiumPopup.send(carol, 'Hello from Chromium');

    await firefoxPopup.openFirstChat(finn);
    await firefoxPopup.waitForMessage(finn, 'Hello from Chromium');
    expect(await firefoxPopup.textOf(finn, 'chat-peer-name')).toBe('Carol');
    await firefoxPopup.send(finn, 'Hello from Firefox');
    expect(await firefoxPopup.ownName(finn)).toBe('Finn');
    await chromiumPopup.waitForMessage(carol, 'Hello from Firefox');
    expect(await carol.getByTestId('chat-peer-name').textContent()).toBe('Finn');

    const both = ['Hello from Chromium', 'Hello from Firefox'];
    expect(await chromiumPopup.messageTexts(carol)).toEqual(both);
    expect(await firefoxPopup.messageTexts(finn)).toEqual(both);
    await carol.screenshot({ path: join(shots, '3-chromium-dialled.png') });
    await finn.screenshot({ path: join(shots, '4-firefox-answered.png') });
  });
});
