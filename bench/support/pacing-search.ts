/**
 * The raw data channel's baseline, the same way in Node and in Chromium: every chunk size × water
 * marks that the channel's maxMessageSize allows, `runs` runs each; the best median first.
 */
import { median } from '../stats';
import type { Pacing } from './wrtc-raw-channel';

const KIB = 1024;
const MIB = 1024 * KIB;

export const describePacing = (p: Pacing) =>
  `${p.chunkBytes / KIB} KiB chunks, high ${p.highWater / MIB} / low ${p.lowWater / MIB} MiB`;

/** One pacing's runs: MiB/s of each, their median, and what each run reported besides. */
export type PacingResult<T> = { pacing: Pacing; rates: number[]; median: number; runs: T[] };

export async function searchPacings<T extends { mibps: number }>(options: {
  maxMessageSize: number | undefined;
  chunkSizes: readonly number[];
  waterMarks: ReadonlyArray<readonly [number, number]>;
  runs: number;
  run(pacing: Pacing): Promise<T>;
  log(line: string): void;
}): Promise<PacingResult<T>[]> {
  const { maxMessageSize, log } = options;
  const results: PacingResult<T>[] = [];
  for (const chunkBytes of options.chunkSizes) {
    if (maxMessageSize !== undefined && chunkBytes > maxMessageSize) {
      log(`  ${chunkBytes / KIB} KiB chunks: skipped (above maxMessageSize)`);
      continue;
    }
    for (const [highWater, lowWater] of options.waterMarks) {
      const pacing = { chunkBytes, highWater, lowWater };
      const runs: T[] = [];
      for (let i = 0; i < options.runs; i++) runs.push(await options.run(pacing));
      const rates = runs.map((r) => r.mibps);
      results.push({ pacing, rates, median: median(rates), runs });
      log(
        `  ${describePacing(pacing).padEnd(40)} ${rates.map((r) => r.toFixed(1)).join(', ')} MiB/s ` +
          `(median ${median(rates).toFixed(1)})`,
      );
    }
  }
  return results.sort((a, b) => b.median - a.median);
}
