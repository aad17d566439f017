/**
 * `peermesh setup` for Gemini CLI, opencode and the Cline CLI, `--hooks` for Claude Code, Codex,
 * Cursor and Gemini CLI, `--remove`, and what `peermesh doctor` says of hooks and of a
 * `peermesh` on PATH that cannot be executed — all with the real built CLI in a temporary HOME.
 * Every file is seeded with the user's own entries (and comments where the format has them):
 * they must come through a write, a second write (no change, byte for byte) and a removal.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'jsonc-parser/lib/esm/main.js';
import type { HookClientId } from '../../src/cli/hooks';
import { cliFiles, cliPath, runCli } from './harness';
import { tempUser } from './temp-user';

type Json = Record<string, unknown>;
const json = (file: string) => parse(readFileSync(file, 'utf8')) as Json;
const read = (file: string) => readFileSync(file, 'utf8');

/** Our hook commands in a hooks file, per event (grouped or flat shape). */
function ourHooks(file: string, client: string): Record<string, Array<{ command: string; matcher?: string; entry: Json }>> {
  const hooks = (json(file).hooks ?? {}) as Record<string, Json[]>;
  const out: Record<string, Array<{ command: string; matcher?: string; entry: Json }>> = {};
  for (const [event, list] of Object.entries(hooks)) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const entries = Array.isArray(item.hooks) ? (item.hooks as Json[]) : [item];
      for (const entry of entries) {
        const command = String(entry.command);
        if (command.includes(' hook ') && command.includes(`--client ${client}`)) (out[event] ??= []).push({ command, matcher: item.matcher as string | undefined, entry });
      }
    }
  }
  return out;
}

