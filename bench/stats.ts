/** Small descriptive statistics and the sampling scheme for benchmarks: no dependencies, no assertions. */

/** Linear-interpolated quantile (the "type 7" definition spreadsheets and NumPy use); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const below = sorted[Math.floor(position)] ?? Number.NaN;
  const above = sorted[Math.ceil(position)] ?? Number.NaN;
  return below + (above - below) * (position - Math.floor(position));
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export type Summary = { n: number; median: number; p90: number; min: number; max: number };

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: median(values),
    p90: quantile(values, 0.9),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/** `a / b` with two decimals, or `n/a` when either side has no samples. */
export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : 'n/a';
}

/** Paired samples of our code and its baseline, taken in turns; plus what could not be counted. */
export type Samples = { ours: number[]; bare: number[]; failures: string[] };

export type Sampling = {
  rounds: number;
  /** Leading rounds whose samples are dropped (JIT, connection caches). */
  warmup: number;
  /** No round starts after this many milliseconds. */
  budgetMs: number;
  /** The run stops after this many failed samples. */
  maxFailures: number;
};

/**
 * Runs rounds of one OURS and one BARE sample, flipping their order every round, so that machine
 * noise and any drift over the run hit both sides alike.
 */
export async function interleave(
  sampling: Sampling,
  ours: (round: number) => Promise<number>,
  bare: (round: number) => Promise<number>,
  between: () => Promise<void> = async () => {},
): Promise<Samples> {
  const samples: Samples = { ours: [], bare: [], failures: [] };
  const started = performance.now();
  for (let round = 0; round < sampling.warmup + sampling.rounds; round++) {
    if (performance.now() - started > sampling.budgetMs) {
      samples.failures.push(`time budget of ${sampling.budgetMs} ms used up after ${round} rounds`);
      break;
    }
    const order: Array<['ours' | 'bare', (round: number) => Promise<number>]> = [
      ['ours', ours],
      ['bare', bare],
    ];
    if (round % 2 === 1) order.reverse();
    for (const [side, take] of order) {
      try {
        const ms = await take(round);
        if (round >= sampling.warmup) samples[side].push(ms);
      } catch (error) {
        samples.failures.push(`${side} round ${round}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await between();
    }
    if (samples.failures.length >= sampling.maxFailures) break;
  }
  return samples;
}

export const formatMs = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : 'n/a');

const LABEL_WIDTH = 30;

export const tableHeader = (): string =>
  `${''.padEnd(LABEL_WIDTH)}${'n'.padStart(4)}${['median', 'p90', 'min', 'max'].map((h) => h.padStart(11)).join('')}`;

export function tableRow(label: string, summary: Summary): string {
  return [
    label.padEnd(LABEL_WIDTH),
    String(summary.n).padStart(4),
    ...[summary.median, summary.p90, summary.min, summary.max].map((value) => formatMs(value).padStart(11)),
  ].join('');
}

/** The median of the first and of the second half of a run's samples: does it drift? */
export function halves(values: readonly number[]): [number, number] {
  const middle = Math.floor(values.length / 2);
  return [median(values.slice(0, middle)), median(values.slice(middle))];
}
