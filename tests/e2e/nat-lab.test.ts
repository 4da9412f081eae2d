/**
 * The NAT lab (support/nat-lab.ts) works: three hosts behind two NATs, each with Chromium and
 * the NAT build of Tincan, reach the lab's signaling server, see their NAT's public address
 * through its STUN server, and two of them chat across both NATs with STUN only.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumWithExtension } from '../../scripts/browsers/chromium';
import {
  acceptRequest,
  dial,
  openFirstChat,
  send,
  waitForAddress,
  waitForMessage,
  waitUntilConnected,
} from '../../scripts/browsers/popup-actions';
import { createNatLab, launchInHosts, type NatLab, type NatLabHostName, natLabUnavailable } from './support/nat-lab';
import { TEST_OUTPUT } from './support/paths';

const unavailable = natLabUnavailable();
if (unavailable) console.warn(`nat-lab.test.ts skipped: ${unavailable}`);

const HOSTS: NatLabHostName[] = ['lan1a', 'lan1b', 'lan2'];
const shots = join(TEST_OUTPUT, 'nat-lab');

/** Every candidate an extension page gathers with this STUN server, until gathering completes. */
function gatherCandidates(page: Page, stunUrl: string): Promise<{ type: string; address: string }[]> {
  return page.evaluate(async (urls) => {
    const connection = new RTCPeerConnection({ iceServers: [{ urls }] });
    const found: { type: string; address: string }[] = [];
    const complete = new Promise<void>((resolve) => {
      connection.onicecandidate = ({ candidate }) => {
        if (!candidate) resolve();
        else found.push({ type: candidate.type ?? '', address: candidate.address ?? '' });
      };
      setTimeout(resolve, 10_000);
    });
    connection.createDataChannel('probe');
    await connection.setLocalDescription(await connection.createOffer());
    await complete;
    connection.close();
    return found;
  }, stunUrl);
}

/** Packets a router's FORWARD rule number 1 has counted. */
async function forwardedPackets(lab: NatLab, router: string): Promise<number> {
  const { stdout } = await lab.exec(router, 'iptables', ['-L', 'FORWARD', '1', '-n', '-v', '-x']);
  return Number(stdout.trim().split(/\s+/)[0]);
}

describe.skipIf(unavailable !== undefined)(
  `two NATs and a public network${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let lab: NatLab;
    const browsers = {} as Record<NatLabHostName, ChromiumWithExtension>;
    const popups = {} as Record<NatLabHostName, Page>;

    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      const started = performance.now();
      lab = await createNatLab();
      const built = performance.now();
      // Whatever was launched before a failure is closed by the lab's teardown.
      Object.assign(browsers, await launchInHosts(lab, HOSTS));
      console.log(
        `NAT lab up in ${Math.round(built - started)} ms, 3 browsers in ${Math.round(performance.now() - built)} ms`,
      );
    });

    afterAll(async () => {
      const started = performance.now();
      // Closes the browsers too.
      await lab?.teardown();
      console.log(`NAT lab and its browsers torn down in ${Math.round(performance.now() - started)} ms`);
    });

    it('every host reaches the signaling server on the public network through its NAT', async () => {
      await Promise.all(
        HOSTS.map(async (host) => {
          const popup = await browsers[host].openPopup();
          popups[host] = popup;
          expect(await waitForAddress(popup)).toMatch(/^tincan-t-[a-z2-7]+$/);
          expect(await popup.getByTestId('server').innerText()).toContain(`${lab.publicAddress}:9000/tincan`);
        }),
      );
    });

    it('STUN sees each host as its NAT’s public address: the same for both hosts of one LAN', async () => {
      const reflexive = await Promise.all(
        HOSTS.map(async (host) => {
          const page = await browsers[host].openPage('options.html');
          const candidates = await gatherCandidates(page, lab.stunUrl);
          await page.close();
          return [...new Set(candidates.filter((c) => c.type === 'srflx').map((c) => c.address))];
        }),
      );
      expect(reflexive).toEqual([
        [lab.natPublicAddresses.nat1],
        [lab.natPublicAddresses.nat1],
        [lab.natPublicAddresses.nat2],
      ]);
    });

    it('lan1a and lan2 chat across both NATs, punched with STUN only', async () => {
      // Counts what nat2 lets in from nat1's public address: the chat's own packets, NAT to NAT.
      await lab.exec(lab.namespaces.nat2, 'iptables', [
        '-I',
        'FORWARD',
        '1',
        '-i',
        'wan',
        '-p',
        'udp',
        '-s',
        lab.natPublicAddresses.nat1,
      ]);
      const caller = popups.lan1a;
      const callee = popups.lan2;
      const calleeAddress = (await callee.getByTestId('my-address').innerText()).trim();
      await dial(caller, calleeAddress);
      await acceptRequest(callee);
      await waitUntilConnected(caller);
      await send(caller, 'Hello across two NATs');
      await openFirstChat(callee);
      await waitForMessage(callee, 'Hello across two NATs');
      await send(callee, 'Heard you');
      await waitForMessage(caller, 'Heard you');
      expect(await forwardedPackets(lab, lab.namespaces.nat2)).toBeGreaterThan(0);
      await caller.screenshot({ path: join(shots, 'lan1a-chat.png') });
      await callee.screenshot({ path: join(shots, 'lan2-chat.png') });
    });
  },
);
