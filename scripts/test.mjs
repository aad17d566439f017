// Runs every test tier in order and ends with one line CI can read: `N passed, N failed`.
//   node scripts/test.mjs [tier...]     tiers: static unit integration cold vscode e2e
// Each tier is an npm script (test:<tier>) that prints mocha's summary ("N passing",
// "N failing", "N pending"); this script adds them up and times each tier.
// `cold` (installing the VS Code server into an empty cache from inside npm, as a new user's
// first run does) runs by default only when the cache lacks the server; named, it always runs.
import { spawn } from 'node:child_process';
import { vsCodeServerCached } from './vscode-server.mjs';

const allTiers = ['static', 'unit', 'integration', 'cold', 'vscode', 'e2e'];
let tiers = process.argv.length > 2 ? process.argv.slice(2) : allTiers;
if (process.argv.length <= 2 && vsCodeServerCached()) {
  console.log('cold: the VS Code server is cached already, so the cold-install tier is left out (`npm run test:cold` runs it)');
  tiers = tiers.filter((tier) => tier !== 'cold');
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function runTier(tier) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(npm, ['run', '--silent', `test:${tier}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk.toString();
    });
    child.on('close', (code) => {
      const count = (word) => [...out.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
      let passed = count('passing');
      let failed = count('failing');
      const pending = count('pending');
      // A tier that exits non-zero without reporting a failure (crash, timeout) counts as one.
      if (code !== 0 && failed === 0) failed = 1;
      // A static check (types, lint) is one test of its own.
      if (tier === 'static' && passed === 0 && failed === 0) passed = 1;
      resolve({ tier, code, passed, failed, pending, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const results = [];
for (const tier of tiers) {
  console.log(`\n=== ${tier} ===`);
  results.push(await runTier(tier));
}

console.log('\n=== summary ===');
for (const r of results) {
  console.log(`${r.tier.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.pending).padStart(3)} pending  ${r.seconds.toFixed(1).padStart(7)} s${r.code === 0 ? '' : `  (exit ${r.code})`}`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
