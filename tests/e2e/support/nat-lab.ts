/**
 * A NAT lab made of network namespaces (`ip netns`, needs root): two LAN hosts behind one NAT,
 * a third behind another, and a "public" network with a STUN server (coturn) and the PeerJS
 * signaling server that every host reaches through its NAT.
 *
 *   public 203.0.113.0/24, a bridge in `pub`
 *     pub   203.0.113.1    coturn :3478 (STUN; TURN with a long-term user), signaling ws :9000/tincan
 *     nat1  203.0.113.11   ── LAN 1, 192.168.1.0/24: nat1 .1, lan1a .10, lan1b .11 (one bridge)
 *     nat2  203.0.113.12   ── LAN 2, 192.168.2.0/24 (192.168.1.0/24 with `overlappingLans`): nat2 .1, lan2 .10
 *
 * Each router masquerades its LAN behind its WAN address and drops whatever arrives on the WAN
 * that is not a reply (conntrack NEW): Linux keeps the source port, so this is a port-restricted
 * cone NAT, which STUN alone can punch through. Routers do not hairpin. IPv6 is off everywhere,
 * so the only addresses are the ones above and loopback. Nothing touches the caller's own
 * namespace, so it works from inside `unshare --net` (as `npm run test:e2e` runs) too.
 *
 * The addresses are fixed (the namespaces are private, so concurrent labs never collide): the
 * extension build in `.output/e2e-nat` (see scripts/test-e2e.ts) has them baked in.
 * `lab.launchChromium('lan1a')` starts Chromium with that build inside a host.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChromiumWithExtension, launchChromiumWithExtension } from '../../../scripts/browsers/chromium';
import {
  E2E_NAT_EXTENSION,
  E2E_SIGNALING_PATH,
  E2E_SIGNALING_PORT,
  NAT_LAB_PUBLIC_ADDRESS,
  NAT_LAB_SIGNALING_URL,
  NAT_LAB_STUN_PORT,
  NAT_LAB_STUN_URL,
} from './paths';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TOOLS = { ip: '/usr/sbin/ip', iptables: '/usr/sbin/iptables', turnserver: '/usr/bin/turnserver' };

export const NAT_LAB_ROLES = ['pub', 'nat1', 'nat2', 'lan1a', 'lan1b', 'lan2'] as const;
export type NatLabRole = (typeof NAT_LAB_ROLES)[number];
export type NatLabHostName = 'lan1a' | 'lan1b' | 'lan2';

export interface NatLabHost {
  /** The network namespace: `ip netns exec <ns> …` runs there. */
  ns: string;
  /** The host's private address on its LAN. */
  address: string;
  /** Its router's LAN address, the default gateway. */
  gateway: string;
  router: 'nat1' | 'nat2';
}

export interface NatLabOptions {
  /** LAN 2 takes LAN 1's subnet (so lan2 has lan1a's address), as two home networks often do. */
  overlappingLans?: boolean;
  /** Start the PeerJS signaling server in `pub` (default true). */
  signaling?: boolean;
}

export interface NatLab {
  /** Every namespace name starts with it: `tc-<pid>-<n>-`. */
  prefix: string;
  namespaces: Record<NatLabRole, string>;
  hosts: Record<NatLabHostName, NatLabHost>;
  /** Where the STUN and signaling servers listen, on the public network. */
  publicAddress: string;
  /** The routers' WAN addresses: what STUN reports for hosts behind them. */
  natPublicAddresses: { nat1: string; nat2: string };
  /** `stun:203.0.113.1:3478` */
  stunUrl: string;
  /** The same coturn as a TURN server, for tests that want a relay. */
  turn: { urls: string; username: string; credential: string };
  /** `ws://203.0.113.1:9000/tincan` (whether or not `signaling` was started). */
  signalingUrl: string;
  /** Runs a command in a namespace (a name from `namespaces` or `hosts`); rejects with its stderr. */
  exec(ns: string, command: string, args?: string[]): Promise<{ stdout: string; stderr: string }>;
  /**
   * Chromium with an extension build inside a host's namespace, on a fresh profile in the lab's
   * work directory. By default the NAT build (`.output/e2e-nat`), which talks to the lab's
   * servers. `close()` it when done, or leave it to `teardown()`.
   */
  launchChromium(host: NatLabHostName | NatLabHost, options?: NatLabChromiumOptions): Promise<ChromiumWithExtension>;
  /** What coturn and the signaling server printed so far, for failure messages. */
  logs(): { turn: string; signaling: string };
  /**
   * Closes the browsers it launched, stops the servers, kills whatever still runs in the
   * namespaces, deletes them and the work directory. Idempotent.
   */
  teardown(): Promise<void>;
}

export interface NatLabChromiumOptions {
  extensionDir?: string;
  headless?: boolean;
}

