/**
 * How often things happen in a network namespace, and how long anyone waits. Chosen for the
 * issue-4 goals (a join visible everywhere within 2 s, failover within 5 s after a clean close and
 * 15 s after a crash) on a LAN, where a data channel opens in well under a second.
 */
export type DiscoveryTiming = {
  /** The router pings each member this often; a member that misses two in a row is gone. */
  pingEveryMs: number;
  /** A member that hears nothing from its router this long (two missed pings) has lost it. */
  routerSilenceMs: number;
  /** Opening a member's channel to a router id: past this, the holder is taken to be a crashed router. */
  joinTimeoutMs: number;
  /** Asking a lower router id whether anyone answers. */
  probeTimeoutMs: number;
  /** A record lives this long unless refreshed (well under MAX_PRESENCE_TTL_MS). */
  recordTtlMs: number;
  /** Heartbeat: a member re-signs and re-sends its record this often. */
  refreshEveryMs: number;
  /** Expired records are swept this often. */
  sweepEveryMs: number;
  /**
   * A new router keeps the records it took over this long before dropping those whose members
   * did not check in: every member's jitter (≤ 3 s) plus a join, with room for skew.
   */
  confirmGraceMs: number;
  /** The public address is looked up again this often (the computer may have changed network). */
  addressRecheckMs: number;
};

export const DEFAULT_DISCOVERY_TIMING: DiscoveryTiming = {
  pingEveryMs: 1_500,
  routerSilenceMs: 3_500,
  // A live router on a LAN answers in well under a second; one that is too slow only costs a
  // detour (we claim the next rank, probe down, and hand over).
  joinTimeoutMs: 2_500,
  probeTimeoutMs: 3_000,
  recordTtlMs: 5 * 60_000,
  refreshEveryMs: 2 * 60_000,
  sweepEveryMs: 15_000,
  confirmGraceMs: 5_000,
  addressRecheckMs: 60_000,
};

/** Timers and a clock, passed in (STYLE.md: every global has a seam). */
export interface DiscoveryClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A repeating timer built on the one-shot seam; returns its cancel. */
export function every(clock: DiscoveryClock, ms: number, run: () => void): () => void {
  let handle: unknown;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    handle = clock.setTimeout(() => {
      if (stopped) return;
      run();
      tick();
    }, ms);
  };
  tick();
  return () => {
    stopped = true;
    clock.clearTimeout(handle);
  };
}
