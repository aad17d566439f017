/**
 * `peermesh setup` and `peermesh doctor` against a temporary HOME: each client's config is
 * written where that client reads it, the rest of the file is kept, a second run changes
 * nothing, and the written command really starts a working bridge.
 */
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parse } from 'jsonc-parser/lib/esm/main.js';
import { candidatePorts } from '../../src/home/home';
import type { ClientId } from '../../src/cli/clients';
import { refreshLauncher } from '../../src/home/launcher';
import { readTable } from '../../src/cli/toml';
import { cliFiles, cliPath, runCli, spawnCli, tempHome } from './harness';
import { tempUser } from './temp-user';

const cli = realpathSync(cliPath);

const all: ClientId[] = ['claude-code', 'cursor', 'codex', 'windsurf', 'vscode', 'cline'];

describe('peermesh setup: MCP client configs', function () {
  this.timeout(60_000);
  let u: ReturnType<typeof tempUser>;
  beforeEach(() => (u = tempUser()));
  afterEach(() => u.cleanup());

  it('writes every client\'s config, keeps what else is there, and a second run changes nothing', async () => {
    u.seed('claude-code', JSON.stringify({ numStartups: 7, projects: { '/w': { mcpServers: { local: { command: 'x' } } } }, mcpServers: { github: { command: 'gh-mcp' } } }, null, 2));
    u.seed('cursor', '{\n  "mcpServers": {\n    "linear": { "url": "https://mcp.linear.app/sse" }\n  }\n}\n');
    u.seed('codex', '# my settings\nmodel = "o3"\n\n[mcp_servers.docs]\ncommand = "docs-mcp"\n\n[mcp_servers.peermesh]\ncommand = "stale"\nstartup_timeout_sec = 20\n\n[mcp_servers.peermesh.env]\nTRACE = "1"\n\n[profiles.fast]\nmodel = "o4-mini"\n');
    u.seed('vscode', '{\n\t// servers I use\n\t"servers": {\n\t\t"github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },\n\t},\n\t"inputs": []\n}\n');
    u.seed('cline', JSON.stringify({ mcpServers: { peermesh: { command: 'old', args: [], autoApprove: ['mesh_peers'] }, other: { command: 'o' } } }, null, 2));

    const first = await runCli(['setup', ...all], u.env);
    assert.equal(first.code, 0, first.stderr);
    const launcher = path.join(u.mesh.home.dir, 'bin', 'peermesh');
    const want = { command: launcher, args: ['mcp'], env: { PEERMESH_HOME: u.mesh.home.dir } };
    assert.ok(readFileSync(launcher, 'utf8').includes(cli), 'the launcher runs this CLI');

    const claude = u.json('claude-code');
    assert.deepEqual(claude.mcpServers.peermesh, { type: 'stdio', ...want });
    assert.deepEqual(claude.mcpServers.github, { command: 'gh-mcp' });
    assert.equal(claude.numStartups as unknown, 7);
    assert.deepEqual(claude.projects['/w'], { mcpServers: { local: { command: 'x' } } });

    assert.deepEqual(u.json('cursor').mcpServers.peermesh, want);
    assert.deepEqual(u.json('cursor').mcpServers.linear, { url: 'https://mcp.linear.app/sse' });
    assert.deepEqual(u.json('windsurf').mcpServers.peermesh, want);

    const vscode = u.read('vscode');
    assert.match(vscode, /\/\/ servers I use/, 'comments kept');
    assert.match(vscode, /\n\t\t"peermesh": \{\n\t\t\t"type": "stdio"/, 'indentation followed');
    assert.deepEqual(u.json('vscode').servers.peermesh, { type: 'stdio', ...want });
    assert.ok(u.json('vscode').servers.github);

    const cline = u.json('cline').mcpServers;
    assert.deepEqual(cline.peermesh, { ...want, autoApprove: ['mesh_peers'], disabled: false });
    assert.deepEqual(cline.other, { command: 'o' });

    const codex = u.read('codex');
    // Non-string values (the timeout) are not read back by readTable; the match below checks it.
    assert.deepEqual(readTable(codex, ['mcp_servers', 'peermesh']), { ...want, env: { TRACE: '1', PEERMESH_HOME: u.mesh.home.dir } });
    assert.match(codex, /startup_timeout_sec = 20/, 'the user\'s own key in our table is kept');
    assert.match(codex, /^# my settings\nmodel = "o3"\n\n\[mcp_servers\.docs\]\ncommand = "docs-mcp"\n\n\[mcp_servers\.peermesh\]\n/);
    assert.match(codex, /\n\[profiles\.fast\]\nmodel = "o4-mini"\n$/);

    const before = Object.fromEntries(all.map((id) => [id, u.read(id)]));
    const second = await runCli(['setup', ...all], u.env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.split('\n').filter((l) => l.includes('already has the PeerMesh MCP server')).length, all.length, second.stdout);
    for (const id of all) assert.equal(u.read(id), before[id], `${id}: a second run changes nothing`);
  });

  it('--print shows the entry and writes nothing; unknown clients are refused', async () => {
    const printed = await runCli(['setup', 'codex', '--print'], u.env);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /\[mcp_servers\.peermesh\]\ncommand = ".*\/bin\/peermesh"\nargs = \["mcp"\]/);
    assert.throws(() => u.read('codex'));
    const bad = await runCli(['setup', 'emacs'], u.env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown client "emacs"/);
  });

  it('keeps Codex hooks (arrays of tables) after our table, and refuses a config.toml that is not valid TOML untouched', async () => {
    const hooks = '\n[[hooks.PreToolUse]]\nmatcher = "Bash"\ncommand = "~/.codex/hooks/check.sh"\n';
    u.seed('codex', `model = "o3"\n\n[mcp_servers.peermesh]\ncommand = "stale"\n${hooks}`);
    const ok = await runCli(['setup', 'codex'], u.env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(u.read('codex').endsWith(hooks), u.read('codex'));
    assert.match(u.read('codex'), /^model = "o3"\n\n\[mcp_servers\.peermesh\]\ncommand = ".*\/bin\/peermesh"\n/);

    const broken = 'model = "o3"\n[mcp_servers.docs]\ncommand = "docs-mcp\n';
    u.seed('codex', broken);
    const bad = await runCli(['setup', 'codex'], u.env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^peermesh: .*\/\.codex\/config\.toml is not valid TOML \(line 3: .*\)/m);
    assert.equal(u.read('codex'), broken, 'nothing written');
  });

  it('a config kept as a symlink (dotfiles) is written where it points and stays a symlink', async () => {
    const dotfiles = mkdtempSync(path.join(os.tmpdir(), 'pm-dotfiles-'));
    try {
      const real = path.join(dotfiles, 'cursor-mcp.json');
      writeFileSync(real, '{ "mcpServers": { "other": { "command": "o" } } }\n');
      mkdirSync(path.dirname(u.file('cursor')), { recursive: true });
      symlinkSync(real, u.file('cursor'));
      assert.equal((await runCli(['setup', 'cursor'], u.env)).code, 0);
      assert.ok(lstatSync(u.file('cursor')).isSymbolicLink(), 'still a symlink');
      const written = parse(readFileSync(real, 'utf8')) as { mcpServers: Record<string, unknown> };
      assert.deepEqual(Object.keys(written.mcpServers).sort(), ['other', 'peermesh']);
    } finally {
      rmSync(dotfiles, { recursive: true, force: true });
    }
  });

  it('setup all only touches the clients that are installed', async () => {
    mkdirSync(path.join(u.home, '.cursor'));
    const r = await runCli(['setup', 'all'], u.env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(u.json('cursor').mcpServers.peermesh);
    assert.throws(() => u.read('windsurf'), 'no config for a client that is not installed');
  });

  it('configs survive an update: they run the mesh home\'s launcher, which follows the CLI', async () => {
    assert.equal((await runCli(['setup', 'cursor'], u.env)).code, 0);
    const before = u.read('cursor');
    // An update: the CLI now lives elsewhere (a new extension folder), and refreshes the launcher.
    const moved = mkdtempSync(path.join(os.tmpdir(), 'pm-ext-v2-'));
    try {
      mkdirSync(path.join(moved, 'dist'));
      for (const f of cliFiles) writeFileSync(path.join(moved, 'dist', f), readFileSync(path.join(path.dirname(cli), f)));
      const newCli = path.join(moved, 'dist', 'cli.js');
      assert.equal(await refreshLauncher(u.mesh.home, { execPath: process.execPath, cli: newCli, electron: false }), true);
      assert.equal(u.read('cursor'), before, 'the client config is untouched');
      const launcher = (u.json('cursor').mcpServers.peermesh as { command: string }).command;
      assert.ok(readFileSync(launcher, 'utf8').includes(newCli));
      const version = await new Promise<string>((resolve, reject) => execFile(launcher, ['--version'], { env: u.env }, (e, out) => (e ? reject(e) : resolve(out.trim()))));
      assert.match(version, /^\d+\.\d+\.\d+$/);
    } finally {
      rmSync(moved, { recursive: true, force: true });
    }
    const fresh = tempHome();
    try {
      assert.equal(await refreshLauncher(fresh.home, { execPath: process.execPath, cli, electron: false }), false, 'no launcher is created where setup never ran');
    } finally {
      fresh.cleanup();
    }
  });

  it('the command it writes starts a working bridge', async () => {
    assert.equal((await runCli(['setup', 'cursor'], u.env)).code, 0);
    const entry = u.json('cursor').mcpServers.peermesh as { command: string; args: string[]; env: Record<string, string> };
    const client = new Client({ name: 'cursor-vscode', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...(u.env as Record<string, string>), ...entry.env }, stderr: 'pipe' }));
    let brokerPid: number | undefined;
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'mesh_whoami'));
      const r = await client.callTool({ name: 'mesh_status', arguments: {} });
      brokerPid = (r.structuredContent as { pid: number }).pid;
    } finally {
      await client.close();
      if (brokerPid) process.kill(brokerPid, 'SIGKILL');
    }
  });
});

