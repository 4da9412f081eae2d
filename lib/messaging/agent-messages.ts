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

/**
 * Requests are strict: a field the map does not name means a caller from another version (or
 * not ours), refused rather than silently dropped. Settings are the exception: `SettingsSchema`
 * also reads stored settings, where a key from a newer version is dropped, not fatal.
 */
export const backgroundToAgent = defineChannel('tincan/background-to-agent/v1', {
  configure: { request: SettingsSchema, response: done },
  getState: { request: none, response: z.custom<AgentSnapshot>() },
  connect: { request: z.strictObject({ address }), response: done },
  send: { request: z.strictObject({ address, text }), response: done },
  markRead: { request: z.strictObject({ address }), response: done },
  ping: { request: none, response: z.literal('pong') },
});

const agentEvent = z.union([
  z.strictObject({
    type: z.literal('changed'),
    snapshot: z.custom<AgentSnapshot>((v) => typeof v === 'object' && v !== null),
  }),
  z.strictObject({
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