/** Why the lab cannot be built on this machine, or undefined if it can. */
export function natLabUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for ip netns';
  const missing = Object.entries(TOOLS)
    .filter(([, path]) => !existsSync(path))
    .map(([tool]) => tool);
  return missing.length > 0 ? `missing ${missing.join(', ')} (apt: iproute2 iptables coturn)` : undefined;
}

const PREFIX_PATTERN = /^tc-(\d+)-(\d+)-/;
let labsMade = 0;

function ipSync(args: string[], input?: string): string {
  try {
    return execFileSync(TOOLS.ip, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

const nsExecSync = (ns: string, command: string, args: string[], input?: string) =>
  ipSync(['netns', 'exec', ns, command, ...args], input);

/** A zombie counts as gone: it has already left its namespaces, only its parent has not reaped it. */
const isAlive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const namespacesNow = () =>
  existsSync('/run/netns')
    ? ipSync(['netns', 'list'])
        .split('\n')
        .map((line) => line.split(' ')[0] ?? '')
    : [];

/** Kills what still runs in a namespace (browsers a test left open, say), then deletes it. */
function removeNamespaceSync(ns: string): number[] {
  if (!existsSync(join('/run/netns', ns))) return [];
  let pids: number[] = [];
  try {
    pids = ipSync(['netns', 'pids', ns]).split(/\s+/).filter(Boolean).map(Number);
  } catch {}
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  try {
    ipSync(['netns', 'del', ns]);
  } catch {}
  return pids;
}

/** Namespaces and work directories of labs whose process is gone (a crashed or killed run). */
function removeLeftovers(): void {
  for (const ns of namespacesNow()) {
    const [, pid, lab] = (PREFIX_PATTERN.exec(ns) ?? []).map(Number);
    if (!pid) continue;
    // A dead process's, or one this process has not made yet: a crashed run that had our pid.
    if (pid === process.pid ? (lab ?? 0) >= labsMade : !isAlive(pid)) removeNamespaceSync(ns);
  }
  // Work directories (with the browsers' profiles), and the wrappers that ran those browsers.
  for (const entry of readdirSync(tmpdir())) {
    const pid = Number(/^(?:tincan-chromium-netns-)?tc-(\d+)-\d+(?:-|$)/.exec(entry)?.[1]);
    if (pid && pid !== process.pid && !isAlive(pid)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

interface Daemon {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

function startDaemon(name: string, ns: string, command: string, args: string[]): Daemon {
  const child = spawn(TOOLS.ip, ['netns', 'exec', ns, command, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    child.once('exit', () => done());
    child.once('error', (error) => {
      keep(Buffer.from(`\n${error.message}`));
      done();
    });
  });
  return { name, child, output: () => output, exited };
}

async function stopDaemon(daemon: Daemon): Promise<void> {
  const { child } = daemon;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const stopped = await Promise.race([daemon.exited.then(() => true), sleep(2_000).then(() => false)]);
  if (!stopped) {
    child.kill('SIGKILL');
    await daemon.exited;
  }
}

/** `/proc/<pid>/net/*` lists the sockets of the namespace that process is in. */
function listensOn(pid: number, protocol: 'tcp' | 'udp', address: string, port: number): boolean {
  const octets = Buffer.from(address.split('.').map(Number));
  const host = (endianness() === 'LE' ? octets.readUInt32LE(0) : octets.readUInt32BE(0)).toString(16);
  const local = `${host.toUpperCase().padStart(8, '0')}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  // TCP_LISTEN is 0A; an unconnected UDP socket shows TCP_CLOSE, 07.
  const state = protocol === 'tcp' ? '0A' : '07';
  try {
    return readFileSync(`/proc/${pid}/net/${protocol}`, 'utf8')
      .split('\n')
      .some((line) => {
        const fields = line.trim().split(/\s+/);
        return fields[1] === local && fields[3] === state;
      });
  } catch {
    return false;
  }
}

async function waitUntilListening(
  daemon: Daemon,
  protocol: 'tcp' | 'udp',
  address: string,
  port: number,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { child } = daemon;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${daemon.name} exited (${child.exitCode ?? child.signalCode}):\n${daemon.output()}`);
    }
    if (child.pid !== undefined && listensOn(child.pid, protocol, address, port)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${daemon.name} not listening on ${address}:${port}/${protocol} after ${timeoutMs} ms:\n${daemon.output()}`,
      );
    }
    await sleep(25);
  }
}

const TURN_USER = { username: 'tincan', credential: 'tincan' };

/**
 * Builds the lab and starts its servers; on any failure removes what it made and rethrows.
 * Also removes what crashed earlier runs left behind. Call `teardown()` when done (an exit hook
 * cleans up too, should the process end first).
 */
export async function createNatLab(options: NatLabOptions = {}): Promise<NatLab> {
  const reason = natLabUnavailable();
  if (reason) throw new Error(`NAT lab unavailable: ${reason}`);
  removeLeftovers();

  const prefix = `tc-${process.pid}-${labsMade++}-`;
  const namespaces = Object.fromEntries(NAT_LAB_ROLES.map((role) => [role, `${prefix}${role}`])) as Record<
    NatLabRole,
    string
  >;
  const work = join(tmpdir(), prefix.slice(0, -1));
  const publicAddress = NAT_LAB_PUBLIC_ADDRESS;
  const natPublicAddresses = { nat1: '203.0.113.11', nat2: '203.0.113.12' };
  const lan2Subnet = options.overlappingLans ? '192.168.1' : '192.168.2';
  const routers = {
    nat1: { gateway: '192.168.1.1', hosts: { lan1a: '192.168.1.10', lan1b: '192.168.1.11' } },
    nat2: { gateway: `${lan2Subnet}.1`, hosts: { lan2: `${lan2Subnet}.10` } },
  } as const;
  const hosts = {} as Record<NatLabHostName, NatLabHost>;
  for (const [router, { gateway, hosts: members }] of Object.entries(routers) as [
    'nat1' | 'nat2',
    { gateway: string; hosts: Partial<Record<NatLabHostName, string>> },
  ][]) {
    for (const [name, address] of Object.entries(members) as [NatLabHostName, string][]) {
      hosts[name] = { ns: namespaces[name], address, gateway, router };
    }
  }

  const daemons: Daemon[] = [];
  const browsers = new Set<ChromiumWithExtension>();
  let tornDown: Promise<void> | undefined;
  const removeSync = () => {
    for (const daemon of daemons) daemon.child.kill('SIGKILL');
    for (const ns of Object.values(namespaces)) removeNamespaceSync(ns);
    rmSync(work, { recursive: true, force: true });
  };
  const onExit = () => removeSync();
  process.once('exit', onExit);
  const teardown = () => {
    tornDown ??= (async () => {
      // A browser that does not close in time is killed with the rest of its namespace.
      await Promise.race([Promise.allSettled([...browsers].map((browser) => browser.close())), sleep(5_000)]);
      await Promise.all(daemons.map(stopDaemon));
      const left = Object.values(namespaces).flatMap(removeNamespaceSync);
      // Namespaces are gone once their last process is: wait for the ones just killed.
      const deadline = Date.now() + 5_000;
      while (left.some(isAlive) && Date.now() < deadline) await sleep(20);
      rmSync(work, { recursive: true, force: true });
      process.removeListener('exit', onExit);
    })();
    return tornDown;
  };

  try {
    mkdirSync(work, { recursive: true });
    for (const role of NAT_LAB_ROLES) {
      const ns = namespaces[role];
      ipSync(['netns', 'add', ns]);
      // Before any link exists, so no interface ever gets an IPv6 (link-local) address.
      nsExecSync(ns, 'sysctl', [
        '-qw',
        'net.ipv6.conf.all.disable_ipv6=1',
        'net.ipv6.conf.default.disable_ipv6=1',
        ...(role === 'nat1' || role === 'nat2' ? ['net.ipv4.ip_forward=1'] : []),
      ]);
      ipSync(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const { pub } = namespaces;
    ipSync(['-n', pub, 'link', 'add', 'name', 'br0', 'type', 'bridge']);
    ipSync(['-n', pub, 'addr', 'add', `${publicAddress}/24`, 'dev', 'br0']);
    ipSync(['-n', pub, 'link', 'set', 'br0', 'up']);
    // The servers boot (the signaling server takes ~1 s) while the rest of the lab is built.
    const turn = startDaemon('coturn', pub, TOOLS.turnserver, [
      '-n',
      `--listening-ip=${publicAddress}`,
      `--relay-ip=${publicAddress}`,
      `--listening-port=${NAT_LAB_STUN_PORT}`,
      '--lt-cred-mech',
      `--user=${TURN_USER.username}:${TURN_USER.credential}`,
      '--realm=tincan.test',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${join(work, 'turnserver.pid')}`,
      `--userdb=${join(work, 'turndb')}`,
    ]);
    daemons.push(turn);
    const ready = [waitUntilListening(turn, 'udp', publicAddress, NAT_LAB_STUN_PORT)];
    if (options.signaling ?? true) {
      const signaling = startDaemon('signaling server', pub, process.execPath, [
        '--import',
        'tsx',
        join(REPO, 'server/cli.ts'),
        '--host',
        publicAddress,
        '--port',
        String(E2E_SIGNALING_PORT),
        '--path',
        E2E_SIGNALING_PATH,
      ]);
      daemons.push(signaling);
      ready.push(waitUntilListening(signaling, 'tcp', publicAddress, E2E_SIGNALING_PORT));
    }
    // Awaited once the lab is built; if building fails first, teardown ends these waits.
    for (const wait of ready) wait.catch(() => {});
    for (const router of ['nat1', 'nat2'] as const) {
      const ns = namespaces[router];
      const { gateway } = routers[router];
      ipSync(['-n', ns, 'link', 'add', 'wan', 'type', 'veth', 'peer', 'name', router, 'netns', pub]);
      ipSync(['-n', pub, 'link', 'set', router, 'master', 'br0', 'up']);
      ipSync(['-n', ns, 'addr', 'add', `${natPublicAddresses[router]}/24`, 'dev', 'wan']);
      ipSync(['-n', ns, 'link', 'set', 'wan', 'up']);
      // `pub` does not forward: beyond the public subnet there is nothing.
      ipSync(['-n', ns, 'route', 'add', 'default', 'via', publicAddress]);
      ipSync(['-n', ns, 'link', 'add', 'name', 'br0', 'type', 'bridge']);
      ipSync(['-n', ns, 'addr', 'add', `${gateway}/24`, 'dev', 'br0']);
      ipSync(['-n', ns, 'link', 'set', 'br0', 'up']);
      for (const host of Object.values(hosts).filter((h) => h.router === router)) {
        const name = host.ns.slice(prefix.length);
        ipSync(['-n', ns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns]);
        ipSync(['-n', ns, 'link', 'set', name, 'master', 'br0', 'up']);
        ipSync(['-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
        ipSync(['-n', host.ns, 'link', 'set', 'eth0', 'up']);
        ipSync(['-n', host.ns, 'route', 'add', 'default', 'via', gateway]);
      }
      nsExecSync(
        ns,
        'iptables-restore',
        [],
        [
          '*nat',
          '-A POSTROUTING -o wan -j MASQUERADE',
          'COMMIT',
          '*filter',
          // Only replies come in from the WAN: a port-restricted cone.
          '-A INPUT -i wan -m conntrack --ctstate NEW -j DROP',
          '-A FORWARD -i wan -m conntrack --ctstate NEW -j DROP',
          'COMMIT',
          '',
        ].join('\n'),
      );
    }

    await Promise.all(ready);
  } catch (error) {
    await teardown();
    throw error;
  }

  const daemonOutput = (name: string) => daemons.find((d) => d.name === name)?.output() ?? '';
  return {
    prefix,
    namespaces,
    hosts,
    publicAddress,
    natPublicAddresses,
    stunUrl: NAT_LAB_STUN_URL,
    turn: { urls: `turn:${publicAddress}:${NAT_LAB_STUN_PORT}?transport=udp`, ...TURN_USER },
    signalingUrl: NAT_LAB_SIGNALING_URL,
    exec: (ns, command, args = []) =>
      new Promise((resolve, reject) => {
        execFile(TOOLS.ip, ['netns', 'exec', ns, command, ...args], (error, stdout, stderr) => {
          if (error)
            reject(new Error(`${command} ${args.join(' ')} in ${ns} failed: ${stderr.trim() || error.message}`));
          else resolve({ stdout, stderr });
        });
      }),
    launchChromium: async (host, chromiumOptions = {}) => {
      if (tornDown) throw new Error('the NAT lab is torn down');
      const { ns } = typeof host === 'string' ? hosts[host] : host;
      const userDataDir = mkdtempSync(join(work, `chromium-${ns.slice(prefix.length)}-`));
      const removeProfile = () => rmSync(userDataDir, { recursive: true, force: true });
      let launched: ChromiumWithExtension;
      try {
        launched = await launchChromiumWithExtension({
          extensionDir: chromiumOptions.extensionDir ?? E2E_NAT_EXTENSION.chrome,
          userDataDir,
          networkNamespace: ns,
          ...(chromiumOptions.headless === undefined ? {} : { headless: chromiumOptions.headless }),
        });
      } catch (error) {
        removeProfile();
        throw error;
      }
      const browser: ChromiumWithExtension = {
        ...launched,
        close: async () => {
          browsers.delete(browser);
          try {
            await launched.close();
          } finally {
            removeProfile();
          }
        },
      };
      browsers.add(browser);
      return browser;
    },
    logs: () => ({ turn: daemonOutput('coturn'), signaling: daemonOutput('signaling server') }),
    teardown,
  };
}

/** Chromium with the extension in each of `hosts`, launched together; the lab's teardown closes them. */
export async function launchInHosts<H extends NatLabHostName>(
  lab: NatLab,
  hosts: readonly H[],
): Promise<Record<H, ChromiumWithExtension>> {
  const launched = await Promise.all(hosts.map((host) => lab.launchChromium(host)));
  return Object.fromEntries(hosts.map((host, i) => [host, launched[i]])) as Record<H, ChromiumWithExtension>;
}
