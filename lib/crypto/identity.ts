/**
 * A user's identity: an Ed25519 key pair (who they are, shown as a fingerprint and compared as a
 * safety number) and an X25519 static key for Noise, certified by the identity key so the
 * handshake proves the person and not just a Diffie-Hellman key.
 */
import { toBase32 } from '../bytes';
import { type Curve25519, platformCurve25519 } from './curve25519';
import {
  checkBytes,
  concatBytes,
  DH_BYTES,
  ed25519,
  hkdfSha256,
  type RandomBytes,
  SIGNATURE_BYTES,
  sha256,
  takeRandom,
  x25519,
} from './primitives';

export type Identity = {
  signingSeed: Uint8Array;
  signingPublic: Uint8Array;
  staticSecret: Uint8Array;
  staticPublic: Uint8Array;
  certificate: Uint8Array;
};

export const STATIC_KEY_LABEL = 'tincan/static-key/v1';
export const FINGERPRINT_LABEL = 'tincan/fingerprint/v1';
export const SAFETY_NUMBER_LABEL = 'tincan/safety-number/v1';
export const PRESENCE_KEY_LABEL = 'tincan/presence-key/v1';

/**
 * The key my blinded contact tags are made with (lib/discovery/contact-tag.ts), given to each
 * contact at pairing. Derived from the signing seed rather than stored beside it: secret, stable
 * for the life of the identity, and every identity made before it existed has one too.
 */
export function presenceKeyFromSeed(signingSeed: Uint8Array): Uint8Array {
  checkBytes(signingSeed, 'signing seed', 32);
  return hkdfSha256(signingSeed, new Uint8Array(0), new TextEncoder().encode(PRESENCE_KEY_LABEL), 32);
}
const IDENTITY_KEY_BYTES = 32;

const utf8 = new TextEncoder();

export function createIdentity(randomBytes: RandomBytes): Identity {
  const signingSeed = takeRandom(randomBytes, 32, 'identity seed');
  const signingPublic = ed25519.publicKeyFromSeed(signingSeed);
  const { secretKey: staticSecret, publicKey: staticPublic } = x25519.generateKeyPair(randomBytes);
  const certificate = certifyStaticKey(signingSeed, staticPublic);
  return { signingSeed, signingPublic, staticSecret, staticPublic, certificate };
}

/** What the certificate signs: the label, a zero byte, then the static key (fixed length). */
function certifiedBytes(staticPublic: Uint8Array): Uint8Array {
  return concatBytes(utf8.encode(STATIC_KEY_LABEL), Uint8Array.of(0), staticPublic);
}

export function certifyStaticKey(signingSeed: Uint8Array, staticPublic: Uint8Array): Uint8Array {
  checkBytes(staticPublic, 'static public key', DH_BYTES);
  return ed25519.sign(signingSeed, certifiedBytes(staticPublic));
}

/**
 * False for any mismatch or malformed input; the inputs are a peer's, so it never rejects. Runs
 * WebCrypto's Ed25519 where the platform has it (curve25519.ts): about 0.2 ms against noble's
 * 1.5 ms, on the handshake's critical path.
 */
export async function verifyStaticKeyAsync(
  signingPublic: Uint8Array,
  staticPublic: Uint8Array,
  certificate: Uint8Array,
  curve?: Curve25519,
): Promise<boolean> {
  if (!(staticPublic instanceof Uint8Array) || staticPublic.length !== DH_BYTES) return false;
  if (!(certificate instanceof Uint8Array) || certificate.length !== SIGNATURE_BYTES) return false;
  const verifier = curve ?? (await platformCurve25519());
  return verifier.verifyEd25519(signingPublic, certifiedBytes(staticPublic), certificate);
}

/**
 * A short name for a key that people can read aloud: 16 base32 characters (80 bits) of
 * SHA-256(label || key), in four groups: `abcd efgh ijkl mnop`. Recognition, not verification —
 * safety numbers are for verifying.
 */
export function fingerprint(signingPublic: Uint8Array): string {
  checkBytes(signingPublic, 'identity key', IDENTITY_KEY_BYTES);
  const text = toBase32(sha256(concatBytes(utf8.encode(FINGERPRINT_LABEL), signingPublic))).slice(0, 16);
  return text.match(/.{4}/g)?.join(' ') ?? text;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

const SAFETY_GROUPS = 12;
const GROUP_BYTES = 5;

/**
 * The number two people compare to verify each other: the same on both sides (the keys are
 * sorted), 60 digits in 12 groups of 5. The 60 bytes come from HKDF-SHA256 over both keys with
 * the label as info; each group is a 40-bit chunk mod 100000, as Signal does (the bias,
 * 2^40 mod 10^5 out of 2^40, is below 10^-7).
 */
export function safetyNumber(a: Uint8Array, b: Uint8Array): string {
  checkBytes(a, 'identity key', IDENTITY_KEY_BYTES);
  checkBytes(b, 'identity key', IDENTITY_KEY_BYTES);
  const [low, high] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  const okm = hkdfSha256(
    concatBytes(low, high),
    new Uint8Array(0),
    utf8.encode(SAFETY_NUMBER_LABEL),
    SAFETY_GROUPS * GROUP_BYTES,
  );
  const groups: string[] = [];
  for (let group = 0; group < SAFETY_GROUPS; group++) {
    let chunk = 0;
    // 40 bits fit exactly in a double; arithmetic, not bit operators, which are 32-bit.
    for (const byte of okm.subarray(group * GROUP_BYTES, (group + 1) * GROUP_BYTES)) chunk = chunk * 256 + byte;
    groups.push(String(chunk % 100_000).padStart(5, '0'));
  }
  return groups.join(' ');
}
