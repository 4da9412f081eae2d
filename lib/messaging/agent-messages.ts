/** Background ↔ agent (Chrome: service worker ↔ offscreen document; Firefox: one page). */
import { z } from 'zod';
import type { AgentEvent, AgentSetup, AgentSnapshot } from '../agent/agent';
import type { PingResult } from '../agent/agent-api';
import { AgentIdentitySchema, ContactsSchema, IdentityKeyHex } from '../store/contacts';
import { SettingsSchema } from '../store/settings';
import { defineChannel } from './channel';
import { MAX_FILES_AT_ONCE, MAX_RECIPIENTS } from './page-messages';

const address = z.string().trim().min(1).max(100);
/** An address, or an invite (an address and a key). */
const target = z.string().trim().min(1).max(300);
const text = z.string().min(1).max(20_000);
const hex128 = z.string().regex(/^[0-9a-f]{32}$/);
/** Replies come from our own code: typed, not re-validated. */
const none = z.undefined();
const done = z.void();

/**
 * Requests are strict: a field the map does not name means a caller from another version (or
 * not ours), refused rather than silently dropped. Settings are the exception: `SettingsSchema`
 * also reads stored settings, where a key from a newer version is dropped, not fatal.
 */
export const backgroundToAgent = defineChannel('tincan/background-to-agent/v1', {
  configure: {
    request: z.strictObject({ settings: SettingsSchema, identity: AgentIdentitySchema, contacts: ContactsSchema }),
    response: done,
  },
  getState: { request: none, response: z.custom<AgentSnapshot>() },
  connect: { request: z.strictObject({ address: target }), response: done },
  answerRequest: {
    request: z.strictObject({ address, accept: z.boolean(), identityKey: IdentityKeyHex.optional() }),
    response: done,
  },
  trustNewKey: { request: z.strictObject({ address }), response: done },
  send: { request: z.strictObject({ address, text }), response: done },
  sendTo: { request: z.strictObject({ contactKey: IdentityKeyHex, text }), response: done },
  markRead: { request: z.strictObject({ address }), response: done },
  markChatRead: { request: z.strictObject({ contactKey: IdentityKeyHex }), response: done },
  /** Tries a contact's last known address at once. */
  pingContact: { request: z.strictObject({ contactKey: IdentityKeyHex }), response: z.custom<PingResult>() },
  /** The background's alarm: slots caught up, unreachable contacts retried. */
  tick: { request: none, response: done },
  exportHistory: { request: none, response: z.unknown() },
  /** A backup's history; the agent's chat store validates it before writing anything. */
  importHistory: {
    request: z.strictObject({ archive: z.unknown() }),
    response: z.custom<{ chats: number; messages: number }>(),
  },
  sendFiles: {
    request: z.strictObject({
      contactKeys: z.array(IdentityKeyHex).min(1).max(MAX_RECIPIENTS),
      sourceIds: z.array(hex128).min(1).max(MAX_FILES_AT_ONCE),
    }),
    response: z.custom<{ transferIds: string[] }>(),
  },
  answerFile: { request: z.strictObject({ transferId: hex128, accept: z.boolean() }), response: done },
  cancelFile: { request: z.strictObject({ transferId: hex128 }), response: done },
  /** Hands a received file to downloads again: a new `file-ready` notice follows. */
  saveFile: { request: z.strictObject({ transferId: hex128 }), response: done },
  /** What became of a `file-ready` notice's download. */
  fileSaved: {
    request: z.strictObject({ transferId: hex128, ok: z.boolean(), detail: z.string().max(500).optional() }),
    response: done,
  },
  ping: { request: none, response: z.literal('pong') },
});

const agentEvent = z.union([
  z.strictObject({
    type: z.literal('changed'),
    snapshot: z.custom<AgentSnapshot>((v) => typeof v === 'object' && v !== null),
  }),
  z.strictObject({
    type: z.literal('message-arrived'),
    // Empty when the contact's link went before the notice was sent.
    address: z.string().trim().max(100),
    contactKey: IdentityKeyHex,
    name: z.string().max(200),
    text: z.string().max(20_000),
    unreadTotal: z.number().int().min(0),
  }),
  z.strictObject({
    type: z.literal('request-arrived'),
    address,
    identityKey: IdentityKeyHex,
    name: z.string().max(200),
    fingerprint: z.string().max(100),
  }),
  z.strictObject({
    // A received, verified file at a blob: URL of the agent's document, for the downloads API.
    type: z.literal('file-ready'),
    transferId: hex128,
    url: z.string().startsWith('blob:').max(300),
    name: z.string().min(1).max(255),
  }),
  z.strictObject({
    type: z.literal('contact-changed'),
    // Built by our own agent; the background re-checks the result against ContactsSchema.
    change: z.custom<Extract<AgentEvent, { type: 'contact-changed' }>['change']>(
      (v) => typeof v === 'object' && v !== null && 'type' in v,
    ),
  }),
]);

export type AgentNotice = { type: 'changed'; snapshot: AgentSnapshot } | Exclude<AgentEvent, { type: 'changed' }>;

export const agentToBackground = defineChannel('tincan/agent-to-background/v1', {
  /** The agent has started (or restarted) and needs its settings, keys and contacts. */
  ready: { request: none, response: z.custom<AgentSetup>() },
  notice: { request: agentEvent, response: done },
});
