/**
 * File transfer frames (protocol v1, kinds 0x08–0x0D). Like every frame they travel inside
 * the session as Noise transport messages, so a chunk's transfer id, piece index and offset are
 * encrypted and authenticated with its bytes. Layouts (big-endian):
 *
 *   FileOffer  id16 | size f64 | pieceBytes u32 | pieces u32 | root32 | typeLen u8 | type | name
 *   FileWant   id16 | from u32                 "send me pieces from `from` on" (accept, resume, retry)
 *   FileHave   id16 | upTo u32                 "I hold pieces [0, upTo)"; upTo = pieces: done, verified
 *   FilePiece  id16 | index u32 | sha256 32    the hash of the piece whose chunks follow
 *   FileChunk  id16 | index u32 | offset u32 | bytes
 *   FileStop   id16 | reason u8                declined, cancelled, failed, unknown
 *
 * A file is cut into pieces of `pieceBytes` (the last may be shorter); each piece is hashed
 * (SHA-256) and `root` is SHA-256 over the piece hashes (lib/transfer/file-digest.ts). Chunks
 * carry a piece in order; a receiver checks each whole piece against its hash before storing it.
 */

export const TRANSFER_ID_BYTES = 16;
export const HASH_BYTES = 32;
/** A receiver holds pieces in memory until they are checked: bounded, whatever the sender says. */
export const MIN_PIECE_BYTES = 16 * 1024;
export const MAX_PIECE_BYTES = 4 * 1024 * 1024;
/** 2^53 bytes is beyond any file; the bound keeps sizes exact as doubles. */
export const MAX_FILE_BYTES = Number.MAX_SAFE_INTEGER;
export const MAX_FILE_NAME_BYTES = 255;
export const MAX_FILE_TYPE_BYTES = 127;

export const FileFrameKind = {
  Offer: 0x08,
  Want: 0x09,
  Have: 0x0a,
  Piece: 0x0b,
  Chunk: 0x0c,
  Stop: 0x0d,
} as const;

export const StopReason = { declined: 0, cancelled: 1, failed: 2, unknown: 3 } as const;
export type StopReasonName = keyof typeof StopReason;

export type FileOfferFrame = {
  kind: 'file-offer';
  id: Uint8Array;
  size: number;
  pieceBytes: number;
  pieces: number;
  root: Uint8Array;
  type: string;
  name: string;
};
export type FileWantFrame = { kind: 'file-want'; id: Uint8Array; from: number };
export type FileHaveFrame = { kind: 'file-have'; id: Uint8Array; upTo: number };
export type FilePieceFrame = { kind: 'file-piece'; id: Uint8Array; index: number; hash: Uint8Array };
export type FileChunkFrame = { kind: 'file-chunk'; id: Uint8Array; index: number; offset: number; bytes: Uint8Array };
export type FileStopFrame = { kind: 'file-stop'; id: Uint8Array; reason: StopReasonName };
export type FileFrame =
  | FileOfferFrame
  | FileWantFrame
  | FileHaveFrame
  | FilePieceFrame
  | FileChunkFrame
  | FileStopFrame;

/** Bytes before a chunk's data: version, kind, id, index, offset. */
export const CHUNK_HEAD_BYTES = 2 + TRANSFER_ID_BYTES + 4 + 4;

export function piecesFor(size: number, pieceBytes: number): number {
  return Math.ceil(size / pieceBytes);
}

