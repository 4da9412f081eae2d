/**
 * Debian packages the demo and the tests drive: the browsers and the tools for network
 * namespaces. Installed with apt-get when missing (as root, as on CI); otherwise says how.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES: Record<string, string> = {
  '/usr/bin/chromium': 'chromium',
  '/usr/bin/firefox-esr': 'firefox-esr',
  '/usr/sbin/ip': 'iproute2',
  '/usr/bin/unshare': 'util-linux',
  // The NAT lab (tests/e2e/support/nat-lab.ts): routers masquerade, coturn answers STUN.
  '/usr/sbin/iptables': 'iptables',
  '/usr/bin/turnserver': 'coturn',
};

export function ensureSystemPackages(paths: string[] = Object.keys(PACKAGES)): void {
  const missing = paths.filter((path) => !existsSync(path)).map((path) => PACKAGES[path] ?? path);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')} — run: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  console.log(`• Installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemPackages();
