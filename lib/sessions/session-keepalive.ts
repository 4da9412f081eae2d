/**
 * A session says it is alive: a keepalive frame every SESSION_BEAT_MS, and a session that heard
 * nothing for SESSION_SILENCE_MS is over. Without it, a browser that closed or vanished is
 * noticed only when ICE gives up (30 s and more), and its contact shows online all that time.
 */
import { encodeFrame } from '../protocol/frame';
import type { SecureLink } from './secure-link';

/** A quiet session says it is alive this often… */
export const SESSION_BEAT_MS = 3_000;
/** …and one that heard nothing for this long is over. */
export const SESSION_SILENCE_MS = 10_000;

export type KeepaliveClock = { now(): number; setTimeout(run: () => void, ms: number): unknown };

/**
 * Beats until `stillCurrent()` turns false; calls `onSilent` once if the other side falls silent.
 * Register it after the session's main frame reader: the first reader takes the held-back frames.
 */
export function keepSessionAlive(
  session: SecureLink,
  clock: KeepaliveClock,
  stillCurrent: () => boolean,
  onSilent: (detail: string) => void,
): void {
  let heard = clock.now();
  session.onFrame(() => {
    heard = clock.now();
  });
  const beat = () => {
    if (!stillCurrent()) return;
    if (clock.now() - heard > SESSION_SILENCE_MS) {
      onSilent(`nothing heard for ${SESSION_SILENCE_MS / 1000} s`);
      return;
    }
    session.send(encodeFrame({ kind: 'keepalive' }));
    clock.setTimeout(beat, SESSION_BEAT_MS);
  };
  clock.setTimeout(beat, SESSION_BEAT_MS);
}
