import type { Agent, AgentEvent } from '../../lib/agent/agent';
import { createPeerJsAgent } from '../../lib/agent/peerjs-agent';
import { FACTORY_SETTINGS, parseSignalingUrl, type Settings } from '../../lib/store/settings';
import type { RunningSignalingServer } from '../../server/signaling-server';
import { Peer } from './node-webrtc';

export function localSettings(server: RunningSignalingServer, displayName = ''): Settings {
  return { ...FACTORY_SETTINGS, signaling: parseSignalingUrl(server.url), iceServers: [], displayName };
}

/** A real agent, configured against a local signaling server, once it is online. */
export async function startNodeAgent(
  server: RunningSignalingServer,
  name = '',
): Promise<{ agent: Agent; address: string }> {
  const agent = createPeerJsAgent(Peer);
  agent.configure(localSettings(server, name));
  const address = await waitFor(agent, () => {
    const status = agent.snapshot().status;
    return status.state === 'online' ? status.address : undefined;
  });
  return { agent, address };
}

/** Resolves with the first truthy value of `probe`, checked after every agent event. */
export function waitFor<T>(agent: Agent, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = probe();
      if (value === undefined || value === false) return false;
      stop();
      clearTimeout(timer);
      resolve(value);
      return true;
    };
    const stop = agent.subscribe(() => void check());
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting; last snapshot: ${JSON.stringify(agent.snapshot()).slice(0, 500)}`));
    }, timeoutMs);
    check();
  });
}

export function textsFrom(agent: Agent, address: string, from: 'me' | 'peer'): string[] {
  const conversation = agent.snapshot().conversations.find((c) => c.address === address);
  return (conversation?.messages ?? []).filter((m) => m.from === from).map((m) => m.text);
}

export function collectEvents(agent: Agent): AgentEvent[] {
  const events: AgentEvent[] = [];
  agent.subscribe((event) => events.push(event));
  return events;
}
