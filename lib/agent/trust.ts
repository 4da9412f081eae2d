/**
 * Who the agent trusts, as pure functions of what it knows: the key an invite promised, the
 * contact pinned at an address, and how many strangers are already waiting.
 */
import type { Conversation, ConversationProblem, PeerView } from '../sessions/conversations';
import { type Contact, type ContactChange, contactAtAddress, findContact } from '../store/contacts';

/** Connection requests from strangers waiting for an answer at once; more are turned away. */
export const MAX_OPEN_REQUESTS = 16;

/** What the other end of `address` must be: the invite's key, else the pinned contact's. */
export type KeyExpectation = { inviteKey?: string; pinned?: Contact };

export function expectationAt(address: string, invited: ReadonlyMap<string, string>, contacts: readonly Contact[]) {
  return { inviteKey: invited.get(address), pinned: contactAtAddress(contacts, address) } satisfies KeyExpectation;
}

/** Undefined when the presented key is the one expected (or nothing was expected: trust on first use). */
export function keyProblem(expected: KeyExpectation, presented: PeerView): ConversationProblem | undefined {
  const { inviteKey, pinned } = expected;
  if (inviteKey !== undefined) {
    return presented.identityKey === inviteKey
      ? undefined
      : {
          kind: 'invite-key-mismatch',
          detail: 'The browser at this address is not the one that made the invite.',
          presentedFingerprint: presented.fingerprint,
        };
  }
  if (pinned && pinned.identityKey !== presented.identityKey) {
    return {
      kind: 'key-changed',
      detail: `The browser at ${pinned.petname || 'this contact'}’s address has a different key.`,
      contactKey: pinned.identityKey,
      presentedKey: presented.identityKey,
      presentedFingerprint: presented.fingerprint,
    };
  }
  return undefined;
}

/** Strangers may ask, within reason: past the limit, new requests are turned away. */
export function requestLimitProblem(
  presented: PeerView,
  contacts: readonly Contact[],
  conversations: readonly Conversation[],
): ConversationProblem | undefined {
  if (findContact(contacts, presented.identityKey)) return undefined;
  const open = conversations.filter((c) => c.stage === 'request').length;
  return open < MAX_OPEN_REQUESTS
    ? undefined
    : { kind: 'protocol-violation', detail: 'too many connection requests are waiting' };
}

/** Both sides trust each other: what the saved contacts learn from it. */
export function contactChangesWhenReady(
  contacts: readonly Contact[],
  peer: PeerView,
  address: string,
  viaInvite: boolean,
  at: number,
): ContactChange[] {
  const known = findContact(contacts, peer.identityKey);
  if (!known) {
    return [{ type: 'learned', identityKey: peer.identityKey, name: peer.name, address, verified: viaInvite, at }];
  }
  const changes: ContactChange[] = [];
  if (known.address !== address) changes.push({ type: 'seen', identityKey: known.identityKey, address });
  // An invite whose key matched proves as much as comparing safety numbers.
  if (viaInvite && !known.verified) changes.push({ type: 'verified', identityKey: known.identityKey, verified: true });
  return changes;
}
