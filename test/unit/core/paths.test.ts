import assert from 'node:assert/strict';
import path from 'node:path';
import { limits } from '../../../src/protocol/limits';
import { gitRepo, harness, join, rejectsReason, type Harness } from './helpers';

describe('core/paths: paths the file system is never asked about', () => {
  let h: Harness;
  let repo: string;
  let a: string;

  beforeEach(async () => {
    h = await harness();
    repo = gitRepo();
    a = (await join(h.mesh, 'claude-1', repo)).id;
  });

  afterEach(() => h.mesh.dispose());

  it('an empty path is refused as empty, not taken as the working directory', async () => {
    const e = await rejectsReason(h.mesh.locks.acquire(a, { path: '' }, { reason: '' }), 'invalidInput');
    assert.equal(e.message, 'the path is empty: name a file');
  });

  it('a NUL in a path is refused by name, wherever a path is taken', async () => {
    const nul = 'src/a\0.ts';
    const expected = 'path "src/a\u2400.ts" holds a NUL character (\\0) at position 6: no file name can contain one';
    for (const attempt of [
      h.mesh.locks.acquire(a, { path: nul }, { reason: '' }),
      h.mesh.locks.check(a, { path: nul }),
      h.mesh.locks.list({ path: nul, callerCwd: repo }),
      h.mesh.edits.record(a, nul, [], 'Edit'),
    ]) {
      const e = await rejectsReason(attempt, 'invalidInput');
      assert.equal(e.message, expected);
    }
    const peer = await rejectsReason(join(h.mesh, 'nul-cwd', `${repo}\0x`), 'invalidInput');
    assert.match(peer.message, /^cwd ".*\u2400x" holds a NUL character \(\\0\) at position \d+: no file name can contain one$/);
  });

  it(`a path more than ${limits.pathDepth} folders deep is refused, one that deep is fine`, async () => {
    const deep = 'a/'.repeat(2000) + 'x.ts';
    const e = await rejectsReason(h.mesh.locks.acquire(a, { path: deep }, { reason: '' }), 'invalidInput');
    assert.match(e.message, new RegExp(`^path "a/a/a/.*…" is \\d+ folders deep; a path may be at most ${limits.pathDepth} deep$`));
    await rejectsReason(h.mesh.edits.list(a, deep, undefined, 10), 'invalidInput');
    await rejectsReason(join(h.mesh, 'deep-cwd', path.join(repo, deep)), 'invalidInput');

    const depthOfRepo = repo.split(path.sep).filter(Boolean).length;
    const deepest = 'a/'.repeat(limits.pathDepth - depthOfRepo - 1) + 'x.ts';
    const { lock } = await h.mesh.locks.acquire(a, { path: deepest }, { reason: '' });
    assert.equal(lock.relPath, deepest);
  });
});
