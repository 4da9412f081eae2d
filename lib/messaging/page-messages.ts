/** Extension pages (popup, options) ↔ background. */
import { z } from 'zod';
import type { AgentSnapshot } from '../agent/agent';
import type { PingResult } from '../agent/agent-api';
import { IdentityKeyHex } from '../store/contacts';
import { type Settings, SettingsSchema } from '../store/settings';
import { defineChannel } from './channel';

const address = z.string().trim().min(1).max(100);
const none = z.undefined();
/** Transfer ids and file source ids: 32 hex digits. */
const transferId = z.string().regex(/^[0-9a-f]{32}$/);
const sourceId = transferId;
export const MAX_RECIPIENTS = 20;
export const MAX_FILES_AT_ONCE = 20;
const done = z.void();

export const pageToBackground = defineChannel('tincan/page-to-background/v1', {
  getState: { request: none, response: z.custom<AgentSnapshot>() },
  /** An address or an invite. */
  connect: { request: z.strictObject({ address: z.string().trim().min(1).max(300) }), response: done },
  answerRequest: {
    request: z.strictObject({ address, accept: z.boolean(), identityKey: IdentityKeyHex.optional() }),
    response: done,
  },
  trustNewKey: { request: z.strictObject({ address }), response: done },
  renameContact: {
    request: z.strictObject({ identityKey: IdentityKeyHex, petname: z.string().trim().min(1).max(60) }),
    response: done,
  },
  setVerified: { request: z.strictObject({ identityKey: IdentityKeyHex, verified: z.boolean() }), response: done },
  removeContact: { request: z.strictObject({ identityKey: IdentityKeyHex }), response: done },
  send: { request: z.strictObject({ address, text: z.string().min(1).max(20_000) }), response: done },
  /** To a saved contact, reachable or not: it waits in the outbox until delivered. */
  sendTo: {
    request: z.strictObject({ contactKey: IdentityKeyHex, text: z.string().min(1).max(20_000) }),
    response: done,
  },
  markRead: { request: z.strictObject({ address }), response: done },
  markChatRead: { request: z.strictObject({ contactKey: IdentityKeyHex }), response: done },
  /** Tries a contact's last known address at once. */
  pingContact: { request: z.strictObject({ contactKey: IdentityKeyHex }), response: z.custom<PingResult>() },
  setSpecial: { request: z.strictObject({ identityKey: IdentityKeyHex, special: z.boolean() }), response: done },
  setRendezvousPaused: {
    request: z.strictObject({ identityKey: IdentityKeyHex, paused: z.boolean() }),
    response: done,
  },
  /**
   * Files the popup stored with `saveFileSource` (lib/store/transfer-store.ts), each to every
   * contact named: one encrypted transfer per file and contact.
   */
  sendFiles: {
    request: z.strictObject({
      contactKeys: z.array(IdentityKeyHex).min(1).max(MAX_RECIPIENTS),
      sourceIds: z.array(sourceId).min(1).max(MAX_FILES_AT_ONCE),
    }),
    response: z.custom<{ transferIds: string[] }>(),
  },
  /** The receiving user's answer to a file offer. */
  answerFile: { request: z.strictObject({ transferId, accept: z.boolean() }), response: done },
  /** Either side stops a transfer for good. */
  cancelFile: { request: z.strictObject({ transferId }), response: done },
  /** A received file handed to downloads again (after the first attempt failed). */
  saveFile: { request: z.strictObject({ transferId }), response: done },
  getSettings: { request: none, response: z.custom<Settings>() },
  /** Identity, contacts, settings and history in one passphrase-encrypted file (base64). */
  exportBackup: {
    request: z.strictObject({ passphrase: z.string().min(1).max(1_000) }),
    response: z.custom<{ file: string; name: string }>(),
  },
  /** Replaces this browser's identity and contacts with the backup's, and merges its history in. */
  importBackup: {
    request: z.strictObject({ file: z.string().min(1).max(400_000_000), passphrase: z.string().min(1).max(1_000) }),
    response: z.custom<{ contacts: number; messages: number }>(),
  },
  saveSettings: { request: SettingsSchema, response: done },
});

/** The popup's live view: the background pushes a snapshot on every change. */
export const POPUP_PORT = 'tincan/popup-state/v1';
export type PopupPush = { type: 'state'; snapshot: AgentSnapshot };
