/**
 * The Chromium↔Chromium half of bench/transfer.ts: two Debian Chromium instances (playwright-core,
 * headless, temporary profiles, loopback WebRTC), each with the e2e-style build of Tincan
 * (signaling at ws://127.0.0.1:9000/tincan, no ICE servers), in this process's network namespace.
 *
 *  raw     A plain page in each browser (chromium-raw-channel.ts); every chunk size × water
 *          marks that maxMessageSize allows, RUNS each; the best median is the baseline.
 *  ours    The built extension, driven through its own messaging from an extra extension page
 *          bundled into the bench's copy of the build (chromium-bench-page.ts): the sender's page
 *          takes the file from disk through a file input, stores it with `saveFileSource` and
 *          asks the background to `sendFiles`; the receiver's page answers the offer with
 *          `answerFile`. Timed from the answer until the sender's snapshot says 'done'.
 *  cpu     CPU seconds (user + system, from /proc) of every process of both browsers, over each
 *          raw run and each of ours (answer → 'done'), by process role: on a machine whose cores
 *          both browsers share, this is what bounds the speed of either.
 *  memory  The receiver's offscreen document (where the agent lives): its JS heap
 *          (CDP Performance.getMetrics JSHeapUsedSize, over the DevTools port), the RSS of the
 *          extension's renderer process (offscreen document, background page and the bench page
 *          share it) and of the browser process (blobs pass through it on their way to
 *          IndexedDB), every SAMPLE_MS; peak from the offer until 'done' minus idle (median over
 *          IDLE_MS before the offer).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { AgentSnapshot } from '../../lib/agent/agent';
import type { TransferView } from '../../lib/transfer/transfer-view';
import { type ChromiumWithExtension, launchChromiumWithExtension } from '../../scripts/browsers/chromium';
import { startSignalingServer } from '../../server/signaling-server';
import { E2E_SIGNALING_PATH, E2E_SIGNALING_PORT, E2E_SIGNALING_URL } from '../../tests/e2e/support/paths';
import { waitUntil } from '../../tests/support/node-agents';
import { sleep } from '../connect';
import { median } from '../stats';
import { openRawChannel, PAGE_SHIM } from './chromium-raw-channel';
import {
  attach,
  chromiumProcesses,
  cpuByRole,
  cpuUsed,
  devToolsPort,
  jsHeapUsed,
  rssOf,
  targets,
} from './chromium-targets';
import { type PacingResult, searchPacings } from './pacing-search';

const MIB = 1024 * 1024;
const OUT_DIR = '.output/bench-transfer';
const EXTENSION_DIR = resolve(OUT_DIR, 'chrome-mv3');
const BENCH_PAGE = 'bench-transfer.html';
const SAMPLE_MS = 100;
const IDLE_MS = 2_000;
const TRANSFER_TIMEOUT_MS = 300_000;
/**
 * How often a run asks a browser for its state. Each ask makes the agent build a snapshot in the
 * process that moves the file, which takes CPU from the transfer being measured; times read this
 * way are late by half of this on average (about 1% of a 100 MiB run).
 */
const POLL_MS = 200;

/** CPU seconds both browsers used over a run, in all and by process role (chromium-targets.ts). */
export type CpuUse = { total: number; byRole: Map<string, number> };
/** One raw run in Chromium: its speed and the CPU both browsers spent on it. */
export type RawRun = { mibps: number; cpu: CpuUse };
export type OursRun = { prepareSeconds: number; storedSeconds: number; doneSeconds: number; cpu: CpuUse };
export type ChromiumMemory = {
  bytes: number;
  doneSeconds: number;
  samples: number;
  heap: { idle: number; peak: number };
  renderer: { idle: number; peak: number; pids: number[] };
  browser: { idle: number; peak: number };
};