describe('peermesh setup: Gemini CLI, opencode, Cline CLI', function () {
  this.timeout(60_000);
  let u: ReturnType<typeof tempUser>;
  beforeEach(() => (u = tempUser()));
  afterEach(() => u.cleanup());

  it('writes each config where the client reads it, keeps the user\'s entries and comments, changes nothing the second time, and --remove restores the file', async () => {
    const xdg = path.join(u.home, 'xdg');
    const env = { ...u.env, XDG_CONFIG_HOME: xdg };
    const opencode = path.join(xdg, 'opencode', 'opencode.json');
    const seeds: Record<string, string> = {
      [u.file('gemini')]: '{\n  // my theme\n  "theme": "Dracula",\n  "mcpServers": {\n    "github": { "command": "gh-mcp" }\n  }\n}\n',
      [opencode]: '{\n  "$schema": "https://opencode.ai/config.json",\n  // models\n  "model": "anthropic/claude-sonnet-4",\n  "mcp": {\n    "docs": { "type": "remote", "url": "https://docs.example/mcp" },\n  },\n}\n',
      [u.file('cline-cli')]: JSON.stringify({ mcpServers: { other: { command: 'o', disabled: true } } }, null, 2) + '\n',
    };
    for (const [file, text] of Object.entries(seeds)) u.seedFile(file, text);

    const first = await runCli(['setup', 'gemini', 'opencode', 'cline-cli'], env);
    assert.equal(first.code, 0, first.stderr);
    const launcher = path.join(u.mesh.home.dir, 'bin', 'peermesh');
    const home = { PEERMESH_HOME: u.mesh.home.dir };

    const gemini = json(u.file('gemini')) as { mcpServers: Json; theme: string };
    assert.deepEqual(gemini.mcpServers.peermesh, { command: launcher, args: ['mcp'], env: home });
    assert.deepEqual(gemini.mcpServers.github, { command: 'gh-mcp' });
    assert.match(read(u.file('gemini')), /\/\/ my theme\n {2}"theme": "Dracula"/);
    assert.match(read(u.file('gemini')), /\n {4}"github": \{ "command": "gh-mcp" \},\n/, 'the user\'s one-line entry stays one line');

    const oc = json(opencode) as { mcp: Json; model: string };
    assert.deepEqual(oc.mcp.peermesh, { type: 'local', command: [launcher, 'mcp'], enabled: true, environment: home });
    assert.deepEqual(oc.mcp.docs, { type: 'remote', url: 'https://docs.example/mcp' });
    assert.match(read(opencode), /\/\/ models\n/);
    assert.ok(!existsSync(path.join(u.home, '.config', 'opencode')), 'XDG_CONFIG_HOME is honoured');

    const cline = json(u.file('cline-cli')) as { mcpServers: Json };
    assert.deepEqual(cline.mcpServers.peermesh, { command: launcher, args: ['mcp'], env: home, disabled: false });
    assert.deepEqual(cline.mcpServers.other, { command: 'o', disabled: true });

    const written = Object.fromEntries(Object.keys(seeds).map((f) => [f, read(f)]));
    const second = await runCli(['setup', 'gemini', 'opencode', 'cline-cli'], env);
    assert.equal(second.code, 0, second.stderr);
    for (const f of Object.keys(seeds)) assert.equal(read(f), written[f], `${f}: a second run changes nothing`);

    const removed = await runCli(['setup', 'gemini', 'opencode', 'cline-cli', '--remove'], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout.split('\n').filter((l) => l.includes('removed the PeerMesh MCP server')).length, 3, removed.stdout);
    for (const [f, text] of Object.entries(seeds)) assert.equal(read(f), text, `${f}: --remove takes out ours and nothing else`);
    const again = await runCli(['setup', 'gemini', '--remove'], env);
    assert.match(again.stdout, /no PeerMesh MCP server or hooks in ~\/\.gemini\/settings\.json/);
  });

  it('refuses a config that is not valid JSON, and changes nothing', async () => {
    const broken = '{ "mcpServers": { "a": { "command": "a" }, }\n';
    u.seed('gemini', broken);
    const r = await runCli(['setup', 'gemini', '--hooks'], u.env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\.gemini\/settings\.json is not valid JSON \(/);
    assert.equal(read(u.file('gemini')), broken);
  });
});

describe('peermesh setup --hooks', function () {
  this.timeout(60_000);
  let u: ReturnType<typeof tempUser>;
  beforeEach(() => (u = tempUser()));
  afterEach(() => u.cleanup());

  const clients: HookClientId[] = ['claude-code', 'codex', 'cursor', 'gemini'];
  /** Per client: its events in order, and the matcher of the edit guard. */
  const expected: Record<HookClientId, { events: string[]; guard: string; guardMatcher: string; timeout: number }> = {
    'claude-code': { events: ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Stop'], guard: 'PreToolUse', guardMatcher: 'Edit|Write|MultiEdit|NotebookEdit', timeout: 10 },
    codex: { events: ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Stop'], guard: 'PreToolUse', guardMatcher: 'apply_patch|Edit|Write', timeout: 10 },
    cursor: { events: ['sessionStart', 'beforeSubmitPrompt', 'preToolUse', 'postToolUse', 'stop'], guard: 'preToolUse', guardMatcher: 'Write|Edit|StrReplace|Delete', timeout: 10 },
    gemini: { events: ['SessionStart', 'BeforeAgent', 'BeforeTool', 'AfterTool', 'AfterAgent'], guard: 'BeforeTool', guardMatcher: 'replace|write_file', timeout: 10_000 },
  };

  /** The user's own hooks, with comments, in each client's format. */
  function seedUserHooks(): Record<string, string> {
    const seeds: Record<string, string> = {
      [u.hooksFile('claude-code')]: '{\n  // my settings\n  "model": "opus",\n  "hooks": {\n    "PreToolUse": [\n      { "matcher": "Bash", "hooks": [ { "type": "command", "command": "~/bin/check-bash" } ] }\n    ]\n  }\n}\n',
      [u.hooksFile('codex')]: '{\n  "hooks": {\n    "Stop": [\n      { "hooks": [ { "type": "command", "command": "notify-send done" } ] }\n    ]\n  }\n}\n',
      [u.hooksFile('cursor')]: '{\n  "version": 1,\n  "hooks": {\n    "afterFileEdit": [ { "command": "./format.sh" } ],\n    "stop": [ { "command": "./audit.sh" } ]\n  }\n}\n',
      [u.hooksFile('gemini')]: '{\n  // gemini\n  "hooks": {\n    "BeforeTool": [\n      { "matcher": "run_shell_command", "hooks": [ { "name": "guard", "type": "command", "command": "./guard.sh" } ] }\n    ]\n  }\n}\n',
    };
    for (const [file, text] of Object.entries(seeds)) u.seedFile(file, text);
    return seeds;
  }

  it('installs each client\'s hooks in its own format, keeps the user\'s, and a second run changes nothing', async () => {
    const seeds = seedUserHooks();
    const r = await runCli(['setup', ...clients, '--hooks'], u.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Codex: .*hooks\.json \(hooks\).*open \/hooks in Codex/);
    const launcher = path.join(u.mesh.home.dir, 'bin', 'peermesh');
    for (const id of clients) {
      const want = expected[id];
      const ours = ourHooks(u.hooksFile(id), id);
      assert.deepEqual(Object.keys(ours).sort(), [...want.events].sort(), `${id}: one hook per event`);
      for (const event of want.events) {
        assert.equal(ours[event].length, 1, `${id} ${event}`);
        assert.equal(ours[event][0].command, `PEERMESH_HOME=${u.mesh.home.dir} ${launcher} hook ${event} --client ${id}`);
        assert.equal(ours[event][0].entry.timeout, want.timeout, `${id}: timeout in the client's unit`);
      }
      assert.equal(ours[want.guard][0].matcher, want.guardMatcher, `${id}: the edit guard's matcher`);
    }
    assert.equal(ourHooks(u.hooksFile('claude-code'), 'claude-code').PostToolUse[0].matcher, '*', 'news on every tool call');
    assert.deepEqual((ourHooks(u.hooksFile('gemini'), 'gemini').SessionStart[0].entry as { name: string }).name, 'peermesh');
    // The user's hooks and comments are all still there.
    assert.match(read(u.hooksFile('claude-code')), /\/\/ my settings\n {2}"model": "opus",[\s\S]*\n {6}\{ "matcher": "Bash", "hooks": \[ \{ "type": "command", "command": "~\/bin\/check-bash" \} \] \},\n/);
    assert.match(read(u.hooksFile('codex')), /"command": "notify-send done"/);
    assert.deepEqual((json(u.hooksFile('cursor')).hooks as Json).afterFileEdit, [{ command: './format.sh' }]);
    assert.equal((json(u.hooksFile('cursor')) as { version: number }).version, 1);
    assert.match(read(u.hooksFile('gemini')), /\/\/ gemini\n[\s\S]*"command": "\.\/guard\.sh"/);
    // Gemini's MCP entry and hooks share settings.json.
    assert.ok((json(u.hooksFile('gemini')).mcpServers as Json).peermesh);

    const written = Object.fromEntries(Object.keys(seeds).map((f) => [f, read(f)]));
    const second = await runCli(['setup', ...clients, '--hooks'], u.env);
    assert.equal(second.code, 0, second.stderr);
    for (const f of Object.keys(seeds)) assert.equal(read(f), written[f], `${f}: byte for byte the same`);
  });

  it('--hook-mode ask marks only the edit guard; a moved launcher is updated, not duplicated; --remove takes out exactly what setup added', async () => {
    const seeds = seedUserHooks();
    const mcpSeed = '{\n  "mcpServers": {\n    "linear": { "url": "https://mcp.linear.app/sse" }\n  }\n}\n';
    u.seed('cursor', mcpSeed);
    assert.equal((await runCli(['setup', ...clients, '--hooks', '--hook-mode', 'ask'], u.env)).code, 0);
    for (const id of clients) {
      const ours = ourHooks(u.hooksFile(id), id);
      for (const [event, [{ command }]] of Object.entries(ours)) {
        assert.equal(command.endsWith(' --mode ask'), event === expected[id].guard, `${id} ${event}: ${command}`);
      }
    }
    // An older setup pointed the hooks elsewhere: the next run rewrites them in place.
    const launcher = path.join(u.mesh.home.dir, 'bin', 'peermesh');
    for (const id of clients) writeFileSync(u.hooksFile(id), read(u.hooksFile(id)).split(launcher).join('/old/place/bin/peermesh'));
    assert.equal((await runCli(['setup', ...clients, '--hooks'], u.env)).code, 0);
    for (const id of clients) {
      const ours = ourHooks(u.hooksFile(id), id);
      for (const event of expected[id].events) {
        assert.equal(ours[event].length, 1, `${id} ${event}: updated, not duplicated`);
        assert.ok(ours[event][0].command.includes(launcher) && !ours[event][0].command.includes('--mode'), ours[event][0].command);
      }
    }

    const r = await runCli(['setup', ...clients, '--remove'], u.env);
    assert.equal(r.code, 0, r.stderr);
    for (const [file, text] of Object.entries(seeds)) {
      if (file === u.hooksFile('gemini')) continue; // its MCP entry lived there too: checked below
      assert.equal(read(file), text, `${file}: back to the user's own`);
    }
    assert.equal(read(u.hooksFile('gemini')), seeds[u.hooksFile('gemini')]);
    assert.equal(read(u.file('cursor')), mcpSeed);
    assert.ok(!('peermesh' in ((json(u.file('claude-code')).mcpServers as Json | undefined) ?? {})));
  });

  it('honours CODEX_HOME, --print shows the hooks, and refuses what it cannot do', async () => {
    const codexHome = path.join(u.home, 'codex-home');
    const env = { ...u.env, CODEX_HOME: codexHome };
    assert.equal((await runCli(['setup', 'codex', '--hooks'], env)).code, 0);
    assert.ok(ourHooks(path.join(codexHome, 'hooks.json'), 'codex').PreToolUse);
    assert.ok(!existsSync(path.join(u.home, '.codex')));

    const printed = await runCli(['setup', 'cursor', '--hooks', '--print', '--hook-mode', 'warn'], u.env);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /# Cursor hooks: ~\/\.cursor\/hooks\.json\n\{\n {2}"version": 1,/);
    assert.match(printed.stdout, /hook preToolUse --client cursor --mode warn"/);
    assert.ok(!existsSync(u.hooksFile('cursor')), '--print writes nothing');

    const noHooks = await runCli(['setup', 'windsurf', '--hooks'], u.env);
    assert.equal(noHooks.code, 2);
    assert.match(noHooks.stderr, /--hooks: windsurf has no hooks PeerMesh installs/);
    const git = await runCli(['setup', 'git-hook', 'cursor'], u.env);
    assert.equal(git.code, 2);
    assert.match(git.stderr, /set up git-hook on its own/);
    const mode = await runCli(['setup', 'cursor', '--hooks', '--hook-mode', 'block'], u.env);
    assert.equal(mode.code, 2);
  });
});

describe('peermesh doctor: hooks and the peermesh on PATH', function () {
  this.timeout(60_000);
  let u: ReturnType<typeof tempUser>;
  beforeEach(() => (u = tempUser()));
  afterEach(() => u.cleanup());

  it('reports hooks installed, missing, stale and not executable, each with its fix', async () => {
    assert.equal((await runCli(['setup', 'claude-code', 'cursor', 'codex', '--hooks'], u.env)).code, 0);
    const ok = await runCli(['doctor'], u.env);
    assert.match(ok.stdout, /^✔ Claude Code: PeerMesh hooks for 5 events in ~\/\.claude\/settings\.json$/m);
    assert.match(ok.stdout, /^✔ Cursor: PeerMesh hooks for 5 events in ~\/\.cursor\/hooks\.json$/m);

    // Missing: the user deleted the Stop hook. Stale: Cursor's hooks run an old copy that still works.
    const claude = json(u.hooksFile('claude-code')) as { hooks: Json };
    delete claude.hooks.Stop;
    writeFileSync(u.hooksFile('claude-code'), JSON.stringify(claude, null, 2));
    const launcher = path.join(u.mesh.home.dir, 'bin', 'peermesh');
    const old = path.join(u.home, 'old-bin', 'peermesh');
    mkdirSync(path.dirname(old));
    copyFileSync(launcher, old);
    chmodSync(old, 0o755);
    writeFileSync(u.hooksFile('cursor'), read(u.hooksFile('cursor')).split(launcher).join(old));
    // Not executable: Codex's hooks run a file without the x bit.
    const noexec = path.join(u.home, 'noexec', 'peermesh');
    mkdirSync(path.dirname(noexec));
    copyFileSync(launcher, noexec);
    chmodSync(noexec, 0o644);
    writeFileSync(u.hooksFile('codex'), read(u.hooksFile('codex')).split(launcher).join(noexec));

    const bad = await runCli(['doctor'], u.env);
    console.log(bad.stdout.replace(/^/gm, '      '));
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^✘ Claude Code: PeerMesh hooks missing for Stop in ~\/\.claude\/settings\.json\n {4}fix: peermesh setup claude-code --hooks$/m);
    assert.match(bad.stdout, new RegExp(`^! Cursor: the sessionStart hook runs \`.*${old}.*\`; setup now writes .*\\n {4}fix: peermesh setup cursor --hooks$`, 'm'));
    assert.match(bad.stdout, new RegExp(`^✘ Codex: the SessionStart hook runs a file that cannot be executed: -rw-r--r-- ${noexec}\\n {4}fix: peermesh setup codex --hooks$`, 'm'));

    // Each fix, applied, fixes it.
    assert.equal((await runCli(['setup', 'claude-code', 'cursor', 'codex', '--hooks'], u.env)).code, 0);
    const fixed = await runCli(['doctor'], u.env);
    for (const label of ['Claude Code', 'Cursor', 'Codex']) assert.match(fixed.stdout, new RegExp(`^✔ ${label}: PeerMesh hooks for 5 events`, 'm'), fixed.stdout);
  });

  it('catches a `peermesh` on PATH that cannot be executed, and its fix (chmod +x on the target) works', async () => {
    // As `npm link` can leave it: a symlink on PATH to a cli.js without the x bit.
    const pkg = path.join(u.home, 'pkg', 'dist');
    const bin = path.join(u.home, 'bin');
    mkdirSync(pkg, { recursive: true });
    mkdirSync(bin);
    for (const f of cliFiles) copyFileSync(path.join(path.dirname(cliPath), f), path.join(pkg, f));
    const cli = path.join(pkg, 'cli.js');
    chmodSync(cli, 0o644);
    symlinkSync(cli, path.join(bin, 'peermesh'));
    const env = { ...u.env, PATH: `${bin}${path.delimiter}${u.env.PATH}` };
    const run = (args: string[]) => new Promise<{ code: number | null; stdout: string }>((resolve) => {
      try {
        resolve({ code: 0, stdout: execFileSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' }) });
      } catch (e) {
        const err = e as { status: number | null; stdout: string };
        resolve({ code: err.status, stdout: err.stdout });
      }
    });

    // setup does not count on a peermesh it cannot run: the config runs the launcher.
    assert.equal((await run(['setup', 'claude-code', '--hooks'])).code, 0);
    const entry = (json(u.file('claude-code')).mcpServers as Record<string, { command: string }>).peermesh;
    assert.equal(entry.command, path.join(u.mesh.home.dir, 'bin', 'peermesh'));

    // What an older setup wrote: `peermesh` itself. The agent fails with EACCES; doctor says why.
    const claude = json(u.file('claude-code')) as { mcpServers: Record<string, Json> };
    claude.mcpServers.peermesh = { type: 'stdio', command: 'peermesh', args: ['mcp'], env: { PEERMESH_HOME: u.mesh.home.dir } };
    writeFileSync(u.file('claude-code'), JSON.stringify(claude, null, 2));
    const bad = await run(['doctor']);
    console.log(bad.stdout.replace(/^/gm, '      '));
    assert.equal(bad.code, 1);
    const real = realpathSync(cli);
    assert.match(bad.stdout, new RegExp(`^✘ \`peermesh\` on PATH cannot be executed .*: ${path.join(bin, 'peermesh')} -> ${cli} \\(${real}: -rw-r--r--\\)\\n {4}fix: chmod \\+x ${real} `, 'm'));
    assert.match(bad.stdout, /^✘ Claude Code: `peermesh` does not start: .*EACCES/m);

    // The fix doctor gave, applied: the agent's command now runs, and doctor agrees.
    chmodSync(real, 0o755);
    assert.match(execFileSync('peermesh', ['--version'], { env, encoding: 'utf8' }), /^\d+\.\d+\.\d+/);
    const good = await run(['doctor']);
    assert.match(good.stdout, /^✔ `peermesh` on PATH: /m);
    assert.match(good.stdout, /^✔ Claude Code: ~\/\.claude\.json runs peermesh \d/m);
    // And setup now writes `peermesh` itself for this terminal client, hooks included, in place.
    assert.equal((await run(['setup', 'claude-code', '--hooks'])).code, 0);
    assert.equal(ourHooks(u.hooksFile('claude-code'), 'claude-code').Stop[0].command, `PEERMESH_HOME=${u.mesh.home.dir} peermesh hook Stop --client claude-code`);
  });
});
