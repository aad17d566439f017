// Prints test results the way mocha's spec reporter does, and one mocha summary for all runs
// ("N passing (Xs)", "N failing", "N pending"), which scripts/test.mjs adds up per tier.
// A test is { title, state: 'passed' | 'failed' | 'pending', durationMs, error?: { message, stack } }.

const log = (line = '') => console.log(line);
export const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

/**
 * @param {{ name: string, elapsedMs: number, tests: object[] }[]} runs
 * @returns {number} the exit code: 0 when something passed and nothing failed
 */
export function printRuns(runs, startedAt) {
  const all = runs.flatMap((run) => run.tests);
  let failureIndex = 0;
  for (const run of runs) {
    log(`\n  ${run.name}: ${run.tests.length} tests in ${seconds(run.elapsedMs)}`);
    for (const test of run.tests) {
      const time = test.durationMs >= 1 ? ` (${Math.round(test.durationMs)}ms)` : '';
      if (test.state === 'passed') log(`    ✔ ${test.title}${time}`);
      else if (test.state === 'pending') log(`    - ${test.title}`);
      else log(`    ${++failureIndex}) ✗ ${test.title}${time}`);
    }
  }
  const passing = all.filter((t) => t.state === 'passed').length;
  const failing = all.filter((t) => t.state === 'failed');
  const pending = all.filter((t) => t.state === 'pending').length;
  log(`\n  ${passing} passing (${seconds(Date.now() - startedAt)})`);
  if (failing.length > 0) log(`  ${failing.length} failing`);
  if (pending > 0) log(`  ${pending} pending`);
  failing.forEach((test, i) => {
    log(`\n  ${i + 1}) ${test.title}:`);
    log(`     ${(test.error?.stack ?? test.error?.message ?? 'failed').split('\n').join('\n     ')}`);
  });
  return failing.length === 0 && passing > 0 ? 0 : 1;
}

/** A run that could not produce test results at all, as one failed test. */
export function failedRun(name, title, error, elapsedMs = 0) {
  return { name, elapsedMs, tests: [{ title, state: 'failed', durationMs: elapsedMs, error: { message: error.message ?? String(error), stack: error.stack } }] };
}
