/**
 * Claims as an agent reads them, through real MCP clients over a real broker: a claim whose
 * code was deleted on disk is flagged `code gone` in mesh_lock and mesh://locks, and named in
 * its holder's pending news on every result until released (`locks/list` asked only when
 * something may have changed it); a claim on the same file in another worktree of the
 * repository is a warning on acquire and check, not a conflict.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../../src/broker/broker';
import { resolveHome } from '../../../src/home/home';
import { lockLine } from '../../../src/mcp/views';
import { startBroker } from '../../start-broker';
import { Agent } from './in-memory-agent';

const numbered = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `const line${from + i} = ${from + i};`);

/** Replaces `file` the way editors save: a temporary file renamed over it. */
function save(file: string, lines: readonly string[]): void {
  writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
  renameSync(`${file}.tmp`, file);
}

/** Counts the `locks/list` requests an agent's session makes from now on. */
function countLists(agent: Agent): { count: number } {
  const counter = { count: 0 };
  const peer = agent.peer as unknown as { request: (m: string, ...rest: unknown[]) => Promise<unknown> };
  const request = peer.request.bind(peer);
  peer.request = (method, ...rest) => {
    if (method === 'locks/list') counter.count++;
    return request(method, ...rest);
  };
  return counter;
}

const pendingLines = (text: string) => text.slice(text.indexOf('\n') + 1).split('\n');

describe('mcp: a claim shows it lost its code', () => {
  it('a lock line says code gone', () => {
    assert.equal(lockLine({ id: 3, target: 'src/a.ts:10-20', holder: 'bob', expiresInSec: 60, codeGone: true }), '#3 src/a.ts:10-20 by bob, 1m 0s left, code gone');
    assert.equal(lockLine({ id: 3, target: 'src/a.ts:10-20', holder: 'bob', expiresInSec: 60 }), '#3 src/a.ts:10-20 by bob, 1m 0s left');
  });
});

describe('mcp: claims that follow their code, as agents read them', function () {
  this.timeout(60_000);
  let home: string;
  let project: string;
  let worktree: string;
  let broker: Broker;
  let alice: Agent;
  let bob: Agent;
  const file = path.join('src', 'a.ts');

  before(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'pm-locknews-'));
    const parent = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-locknews-repo-')));
    project = path.join(parent, 'app');
    worktree = path.join(parent, 'app-feature');
    mkdirSync(path.join(project, 'src'), { recursive: true });
    writeFileSync(path.join(project, file), numbered(40).join('\n') + '\n');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: project, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'start');
    git('worktree', 'add', '-q', '-b', 'feature', worktree);
    const meshHome = resolveHome({ PEERMESH_HOME: home });
    broker = await startBroker({ home: meshHome });
    alice = await Agent.join(meshHome, project, 'alice', 'claude-code');
    bob = await Agent.join(meshHome, worktree, 'bob', 'cursor');
  });

  after(async () => {
    for (const a of [alice, bob]) await a?.close().catch(() => undefined);
    await broker?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(path.dirname(project), { recursive: true, force: true });
  });

  it('names a claim whose code was deleted on every result of its holder until released, asking only when it may have changed', async () => {
    await alice.ok('mesh_whoami');
    const lists = countLists(alice);
    const { id } = (await alice.ok('mesh_lock', { action: 'acquire', path: file, startLine: 10, endLine: 20, reason: 'refactor' })).data.lock as { id: number };
    assert.deepEqual(pendingLines((await alice.ok('mesh_whoami')).text), ['pending: none']);
    assert.equal(lists.count, 0, 'no claim was lost: its claims are not listed');

    // Lines 10-20 deleted on disk.
    const lost = new Promise<void>((resolve) => {
      const off = alice.peer.onEvent((e) => {
        if (e.type === 'lock_moved' && e.data.id === id && e.data.anchorLost) {
          off();
          resolve();
        }
      });
    });
    save(path.join(project, file), [...numbered(9), ...numbered(20, 21)]);
    await lost;
    const line = `Your claim #${id} on src/a.ts:10-20 lost its code (its lines are no longer in the file): release it (mesh_lock action="release" lockId=${id}), or claim the lines you need again.`;
    const first = await alice.ok('mesh_whoami');
    assert.deepEqual(pendingLines(first.text), [line, 'pending: none']);
    assert.deepEqual((first.data.pending as { coordination?: unknown }).coordination, { lostClaims: [{ id, file: 'src/a.ts', startLine: 10, endLine: 20 }] });
    const next = (await alice.ok('mesh_peers')).text;
    assert.ok(next.endsWith(`\n${line}\npending: none`), `again on the next result: ${next}`);
    assert.equal(lists.count, 1, 'listed once, then kept');

    // mesh_lock and mesh://locks say so, to the holder and to others.
    const listed = await bob.ok('mesh_lock', { action: 'list', path: path.join(project, file) });
    assert.match(listed.text, new RegExp(`^#${id} .*src/a\\.ts:10-20 by alice \\("refactor"\\), .* left, code gone$`, 'm'));
    assert.equal((listed.data.locks as Array<{ codeGone?: boolean }>)[0].codeGone, true);
    const resource = await alice.client.readResource({ uri: 'mesh://locks' });
    const locks = (JSON.parse((resource.contents[0] as { text: string }).text) as { locks: Array<{ id: number; codeGone?: boolean }> }).locks;
    assert.equal(locks.find((l) => l.id === id)?.codeGone, true);

    await alice.ok('mesh_lock', { action: 'release', lockId: id });
    assert.deepEqual(pendingLines((await alice.ok('mesh_whoami')).text), ['pending: none'], 'gone once released');
  });

  it('warns on acquire and check of a file claimed in another worktree of the repository, without a conflict', async () => {
    const { id } = (await alice.ok('mesh_lock', { action: 'acquire', path: file, startLine: 1, endLine: 5, reason: 'imports' })).data.lock as { id: number };
    const warning = `also claimed in worktree app on branch main by alice: lines 1-5`;
    const checked = await bob.ok('mesh_lock', { action: 'check', path: file, startLine: 2, endLine: 3 });
    assert.equal(checked.data.free, true);
    assert.deepEqual(checked.data.alsoClaimed, [warning]);
    assert.match(checked.text, new RegExp(`^src/a\\.ts is free: acquire it before editing\\.\n${warning}\n`));
    const taken = await bob.ok('mesh_lock', { action: 'acquire', path: file, startLine: 2, endLine: 3 });
    assert.deepEqual(taken.data.alsoClaimed, [warning]);
    assert.match(taken.text, new RegExp(`^Locked src/a\\.ts:2-3 \\(#\\d+\\) for .*\\. Release it when done\\.\n${warning}\n`));
    const back = await alice.ok('mesh_lock', { action: 'check', path: file, startLine: 1, endLine: 5 });
    assert.deepEqual(back.data.alsoClaimed, ['also claimed in worktree app-feature on branch feature by bob: lines 2-3']);
    await bob.ok('mesh_lock', { action: 'release' });
    await alice.ok('mesh_lock', { action: 'release', lockId: id });
  });
});
