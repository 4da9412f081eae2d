/**
 * What the popup shows of one file transfer, either direction. The agent fills these in its
 * snapshot (`AgentSnapshot.transfers`); the popup only draws them.
 */

export type TransferDirection = 'outgoing' | 'incoming';

/**
 * - `preparing`: the sender is reading the file once to hash it (progress in `bytesDone`).
 * - `offered`: outgoing, waiting for the contact to accept; incoming, waiting for this user.
 * - `moving`: bytes are flowing.
 * - `waiting`: accepted, but the contact is not reachable now; resumes when they are.
 * - `verifying`: every piece is in; the receiver checks the whole file against the offer's hash.
 * - `done`: outgoing, the receiver holds the verified file; incoming, handed to downloads.
 */
export type TransferStatus =
  | 'preparing'
  | 'offered'
  | 'moving'
  | 'waiting'
  | 'verifying'
  | 'done'
  | 'declined'
  | 'cancelled'
  | 'failed';

export type TransferProblem =
  /** The data did not match its hashes again and again; nothing of it was kept. */
  | { kind: 'damaged'; detail: string }
  /** The file could not be read (sender) or stored (receiver). */
  | { kind: 'storage'; detail: string }
  /** The downloads API refused the finished file (it is kept: "Save" tries again). */
  | { kind: 'download'; detail: string };

export type TransferView = {
  id: string;
  contactKey: string;
  direction: TransferDirection;
  name: string;
  size: number;
  /** MIME type as the sender's browser named it ('' when unknown). */
  type: string;
  status: TransferStatus;
  /** Bytes the receiver holds (verified and stored), as this side knows it. */
  bytesDone: number;
  /** Smoothed over the last few seconds; 0 when nothing moves. */
  bytesPerSecond: number;
  /** Seconds left at the current speed; undefined when unknown. */
  secondsLeft?: number;
  problem?: TransferProblem;
  /** When the transfer was offered (ms since epoch). */
  createdAt: number;
  /** Incoming and done: whether the file reached downloads (else "Save" offers it again). */
  saved?: boolean;
};

/** A finished transfer stays in the list this long, then goes (its file is in downloads). */
export const FINISHED_TRANSFER_VISIBLE_MS = 24 * 60 * 60_000;
