/**
 * `npm test`: types and lint, unit and integration tests (Node), then end-to-end tests in real
 * browsers. Ends with one line counting every test: `tests: N passed, N failed`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_OUTPUT } from '../tests/e2e/support/paths';
import { ensureSystemPackages } from './system-packages';

type VitestJson = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  /** Files that failed to load count here, not in the tests. */
  numFailedTestSuites?: number;
  testResults?: Array<{ status: string; assertionResults: unknown[] }>;
};

mkdirSync(TEST_OUTPUT, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };

function vitest(label: string, command: string[], report: string): boolean {
  console.log(`\n== ${label}`);
  const result = spawnSync(command[0] ?? 'npx', command.slice(1), { stdio: 'inherit' });
  try {
    const counts = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
    totals.passed += counts.numPassedTests;
    // A file that failed before running any test (say, it could not read its data) has no
    // failed tests to count: count the file itself.
    const brokenFiles = (counts.testResults ?? []).filter(
      (file) => file.status === 'failed' && file.assertionResults.length === 0,
    ).length;
    totals.failed += counts.numFailedTests + brokenFiles;
    totals.skipped += counts.numPendingTests;
  } catch {
    totals.failed += 1; // the run did not even report
  }
  return result.status === 0;
}

console.log('== types and lint');
execFileSync('npx', ['tsc', '--noEmit'], { stdio: 'inherit' });
execFileSync('npx', ['biome', 'check', '.'], { stdio: 'inherit' });

const json = (name: string) => [
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${join(TEST_OUTPUT, name)}`,
];
const unitOk = vitest(
  'unit and integration tests',
  ['npx', 'vitest', 'run', ...json('node.json')],
  join(TEST_OUTPUT, 'node.json'),
);
ensureSystemPackages();
const e2eOk = vitest(
  'end-to-end tests in Chromium and Firefox',
  ['npx', 'tsx', 'scripts/test-e2e.ts', ...json('e2e.json')],
  join(TEST_OUTPUT, 'e2e.json'),
);

console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(unitOk && e2eOk && totals.failed === 0 ? 0 : 1);
