/**
 * `npm start`: the newcomer's first run. Builds the extension pointed at an embedded local
 * signaling server, starts that server, and
 *  - with a display: opens Chromium with the extension loaded (Ctrl-C to stop);
 *  - without one (or with `--demo`): runs a headless demo — two browser profiles, one connects
 *    to the other, they exchange messages and a file — printing each step and saving popup
 *    screenshots and the received file.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSignalingServer } from '../server/signaling-server';
import { launchChromiumWithExtension } from './browsers/chromium';
import { browserHandlesDownloads, profileDownloadingInto, waitForDownload } from './browsers/downloads';
import {
  acceptRequest,
  dial,
  dragFileOver,
  dropHeldFile,
  openFirstChat,
  safetyNumber,
  send,
  setDisplayName,
  transferCard,
  waitForAddress,
  waitForMessage,
  waitUntilConnected,
} from './browsers/popup-actions';
import { ensureSystemPackages } from './system-packages';

const PORT = Number(process.env.TINCAN_PORT ?? 9000);
const OUT_DIR = '.output/local';
const EXTENSION = resolve(OUT_DIR, 'chrome-mv3');
const SHOTS = resolve('demo-output');
const DOWNLOADS = join(SHOTS, 'downloads');
const DEMO_FILE = 'tincan-demo.bin';
const DEMO_FILE_BYTES = 8 * 1024 * 1024;
const demo = process.argv.includes('--demo') || !process.env.DISPLAY;

const step = (text: string) => console.log(`• ${text}`);

async function main() {
  ensureSystemPackages(['/usr/bin/chromium']);
  step(`Starting the local signaling server on 127.0.0.1:${PORT}`);
  const server = await startSignalingServer({ port: PORT }).catch((error: Error) => {
    throw new Error(`could not start the signaling server on port ${PORT} (${error.message}); set TINCAN_PORT`);
  });
  step(`Building the extension for ${server.url} into ${OUT_DIR}/`);
  try {
    execFileSync('npx', ['wxt', 'build'], {
      stdio: 'pipe',
      env: { ...process.env, TINCAN_SIGNALING_URL: server.url, TINCAN_ICE_SERVERS: 'none', TINCAN_OUT_DIR: OUT_DIR },
    });
  } catch (error) {
    await server.close();
    const output = (error as { stdout?: Buffer; stderr?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`the build failed:\n${output}${(error as { stderr?: Buffer }).stderr?.toString() ?? ''}`);
  }
  const profiles: string[] = [];
  const profile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tincan-start-'));
    profiles.push(dir);
    return dir;
  };
  const cleanUp = async () => {
    await server.close();
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  };

  if (!demo) {
    step('Opening Chromium with Tincan loaded: click the Tincan toolbar button. Ctrl-C stops.');
    const browser = await launchChromiumWithExtension({
      extensionDir: EXTENSION,
      userDataDir: profile(),
      headless: false,
    });
    await browser.openPopup();
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      browser.context.once('close', () => done());
    });
    await browser.close().catch(() => {});
    await cleanUp();
    return;
  }

  step('No display: running the headless demo with two browser profiles, Alice and Bob');
  rmSync(DOWNLOADS, { recursive: true, force: true });
  mkdirSync(DOWNLOADS, { recursive: true });
  const aliceProfile = profile();
  profileDownloadingInto(aliceProfile, DOWNLOADS);
  const [alice, bob] = await Promise.all([
    launchChromiumWithExtension({ extensionDir: EXTENSION, userDataDir: aliceProfile }),
    launchChromiumWithExtension({ extensionDir: EXTENSION, userDataDir: profile() }),
  ]);
  await browserHandlesDownloads(alice);
  try {
    step('Each sets a display name in the options page');
    await Promise.all([setDisplayName(alice, 'Alice'), setDisplayName(bob, 'Bob')]);
    const alicePopup = await alice.openPopup();
    const aliceAddress = await waitForAddress(alicePopup);
    step(`Alice is online at ${aliceAddress}`);
    const bobPopup = await bob.openPopup();
    step(`Bob is online at ${await waitForAddress(bobPopup)}`);
    step('Bob pastes Alice’s address and presses Connect');
    await dial(bobPopup, aliceAddress);
    step('Alice sees a connection request from “Bob” and accepts it');
    await acceptRequest(alicePopup);
    await waitUntilConnected(bobPopup);
    step('Connected, end-to-end encrypted (Noise XX). Bob: “Hello Alice!”');
    await send(bobPopup, 'Hello Alice!');
    await openFirstChat(alicePopup);
    await waitForMessage(alicePopup, 'Hello Alice!');
    step('Alice received it. Alice: “Hi Bob, it works.”');
    await send(alicePopup, 'Hi Bob, it works.');
    await waitForMessage(bobPopup, 'Hi Bob, it works.');
    step('Bob received it.');
    step(`Bob drops an ${DEMO_FILE_BYTES / 1024 / 1024} MiB file, ${DEMO_FILE}, onto the chat`);
    const sha256 = await dragFileOver(bobPopup, DEMO_FILE, DEMO_FILE_BYTES, 2026);
    await dropHeldFile(bobPopup);
    await transferCard(alicePopup, DEMO_FILE, 'offered').waitFor({ timeout: 60_000 });
    step('Alice sees the offer (name and size) and accepts it');
    await transferCard(alicePopup, DEMO_FILE, 'offered').getByTestId('transfer-accept').click();
    await transferCard(alicePopup, DEMO_FILE, 'done')
      .getByTestId('transfer-status')
      .filter({ hasText: 'Saved to downloads' })
      .waitFor({ timeout: 120_000 });
    const saved = await waitForDownload(DOWNLOADS, DEMO_FILE);
    const savedSha = createHash('sha256').update(readFileSync(saved)).digest('hex');
    step(
      `The file was checked piece by piece and saved to ${saved}: SHA-256 ${savedSha.slice(0, 16)}… ` +
        `(${savedSha === sha256 ? 'the same as Bob’s' : 'DIFFERENT from Bob’s'})`,
    );
    if (savedSha !== sha256) throw new Error('the received file differs from the one sent');
    await alicePopup.screenshot({ path: join(SHOTS, 'alice-chat.png') });
    const [aliceNumber, bobNumber] = [await safetyNumber(alicePopup), await safetyNumber(bobPopup)];
    step(
      `Safety numbers: Alice sees ${aliceNumber}, Bob sees ${bobNumber} (${aliceNumber === bobNumber ? 'equal' : 'DIFFERENT'})`,
    );
    await alicePopup.screenshot({ path: join(SHOTS, 'alice-popup.png') });
    await bobPopup.screenshot({ path: join(SHOTS, 'bob-popup.png') });
    step(
      `Screenshots: ${['alice-chat.png', 'alice-popup.png', 'bob-popup.png'].map((f) => join(SHOTS, f)).join(', ')}`,
    );
    step('Demo finished.');
  } finally {
    await Promise.allSettled([alice.close(), bob.close()]);
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`npm start failed: ${error.message}`);
    process.exit(1);
  },
);
