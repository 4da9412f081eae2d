/** Background ↔ agent (Chrome: service worker ↔ offscreen document; Firefox: one page). */
import { z } from 'zod';
import type { AgentEvent, AgentSnapshot } from '../agent/agent';
import { type Settings, SettingsSchema } from '../store/settings';
import { defineChannel } from './channel';

const address = z.string().trim().min(1).max(100);
const text = z.string().min(1).max(20_000);
/** Replies come from our own code: typed, not re-validated. */
const none = z.undefined();
const done = z.void();

export const backgroundToAgent = defineChannel('tincan/background-to-agent/v1', {
  configure: { request: SettingsSchema, response: done },
  getState: { request: none, response: z.custom<AgentSnapshot>() },
  connect: { request: z.object({ address }), response: done },
  send: { request: z.object({ address, text }), response: done },
  markRead: { request: z.object({ address }), response: done },
  ping: { request: none, response: z.literal('pong') },
});

const agentEvent = z.union([
  z.object({
    type: z.literal('changed'),
    snapshot: z.custom<AgentSnapshot>((v) => typeof v === 'object' && v !== null),
  }),
  z.object({
    type: z.literal('message-arrived'),
    address,
    name: z.string().max(200),
    text: z.string().max(20_000),
    unreadTotal: z.number().int().min(0),
  }),
]);

export type AgentNotice =
  | { type: 'changed'; snapshot: AgentSnapshot }
  | Extract<AgentEvent, { type: 'message-arrived' }>;

export const agentToBackground = defineChannel('tincan/agent-to-background/v1', {
  /** The agent has started (or restarted) and needs its settings. */
  ready: { request: none, response: z.custom<Settings>() },
  notice: { request: agentEvent, response: done },
});
