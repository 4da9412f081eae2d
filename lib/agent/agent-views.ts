/**
 * Conversions at the agent's edge: the stored identity (hex) into handshake keys, and what the
 * popup is shown of this browser and its contacts.
 */
import { fromHex, toHex } from '../bytes';
import { fingerprint, safetyNumber } from '../crypto/identity';
import { encodeInvite } from '../crypto/invite';
import type { Conversation, ConversationProblem, PeerView } from '../sessions/conversations';
import { type PeerProof, SessionError, type SessionIdentity } from '../sessions/secure-link';
import type { AgentIdentity, Contact } from '../store/contacts';

export type MeView = { identityKey: string; fingerprint: string; invite?: string };

export type ContactView = Contact & {
  fingerprint: string;
  /** Same digits on both sides: read them to each other to verify. */
  safetyNumber: string;
  /** A conversation with this key is open for chat right now. */
  online: boolean;
  /** Where that conversation is, when there is one. */
  conversationAddress?: string;
  /** Their discovery id, when they are on this network right now. */
  onNetwork?: string;
};

/**
 * Fingerprints and safety numbers are hashes of keys that do not change, and a snapshot is made
 * several times a second while a file moves: each is worked out once. Bounded, in case keys churn.
 */
const keyTexts = new Map<string, string>();
const KEY_TEXTS_KEPT = 1024;
function remembered(key: string, make: () => string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    if (keyTexts.size >= KEY_TEXTS_KEPT) keyTexts.clear();
    text = make();
    keyTexts.set(key, text);
  }
  return text;
}
const fingerprintOf = (hexKey: string) => remembered(`f:${hexKey}`, () => fingerprint(fromHex(hexKey)));
const safetyNumberOf = (mine: string, theirs: string) =>
  remembered(`s:${mine}:${theirs}`, () => safetyNumber(fromHex(mine), fromHex(theirs)));

export function sessionIdentity(identity: AgentIdentity, name: string): SessionIdentity {
  return {
    identityKey: fromHex(identity.identityKey),
    staticPublic: fromHex(identity.staticPublic),
    staticSecret: fromHex(identity.staticSecret),
    certificate: fromHex(identity.certificate),
    name,
  };
}

export function meView(identity: AgentIdentity | undefined, address: string | undefined): MeView | undefined {
  if (!identity) return undefined;
  return {
    identityKey: identity.identityKey,
    fingerprint: fingerprintOf(identity.identityKey),
    invite: address ? encodeInvite({ address, identityKey: fromHex(identity.identityKey) }) : undefined,
  };
}

export function contactViews(
  identity: AgentIdentity | undefined,
  contacts: readonly Contact[],
  conversations: readonly Conversation[],
): ContactView[] {
  const mine = identity?.identityKey;
  return contacts.map((contact) => {
    const live = conversations.find((c) => c.stage === 'ready' && c.peer?.identityKey === contact.identityKey);
    return {
      ...contact,
      fingerprint: fingerprintOf(contact.identityKey),
      safetyNumber: mine ? safetyNumberOf(mine, contact.identityKey) : '',
      online: live !== undefined,
      conversationAddress: live?.address,
    };
  });
}

export function peerView(proof: PeerProof): PeerView {
  const identityKey = toHex(proof.identityKey);
  return { identityKey, name: proof.name, fingerprint: fingerprintOf(identityKey) };
}

/** What a failed handshake means to the user (a refusal we made ourselves comes in as `refusal`). */
export function sessionProblem(error: unknown, refusal: ConversationProblem | undefined): ConversationProblem {
  if (refusal) return refusal;
  if (error instanceof SessionError) {
    const { failure } = error;
    switch (failure.kind) {
      case 'link-closed':
        return { kind: 'link-failed', detail: failure.detail };
      case 'refused-key':
        return { kind: 'handshake-failed', detail: failure.detail };
      default:
        return failure;
    }
  }
  return { kind: 'handshake-failed', detail: String(error) };
}
