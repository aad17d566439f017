/**
 * Claims as a person sees them in the terminal, a real CLI process against a real broker.
 * `peermesh locks --watch`: the claims now, then a line per change as another peer takes and
 * releases claims, and as a file is edited on disk above a claim (the claim moves with its
 * code) or the claimed lines are deleted (code gone); `--json` gives the same as JSON lines; a
 * reader that closes the pipe ends it quietly; and when the broker goes, the watch says so and
 * ends. `peermesh check` and `peermesh lock`: the claims in the way, and a warning of the same
 * file claimed in another worktree of the repository.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import { cliPath, observer, runCli, spawnCli, tempHome, type Proc } from './harness';

const numbered = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `const line${from + i} = ${from + i};`);

/** Replaces `file` the way editors and formatters save: a temporary file renamed over it. */
function save(file: string, lines: readonly string[]): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, lines.join('\n') + '\n');
  renameSync(temp, file);
}

describe('claims in the terminal: peermesh locks --watch, check and lock', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  let project: string;
  let worktree: string;
  let alice: PeerClient;
  const watchers: Proc[] = [];
  const watch = (...args: string[]) => {
    const p = spawnCli(['locks', '--watch', ...args], t.env, project);
    watchers.push(p);
    return p;
  };
  const file = (name: string) => path.join(project, 'src', name);

  before(async () => {
    t = tempHome();
    project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-watch-')));
    mkdirSync(path.join(project, 'src'));
    writeFileSync(file('a.ts'), numbered(40).join('\n') + '\n');
    writeFileSync(file('b.ts'), numbered(10).join('\n') + '\n');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: project, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'start');
    worktree = `${project}-feature`;
    git('worktree', 'add', '-q', '-b', 'feature', worktree);
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
    alice = await observer(t.home, 'alice');
  });

  // Each test starts with no claims, whatever the one before left.
  afterEach(async () => {
    if (broker.child.exitCode === null && broker.child.signalCode === null) await alice.request('locks/releaseAll', {});
  });

  after(async () => {
    for (const w of watchers) w.kill('SIGKILL');
    await alice?.close();
    broker?.kill('SIGKILL');
    await broker?.exited;
    t?.cleanup();
    rmSync(project, { recursive: true, force: true });
    rmSync(worktree, { recursive: true, force: true });
  });

  it('prints the claims, then a line as another peer takes and releases one; a watch of one file shows only its own', async () => {
    const { lock: held } = await alice.request('locks/acquire', { target: { path: file('b.ts'), startLine: 2, endLine: 3 }, reason: 'already here' });
    const all = watch();
    const onlyA = watch(file('a.ts'));
    await all.waitForLine((l) => /^ID\s+TARGET/.test(l), 20_000, 'the table of claims');
    assert.match(all.lines[1], new RegExp(`^${held.id}\\s+src/b\\.ts:2-3\\s+alice\\s+.*already here$`));
    await onlyA.waitForLine((l) => l === 'no locks', 20_000, 'no claims on a.ts yet');

    const { lock } = await alice.request('locks/acquire', { target: { path: file('a.ts'), startLine: 10, endLine: 20 }, reason: 'refactor' });
    await alice.request('locks/release', { lockId: held.id });
    await alice.request('locks/release', { lockId: lock.id });
    const time = '\\d\\d:\\d\\d:\\d\\d';
    await all.waitForLine((l) => new RegExp(`^${time} released src/a\\.ts:10-20 #${lock.id} \\(alice\\): by its holder$`).test(l), 20_000, 'the release');
    const changes = all.lines.slice(2);
    assert.deepEqual(changes.map((l) => l.replace(/^\d\d:\d\d:\d\d /, '')), [
      `acquired src/a.ts:10-20 #${lock.id} (alice)`,
      `released src/b.ts:2-3 #${held.id} (alice): by its holder`,
      `released src/a.ts:10-20 #${lock.id} (alice): by its holder`,
    ]);
    await onlyA.waitForLine((l) => l.endsWith(`released src/a.ts:10-20 #${lock.id} (alice): by its holder`), 20_000, 'the release of a.ts');
    assert.deepEqual(onlyA.lines.filter((l) => l.includes('b.ts')), [], 'nothing of b.ts');
  });

  it('says where a claim moved when the file is saved with lines added above it, and when its code is deleted', async () => {
    const w = watch();
    await w.waitForLine((l) => l === 'no locks', 20_000, 'the empty listing');
    const { lock } = await alice.request('locks/acquire', { target: { path: file('a.ts'), startLine: 10, endLine: 20 }, reason: 'refactor' });
    await w.waitForLine((l) => l.endsWith(`acquired src/a.ts:10-20 #${lock.id} (alice)`), 20_000, 'the claim');
    // Three lines added at the top: the claimed code is now lines 13-23.
    save(file('a.ts'), ['// one', '// two', '// three', ...numbered(40)]);
    await w.waitForLine((l) => l.endsWith(`moved src/a.ts:10-20 → 13-23 #${lock.id} (alice)`), 30_000, 'the move');
    // The claimed lines deleted: the claim keeps its lines, and says its code is gone.
    save(file('a.ts'), ['// one', '// two', '// three', ...numbered(9), ...numbered(20, 21)]);
    await w.waitForLine((l) => l.endsWith(`code gone src/a.ts:13-23 #${lock.id} (alice): the claim keeps its lines`), 30_000, 'the code gone');
    const listed = (await alice.request('locks/list', { holder: alice.peer.id })).locks.find((l) => l.id === lock.id);
    assert.equal(listed?.anchorLost, true);
    await alice.request('locks/release', { lockId: lock.id });
  });

  it('--json: the claims as one line, then each event as a JSON line', async () => {
    const { lock: held } = await alice.request('locks/acquire', { target: { path: file('b.ts') }, reason: 'json' });
    const w = watch('--json');
    const first = await w.waitFor((o) => o.type === 'locks', 20_000, 'the claims line');
    assert.deepEqual((first.locks as Array<{ id: number }>).map((l) => l.id), [held.id]);
    await alice.request('locks/release', { lockId: held.id });
    const released = await w.waitFor((o) => o.type === 'lock_released', 20_000, 'the release');
    assert.deepEqual([(released.data as { id: number }).id, (released.data as { reason: string }).reason], [held.id, 'released']);
    assert.equal(w.json.length, w.lines.length, 'nothing but JSON lines');
  });

  it('ends quietly (exit 0) when its reader closes the pipe: peermesh locks --watch | head -1', async () => {
    const piped = spawn('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${cliPath}" locks --watch | head -1`], { env: t.env, cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    piped.stdout.on('data', (d) => (stdout += String(d)));
    piped.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => piped.on('exit', resolve));
    // head has its line and is gone once the listing is out; the next change meets the closed pipe.
    while (!stdout.includes('\n')) await new Promise((r) => setTimeout(r, 20));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    for (let i = 0; code === undefined && i < 100; i++) {
      const { lock } = await alice.request('locks/acquire', { target: { path: file('b.ts'), startLine: 1, endLine: 1 }, reason: 'poke' });
      await alice.request('locks/release', { lockId: lock.id });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
    }
    assert.equal(await exited, 0, stderr);
    assert.equal(stdout, 'no locks\n');
    assert.equal(stderr, '', 'no stack trace');
  });

  it('check says who is in the way (exit 1) or that it is free; check and lock warn of the same file claimed in another worktree', async () => {
    const cli = (...args: string[]) => runCli(args, t.env);
    const free = await cli('check', file('a.ts') + ':1-5');
    assert.deepEqual([free.code, free.stdout, free.stderr], [0, `${file('a.ts')}:1-5 is free`, '']);
    const { lock } = await alice.request('locks/acquire', { target: { path: file('a.ts'), startLine: 3, endLine: 8 }, reason: 'imports' });
    const held = await cli('check', file('a.ts') + ':1-5');
    assert.equal(held.code, 1, held.stderr);
    assert.match(held.stdout, new RegExp(`^ID\\s+TARGET\\s+HOLDER\\s+LEFT\\s+REASON\n${lock.id}\\s+src/a\\.ts:3-8\\s+alice\\s+.+\\s+imports$`));
    assert.deepEqual(JSON.parse((await cli('check', file('a.ts'), '--json')).stdout).conflicts.map((l: { id: number }) => l.id), [lock.id]);

    // The same file in the other worktree: free there, with a warning.
    const warning = 'peermesh: warning: also claimed in worktree ' + path.basename(project) + ' on branch main by alice: lines 3-8\n';
    const there = path.join(worktree, 'src', 'a.ts');
    const checked = await cli('check', there + ':1-5');
    assert.deepEqual([checked.code, checked.stdout, checked.stderr], [0, `${there}:1-5 is free`, warning]);
    const locked = await cli('lock', there + ':1-5');
    assert.equal(locked.code, 0, locked.stderr);
    assert.match(locked.stdout, /^locked src\/a\.ts:1-5 \(#\d+\) for /);
    assert.equal(locked.stderr, warning);
    assert.equal((await cli('unlock', there + ':1-5')).code, 0);
  });

  it('says the broker went away and exits 1 when it goes', async () => {
    const w = watch();
    await w.waitForLine((l) => l === 'no locks', 20_000, 'the listing');
    broker.kill('SIGTERM');
    assert.equal(await w.exited, 1);
    assert.equal(w.stderr, 'peermesh: the broker went away; stopped watching the locks\n');
    await broker.exited;
  });
});
