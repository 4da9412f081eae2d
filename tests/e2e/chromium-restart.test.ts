/**
 * Identity and contacts live in the background's storage: a browser that is closed and opened
 * again with the same profile is the same person, with the same contacts, who reconnect without
 * a new request.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
const profiles = [mkdtempSync(join(tmpdir(), 'tincan-restart-a-')), mkdtempSync(join(tmpdir(), 'tincan-restart-b-'))];
const open: ChromiumWithExtension[] = [];
const shots = join(TEST_OUTPUT, 'chromium-restart');

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
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

describe('a browser restarted with the same profile', () => {
  it('keeps its key and its contacts, and its contact reconnects without a new request', async () => {
    const [profileA, profileB] = profiles as [string, string];
    const alice = await launch(profileA);
    let bob = await launch(profileB);
    await Promise.all([setDisplayName(alice, 'Alice'), setDisplayName(bob, 'Bob')]);
    const alicePopup = await alice.openPopup();
    const aliceAddress = await waitForAddress(alicePopup);
    let bobPopup = await bob.openPopup();
    await waitForAddress(bobPopup);
    const bobKey = await bobPopup.getByTestId('my-fingerprint').innerText();
    // Bob uses Alice's invite: her key is checked in the handshake, so she is verified at once.
    const invite = await inviteText(alicePopup);
    expect(invite).toMatch(new RegExp(`^tincan1\\.${aliceAddress}\\.[a-z2-7]{52}$`));
    await dial(bobPopup, invite);
    await acceptRequest(alicePopup);
    await waitUntilConnected(bobPopup);
    expect(await bobPopup.getByTestId('chat-verified').count()).toBe(1);

    await bob.close();
    bob = await launch(profileB);
    bobPopup = await bob.openPopup();
    const bobAddressNow = await waitForAddress(bobPopup);
    expect(await bobPopup.getByTestId('my-fingerprint').innerText()).toBe(bobKey);
    const contact = bobPopup.getByTestId('contact').first();
    expect(await contact.getByTestId('contact-name').innerText()).toContain('Alice');
    expect(await contact.getByTestId('contact-verified').innerText()).toMatch(/^✓? ?Verified/);
    await bobPopup.screenshot({ path: join(shots, '1-bob-after-restart.png') });

    // Alice is still at her address: Bob's agent dials it as it starts (or when Bob opens the
    // chat), and Alice is not asked again.
    await openContactChat(bobPopup, 'Alice');
    await waitUntilConnected(bobPopup);
    await send(bobPopup, 'Back after a restart');
    await openContactChat(alicePopup, 'Bob');
    await waitForMessage(alicePopup, 'Back after a restart');
    expect(await alicePopup.getByTestId('request').count()).toBe(0);
    expect(await alicePopup.getByTestId('chat-peer-name').innerText()).toBe('Bob');
    // Alice's contact moved with Bob to his new address.
    expect(await alicePopup.getByText(bobAddressNow).count()).toBeGreaterThan(0);
    await alicePopup.screenshot({ path: join(shots, '2-alice-same-bob.png') });
  });
});
