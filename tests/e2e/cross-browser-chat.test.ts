import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChromiumWithExtension, launchChromiumWithExtension } from '../../scripts/browsers/chromium';
import { type FirefoxWithExtension, launchFirefoxWithExtension } from '../../scripts/browsers/firefox';
import * as chromiumPopup from '../../scripts/browsers/popup-actions';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import * as firefoxPopup from './support/firefox-popup';
import { E2E_EXTENSION, E2E_SIGNALING_PATH, E2E_SIGNALING_PORT, TEST_OUTPUT } from './support/paths';

let server: RunningSignalingServer;
let chromium: ChromiumWithExtension | undefined;
let firefox: FirefoxWithExtension | undefined;
const profiles: string[] = [];
const shots = join(TEST_OUTPUT, 'cross-browser');

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startSignalingServer({ port: E2E_SIGNALING_PORT, path: E2E_SIGNALING_PATH });
});

afterEach(async () => {
  await Promise.allSettled([chromium?.close(), firefox?.close()]);
  chromium = firefox = undefined;
  for (const dir of profiles.splice(0)) rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await server?.close();
});

/** A fresh Chromium user (Carol) and a fresh Firefox user (Finn), both with Tincan and a name. */
async function launchPair() {
  const profile = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    profiles.push(dir);
    return dir;
  };
  [chromium, firefox] = await Promise.all([
    launchChromiumWithExtension({ extensionDir: E2E_EXTENSION.chrome, userDataDir: profile('tincan-chromium-') }),
    launchFirefoxWithExtension({ extensionDir: E2E_EXTENSION.firefox, userDataDir: profile('tincan-firefox-') }),
  ]);
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
    await firefoxPopup.connectTo(finn, carolAddress);
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
    await chromiumPopup.connectTo(carol, finnAddress);
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
