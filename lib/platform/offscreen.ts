import { browser } from 'wxt/browser';

const OFFSCREEN_PATH = '/offscreen.html';
let creating: Promise<void> | undefined;

/**
 * Chrome: the agent lives in an offscreen document (service workers have no RTCPeerConnection).
 * Creates it when it is missing; concurrent callers share one creation.
 */
export async function ensureOffscreenDocument(): Promise<void> {
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  const existing = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  if (existing.length > 0) return;
  creating ??= browser.offscreen
    .createDocument({
      url: OFFSCREEN_PATH,
      reasons: ['WEB_RTC'],
      justification: 'Holds the peer-to-peer WebRTC connections of Tincan chats.',
    })
    .finally(() => {
      creating = undefined;
    });
  await creating;
}
