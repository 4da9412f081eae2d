/**
 * Runs a command inside a fresh network namespace that has only loopback, so browsers and
 * WebRTC candidates under test never reach (or name) another interface. Needs root (CI is).
 *   tsx scripts/in-network-namespace.ts <command> [args…]
 */
import { spawnSync } from 'node:child_process';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: in-network-namespace <command> [args…]');
  process.exit(2);
}
// Firefox gathers candidates only on an interface with a route: give loopback the default one.
const setup = 'ip link set lo up && ip route add default dev lo src 127.0.0.1 && exec "$@"';
const result = spawnSync('unshare', ['--net', 'sh', '-c', setup, 'in-netns', ...command], { stdio: 'inherit' });
if (result.error) {
  console.error(`could not create a network namespace: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
