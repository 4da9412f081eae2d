import { resolve } from 'node:path';

/** The e2e build talks to this server, which each test file starts inside its network namespace. */
export const E2E_SIGNALING_PORT = 9000;
export const E2E_SIGNALING_PATH = '/tincan';
export const E2E_SIGNALING_URL = `ws://127.0.0.1:${E2E_SIGNALING_PORT}${E2E_SIGNALING_PATH}`;
export const E2E_OUT_DIR = '.output/e2e';
export const E2E_EXTENSION = {
  chrome: resolve(E2E_OUT_DIR, 'chrome-mv3'),
  firefox: resolve(E2E_OUT_DIR, 'firefox-mv2'),
};
/** Screenshots and logs, kept out of git. */
export const TEST_OUTPUT = resolve('test-output');

/**
 * The NAT lab (support/nat-lab.ts) puts its STUN and signaling servers on this fixed address of
 * its own "public" network (TEST-NET-3, documentation only). Fixed, so one build serves every
 * run: the lab's namespaces are private to it, so concurrent runs never collide.
 */
export const NAT_LAB_PUBLIC_ADDRESS = '203.0.113.1';
export const NAT_LAB_SIGNALING_URL = `ws://${NAT_LAB_PUBLIC_ADDRESS}:${E2E_SIGNALING_PORT}${E2E_SIGNALING_PATH}`;
export const NAT_LAB_STUN_PORT = 3478;
export const NAT_LAB_STUN_URL = `stun:${NAT_LAB_PUBLIC_ADDRESS}:${NAT_LAB_STUN_PORT}`;
/** STUN only: a connection across the lab's NATs then proves hole punching, not a relay. */
export const NAT_LAB_ICE_SERVERS = [{ urls: NAT_LAB_STUN_URL }];
export const E2E_NAT_OUT_DIR = '.output/e2e-nat';
export const E2E_NAT_EXTENSION = { chrome: resolve(E2E_NAT_OUT_DIR, 'chrome-mv3') };
