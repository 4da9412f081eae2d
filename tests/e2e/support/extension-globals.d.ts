import type { browser as ExtensionApi } from 'wxt/browser';

declare global {
  /** The extension API as code evaluated inside the browser under test sees it. */
  const chrome: typeof ExtensionApi;
}
