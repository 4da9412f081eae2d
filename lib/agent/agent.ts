/**
 * The agent: one object per browser that owns this browser's address, every link to another
 * browser and the conversations over them. Plain TypeScript with no extension API: the same
 * agent runs in Chrome's offscreen document, Firefox's background page and Node.
 */
import { toBase32 } from '../bytes';
import { Listeners } from '../listeners';
import { decodeFrame, encodeFrame, MAX_TEXT_BYTES, MESSAGE_ID_BYTES } from '../protocol/frame';
import {
  type Conversation,
  type ConversationEvent,
  emptyConversations,
  findConversation,
  reduceConversations,
} from '../sessions/conversations';
import { describeSignalingServer, type Settings } from '../store/settings';
import { DialError, type Link, type Transport, type TransportStatus } from '../transport/transport';
import { AgentError } from './agent-error';

export const ADDRESS_ROOT = 'tincan';

export interface AgentDeps {
  /** Registers `nextAddress()` on the configured signaling server. */
  openTransport(settings: Settings, nextAddress: () => string): Transport;
  now(): number;
  randomBytes(length: number): Uint8Array;
}

export type AgentSnapshot = {
  name: string;
  server: string;
  status: TransportStatus;
  conversations: Conversation[];
};

export type AgentEvent =
  | { type: 'changed' }
  | { type: 'message-arrived'; address: string; name: string; text: string; unreadTotal: number };

export interface Agent {
  configure(settings: Settings): void;
  snapshot(): AgentSnapshot;
  connect(address: string): Promise<void>;
  send(address: string, text: string): void;
  markRead(address: string): void;
  subscribe(listener: (event: AgentEvent) => void): () => void;
  stop(): void;
}

function sameNetwork(a: Settings, b: Settings): boolean {
  return JSON.stringify([a.signaling, a.iceServers]) === JSON.stringify([b.signaling, b.iceServers]);
}

export function createAgent(deps: AgentDeps): Agent {
  const listeners = new Listeners<[AgentEvent]>();
  const links = new Map<string, { link: Link; dialedByMe: boolean }>();
  let conversations = emptyConversations;
  let settings: Settings | undefined;
  let transport: Transport | undefined;
  let cleanups: Array<() => void> = [];
  // A transport id lives until it fails to re-register (DESIGN.md, identifiers).
  let address = '';
  const nextAddress = () => {
    address = `${ADDRESS_ROOT}-t-${toBase32(deps.randomBytes(10))}`;
    return address;
  };

  const changed = () => listeners.emit({ type: 'changed' });

  const dispatch = (event: ConversationEvent) => {
    const step = reduceConversations(conversations, event);
    conversations = step.state;
    for (const effect of step.effects) {
      switch (effect.type) {
        case 'send':
          links.get(effect.address)?.link.send(encodeFrame(effect.frame));
          break;
        case 'close-link':
          links.get(effect.address)?.link.close();
          break;
        case 'message-arrived':
          listeners.emit({ ...effect, type: 'message-arrived' });
          break;
      }
    }
    changed();
  };

  const myAddress = () => (transport?.status.state === 'online' ? transport.status.address : address);

  const adopt = (link: Link, dialedByMe: boolean) => {
    const remote = link.remoteAddress;
    const current = links.get(remote);
    if (current) {
      // Both sides dialed at once: keep the link dialed by the smaller address, on both sides.
      const keepNew = dialedByMe === myAddress() < remote;
      if (!keepNew) {
        link.close();
        return;
      }
      links.delete(remote);
      current.link.close();
    }
    links.set(remote, { link, dialedByMe });
    link.onClose((why) => {
      if (links.get(remote)?.link !== link) return;
      links.delete(remote);
      dispatch({ type: 'link-closed', address: remote, why });
    });
    dispatch({ type: 'link-opened', address: remote, myName: settings?.displayName ?? '' });
    // After 'link-opened': the first reader gets the frames that arrived before the link was
    // announced, and the conversation must be open to take them.
    link.onData((data) => {
      const decoded = decodeFrame(data);
      dispatch(
        decoded.ok
          ? { type: 'frame-received', address: remote, frame: decoded.frame, at: deps.now() }
          : { type: 'frame-rejected', address: remote, error: decoded.error },
      );
    });
  };

  const stopTransport = () => {
    for (const cleanup of cleanups) cleanup();
    cleanups = [];
    transport?.stop();
    transport = undefined;
  };

  return {
    configure(next) {
      const previous = settings;
      settings = next;
      // A new name is announced on the next connection; only a new server or ICE list reconnects.
      if (transport && previous && sameNetwork(previous, next)) {
        changed();
        return;
      }
      stopTransport();
      // Keep this browser's address across a change of server; take a new one only when the
      // server says it is taken.
      let keep = address !== '';
      const opened = deps.openTransport(next, () => {
        if (keep) {
          keep = false;
          return address;
        }
        return nextAddress();
      });
      transport = opened;
      cleanups = [opened.onStatus(changed), opened.onIncoming((link) => adopt(link, false))];
      changed();
    },

    snapshot: () => ({
      name: settings?.displayName ?? '',
      server: settings ? describeSignalingServer(settings.signaling) : '',
      status: transport?.status ?? { state: 'stopped' },
      conversations: conversations.conversations,
    }),

    async connect(remote) {
      const target = remote.trim();
      if (target === myAddress()) {
        throw new AgentError({ kind: 'own-address', detail: 'That is this browser’s own address.' });
      }
      if (links.has(target)) return;
      if (!transport) throw new AgentError({ kind: 'not-online', detail: 'The agent is not configured yet.' });
      dispatch({ type: 'dial-started', address: target });
      try {
        adopt(await transport.dial(target), true);
      } catch (error) {
        const problem =
          error instanceof DialError ? error.problem : { kind: 'connection-failed' as const, detail: String(error) };
        if (!links.has(target)) dispatch({ type: 'dial-failed', address: target, problem });
        throw new AgentError(problem);
      }
    },

    send(remote, text) {
      const body = text.trim();
      if (body === '') throw new AgentError({ kind: 'bad-message', detail: 'The message is empty.' });
      if (new TextEncoder().encode(body).length > MAX_TEXT_BYTES) {
        throw new AgentError({ kind: 'bad-message', detail: 'The message is too long.' });
      }
      if (findConversation(conversations, remote)?.link !== 'open' || !links.has(remote)) {
        throw new AgentError({ kind: 'not-connected', detail: 'Not connected to this contact.' });
      }
      const id = deps.randomBytes(MESSAGE_ID_BYTES);
      dispatch({ type: 'chat-sent', address: remote, id, text: body, at: deps.now() });
    },

    markRead(remote) {
      if ((findConversation(conversations, remote)?.unread ?? 0) === 0) return;
      dispatch({ type: 'read', address: remote });
    },

    subscribe: (listener) => listeners.add(listener),

    stop() {
      stopTransport();
      changed();
    },
  };
}
