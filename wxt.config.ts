import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { buildTimeDefaults } from './lib/store/build-defaults';

// Where the built extension connects by default. `TINCAN_SIGNALING_URL` (and optionally
// `TINCAN_ICE_SERVERS`, JSON) point a build at a self-hosted or local signaling server;
// users can still change both in the options page.
const defaults = buildTimeDefaults(process.env);

export default defineConfig({
  outDir: process.env.TINCAN_OUT_DIR ?? '.output',
  vite: () => ({
    plugins: [preact()],
    define: { __TINCAN_BUILD_DEFAULTS__: JSON.stringify(defaults) },
  }),
  manifest: ({ browser }) => ({
    name: 'Tincan',
    description: 'Serverless, end-to-end encrypted peer-to-peer chat over WebRTC.',
    // `offscreen` is Chrome-only: Firefox hosts the agent in its persistent background page.
    // `downloads`: a received file is saved to the downloads folder.
    permissions:
      browser === 'firefox'
        ? ['storage', 'alarms', 'notifications', 'downloads']
        : ['storage', 'alarms', 'notifications', 'offscreen', 'downloads'],
    // Explicit, so MV3 does not upgrade ws:// to a self-hosted signaling server on the LAN.
    content_security_policy:
      browser === 'firefox'
        ? "script-src 'self'; object-src 'self'"
        : { extension_pages: "script-src 'self'; object-src 'self'" },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'tincan@tincan.chat',
              strict_min_version: '142.0',
              // Nothing is collected: messages go browser to browser.
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
});
