/**
 * Saved contacts and this browser's identity as they are stored and passed between contexts.
 * Bytes travel as lowercase hex: extension messaging is JSON, where a `Uint8Array` does not
 * survive. The background context owns both (DESIGN.md, storage ownership).
 */
import { z } from 'zod';
import { fromHex, toHex } from '../bytes';
import { presenceKeyFromSeed } from '../crypto/identity';

const hex = (bytes: number) =>
  z
    .string()
    .length(bytes * 2)
    .regex(/^[0-9a-f]+$/);

export const IdentityKeyHex = hex(32);

export const ContactSchema = z.object({
  /** The contact *is* this Ed25519 public key; everything else may change. */
  identityKey: IdentityKeyHex,
  /** What this user calls them; starts as the name they announced. */
  petname: z.string().trim().max(60),
  /** The transport address they were last seen at: a locator, tried first when dialling. */
  address: z.string().max(100),
  /** The user compared safety numbers, or the contact came from an invite whose key matched. */
  verified: z.boolean(),
  addedAt: z.number().int().min(0),
  /** The key their blinded contact tags are made with; they send it once both accepted. */
  presenceKey: hex(32).optional(),
  /**
   * Special contacts find each other again through secret rendezvous slots even when both
   * changed networks and addresses (lib/rendezvous/). Contacts saved before this existed are not.
   */
  special: z.boolean().default(false),
  /** The user paused this contact's rendezvous (say, unseen for a month): direct address only. */
  rendezvousPaused: z.boolean().default(false),
  /** The 256-bit secret the slot tags are made with, agreed inside an encrypted session. */
  rendezvousSecret: hex(32).optional(),
});
export type Contact = z.infer<typeof ContactSchema>;

export const ContactsSchema = z.array(ContactSchema).max(10_000);

/** Stored contacts, entry by entry: one unreadable entry costs that entry, not the whole list. */
export function readStoredContacts(raw: unknown): Contact[] {
  if (!Array.isArray(raw)) return [];
  return raw.slice(0, 10_000).flatMap((entry) => {
    const parsed = ContactSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/** What the background stores: the secrets never leave it except the agent's part below. */
export const StoredIdentitySchema = z.object({
  signingSeed: hex(32),
  signingPublic: hex(32),
  staticSecret: hex(32),
  staticPublic: hex(32),
  certificate: hex(64),
  createdAt: z.number().int().min(0),
});
export type StoredIdentity = z.infer<typeof StoredIdentitySchema>;

/**
 * What the agent needs to run handshakes: the Noise static key and its certificate. The
 * Ed25519 signing key stays in the background; the agent cannot sign anything new.
 */
export const AgentIdentitySchema = z.object({
  identityKey: IdentityKeyHex,
  staticSecret: hex(32),
  staticPublic: hex(32),
  certificate: hex(64),
  /** Makes my contact tags on a network; not a signing key (lib/crypto/identity.ts). */
  presenceKey: hex(32),
});
export type AgentIdentity = z.infer<typeof AgentIdentitySchema>;

export function agentIdentityOf(stored: StoredIdentity): AgentIdentity {
  return {
    identityKey: stored.signingPublic,
    staticSecret: stored.staticSecret,
    staticPublic: stored.staticPublic,
    certificate: stored.certificate,
    presenceKey: toHex(presenceKeyFromSeed(fromHex(stored.signingSeed))),
  };
}

export function findContact(contacts: readonly Contact[], identityKey: string): Contact | undefined {
  return contacts.find((contact) => contact.identityKey === identityKey);
}

/** A contact whose last known address is this one: dialling it must reach that contact's key. */
export function contactAtAddress(contacts: readonly Contact[], address: string): Contact | undefined {
  return contacts.find((contact) => contact.address === address);
}

export type ContactChange =
  | {
      type: 'learned';
      identityKey: string;
      name: string;
      address: string;
      verified: boolean;
      at: number;
      /** Added by invite or QR code: special from the start. */
      special: boolean;
    }
  | { type: 'seen'; identityKey: string; address: string }
  | { type: 'renamed'; identityKey: string; petname: string }
  | { type: 'verified'; identityKey: string; verified: boolean }
  /** The user accepted a new key for a contact: same person, new key, no longer verified. */
  | { type: 'key-replaced'; oldKey: string; newKey: string; address: string }
  /** A contact sent its presence key and, unless empty, the address to reach it at from now on. */
  | { type: 'introduced'; identityKey: string; presenceKey: string; address: string }
  /** The rendezvous secret both sides now hold (see lib/rendezvous/rendezvous-secret.ts). */
  | { type: 'rendezvous-secret'; identityKey: string; secret: string }
  | { type: 'special'; identityKey: string; special: boolean }
  | { type: 'rendezvous-paused'; identityKey: string; paused: boolean }
  | { type: 'removed'; identityKey: string };

/** Pure: the contact list after one change. Unknown keys in changes other than 'learned' are no-ops. */
export function applyContactChange(contacts: readonly Contact[], change: ContactChange): Contact[] {
  switch (change.type) {
    case 'learned': {
      const existing = findContact(contacts, change.identityKey);
      if (existing) {
        return contacts.map((c) =>
          c === existing ? { ...c, address: change.address, verified: c.verified || change.verified } : c,
        );
      }
      // An address belongs to one contact at a time: whoever held it before has moved on.
      const others = contacts.map((c) => (c.address === change.address ? { ...c, address: '' } : c));
      return [
        ...others,
        {
          identityKey: change.identityKey,
          petname: change.name.trim().slice(0, 60),
          address: change.address,
          verified: change.verified,
          addedAt: change.at,
          special: change.special,
          rendezvousPaused: false,
        },
      ];
    }
    case 'seen':
      return contacts.map((c) => {
        if (c.identityKey === change.identityKey) return { ...c, address: change.address };
        return c.address === change.address ? { ...c, address: '' } : c;
      });
    case 'renamed':
      return contacts.map((c) =>
        c.identityKey === change.identityKey ? { ...c, petname: change.petname.trim().slice(0, 60) } : c,
      );
    case 'verified':
      return contacts.map((c) => (c.identityKey === change.identityKey ? { ...c, verified: change.verified } : c));
    case 'key-replaced':
      if (findContact(contacts, change.newKey)) return [...contacts];
      return contacts.map((c) =>
        c.identityKey === change.oldKey
          ? { ...c, identityKey: change.newKey, address: change.address, verified: false }
          : c,
      );
    case 'introduced': {
      const existing = findContact(contacts, change.identityKey);
      if (!existing) return [...contacts];
      const moved =
        change.address !== ''
          ? applyContactChange(contacts, { type: 'seen', identityKey: change.identityKey, address: change.address })
          : contacts;
      return moved.map((c) => (c.identityKey === change.identityKey ? { ...c, presenceKey: change.presenceKey } : c));
    }
    case 'rendezvous-secret':
      return contacts.map((c) =>
        c.identityKey === change.identityKey ? { ...c, rendezvousSecret: change.secret } : c,
      );
    case 'special':
      return contacts.map((c) => (c.identityKey === change.identityKey ? { ...c, special: change.special } : c));
    case 'rendezvous-paused':
      return contacts.map((c) =>
        c.identityKey === change.identityKey ? { ...c, rendezvousPaused: change.paused } : c,
      );
    case 'removed':
      return contacts.filter((c) => c.identityKey !== change.identityKey);
  }
}
