import { type Browser, browser } from 'wxt/browser';
import {
  type Channel,
  dispatchRequest,
  envelope,
  type Handlers,
  type MessageMap,
  parseReply,
  parseRequest,
  RemoteError,
  type Reply,
  type RequestOf,
  type ResponseOf,
} from '../messaging/channel';

/** Only this extension's own pages (popup, options, offscreen, background) may drive us. */
export function isOwnExtensionPage(sender: Browser.runtime.MessageSender): boolean {
  const origin = browser.runtime.getURL('/');
  return sender.id === browser.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(origin);
}

export function serveChannel<M extends MessageMap>(channel: Channel<M>, handlers: Handlers<M>): () => void {
  const listener = (raw: unknown, sender: Browser.runtime.MessageSender, sendResponse: (reply: Reply) => void) => {
    const parsed = parseRequest(channel, raw);
    if (parsed.kind === 'not-mine') return false;
    if (!isOwnExtensionPage(sender)) {
      sendResponse({ ok: false, problem: { kind: 'forbidden', detail: 'Sender is not part of Tincan.' } });
      return false;
    }
    if (parsed.kind === 'invalid') {
      sendResponse({ ok: false, problem: parsed.problem });
      return false;
    }
    void dispatchRequest(handlers, parsed.type, parsed.data).then(sendResponse);
    return true; // answers asynchronously (works in Chrome and Firefox alike)
  };
  browser.runtime.onMessage.addListener(listener);
  return () => browser.runtime.onMessage.removeListener(listener);
}

export type ChannelClient<M extends MessageMap> = <K extends keyof M & string>(
  type: K,
  ...data: RequestOf<M, K> extends undefined ? [] : [RequestOf<M, K>]
) => Promise<ResponseOf<M, K>>;

export function channelClient<M extends MessageMap>(channel: Channel<M>): ChannelClient<M> {
  return async (type, ...data) => {
    let raw: unknown;
    try {
      raw = await browser.runtime.sendMessage(envelope(channel, type, data[0] as RequestOf<M, typeof type>));
    } catch (error) {
      throw new RemoteError({ kind: 'no-answer', detail: error instanceof Error ? error.message : String(error) });
    }
    const reply = parseReply(raw);
    if (!reply.ok) throw new RemoteError(reply.problem);
    return reply.value as ResponseOf<M, typeof type>;
  };
}

/** Same as `channelClient`, for a handler in this very page (Firefox: background and agent share one). */
export function inPageClient<M extends MessageMap>(channel: Channel<M>, handlers: Handlers<M>): ChannelClient<M> {
  return async (type, ...data) => {
    const parsed = parseRequest(channel, envelope(channel, type, data[0] as RequestOf<M, typeof type>));
    if (parsed.kind !== 'request') throw new RemoteError({ kind: 'bad-request', detail: `invalid ${type}` });
    const reply = await dispatchRequest(handlers, parsed.type, parsed.data);
    if (!reply.ok) throw new RemoteError(reply.problem);
    return reply.value as ResponseOf<M, typeof type>;
  };
}
