import type { ChromiumWithExtension } from '../../../scripts/browsers/chromium';

type TargetInfo = { targetId: string; type: string; url: string };

/**
 * Collects the console of the agent's offscreen document, for a test to keep when it fails.
 * Playwright does not list that document; raw CDP from an extension page does (as a
 * `background_page`). Messages to it travel wrapped in `Target.sendMessageToTarget`.
 */
export async function watchOffscreenConsole(browser: ChromiumWithExtension) {
  const lines: string[] = [];
  const page = await browser.openPage('options.html');
  const cdp = await browser.context.newCDPSession(page);
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
  const offscreen = targetInfos.find((t) => t.url.endsWith('/offscreen.html'));
  if (!offscreen) {
    lines.push('(no offscreen document found)');
    return { lines, close: () => page.close() };
  }
  const { sessionId } = (await cdp.send('Target.attachToTarget', {
    targetId: offscreen.targetId,
    flatten: false,
  })) as { sessionId: string };
  cdp.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as {
      method?: string;
      params?: { type?: string; args?: { value?: unknown; description?: string }[]; exceptionDetails?: unknown };
    };
    const at = new Date().toISOString().slice(11, 23);
    if (message.method === 'Runtime.consoleAPICalled') {
      const text = (message.params?.args ?? []).map((a) => a.description ?? JSON.stringify(a.value)).join(' ');
      lines.push(`${at} ${message.params?.type}: ${text}`);
    } else if (message.method === 'Runtime.exceptionThrown') {
      lines.push(`${at} exception: ${JSON.stringify(message.params?.exceptionDetails)}`);
    }
  });
  await cdp.send('Target.sendMessageToTarget', {
    sessionId,
    message: JSON.stringify({ id: 1, method: 'Runtime.enable' }),
  });
  return { lines, close: () => page.close() };
}
