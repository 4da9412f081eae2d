import { backgroundToAgent } from '../messaging/agent-messages';
import { RemoteError } from '../messaging/channel';
import { ensureOffscreenDocument } from './offscreen';
import { type ChannelClient, channelClient } from './runtime-messaging';

const ATTEMPTS = 20;
const WAIT_MS = 100;

/**
 * Chrome: requests to the agent go to the offscreen document, created first if it is gone.
 * A just-created document may not listen yet, so "no answer" is retried for about two seconds.
 */
export function offscreenAgentClient(): ChannelClient<(typeof backgroundToAgent)['map']> {
  const call = channelClient(backgroundToAgent);
  return (async (type: string, ...data: unknown[]) => {
    for (let attempt = 1; ; attempt++) {
      await ensureOffscreenDocument();
      try {
        return await (call as (type: string, ...data: unknown[]) => Promise<unknown>)(type, ...data);
      } catch (error) {
        const retry = error instanceof RemoteError && error.problem.kind === 'no-answer' && attempt < ATTEMPTS;
        if (!retry) throw error;
        await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
      }
    }
  }) as ChannelClient<(typeof backgroundToAgent)['map']>;
}
