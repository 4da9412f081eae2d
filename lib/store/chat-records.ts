/**
 * What the chat store (IndexedDB, the agent's context) holds: per contact, the delivery
 * counters and contact state the agent owns, every message, and the outbox. Records read back
 * are checked: the database is ours, but a half-written or older record must cost that record,
 * not the whole history.
 */
import { z } from 'zod';
import { IdentityKeyHex } from './contacts';

const messageId = z
  .string()
  .length(32)
  .regex(/^[0-9a-f]+$/);
const u32 = z.number().int().min(0).max(0xffff_ffff);
const time = z.number().finite().min(0);

export const MessageStateSchema = z.enum(['pending', 'sent', 'delivered', 'received']);
export type MessageState = z.infer<typeof MessageStateSchema>;

export const StoredMessageSchema = z.object({
  contactKey: IdentityKeyHex,
  id: messageId,
  from: z.enum(['me', 'peer']),
  text: z.string().max(20_000),
  sentAt: time,
  at: time,
  seq: u32,
  state: MessageStateSchema,
});
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

export const ChatRecordSchema = z.object({
  contactKey: IdentityKeyHex,
  stream: u32,
  nextSeq: u32,
  peerStream: u32.nullable(),
  receivedUpTo: u32,
  unread: z.number().int().min(0),
  lastSeenAt: time.nullable(),
  /** Addresses that answered with someone else's key: never dialled for this contact again. */
  blockedAddresses: z.array(z.string().max(100)).max(64),
});
export type ChatRecord = z.infer<typeof ChatRecordSchema>;

export const OutboxEntrySchema = z.object({
  contactKey: IdentityKeyHex,
  seq: u32,
  id: messageId,
  text: z.string().max(20_000),
  sentAt: time,
});
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

export type ChatWrite =
  | { type: 'chat'; chat: ChatRecord }
  /** Same (contactKey, id) replaces. */
  | { type: 'message'; message: StoredMessage }
  | { type: 'message-state'; contactKey: string; ids: string[]; state: MessageState }
  | { type: 'outbox-add'; entry: OutboxEntry }
  /** Every entry of that contact with seq ≤ upToSeq. */
  | { type: 'outbox-remove'; contactKey: string; upToSeq: number }
  /** The chat, its messages and its outbox. */
  | { type: 'forget-chat'; contactKey: string };

/** Everything, for the encrypted backup; validated as a whole before anything is imported. */
export const ChatArchiveSchema = z.object({
  format: z.literal('tincan-chats'),
  version: z.literal(1),
  chats: z.array(ChatRecordSchema),
  messages: z.array(StoredMessageSchema),
  outbox: z.array(OutboxEntrySchema),
});
export type ChatArchive = z.infer<typeof ChatArchiveSchema>;
