/**
 * The one error `lib/crypto` throws for anything a peer (or a wrong call) can cause. The kinds are
 * a closed set the session layer can map to "handshake failed" or "session closed".
 *
 * - `decrypt-failed`: an AEAD tag did not verify (tampering, a replay, or the wrong key).
 * - `bad-message`: a message of the wrong shape (too short, too long).
 * - `bad-state`: a call at the wrong time (wrong turn, after a failure, exhausted nonces).
 * - `bad-key`: a key of the wrong size, or a Diffie-Hellman result that is all zeros.
 */
export type NoiseErrorKind = 'decrypt-failed' | 'bad-message' | 'bad-state' | 'bad-key';

export class NoiseError extends Error {
  constructor(
    readonly kind: NoiseErrorKind,
    detail: string,
  ) {
    super(detail);
    this.name = 'NoiseError';
  }
}
