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
/** 2^17 × 8 × 128 bytes = 128 MiB per guess: OWASP's scrypt recommendation. */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 17, r: 8, p: 1 };
/** What a file may ask for (tests use small N; more than 2^20 · r 16 is 2 GiB). */
const LIMITS = { logN: [10, 20], r: [1, 16], p: [1, 4] } as const;

export type BackupOpenError = {
  kind: 'not-a-backup' | 'newer-version' | 'wrong-passphrase-or-damaged';
  detail: string;
};

const INFO = new TextEncoder().encode('tincan/backup/v1');

function within(params: ScryptParams): boolean {
  return (Object.keys(LIMITS) as Array<keyof ScryptParams>).every((name) => {
    const [min, max] = LIMITS[name];
    const value = params[name];
    return Number.isInteger(value) && value >= min && value <= max;
  });
}

async function backupKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const secret = new TextEncoder().encode(passphrase.normalize('NFKC'));
  const stretched = await scryptAsync(secret, salt, { N: 2 ** params.logN, r: params.r, p: params.p, dkLen: 32 });
  return hkdfSha256(stretched, new Uint8Array(0), INFO, 32);
}

export async function sealBackup(
  plaintext: Uint8Array,
  passphrase: string,
  randomBytes: (length: number) => Uint8Array,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<Uint8Array> {
  if (!within(params)) throw new RangeError('scrypt parameters out of range');
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
  if (file.length < HEADER_BYTES + TAG_BYTES || MAGIC.some((byte, i) => file[i] !== byte)) {
    return fail('not-a-backup', 'This is not a Tincan backup file.');
  }
  const version = file[VERSION_AT] ?? 0;
  if (version !== BACKUP_FORMAT_VERSION) {
    return fail('newer-version', `This backup was made by a newer Tincan (format ${version}).`);
  }
  const params = { logN: file[LOG_N_AT] ?? 0, r: file[R_AT] ?? 0, p: file[P_AT] ?? 0 };
  if (!within(params)) return fail('wrong-passphrase-or-damaged', 'The backup file is damaged.');
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
