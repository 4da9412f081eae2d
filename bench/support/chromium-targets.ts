/**
 * What Playwright does not show of a Chromium launched for a benchmark: the offscreen document
 * (raw CDP lists it; Playwright does not), reached over the browser's DevTools port
 * (`--remote-debugging-port=0`, announced in the profile's DevToolsActivePort), and the
 * resident memory of the browser's processes, read from /proc (Linux).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';

type TargetInfo = { id: string; type: string; url: string; webSocketDebuggerUrl?: string };

/** The DevTools port Chromium wrote into the profile once it listened. */
export function devToolsPort(userDataDir: string): number {
  const [port] = readFileSync(join(userDataDir, 'DevToolsActivePort'), 'utf8').split('\n');
  return Number(port);
}

export async function targets(port: number): Promise<TargetInfo[]> {
  const response = await fetch(`http://127.0.0.1:${port}/json/list`);
  return (await response.json()) as TargetInfo[];
}

/** One target's CDP connection: `send` a command, get its result. */
export type CdpTarget = { send(method: string, params?: object): Promise<Record<string, unknown>>; close(): void };

export async function attach(url: string): Promise<CdpTarget> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, { resolve(value: Record<string, unknown>): void; reject(error: Error): void }>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: unknown };
    const pending = message.id === undefined ? undefined : waiting.get(message.id);
    if (!pending || message.id === undefined) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(JSON.stringify(message.error)));
    else pending.resolve(message.result ?? {});
  });
  return {
    send(method, params = {}) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => socket.close(),
  };
}

/** The JS heap in use in a target, from `Performance.getMetrics` (enable the domain first). */
export async function jsHeapUsed(target: CdpTarget): Promise<number> {
  const { metrics } = (await target.send('Performance.getMetrics')) as {
    metrics: Array<{ name: string; value: number }>;
  };
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
}

type Proc = { pid: number; ppid: number; cmdline: string; cpuSeconds: number };

function processes(): Proc[] {
  const found: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: fields after it are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      // utime and stime, in clock ticks (100 a second on Linux).
      const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      found.push({ pid: Number(entry), ppid, cmdline, cpuSeconds });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** The browser process of the Chromium using this profile, and all its descendants. */
function familyOf(all: Proc[], userDataDir: string): { browser?: Proc; descendants: Set<number> } {
  const browser = all.find(
    (p) => p.cmdline.includes(`--user-data-dir=${userDataDir}`) && !p.cmdline.includes('--type='),
  );
  if (!browser) return { descendants: new Set() };
  const descendants = new Set([browser.pid]);
  // Parents come before children often but not always: repeat until nothing is added.
  for (let added = true; added; ) {
    added = false;
    for (const p of all) {
      if (descendants.has(p.ppid) && !descendants.has(p.pid)) {
        descendants.add(p.pid);
        added = true;
      }
    }
  }
  return { browser, descendants };
}

/** The browser process of the Chromium using this profile, and its extension renderer processes. */
export function chromiumProcesses(userDataDir: string): { browser?: number; extensionRenderers: number[] } {
  const all = processes();
  const { browser, descendants } = familyOf(all, userDataDir);
  if (!browser) return { extensionRenderers: [] };
  const extensionRenderers = all
    .filter(
      (p) =>
        descendants.has(p.pid) && p.cmdline.includes('--type=renderer') && p.cmdline.includes('--extension-process'),
    )
    .map((p) => p.pid);
  return { browser: browser.pid, extensionRenderers };
}

/** What a Chromium process is for: 'browser', 'extension renderer', 'network service', 'gpu-process'… */
function roleOf(cmdline: string): string {
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1];
  if (!type) return 'browser';
  if (type === 'renderer') return cmdline.includes('--extension-process') ? 'extension renderer' : 'renderer';
  const sub = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1];
  if (sub === 'network.mojom.NetworkService') return 'network service';
  return sub ? `utility ${sub.split('.')[0]}` : type;
}

/** CPU seconds (user + system) used so far by the processes of the Chromiums using these profiles, by role. */
export function cpuByRole(userDataDirs: readonly string[]): Map<string, number> {
  const all = processes();
  const byRole = new Map<string, number>();
  for (const dir of userDataDirs) {
    const { descendants } = familyOf(all, dir);
    for (const p of all) {
      if (!descendants.has(p.pid)) continue;
      const role = roleOf(p.cmdline);
      byRole.set(role, (byRole.get(role) ?? 0) + p.cpuSeconds);
    }
  }
  return byRole;
}

/** CPU seconds used between two readings of `cpuByRole`, by role, and in all. */
export function cpuUsed(
  before: Map<string, number>,
  after: Map<string, number>,
): { total: number; byRole: Map<string, number> } {
  const byRole = new Map<string, number>();
  for (const [role, seconds] of after) byRole.set(role, seconds - (before.get(role) ?? 0));
  return { total: [...byRole.values()].reduce((sum, s) => sum + s, 0), byRole };
}

/** Resident memory of a process in bytes (VmRSS), or NaN once it is gone. */
export function rssOf(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