/** The length of piece `index` of a file (the last piece holds the rest). */
export function pieceLength(size: number, pieceBytes: number, index: number): number {
  return Math.max(0, Math.min(pieceBytes, size - index * pieceBytes));
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const U32_MAX = 0xffff_ffff;
const isU32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= U32_MAX;

function head(version: number, kind: number, id: Uint8Array, bodyBytes: number): { out: Uint8Array; view: DataView } {
  if (id.length !== TRANSFER_ID_BYTES) throw new RangeError('transfer id must be 16 bytes');
  const out = new Uint8Array(2 + TRANSFER_ID_BYTES + bodyBytes);
  out[0] = version;
  out[1] = kind;
  out.set(id, 2);
  return { out, view: new DataView(out.buffer, 2 + TRANSFER_ID_BYTES) };
}

/** Checks an offer's numbers agree with each other; also what a receiver checks. */
export function offerProblem(offer: Pick<FileOfferFrame, 'size' | 'pieceBytes' | 'pieces'>): string | undefined {
  if (!Number.isSafeInteger(offer.size) || offer.size < 0) return 'size is not a byte count';
  if (!Number.isInteger(offer.pieceBytes) || offer.pieceBytes < MIN_PIECE_BYTES || offer.pieceBytes > MAX_PIECE_BYTES)
    return 'piece size out of range';
  if (!isU32(offer.pieces) || offer.pieces !== piecesFor(offer.size, offer.pieceBytes))
    return 'piece count does not match the size';
  return undefined;
}

export function encodeFileFrame(version: number, frame: FileFrame): Uint8Array {
  switch (frame.kind) {
    case 'file-offer': {
      const problem = offerProblem(frame);
      if (problem) throw new RangeError(problem);
      const type = utf8.encode(frame.type);
      const name = utf8.encode(frame.name);
      if (type.length > MAX_FILE_TYPE_BYTES) throw new RangeError('type too long');
      if (name.length === 0 || name.length > MAX_FILE_NAME_BYTES) throw new RangeError('name length');
      if (frame.root.length !== HASH_BYTES) throw new RangeError('root must be 32 bytes');
      const fixed = 8 + 4 + 4 + HASH_BYTES + 1;
      const { out, view } = head(version, FileFrameKind.Offer, frame.id, fixed + type.length + name.length);
      view.setFloat64(0, frame.size);
      view.setUint32(8, frame.pieceBytes);
      view.setUint32(12, frame.pieces);
      const at = 2 + TRANSFER_ID_BYTES;
      out.set(frame.root, at + 16);
      out[at + 16 + HASH_BYTES] = type.length;
      out.set(type, at + fixed);
      out.set(name, at + fixed + type.length);
      return out;
    }
    case 'file-want':
    case 'file-have': {
      const n = frame.kind === 'file-want' ? frame.from : frame.upTo;
      if (!isU32(n)) throw new RangeError('piece index out of range');
      const { out, view } = head(
        version,
        frame.kind === 'file-want' ? FileFrameKind.Want : FileFrameKind.Have,
        frame.id,
        4,
      );
      view.setUint32(0, n);
      return out;
    }
    case 'file-piece': {
      if (!isU32(frame.index) || frame.hash.length !== HASH_BYTES) throw new RangeError('piece header');
      const { out, view } = head(version, FileFrameKind.Piece, frame.id, 4 + HASH_BYTES);
      view.setUint32(0, frame.index);
      out.set(frame.hash, 2 + TRANSFER_ID_BYTES + 4);
      return out;
    }
    case 'file-chunk': {
      if (!isU32(frame.index) || !isU32(frame.offset) || frame.bytes.length === 0) throw new RangeError('chunk');
      const { out, view } = head(version, FileFrameKind.Chunk, frame.id, 8 + frame.bytes.length);
      view.setUint32(0, frame.index);
      view.setUint32(4, frame.offset);
      out.set(frame.bytes, CHUNK_HEAD_BYTES);
      return out;
    }
    case 'file-stop': {
      const { out } = head(version, FileFrameKind.Stop, frame.id, 1);
      out[2 + TRANSFER_ID_BYTES] = StopReason[frame.reason];
      return out;
    }
  }
}

const REASONS = Object.fromEntries(Object.entries(StopReason).map(([name, n]) => [n, name])) as Record<
  number,
  StopReasonName
>;

/** Decodes the body (after version and kind) of a file frame, or says why it is malformed. */
export function decodeFileFrame(kind: number, body: Uint8Array): FileFrame | string {
  if (body.length < TRANSFER_ID_BYTES) return 'file frame: too short';
  // Copies: ids and hashes outlive the received buffer. Chunk bytes are a view: used at once.
  const id = body.slice(0, TRANSFER_ID_BYTES);
  const rest = body.subarray(TRANSFER_ID_BYTES);
  const view = new DataView(rest.buffer, rest.byteOffset, rest.length);
  switch (kind) {
    case FileFrameKind.Offer: {
      const fixed = 8 + 4 + 4 + HASH_BYTES + 1;
      if (rest.length < fixed + 1) return 'file offer: too short';
      const size = view.getFloat64(0);
      const pieceBytes = view.getUint32(8);
      const pieces = view.getUint32(12);
      const problem = offerProblem({ size, pieceBytes, pieces });
      if (problem) return `file offer: ${problem}`;
      const typeLength = rest[16 + HASH_BYTES] ?? 0;
      if (typeLength > MAX_FILE_TYPE_BYTES) return 'file offer: type too long';
      const nameBytes = rest.length - fixed - typeLength;
      if (nameBytes < 1 || nameBytes > MAX_FILE_NAME_BYTES) return 'file offer: name length';
      let type: string;
      let name: string;
      try {
        type = strictUtf8.decode(rest.subarray(fixed, fixed + typeLength));
        name = strictUtf8.decode(rest.subarray(fixed + typeLength));
      } catch {
        return 'file offer: not UTF-8';
      }
      const root = rest.slice(16, 16 + HASH_BYTES);
      return { kind: 'file-offer', id, size, pieceBytes, pieces, root, type, name };
    }
    case FileFrameKind.Want:
    case FileFrameKind.Have: {
      if (rest.length !== 4) return 'file want/have: length';
      const n = view.getUint32(0);
      return kind === FileFrameKind.Want ? { kind: 'file-want', id, from: n } : { kind: 'file-have', id, upTo: n };
    }
    case FileFrameKind.Piece:
      if (rest.length !== 4 + HASH_BYTES) return 'file piece: length';
      return { kind: 'file-piece', id, index: view.getUint32(0), hash: rest.slice(4) };
    case FileFrameKind.Chunk:
      if (rest.length <= 8) return 'file chunk: no bytes';
      return { kind: 'file-chunk', id, index: view.getUint32(0), offset: view.getUint32(4), bytes: rest.subarray(8) };
    case FileFrameKind.Stop: {
      const reason = rest.length === 1 ? REASONS[rest[0] ?? 255] : undefined;
      // An unknown reason is a newer protocol's way to stop: still a stop.
      return rest.length === 1 ? { kind: 'file-stop', id, reason: reason ?? 'failed' } : 'file stop: length';
    }
    default:
      return 'file frame: unknown kind';
  }
}
