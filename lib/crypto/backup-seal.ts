/**
 * The passphrase-encrypted backup file: bytes in, bytes out.
 *
 *   offset  bytes  field
 *   0       14     magic "TINCAN-BACKUP\n"
 *   14      1      format version (1)
 *   15      1      scrypt log2(N)
 *   16      1      scrypt r
 *   17      1      scrypt p
 *   18      16     salt
 *   34      12     AES-GCM nonce
 *   46      …      AES-256-GCM ciphertext and 16-byte tag; associated data = bytes 0–45
 *
 * key = HKDF-SHA256(scrypt(NFKC(passphrase), salt, N, r, p, 32), salt = "", "tincan/backup/v1", 32).
 * scrypt (RFC 7914) makes each passphrase guess cost memory and time; the header is
 * authenticated, so a file whose parameters were changed does not open. Parameters read from a
 * file are bounded before the KDF runs: a hostile file must not make us allocate gigabytes.
 * Known answers from an independent implementation: tests/data/backup-seal-vectors.py.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { checkBytes, concatBytes, hkdfSha256 } from './primitives';

const MAGIC = new TextEncoder().encode('TINCAN-BACKUP\n');
export const BACKUP_FORMAT_VERSION = 1;
const VERSION_AT = MAGIC.length;
const LOG_N_AT = VERSION_AT + 1;
const R_AT = LOG_N_AT + 1;
const P_AT = R_AT + 1;
const SALT_AT = P_AT + 1;
const SALT_BYTES = 16;
const NONCE_AT = SALT_AT + SALT_BYTES;
const NONCE_BYTES = 12;
const HEADER_BYTES = NONCE_AT + NONCE_BYTES;
const TAG_BYTES = 16;

export type ScryptParams = { logN: number; r: number; p: number };
/**
 * 2^17 × 8 × 128 bytes = 128 MiB per guess (OWASP's scrypt recommendation). noble's scryptAsync
 * takes 0.6–0.75 s for it here (Node 20, 2-core AMD EPYC VM; OpenSSL's is 0.4 s), yielding to
 * the page every 10 ms so it does not freeze.
 */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 17, r: 8, p: 1 };
/** Below this a backup is too cheap to guess at; tests use it to stay fast. */
const MIN_LOG_N = 10;
/** Twice the default's memory: room for a stronger default later, nowhere near gigabytes. */
const MAX_SCRYPT_MEMORY = 256 * 2 ** 20;
/** Four times the default's work (N·r·p), a few seconds at most. */
const MAX_SCRYPT_WORK = 4 * 2 ** 17 * 8;

export type BackupOpenError = {
  kind: 'not-a-backup' | 'newer-version' | 'wrong-passphrase-or-damaged';
  detail: string;
};

const INFO = new TextEncoder().encode('tincan/backup/v1');

/** RFC 7914 §2: scrypt's V array is 128·r·N bytes, and N·r·p block mixes are its work. */
function bounded({ logN, r, p }: ScryptParams): boolean {
  if (![logN, r, p].every(Number.isInteger) || logN < MIN_LOG_N || r < 1 || p < 1) return false;
  const n = 2 ** logN;
  return 128 * r * n <= MAX_SCRYPT_MEMORY && n * r * p <= MAX_SCRYPT_WORK;
}

async function backupKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const secret = new TextEncoder().encode(passphrase.normalize('NFKC'));
  const stretched = await scryptAsync(secret, salt, {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    dkLen: 32,
    // noble's own ceiling, matched to ours (plus its small per-p scratch blocks).
    maxmem: MAX_SCRYPT_MEMORY + 2 ** 20,
  });
  return hkdfSha256(stretched, new Uint8Array(0), INFO, 32);
}

export async function sealBackup(
  plaintext: Uint8Array,
  passphrase: string,
  randomBytes: (length: number) => Uint8Array,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<Uint8Array> {
  checkBytes(plaintext, 'backup plaintext');
  if (!bounded(params)) throw new RangeError('scrypt parameters out of range');
  const salt = checkBytes(randomBytes(SALT_BYTES), 'salt', SALT_BYTES);
  const nonce = checkBytes(randomBytes(NONCE_BYTES), 'nonce', NONCE_BYTES);
  const header = concatBytes(MAGIC, Uint8Array.of(BACKUP_FORMAT_VERSION, params.logN, params.r, params.p), salt, nonce);
  const key = await backupKey(passphrase, salt, params);
  return concatBytes(header, gcm(key, nonce, header).encrypt(plaintext));
}

export async function openBackup(
  file: Uint8Array,
  passphrase: string,
): Promise<{ ok: true; plaintext: Uint8Array } | { ok: false; error: BackupOpenError }> {
  const fail = (kind: BackupOpenError['kind'], detail: string) => ({ ok: false as const, error: { kind, detail } });
  if (file.length <= VERSION_AT || MAGIC.some((byte, i) => file[i] !== byte)) {
    return fail('not-a-backup', 'This is not a Tincan backup file.');
  }
  // The version comes before anything else is read: a later format may lay out the rest anew.
  const version = file[VERSION_AT] ?? 0;
  if (version > BACKUP_FORMAT_VERSION) {
    return fail('newer-version', `This backup was made by a newer Tincan (format ${version}).`);
  }
  if (version !== BACKUP_FORMAT_VERSION) return fail('wrong-passphrase-or-damaged', 'The backup file is damaged.');
  if (file.length < HEADER_BYTES + TAG_BYTES) {
    return fail('wrong-passphrase-or-damaged', 'The backup file is cut short.');
  }
  const params = { logN: file[LOG_N_AT] ?? 0, r: file[R_AT] ?? 0, p: file[P_AT] ?? 0 };
  if (!bounded(params)) return fail('wrong-passphrase-or-damaged', 'The backup file is damaged.');
  const header = file.subarray(0, HEADER_BYTES);
  const key = await backupKey(passphrase, file.subarray(SALT_AT, NONCE_AT), params);
  try {
    const plaintext = gcm(key, file.subarray(NONCE_AT, HEADER_BYTES), header).decrypt(file.subarray(HEADER_BYTES));
    return { ok: true, plaintext };
  } catch {
    // GCM cannot tell the two apart, and saying which would help nobody but a guesser.
    return fail('wrong-passphrase-or-damaged', 'Wrong passphrase, or the file is damaged.');
  }
}
