// The agents' own word: after `peermesh setup <client> --hooks`, does each agent's own
// `mcp list` show PeerMesh (connected, where the agent connects to list)? A slower tier of its
// own, run by .ci/run after `npm test`:
//   node test/agents/mcp-list.mjs [claude|codex|gemini|opencode ...]
// Installs the pinned agent CLIs from the npm registry into
// ${PEERMESH_CACHE_DIR:-~/.cache/peermesh}/agents (once; later runs reuse them), then runs each
// in a throwaway HOME. No model, no account and no network beyond npm: `mcp list` needs none,
// and every update check and model fetch is switched off. Ends with `N passed, N failed`.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');

/** The agents and the versions tested: the one place to bump them. */
const agents = {
  claude: {
    pkg: '@anthropic-ai/claude-code', version: '2.1.332', client: 'claude-code', hooks: true,
    // `claude mcp list` starts each server to show its health.
    expect: /^peermesh: .* - ✔ Connected$/m,
  },
  codex: {
    pkg: '@openai/codex', version: '0.171.0', client: 'codex', hooks: true,
    // `codex mcp list` does not connect: it shows the entry and whether it is enabled.
    expect: /^peermesh\s+\S+\s+mcp\s+PEERMESH_HOME=\*+\s+-\s+enabled\b/m,
  },
  gemini: {
    pkg: '@google/gemini-cli', version: '0.61.0', client: 'gemini', hooks: true,
    expect: /^✓ peermesh: .* \(stdio\) - Connected$/m,
  },
  opencode: {
    pkg: 'opencode-ai', version: '1.18.33', client: 'opencode', hooks: false,
    expect: /^●\s+✓ peermesh\s+connected$/m,
  },
};

const cacheDir = path.join(process.env.PEERMESH_CACHE_DIR || path.join(os.homedir(), '.cache', 'peermesh'), 'agents');
const wanted = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(agents);
for (const name of wanted) if (!agents[name]) throw new Error(`unknown agent ${name}; known: ${Object.keys(agents).join(', ')}`);

/** An environment for npm without the outer npm's lifecycle variables (this may run inside `npm run`). */
function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, ...extra };
}

function installed() {
  try {
    const manifest = JSON.parse(readFileSync(path.join(cacheDir, 'package.json'), 'utf8'));
    return Object.values(agents).every((a) => manifest.dependencies?.[a.pkg] === a.version && existsSync(path.join(cacheDir, 'node_modules', a.pkg, 'package.json')));
  } catch {
    return false;
  }
}

function install() {
  if (installed()) return false;
  mkdirSync(cacheDir, { recursive: true });
  const specs = Object.values(agents).map((a) => `${a.pkg}@${a.version}`);
  console.log(`agents: installing ${specs.join(' ')} into ${cacheDir}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['install', '--prefix', cacheDir, '--save-exact', '--no-audit', '--no-fund', '--loglevel', 'error', ...specs], { stdio: 'inherit', env: cleanEnv() });
  return true;
}

/** Terminal escape sequences (colours, cursor moves). */
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Colours and the cursor moves of spinners are not part of what is said.
      resolve({ code, out: out.replace(ansi, '').replace(/\r/g, '') });
    });
  });
}

/** Stops the broker `peermesh mcp` started in a throwaway mesh home (by its pid in broker.json). */
function stopBroker(meshHome) {
  try {
    const { pid } = JSON.parse(readFileSync(path.join(meshHome, 'broker.json'), 'utf8'));
    if (pid) process.kill(pid, 'SIGTERM');
  } catch {
    /* none started, or gone already */
  }
}

async function check(name) {
  const agent = agents[name];
  const root = mkdtempSync(path.join(os.tmpdir(), `pm-agent-${name}-`));
  const home = path.join(root, 'home');
  const project = path.join(root, 'project');
  const mesh = path.join(root, 'mesh');
  mkdirSync(home);
  mkdirSync(project);
  const env = cleanEnv({
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    PEERMESH_HOME: mesh,
    // Offline: no update checks, telemetry or model lists.
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    GEMINI_CLI_NO_RELAUNCH: 'true',
    // Gemini CLI connects no MCP server in a folder it does not trust (see README, doctor).
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
  });
  delete env.CODEX_HOME;
  const started = Date.now();
  try {
    const setupArgs = ['setup', agent.client, ...(agent.hooks ? ['--hooks'] : [])];
    const setup = await run(process.execPath, [cli, ...setupArgs], { env, cwd: project });
    if (setup.code !== 0) return { name, ok: false, why: `peermesh ${setupArgs.join(' ')} failed:\n${setup.out}` };
    const bin = path.join(cacheDir, 'node_modules', '.bin', name);
    const listed = await run(bin, ['mcp', 'list'], { env, cwd: project });
    const ok = listed.code === 0 && agent.expect.test(listed.out) && !/invalid|failed to (load|parse)/i.test(listed.out);
    return { name, ok, seconds: (Date.now() - started) / 1000, why: ok ? listed.out.trim() : `${name} mcp list exited ${listed.code}, expected ${agent.expect}:\n${listed.out}` };
  } finally {
    stopBroker(mesh);
    rmSync(root, { recursive: true, force: true });
  }
}

const t0 = Date.now();
if (!existsSync(cli)) execFileSync(process.execPath, [path.join(repo, 'esbuild.mjs')], { stdio: 'inherit', cwd: repo });
const fresh = install();
console.log(`agents: ${fresh ? 'installed' : 'cached'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
let passed = 0;
let failed = 0;
for (const name of wanted) {
  const r = await check(name);
  console.log(`${r.ok ? '✔' : '✘'} ${name} ${agents[name].version}: mcp list${r.seconds ? ` (${r.seconds.toFixed(1)} s)` : ''}\n${r.why.replace(/^/gm, '    ')}`);
  if (r.ok) passed++;
  else failed++;
}
console.log(`agents: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
