/**
 * Agreeing on a contact's rendezvous secret inside the encrypted session. Each side sends the
 * secret it holds for the other (or a fresh random one) in its introduce frame; both keep the
 * one sent by the side whose identity key sorts first. One exchange converges whatever either
 * side held before (a contact re-added on one side only, a secret lost with a reinstall), and
 * it is never sent anywhere but inside a session both sides authenticated.
 */

/** Lowercase hex keys compare like the bytes they encode. */
export function keepsOwnSecret(myIdentityKey: string, theirIdentityKey: string): boolean {
  return myIdentityKey < theirIdentityKey;
}

/** The secret to keep after the contact sent `theirs`; `mine` is what we sent them. */
export function agreedSecret(myIdentityKey: string, theirIdentityKey: string, mine: string, theirs: string): string {
  return keepsOwnSecret(myIdentityKey, theirIdentityKey) ? mine : theirs;
}
