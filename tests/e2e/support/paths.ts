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
