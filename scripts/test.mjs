#!/usr/bin/env node
// Runs every test once and ends with the plain line "N passed, N failed" that CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const results = '.vitest-results.json';
rmSync(results, { force: true });
const run = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (!existsSync(results)) {
  console.log('0 passed, 1 failed');
  console.error('vitest wrote no results: it failed before running the tests');
  process.exit(run.status || 1);
}
const summary = JSON.parse(readFileSync(results, 'utf8'));
const passed = summary.numPassedTests;
// A file that fails to load counts as one failure even though none of its tests ran. (Not
// numFailedTestSuites: vitest counts every describe block with a failing test there too.)
const unloaded = summary.testResults.filter(
  (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
).length;
const failed = summary.numFailedTests + unloaded;
const skipped = summary.numPendingTests + summary.numTodoTests;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || run.status !== 0 || passed === 0 ? 1 : 0);
