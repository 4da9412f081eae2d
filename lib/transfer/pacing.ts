/**
 * How fast a sender hands chunks to a session. It keeps the bytes waiting in front of the
 * network between LOW and HIGH: enough that the data channel never runs dry, little enough that
 * a chat message sent meanwhile waits behind at most HIGH bytes, and far below the browser's
 * own queue limit (Chrome closes a channel whose buffer passes 16 MiB; PeerJS queues above 8).
 * Figures behind the choice: `npm run bench:transfer` (bench/transfer.ts).
 */
import { CHUNK_HEAD_BYTES } from '../protocol/file-frame';
import type { SecureLink } from '../sessions/secure-link';

export const HIGH_WATER_BYTES = 1024 * 1024;
export const LOW_WATER_BYTES = 256 * 1024;

/** The most file bytes one chunk frame takes on this session. */
export function chunkBytesFor(
  session: Pick<SecureLink, 'maxFrameBytes'>,
  preferred = Number.POSITIVE_INFINITY,
): number {
  return Math.max(1, Math.min(preferred, session.maxFrameBytes() - CHUNK_HEAD_BYTES));
}

/** Waits, if need be, until the session can take another chunk. */
export async function paced(session: Pick<SecureLink, 'buffered' | 'drained'>): Promise<void> {
  if (session.buffered() > HIGH_WATER_BYTES) await session.drained(LOW_WATER_BYTES);
}
