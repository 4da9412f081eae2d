/**
 * Who the agent trusts, as pure functions of what it knows: the key an invite promised, the
 * contact pinned at an address, and how many strangers are already waiting.
 */
import { agreedSecret } from '../rendezvous/rendezvous-secret';
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

/** A declined address may not ask again this soon: a decline is final for that request. */
export const DECLINE_COOLDOWN_MS = 10 * 60_000;
/** Requests one address may make in REQUEST_WINDOW_MS, answered or not. */
export const MAX_REQUESTS_PER_WINDOW = 3;
export const REQUEST_WINDOW_MS = 10 * 60_000;

/** Requests per address (on a network, a discovery id), newest last; pruned as they age. */
export type RequestHistory = ReadonlyMap<string, { times: readonly number[]; declinedAt?: number }>;

/** Undefined when a stranger at `address` may ask now; contacts are never limited. */
export function requestRateProblem(
  history: RequestHistory,
  address: string,
  presented: PeerView,
  contacts: readonly Contact[],
  now: number,
): ConversationProblem | undefined {
  if (findContact(contacts, presented.identityKey)) return undefined;
  const past = history.get(address);
  if (!past) return undefined;
  if (past.declinedAt !== undefined && now - past.declinedAt < DECLINE_COOLDOWN_MS) {
    return { kind: 'rate-limited', detail: 'this address was declined a moment ago' };
  }
  const recent = past.times.filter((t) => now - t < REQUEST_WINDOW_MS);
  return recent.length < MAX_REQUESTS_PER_WINDOW
    ? undefined
    : { kind: 'rate-limited', detail: 'too many requests from this address' };
}

export function rememberRequest(history: RequestHistory, address: string, now: number): RequestHistory {
  const past = history.get(address);
  const times = [...(past?.times ?? []).filter((t) => now - t < REQUEST_WINDOW_MS), now];
  // Forget addresses with nothing recent, so a stream of fresh discovery ids cannot grow this.
  const live = [...history].filter(
    ([, p]) =>
      p.times.some((t) => now - t < REQUEST_WINDOW_MS) ||
      (p.declinedAt !== undefined && now - p.declinedAt < DECLINE_COOLDOWN_MS),
  );
  return new Map(live).set(address, { ...past, times });
}

export function rememberDecline(history: RequestHistory, address: string, now: number): RequestHistory {
  const past = history.get(address);
  return new Map(history).set(address, { times: past?.times ?? [], declinedAt: now });
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
    // Someone paired by invite or QR code is special from the start: found again anywhere.
    return [
      {
        type: 'learned',
        identityKey: peer.identityKey,
        name: peer.name,
        address,
        verified: viaInvite,
        at,
        special: viaInvite,
      },
    ];
  }
  const changes: ContactChange[] = [];
  if (address !== '' && known.address !== address)
    changes.push({ type: 'seen', identityKey: known.identityKey, address });
  // An invite whose key matched proves as much as comparing safety numbers.
  if (viaInvite && !known.verified) changes.push({ type: 'verified', identityKey: known.identityKey, verified: true });
  return changes;
}

/**
 * What a contact's introduce frame changes: its presence key, and the address to reach it at
 * unless another contact is known there (theirs to move, not this contact's to take). Undefined
 * when it changes nothing, or the sender is no contact.
 */
export function introducedChange(
  contacts: readonly Contact[],
  peer: PeerView,
  presenceKey: string,
  reachAt: string,
): ContactChange | undefined {
  const known = findContact(contacts, peer.identityKey);
  if (!known) return undefined;
  const taken = reachAt !== '' && contacts.some((c) => c !== known && c.address === reachAt);
  const address = taken ? '' : reachAt;
  if (known.presenceKey === presenceKey && (address === '' || known.address === address)) return undefined;
  return { type: 'introduced', identityKey: known.identityKey, presenceKey, address };
}

/**
 * What a contact's share of the rendezvous secret changes: the secret both keep is the one the
 * side with the smaller identity key sent (lib/rendezvous/rendezvous-secret.ts). Undefined when
 * ours stands, or the sender is no contact.
 */
export function rendezvousSecretChange(
  contacts: readonly Contact[],
  myIdentityKey: string,
  peer: PeerView,
  theirs: string,
): ContactChange | undefined {
  const known = findContact(contacts, peer.identityKey);
  if (!known) return undefined;
  const mine = known.rendezvousSecret ?? '';
  const agreed = agreedSecret(myIdentityKey, peer.identityKey, mine, theirs);
  if (agreed === '' || agreed === known.rendezvousSecret) return undefined;
  return { type: 'rendezvous-secret', identityKey: known.identityKey, secret: agreed };
}
