/**
 * The router election's named timers (router-election.ts): starting one replaces the pending
 * timer of that name, as `alarms.create` does, so a stale timer never fires into a later phase.
 * Shared by every adapter that runs the election (a network namespace visit, a rendezvous slot).
 */
import type { ElectionTimer } from './router-election';

export type TimerClock = { setTimeout(run: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };

export function electionTimers(clock: TimerClock, fired: (timer: ElectionTimer) => void) {
  const timers = new Map<ElectionTimer, unknown>();
  return {
    start(timer: ElectionTimer, ms: number) {
      const pending = timers.get(timer);
      if (pending !== undefined) clock.clearTimeout(pending);
      timers.set(
        timer,
        clock.setTimeout(() => {
          timers.delete(timer);
          fired(timer);
        }, ms),
      );
    },
    cancelAll() {
      for (const handle of timers.values()) clock.clearTimeout(handle);
      timers.clear();
    },
  };
}
