/**
 * Same-network discovery end to end, in the NAT lab (support/nat-lab.ts): Ana and Ben are two
 * hosts behind one NAT, Cat is behind another; a coturn STUN server and the signaling server are
 * on the public side. Real Chromium with the extension in each host's network namespace.
 * Ana and Ben see each other in "On this network", Cat sees neither; Ana's Connect reaches Ben
 * as a notification, he accepts it, and they chat.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import {
  connectOnNetwork,
  networkPeerNames,
  networkStatusText,
  openChatOnNetwork,
  send,
  setDisplayName,
  waitForAddress,
  waitForMessage,
} from '../../scripts/browsers/popup-actions';
import { createNatLab, launchInHosts, type NatLab, type NatLabHostName, natLabUnavailable } from './support/nat-lab';
import { TEST_OUTPUT } from './support/paths';

const unavailable = natLabUnavailable();
if (unavailable) console.warn(`nat-discovery.test.ts skipped: ${unavailable}`);

const PEOPLE: Record<NatLabHostName, string> = { lan1a: 'Ana', lan1b: 'Ben', lan2: 'Cat' };
const HOSTS = Object.keys(PEOPLE) as NatLabHostName[];
const shots = join(TEST_OUTPUT, 'nat-discovery');

async function waitForNames(popup: Page, expected: string[], timeoutMs = 30_000): Promise<void> {
  await expect.poll(() => networkPeerNames(popup), { timeout: timeoutMs }).toEqual(expected);
}

describe.skipIf(unavailable !== undefined)(
  `discovery behind NATs${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let lab: NatLab;
    const browsers = {} as Record<NatLabHostName, ChromiumWithExtension>;
    const popups = {} as Record<NatLabHostName, Page>;

    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      lab = await createNatLab();
      Object.assign(browsers, await launchInHosts(lab, HOSTS));
      await Promise.all(HOSTS.map((host) => setDisplayName(browsers[host], PEOPLE[host])));
      await Promise.all(
        HOSTS.map(async (host) => {
          popups[host] = await browsers[host].openPopup();
          await waitForAddress(popups[host]);
        }),
      );
    }, 60_000);

    afterAll(async () => {
      await lab?.teardown();
    });

    it('the two hosts behind one NAT see each other in "On this network"; the third sees neither', async () => {
      await waitForNames(popups.lan1a, ['Ben']);
      await waitForNames(popups.lan1b, ['Ana']);
      await expect.poll(() => networkStatusText(popups.lan2), { timeout: 15_000 }).toBe('Active · 0 people here');
      expect(await networkPeerNames(popups.lan2)).toEqual([]);
      expect(await networkStatusText(popups.lan1a)).toBe('Active · 1 person here');
      await popups.lan1a.screenshot({ path: join(shots, '1-ana-on-this-network.png') });
      await popups.lan2.screenshot({ path: join(shots, '2-cat-alone.png') });
    });

    it('Connect reaches the other as a notification; accepted, they are contacts and chat', async () => {
      const ana = popups.lan1a;
      const ben = popups.lan1b;
      // Ben is away from his popup: the request must reach him as a notification.
      await ben.close();
      await connectOnNetwork(ana, 'Ben');
      const benWorker = await browsers.lan1b.worker();
      const requestId = await expect
        .poll(async () => Object.keys(await benWorker.evaluate(() => chrome.notifications.getAll())), {
          timeout: 15_000,
        })
        // From Ana's discovery id, never her transport address.
        .toEqual([expect.stringMatching(/^tincan-request:tincan-[a-z2-7]{16}-d-/)])
        .then(async () => Object.keys(await benWorker.evaluate(() => chrome.notifications.getAll()))[0] ?? '');
      // Chrome gives tests no way to click a notification: the worker's own listener gets Accept.
      await benWorker.evaluate((id) => {
        const event = chrome.notifications.onButtonClicked as unknown as { dispatch(id: string, index: number): void };
        event.dispatch(id, 0);
      }, requestId);

      // Introduced: each is now the other's saved contact, recognised on the network by tag.
      await ana
        .locator('[data-testid="network-peer"][data-kind="contact"]')
        .filter({ hasText: 'Ben' })
        .waitFor({ timeout: 30_000 });
      await openChatOnNetwork(ana, 'Ben');
      await send(ana, 'Hello from the next desk');
      const benAgain = await browsers.lan1b.openPopup();
      await openChatOnNetwork(benAgain, 'Ana');
      await waitForMessage(benAgain, 'Hello from the next desk');
      await send(benAgain, 'Hi Ana');
      await waitForMessage(ana, 'Hi Ana');
      await ana.screenshot({ path: join(shots, '3-ana-chat.png') });
      await benAgain.screenshot({ path: join(shots, '4-ben-chat.png') });
      // Cat never saw them, before or after.
      expect(await networkPeerNames(popups.lan2)).toEqual([]);
    });
  },
);
