import type { Settings } from './settings';

// Replaced at build time by wxt.config.ts (see build-defaults.ts).
declare const __TINCAN_BUILD_DEFAULTS__: Settings;

/** The settings this build starts with until the user changes them in the options page. */
export const BUILD_DEFAULTS: Settings = __TINCAN_BUILD_DEFAULTS__;
