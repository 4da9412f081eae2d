import type { ChromiumWithExtension } from '../../../scripts/browsers/chromium';

/**
 * Stops the extension's service worker as Chrome does after 30 s idle (with Playwright attached it
 * never idles): CDP `ServiceWorker.stopAllWorkers` from an extension page, until it reports stopped.
 */
export async function stopServiceWorker(browser: ChromiumWithExtension): Promise<void> {
  const page = await browser.openPage('options.html');
  const cdp = await browser.context.newCDPSession(page);
  const stopped = new Promise<void>((resolve) =>
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      if (versions.some((v) => v.runningStatus === 'stopped')) resolve();
    }),
  );
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  await page.close();
}
