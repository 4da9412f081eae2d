/**
 * The setup the e2e files share: the signaling server the e2e build talks to, and two browsers
 * with that build installed, each on a temporary profile of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChromiumWithExtension, launchChromiumWithExtension } from '../../../scripts/browsers/chromium';
import { type FirefoxWithExtension, launchFirefoxWithExtension } from '../../../scripts/browsers/firefox';
import { type RunningSignalingServer, startSignalingServer } from '../../../server/signaling-server';
import { E2E_EXTENSION, E2E_SIGNALING_PATH, E2E_SIGNALING_PORT } from './paths';

type Closable = { close(): Promise<void> };

/** One kind of browser with the e2e build of Tincan, launched on a given profile directory. */
export interface BrowserKind<B extends Closable> {
  profilePrefix: string;
  launch(userDataDir: string): Promise<B>;
}

export const CHROMIUM_WITH_TINCAN: BrowserKind<ChromiumWithExtension> = {
  profilePrefix: 'tincan-chromium-',
  launch: (userDataDir) => launchChromiumWithExtension({ extensionDir: E2E_EXTENSION.chrome, userDataDir }),
};

export const FIREFOX_WITH_TINCAN: BrowserKind<FirefoxWithExtension> = {
  profilePrefix: 'tincan-firefox-',
  launch: (userDataDir) => launchFirefoxWithExtension({ extensionDir: E2E_EXTENSION.firefox, userDataDir }),
};

/** The signaling server on the address the e2e build was built for. */
export function startE2ESignalingServer(): Promise<RunningSignalingServer> {
  return startSignalingServer({ port: E2E_SIGNALING_PORT, path: E2E_SIGNALING_PATH });
}

export interface TwoBrowsers<A, B> {
  browsers: [A, B];
  /** Closes both browsers and deletes their profiles. */
  close(): Promise<void>;
}

/** Launches both browsers at once; if either fails, closes the other, deletes the profiles and rethrows. */
export async function launchTwoBrowsers<A extends Closable, B extends Closable>(
  a: BrowserKind<A>,
  b: BrowserKind<B>,
): Promise<TwoBrowsers<A, B>> {
  const profileA = mkdtempSync(join(tmpdir(), a.profilePrefix));
  const profileB = mkdtempSync(join(tmpdir(), b.profilePrefix));
  const [first, second] = await Promise.allSettled([a.launch(profileA), b.launch(profileB)]);
  const close = async () => {
    await Promise.allSettled([first, second].map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    for (const dir of [profileA, profileB]) rmSync(dir, { recursive: true, force: true });
  };
  if (first.status === 'fulfilled' && second.status === 'fulfilled') {
    return { browsers: [first.value, second.value], close };
  }
  await close();
  throw first.status === 'rejected' ? first.reason : (second as PromiseRejectedResult).reason;
}

export interface Session<A, B> extends TwoBrowsers<A, B> {
  server: RunningSignalingServer;
  /** Closes both browsers, deletes their profiles and stops the server. */
  close(): Promise<void>;
}

/** The signaling server, then two browsers; for files whose tests all share one pair. */
export async function startSession<A extends Closable, B extends Closable>(
  a: BrowserKind<A>,
  b: BrowserKind<B>,
): Promise<Session<A, B>> {
  const server = await startE2ESignalingServer();
  const pair = await launchTwoBrowsers(a, b).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  return {
    server,
    browsers: pair.browsers,
    close: async () => {
      await pair.close();
      await server.close();
    },
  };
}
