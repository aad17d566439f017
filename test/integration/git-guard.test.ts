/**
 * The git guard in a real temporary repository: `peermesh setup git-hook` installs the
 * pre-commit hook; a commit whose staged lines another agent claims is refused (or let
 * through with PEERMESH_GUARD=warn), a free one goes, and an agent's own claims never block
 * its own commit.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HookedAgent } from './hooked-agent';
import { cliPath, spawnCli, tempHome, type Proc } from './harness';

describe('peermesh setup git-hook: commits that touch other agents\' claims', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  let project: string;
  let holder: HookedAgent;
  let other: HookedAgent;
  const file = () => path.join(project, 'a.ts');
  const git = (args: string[], env: NodeJS.ProcessEnv = t.env) => spawnSync('git', args, { cwd: project, env, encoding: 'utf8' });
  const edit = (line: number, text: string) => {
    const lines = readFileSync(file(), 'utf8').split('\n');
    lines[line - 1] = text;
    writeFileSync(file(), lines.join('\n'));
    git(['add', 'a.ts']);
  };
  const head = () => git(['rev-parse', 'HEAD']).stdout.trim();

  before(async () => {
    t = tempHome();
    project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-guard-')));
    execFileSync('git', ['init', '-q'], { cwd: project });
    execFileSync('git', ['config', 'user.email', 'person@example.com'], { cwd: project });
    execFileSync('git', ['config', 'user.name', 'Person'], { cwd: project });
    writeFileSync(file(), Array.from({ length: 20 }, (_, i) => `// line ${i + 1}`).join('\n') + '\n');
    execFileSync('git', ['add', '.'], { cwd: project });
    execFileSync('git', ['commit', '-qm', 'start'], { cwd: project });
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
    [holder, other] = await Promise.all([HookedAgent.start('claude-code', t.env, project), HookedAgent.start('codex-mcp-client', t.env, project)]);
    await holder.ok('mesh_lock', { action: 'acquire', path: 'a.ts', startLine: 5, endLine: 8, reason: 'splitting the parser' });
  });

  after(async () => {
    await Promise.all([holder, other].map((a) => a?.close()));
    broker?.kill('SIGKILL');
    await broker?.exited;
    t?.cleanup();
    rmSync(project, { recursive: true, force: true });
  });

  it('installs the pre-commit hook once, executable, and leaves a foreign one alone', () => {
    const setup = (args: string[] = []) => spawnSync(process.execPath, [cliPath, 'setup', 'git-hook', ...args], { cwd: project, env: t.env, encoding: 'utf8' });
    const first = setup();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /installed .*pre-commit/);
    const hook = path.join(project, '.git', 'hooks', 'pre-commit');
    assert.ok((statSync(hook).mode & 0o111) !== 0, 'executable');
    assert.match(readFileSync(hook, 'utf8'), /commit-guard/);
    assert.match(setup().stdout, /already guards commits/);
    const removed = setup(['--remove']);
    assert.match(removed.stdout, /removed the PeerMesh pre-commit hook/);
    writeFileSync(hook, '#!/bin/sh\necho mine\n', { mode: 0o755 });
    const refused = setup();
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /already exists and is not PeerMesh's; add this line to it .*commit-guard \|\| exit 1/);
    rmSync(hook);
    assert.equal(setup().status, 0);
  });

  it('refuses the person\'s commit of claimed lines with who, why and what to do; PEERMESH_GUARD=warn lets it through', () => {
    const before = head();
    edit(6, '// changed by the person');
    const refused = git(['commit', '-m', 'touch a claimed line']);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /this commit changes lines another agent claims/);
    assert.match(refused.stderr, new RegExp(`a\\.ts:5-8 is claimed by ${holder.peer.name} \\("splitting the parser"\\)`));
    assert.match(refused.stderr, /PEERMESH_GUARD=warn git commit … lets it through with this warning; git commit --no-verify skips the check/);
    assert.match(refused.stderr, new RegExp(`message ${holder.peer.name} \\(peermesh send\\), or wait for the claim to end`), 'advice in the person\'s own tools');
    assert.equal(head(), before, 'nothing committed');
    const warned = git(['commit', '-m', 'touch it anyway'], { ...t.env, PEERMESH_GUARD: 'warn' });
    assert.equal(warned.status, 0, warned.stderr);
    assert.match(warned.stderr, /committing anyway \(PEERMESH_GUARD=warn\)/);
    assert.notEqual(head(), before);
  });

  it('a commit that only removes lines touches the lines around the gap', () => {
    // Line 9 goes: the gap lies between line 8 (claimed) and the line after it.
    const lines = readFileSync(file(), 'utf8').split('\n');
    lines.splice(8, 1);
    writeFileSync(file(), lines.join('\n'));
    git(['add', 'a.ts']);
    const refused = git(['commit', '-m', 'remove the line under the claim']);
    assert.notEqual(refused.status, 0, refused.stderr);
    assert.match(refused.stderr, /a\.ts:5-8 is claimed/);
    git(['reset', '-q', '--hard']);
  });

  it('lets a commit of free lines go', () => {
    const before = head();
    edit(15, '// free line');
    const r = git(['commit', '-m', 'free']);
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(head(), before);
  });

  it('another agent\'s commit of claimed lines is refused; the holder\'s own goes', async () => {
    edit(7, '// by codex');
    const byOther = await other.exec('git', ['commit', '-m', 'codex touches a claimed line'], project);
    assert.notEqual(byOther.code, 0);
    assert.match(byOther.stderr, new RegExp(`claimed by ${holder.peer.name}`));
    const byHolder = await holder.exec('git', ['commit', '-m', 'the holder commits its own lines'], project);
    assert.equal(byHolder.code, 0, byHolder.stderr);
  });
});