describe('peermesh doctor', function () {
  this.timeout(60_000);
  let u: ReturnType<typeof tempUser>;
  beforeEach(() => (u = tempUser()));
  afterEach(() => u.cleanup());

  it('reports a healthy setup, then each problem with its fix', async () => {
    const blocker = http.createServer((_q, s) => s.end('not peermesh'));
    const port = candidatePorts(u.mesh.home)[0];
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    const broker = spawnCli(['serve', '--json'], u.env);
    try {
      await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
      mkdirSync(path.join(u.home, '.codeium', 'windsurf'), { recursive: true });
      assert.equal((await runCli(['setup', 'cursor', 'codex'], u.env)).code, 0);

      const ok = await runCli(['doctor'], u.env);
      console.log(ok.stdout.replace(/^/gm, '      '));
      assert.equal(ok.code, 0, ok.stdout);
      assert.match(ok.stdout, /^✔ mesh home .* \(0700\)$/m);
      assert.match(ok.stdout, /^✔ broker secret \(0600\)$/m);
      assert.match(ok.stdout, new RegExp(`^! port ${port} is taken by another program`, 'm'));
      assert.match(ok.stdout, new RegExp(`^✔ broker pid ${broker.pid} answers on 127\\.0\\.0\\.1:${candidatePorts(u.mesh.home)[1]}`, 'm'));
      assert.match(ok.stdout, /^✔ Cursor: ~\/\.cursor\/mcp\.json runs peermesh \d+\.\d+\.\d+$/m);
      assert.match(ok.stdout, /^✔ Codex: ~\/\.codex\/config\.toml runs peermesh/m);
      assert.match(ok.stdout, /^· Windsurf: installed, but PeerMesh is not set up .*\n {4}fix: peermesh setup windsurf$/m);
      assert.match(ok.stdout, /^· Cline: not installed$/m);

      chmodSync(u.mesh.home.secretFile, 0o644);
      const cursor = u.json('cursor');
      (cursor.mcpServers.peermesh as { command: string }).command = '/nonexistent/node';
      writeFileSync(u.file('cursor'), JSON.stringify(cursor));
      writeFileSync(u.file('codex'), u.read('codex').replace(`PEERMESH_HOME = "${u.mesh.home.dir}"`, `PEERMESH_HOME = "${path.join(u.home, 'other-mesh')}"`));
      const bad = await runCli(['doctor'], u.env);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /^✘ broker secret .* is readable by others \(0644\)\n {4}fix: chmod 600 /m);
      assert.match(bad.stdout, /^✘ Cursor: `\/nonexistent\/node` does not start: .*\n {4}fix: peermesh setup cursor$/m);
      assert.match(bad.stdout, /^✘ Codex: joins the mesh in .*other-mesh, not this one .*\n {4}fix: peermesh setup codex$/m);
      assert.match(bad.stdout, /^3 problems found\.$/m);
    } finally {
      broker.kill('SIGKILL');
      await broker.exited;
      blocker.close();
    }
  });

  it('says when no broker runs, and flags an open mesh home', async () => {
    chmodSync(u.mesh.home.dir, 0o755);
    const r = await runCli(['doctor'], u.env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^✘ mesh home .* is open to other users \(0755\)\n {4}fix: chmod 700 /m);
    assert.match(r.stdout, /no broker (running now|has run for this home yet).*starts one on demand/);
  });
});
