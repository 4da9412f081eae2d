/**
 * `npx tsx bench/fleet-start.ts`: how fast a fleet (tests/support/fleet) comes up, and what its
 * host processes weigh, on this machine.
 *
 * For each fleet size and host count: a fresh local PeerServer is shared by all runs; the clock
 * starts at `startFleet` (forking the host processes, each loading tsx, @roamhq/wrtc and PeerJS)
 * and at the parallel `fleet.start()` of every agent, which resolves once that agent is online
 * at the signaling server (through its own proxy). Then each host's RSS and JS heap, and the
 * parent's RSS (proxies, the PeerServer, the fleet), then teardown.
 *
 * `FLEET_SIZES` (default 30,50,200) and `FLEET_HOSTS` (default 4,8) override the grid. A
 * benchmark: it asserts nothing. The last line is exactly `fleet-<size>x<hosts>-online-ms=<ms> …`.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RunningSignalingServer } from '../server/signaling-server';
import { startFleet } from '../tests/support/fleet/fleet';
import { runBench, sleep } from './connect';

const HARD_DEADLINE_MS = 900_000;
const MB = 1_000_000;

function listFromEnv(name: string, fallback: number[]): number[] {
  const values = (process.env[name] ?? '').split(',').map(Number);
  return values.every((value) => Number.isInteger(value) && value > 0) && values.length > 0 ? values : fallback;
}

async function measure(server: RunningSignalingServer, size: number, hosts: number) {
  let clock = performance.now();
  const fleet = await startFleet({ server, hosts });
  const hostsMs = performance.now() - clock;
  try {
    clock = performance.now();
    const agents = await Promise.all(Array.from({ length: size }, (_, i) => fleet.start({ name: `agent ${i}` })));
    const onlineMs = performance.now() - clock;
    // Registered, and still there once the start-up burst has passed.
    await sleep(1_000);
    const online = (await Promise.all(agents.map((a) => a.snapshot()))).filter((s) => s.status.state === 'online');
    const usage = await fleet.usage();
    const rss = usage.map((u) => u.rssBytes / MB);
    const heap = usage.map((u) => u.heapUsedBytes / MB);
    return { hostsMs, onlineMs, online: online.length, rss, heap, parentRss: process.memoryUsage().rss / MB };
  } finally {
    await fleet.teardown();
  }
}

async function main(server: RunningSignalingServer): Promise<void> {
  const sizes = listFromEnv('FLEET_SIZES', [30, 50, 200]);
  const hostCounts = listFromEnv('FLEET_HOSTS', [4, 8]);
  console.log('Tincan bench:fleet-start: agents in fleet host processes, all started at once');
  console.log(`server ${server.url}, Node ${process.version}, ${availableParallelism()} CPUs`);
  console.log('');
  console.log('agents hosts | hosts up  all online | online | host RSS MB (min–max) | host heap MB | parent RSS MB');
  const last: string[] = [];
  for (const size of sizes) {
    for (const hosts of hostCounts) {
      const m = await measure(server, size, hosts);
      const range = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
      console.log(
        `${String(size).padStart(6)} ${String(hosts).padStart(5)} | ${(m.hostsMs / 1000).toFixed(1).padStart(6)} s ` +
          `${(m.onlineMs / 1000).toFixed(1).padStart(8)} s | ${String(m.online).padStart(6)} | ` +
          `${range(m.rss).padStart(21)} | ${range(m.heap).padStart(12)} | ${m.parentRss.toFixed(0).padStart(13)}`,
      );
      last.push(`fleet-${size}x${hosts}-online-ms=${m.onlineMs.toFixed(0)}`);
      await sleep(500);
    }
  }
  console.log(last.join(' '));
}

runBench('bench:fleet-start', HARD_DEADLINE_MS, main);