/** The e2e build, plus the bench page; never the shipped build. */
export async function buildBenchExtension(): Promise<void> {
  execFileSync('npx', ['wxt', 'build'], {
    stdio: 'ignore',
    env: {
      ...process.env,
      TINCAN_SIGNALING_URL: E2E_SIGNALING_URL,
      TINCAN_ICE_SERVERS: 'none',
      TINCAN_OUT_DIR: OUT_DIR,
    },
  });
  await build({
    entryPoints: [new URL('./chromium-bench-page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    outfile: join(EXTENSION_DIR, 'bench-transfer.js'),
    logLevel: 'warning',
  });
  writeFileSync(
    join(EXTENSION_DIR, BENCH_PAGE),
    '<!doctype html><meta charset="utf-8"><title>Tincan bench</title><script src="bench-transfer.js"></script>\n',
  );
}

type Browser = ChromiumWithExtension & { profile: string; page: Page };

/** Two browsers, each with the bench page open; `close` ends them and deletes their profiles. */
export async function launchPair(): Promise<{ browsers: [Browser, Browser]; close(): Promise<void> }> {
  const server = await startSignalingServer({ port: E2E_SIGNALING_PORT, path: E2E_SIGNALING_PATH });
  const launched: Browser[] = [];
  const close = async () => {
    await Promise.allSettled(launched.map((b) => b.close()));
    for (const b of launched) rmSync(b.profile, { recursive: true, force: true });
    await server.close();
  };
  try {
    for (let i = 0; i < 2; i++) {
      const profile = mkdtempSync(join(tmpdir(), 'tincan-bench-chromium-'));
      const browser = await launchChromiumWithExtension({
        extensionDir: EXTENSION_DIR,
        userDataDir: profile,
        extraArgs: ['--remote-debugging-port=0'],
      });
      const page = await browser.openPage(BENCH_PAGE);
      await page.evaluate(PAGE_SHIM);
      launched.push({ ...browser, profile, page });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { browsers: launched as [Browser, Browser], close };
}

// ---------------------------------------------------------------------------------------------
// Raw

export async function chromiumRawSearch(
  a: Browser,
  b: Browser,
  bytes: number,
  chunkSizes: readonly number[],
  waterMarks: ReadonlyArray<readonly [number, number]>,
  runs: number,
  log: (line: string) => void,
): Promise<PacingResult<RawRun>[]> {
  // Extension pages, as ours runs in: about:blank gathers no ICE candidates in Chromium.
  const [sender, receiver] = [await a.openPage(BENCH_PAGE), await b.openPage(BENCH_PAGE)];
  const channel = await openRawChannel(sender, receiver);
  const profiles = [a.profile, b.profile];
  log(`Chromium raw: maxMessageSize ${channel.maxMessageSize ?? 'unknown'} bytes; ${bytes / MIB} MiB per run`);
  try {
    return await searchPacings({
      maxMessageSize: channel.maxMessageSize,
      chunkSizes,
      waterMarks,
      runs,
      log,
      async run(pacing) {
        const before = cpuByRole(profiles);
        const mibps = bytes / MIB / (await channel.run(bytes, pacing));
        return { mibps, cpu: cpuUsed(before, cpuByRole(profiles)) };
      },
    });
  } finally {
    await channel.close().catch(() => {});
    await sender.close();
    await receiver.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Ours, through the extension's messaging

type BenchWindow = typeof globalThis & {
  tincanBench: { request(type: string, data?: unknown): Promise<unknown>; saveFile(file: File): Promise<string> };
};

const request = <T>(page: Page, type: string, data?: unknown): Promise<T> =>
  page.evaluate(([type, data]) => (globalThis as BenchWindow).tincanBench.request(type as string, data), [
    type,
    data,
  ] as const) as Promise<T>;

const stateOf = (browser: Browser) => request<AgentSnapshot>(browser.page, 'getState');

const transferOf = async (browser: Browser, id: string): Promise<TransferView | undefined> =>
  (await stateOf(browser)).transfers.find((t) => t.id === id);

/** `b` dials `a`; `a` accepts; both ready. Gives each one's key as the other knows it. */
export async function pairBrowsers(a: Browser, b: Browser): Promise<{ aKey: string; bKey: string }> {
  const online = async (browser: Browser) =>
    waitUntil(
      async () => {
        const { status } = await stateOf(browser);
        return status.state === 'online' ? status.address : undefined;
      },
      30_000,
      200,
    );
  const aAddress = await online(a);
  await online(b);
  await request(b.page, 'connect', { address: aAddress });
  const asked = await waitUntil(
    async () => (await stateOf(a)).conversations.find((c) => c.stage === 'request'),
    30_000,
    100,
  );
  await request(a.page, 'answerRequest', { address: asked.address, accept: true });
  const readyWith = (browser: Browser) =>
    waitUntil(
      async () => (await stateOf(browser)).conversations.find((c) => c.stage === 'ready')?.peer?.identityKey,
      30_000,
      100,
    );
  return { bKey: await readyWith(a), aKey: await readyWith(b) };
}

/** Stores the file at `path` in the sender's IndexedDB and offers it; resolves once the receiver sees the offer. */
async function offer(sender: Browser, receiver: Browser, receiverKey: string, path: string): Promise<string> {
  await sender.page.evaluate(() => {
    document.getElementById('bench-file')?.remove();
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-file';
    document.body.append(input);
  });
  await sender.page.setInputFiles('#bench-file', path);
  const sourceId = await sender.page.evaluate(() => {
    const input = document.getElementById('bench-file') as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) throw new Error('no file chosen');
    return (globalThis as BenchWindow).tincanBench.saveFile(file);
  });
  const { transferIds } = await request<{ transferIds: string[] }>(sender.page, 'sendFiles', {
    contactKeys: [receiverKey],
    sourceIds: [sourceId],
  });
  const [id] = transferIds;
  if (!id) throw new Error('no transfer was made');
  await waitUntil(async () => (await transferOf(receiver, id))?.status === 'offered' || undefined, 120_000, 100);
  return id;
}

export async function oursRun(
  sender: Browser,
  receiver: Browser,
  receiverKey: string,
  path: string,
  bytes: number,
): Promise<OursRun> {
  const asked = performance.now();
  const id = await offer(sender, receiver, receiverKey, path);
  const prepareSeconds = (performance.now() - asked) / 1000;
  const accepted = performance.now();
  const before = cpuByRole([sender.profile, receiver.profile]);
  await request(receiver.page, 'answerFile', { transferId: id, accept: true });
  await waitUntil(
    async () => ((await transferOf(receiver, id))?.bytesDone ?? 0) >= bytes || undefined,
    TRANSFER_TIMEOUT_MS,
    POLL_MS,
  );
  const storedSeconds = (performance.now() - accepted) / 1000;
  await waitUntil(
    async () => (await transferOf(sender, id))?.status === 'done' || undefined,
    TRANSFER_TIMEOUT_MS,
    POLL_MS,
  );
  const doneSeconds = (performance.now() - accepted) / 1000;
  return {
    prepareSeconds,
    storedSeconds,
    doneSeconds,
    cpu: cpuUsed(before, cpuByRole([sender.profile, receiver.profile])),
  };
}

// ---------------------------------------------------------------------------------------------
// Receiver memory

export async function memoryRun(
  sender: Browser,
  receiver: Browser,
  receiverKey: string,
  path: string,
  bytes: number,
): Promise<ChromiumMemory> {
  const port = devToolsPort(receiver.profile);
  const offscreen = (await targets(port)).find((t) => t.url.endsWith('/offscreen.html') && t.webSocketDebuggerUrl);
  if (!offscreen?.webSocketDebuggerUrl) throw new Error('the offscreen document is not among the DevTools targets');
  const cdp = await attach(offscreen.webSocketDebuggerUrl);
  await cdp.send('Performance.enable');
  const { browser: browserPid, extensionRenderers } = chromiumProcesses(receiver.profile);
  if (browserPid === undefined || extensionRenderers.length === 0)
    throw new Error("the receiver's processes were not found");
  type Sample = { at: number; heap: number; renderer: number; browser: number };
  const samples: Sample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const heap = await jsHeapUsed(cdp).catch(() => Number.NaN);
      samples.push({
        at: Date.now(),
        heap,
        renderer: extensionRenderers.reduce((sum, pid) => sum + rssOf(pid), 0),
        browser: rssOf(browserPid),
      });
      await sleep(SAMPLE_MS);
    }
  })();
  try {
    const idleFrom = Date.now();
    await sleep(IDLE_MS);
    const idle = samples.filter((s) => s.at >= idleFrom);
    const offeredAt = Date.now();
    const started = performance.now();
    const id = await offer(sender, receiver, receiverKey, path);
    await request(receiver.page, 'answerFile', { transferId: id, accept: true });
    await waitUntil(
      async () => (await transferOf(sender, id))?.status === 'done' || undefined,
      TRANSFER_TIMEOUT_MS,
      200,
    );
    const doneSeconds = (performance.now() - started) / 1000;
    await sleep(300);
    const during = samples.filter((s) => s.at >= offeredAt);
    const of = (pick: (s: Sample) => number) => ({
      idle: median(idle.map(pick)),
      peak: Math.max(...during.map(pick).filter(Number.isFinite)),
    });
    return {
      bytes,
      doneSeconds,
      samples: during.length,
      heap: of((s) => s.heap),
      renderer: { ...of((s) => s.renderer), pids: extensionRenderers },
      browser: of((s) => s.browser),
    };
  } finally {
    sampling = false;
    await sampler;
    cdp.close();
  }
}
