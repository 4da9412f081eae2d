/**
 * `npm start`: the newcomer's first run. Builds the extension pointed at an embedded local
 * signaling server, starts that server, and
 *  - with a display: opens Chromium with the extension loaded (Ctrl-C to stop);
 *  - without one (or with `--demo`): runs a headless demo — two browser profiles, one connects
 *    to the other, they exchange messages — printing each step and saving popup screenshots.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSignalingServer } from '../server/signaling-server';
import { launchChromiumWithExtension } from './browsers/chromium';
import {
  acceptRequest,
  dial,
  openFirstChat,
  safetyNumber,
  send,
  setDisplayName,
  waitForAddress,
  waitForMessage,
  waitUntilConnected,
} from './browsers/popup-actions';
import { ensureSystemPackages } from './system-packages';

const PORT = Number(process.env.TINCAN_PORT ?? 9000);
const OUT_DIR = '.output/local';
const EXTENSION = resolve(OUT_DIR, 'chrome-mv3');
const SHOTS = resolve('demo-output');
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
  mkdirSync(SHOTS, { recursive: true });
  const [alice, bob] = await Promise.all([
    launchChromiumWithExtension({ extensionDir: EXTENSION, userDataDir: profile() }),
    launchChromiumWithExtension({ extensionDir: EXTENSION, userDataDir: profile() }),
  ]);
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
    const [aliceNumber, bobNumber] = [await safetyNumber(alicePopup), await safetyNumber(bobPopup)];
    step(
      `Safety numbers: Alice sees ${aliceNumber}, Bob sees ${bobNumber} (${aliceNumber === bobNumber ? 'equal' : 'DIFFERENT'})`,
    );
    await alicePopup.screenshot({ path: join(SHOTS, 'alice-popup.png') });
    await bobPopup.screenshot({ path: join(SHOTS, 'bob-popup.png') });
    step(`Screenshots of both popups: ${join(SHOTS, 'alice-popup.png')}, ${join(SHOTS, 'bob-popup.png')}`);
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
