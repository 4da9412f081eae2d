/**
 * End-to-end tests: builds the extension pointed at the test signaling server, then runs the
 * browser tests inside a network namespace of their own.
 */
import { execFileSync } from 'node:child_process';
import {
  E2E_EXTENSION,
  E2E_NAT_OUT_DIR,
  E2E_OUT_DIR,
  E2E_SIGNALING_URL,
  NAT_LAB_ICE_SERVERS,
  NAT_LAB_SIGNALING_URL,
} from '../tests/e2e/support/paths';

const env = {
  ...process.env,
  TINCAN_SIGNALING_URL: E2E_SIGNALING_URL,
  TINCAN_ICE_SERVERS: 'none',
  TINCAN_OUT_DIR: E2E_OUT_DIR,
};
const run = (command: string, args: string[], environment: NodeJS.ProcessEnv = env) =>
  execFileSync(command, args, { stdio: 'inherit', env: environment });

run('npx', ['wxt', 'build']);
run('npx', ['wxt', 'build', '-b', 'firefox']);
// Store rules for the Firefox build: no errors allowed.
run('npx', ['web-ext', 'lint', '--source-dir', E2E_EXTENSION.firefox, '--self-hosted']);
// For tests in the NAT lab (tests/e2e/support/nat-lab.ts): its signaling server and its STUN
// server, on the lab's fixed public address.
run('npx', ['wxt', 'build'], {
  ...env,
  TINCAN_SIGNALING_URL: NAT_LAB_SIGNALING_URL,
  TINCAN_ICE_SERVERS: JSON.stringify(NAT_LAB_ICE_SERVERS),
  TINCAN_OUT_DIR: E2E_NAT_OUT_DIR,
});
run('npx', [
  'tsx',
  'scripts/in-network-namespace.ts',
  'npx',
  'vitest',
  'run',
  '--config',
  'vitest.e2e.config.ts',
  ...process.argv.slice(2),
]);
