/**
 * A handshake's own X25519 keys, made ready for its curve implementation.
 *
 * A key pair the caller supplies (the static key) is checked once: its public key must be its
 * secret key's, or the peer would authenticate one key while we compute with another. Every
 * session of a profile brings the same static key, so the checked and imported key is kept for
 * the next handshake: one curve operation and one import per process, not per connection.
 */
import { type Curve25519, platformCurve25519, type X25519Secret } from './curve25519';
import { NoiseError } from './noise-error';
import { type HandshakePattern, ownMessages } from './noise-patterns';
import { checkBytes, DH_BYTES, equalBytes, type KeyPair, type RandomBytes, takeRandom } from './primitives';

export type LocalKey = { publicKey: Uint8Array; secret: X25519Secret };

/**
 * One side's keys for one handshake, each made ready on its own, so a message waits only for the
 * keys it uses: an initiator's first message needs its ephemeral key, not yet its static one.
 */
export type PendingKeys = { s: Promise<LocalKey | undefined>; e: Promise<LocalKey | undefined> };

/**
 * Starts when the handshake is created, so the work overlaps the wait for the peer: the static
 * key is checked and imported (once per process, below) and the ephemeral key is made, from
 * `randomBytes` as always, only earlier than its first use. A fixed ephemeral key (vectors) is
 * checked but not remembered. A failure shows at the first message that uses the key.
 */
export function prepareKeys(options: {
  pattern: HandshakePattern;
  initiator: boolean;
  s: KeyPair | undefined;
  e: KeyPair | undefined;
  curve: Curve25519 | undefined;
  randomBytes: RandomBytes;
}): PendingKeys {
  const { s, e, randomBytes } = options;
  const sendsEphemeral = ownMessages(options.pattern, options.initiator).some((tokens) => tokens.includes('e'));
  const curve = options.curve ? Promise.resolve(options.curve) : platformCurve25519();
  const pending: PendingKeys = {
    s: curve.then((ready) => s && checkedKeyPair(s, ready, 'local static key')),
    e: curve.then((ready) => {
      if (e) return verifiedKeyPair(e, ready, 'fixed ephemeral key');
      return sendsEphemeral ? generatedKeyPair(ready, randomBytes) : undefined;
    }),
  };
  // Only keeps a failure no message waits for from counting as unhandled.
  pending.s.catch(() => {});
  pending.e.catch(() => {});
  return pending;
}

type Remembered = { curve: Curve25519; publicKey: Uint8Array; secretKey: Uint8Array; ready: Promise<LocalKey> };

/** A few, most recent first: one profile's static key, and room for tests and a key change. */
const MAX_REMEMBERED = 4;
const remembered: Remembered[] = [];

/** The pair's sizes, now; whether the keys belong together is for `checkedKeyPair`. */
export function checkKeyPairShape(pair: KeyPair, label: string): KeyPair {
  if (typeof pair !== 'object' || pair === null) throw new NoiseError('bad-key', `${label} is not a key pair`);
  try {
    return {
      publicKey: checkBytes(pair.publicKey, `${label} public key`, DH_BYTES).slice(),
      secretKey: checkBytes(pair.secretKey, `${label} secret key`, DH_BYTES).slice(),
    };
  } catch (error) {
    throw new NoiseError('bad-key', error instanceof Error ? error.message : String(error));
  }
}

/** As `verifiedKeyPair`, remembered: a key pair seen before is neither checked nor imported again. */
export function checkedKeyPair(pair: KeyPair, curve: Curve25519, label: string): Promise<LocalKey> {
  const index = remembered.findIndex(
    (entry) =>
      entry.curve === curve &&
      equalBytes(entry.publicKey, pair.publicKey) &&
      equalBytes(entry.secretKey, pair.secretKey),
  );
  const entry = (index >= 0 ? remembered.splice(index, 1)[0] : undefined) ?? remember(pair, curve, label);
  remembered.unshift(entry);
  remembered.splice(MAX_REMEMBERED);
  return entry.ready;
}

function remember(pair: KeyPair, curve: Curve25519, label: string): Remembered {
  const entry: Remembered = {
    curve,
    publicKey: pair.publicKey.slice(),
    secretKey: pair.secretKey.slice(),
    ready: verifiedKeyPair(pair, curve, label),
  };
  entry.ready.catch(() => {
    const at = remembered.indexOf(entry);
    if (at >= 0) remembered.splice(at, 1);
  });
  return entry;
}

/** Imports the secret key; rejects with `NoiseError('bad-key')` when the public key is not its own. */
export async function verifiedKeyPair(pair: KeyPair, curve: Curve25519, label: string): Promise<LocalKey> {
  const publicKey = pair.publicKey.slice();
  const secret = await curve.importX25519Secret(pair.secretKey);
  if (!equalBytes(await secret.publicKey(), publicKey)) {
    throw new NoiseError('bad-key', `${label} public key does not match its secret key`);
  }
  return { publicKey, secret };
}

/** A fresh key pair from the caller's random source (so tests and vectors can fix it). */
export async function generatedKeyPair(curve: Curve25519, randomBytes: RandomBytes): Promise<LocalKey> {
  const secretKey = takeRandom(randomBytes, DH_BYTES, 'x25519 secret key');
  const secret = await curve.importX25519Secret(secretKey);
  // Both implementations keep their own copy.
  secretKey.fill(0);
  return { publicKey: await secret.publicKey(), secret };
}
