import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describeTarget, normalizeTarget, spansOverlap } from '../../../src/core/paths';
import { ManualClock } from '../../../src/core/clock';
import { cachingProbe, nodeWorkspaceProbe as probe, type WorkspaceProbe } from '../../../src/core/workspace';
import { BrokerError } from '../../../src/protocol/errors';
import { gitRepo, tempDir, writeFile } from './helpers';

describe('core/workspace: nodeWorkspaceProbe', () => {
  it('realpath resolves symlinks, and the existing prefix of a path that does not exist yet', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    assert.equal(probe.realpath(path.join(dir, 'link')), path.join(dir, 'real'));
    assert.equal(probe.realpath(path.join(dir, 'link', 'new', 'file.ts')), path.join(dir, 'real', 'new', 'file.ts'));
    assert.equal(probe.realpath(path.join(dir, 'link', 'x', '..', 'y')), path.join(dir, 'real', 'y'));
  });

  it('gitRoot walks up to the folder holding .git; null outside a repo', () => {
    const repo = gitRepo();
    const deep = path.join(repo, 'a', 'b');
    fs.mkdirSync(deep, { recursive: true });
    assert.equal(probe.gitRoot(repo), repo);
    assert.equal(probe.gitRoot(deep), repo);
    assert.equal(probe.gitRoot(path.join(deep, 'not-yet')), repo);
    assert.equal(probe.gitRoot(tempDir()), null);
  });

  it('gitBranch reads HEAD: a branch, a short commit when detached', () => {
    assert.equal(probe.gitBranch(gitRepo('feature/locks')), 'feature/locks');
    const detached = gitRepo();
    fs.writeFileSync(path.join(detached, '.git', 'HEAD'), '0123456789abcdef0123456789abcdef01234567\n');
    assert.equal(probe.gitBranch(detached), '0123456');
    assert.equal(probe.gitBranch(tempDir()), null);
  });

  it('a worktree (.git file) is its own root, with its own branch', () => {
    const main = gitRepo('main');
    const gitdir = path.join(main, '.git', 'worktrees', 'wt');
    writeFile(path.join(gitdir, 'HEAD'), 'ref: refs/heads/wt-branch\n');
    const wt = tempDir('peermesh-wt-');
    fs.writeFileSync(path.join(wt, '.git'), `gitdir: ${gitdir}\n`);
    fs.mkdirSync(path.join(wt, 'src'));
    assert.equal(probe.gitRoot(path.join(wt, 'src')), wt);
    assert.equal(probe.gitBranch(wt), 'wt-branch');
  });

  it('gitCommonDir: a worktree and its main work tree belong to one repository', () => {
    const main = gitRepo('main');
    // What `git worktree add` writes: the worktree's git dir names the shared one in `commondir`.
    const gitdir = path.join(main, '.git', 'worktrees', 'wt');
    writeFile(path.join(gitdir, 'HEAD'), 'ref: refs/heads/wt-branch\n');
    writeFile(path.join(gitdir, 'commondir'), '../..\n');
    const wt = tempDir('peermesh-wt-');
    fs.writeFileSync(path.join(wt, '.git'), `gitdir: ${gitdir}\n`);
    assert.equal(probe.gitCommonDir(main), path.join(main, '.git'));
    assert.equal(probe.gitCommonDir(wt), path.join(main, '.git'));
    assert.notEqual(probe.gitCommonDir(gitRepo('main')), path.join(main, '.git'));
    assert.equal(probe.gitCommonDir(tempDir()), null);
  });
});

describe('core/workspace: cachingProbe', () => {
  it('answers from memory for ttlMs, then asks the file system again', () => {
    const clock = new ManualClock();
    const repo = gitRepo();
    let calls = 0;
    const counting: WorkspaceProbe = {
      realpath: (p) => (calls++, probe.realpath(p)),
      gitRoot: (d) => (calls++, probe.gitRoot(d)),
      gitBranch: (r) => (calls++, probe.gitBranch(r)),
      gitCommonDir: (r) => (calls++, probe.gitCommonDir(r)),
    };
    const cached = cachingProbe(counting, clock, 2000);
    const dir = path.join(repo, 'src');
    fs.mkdirSync(dir);
    assert.equal(cached.gitRoot(dir), fs.realpathSync(repo));
    assert.equal(cached.gitRoot(dir), fs.realpathSync(repo));
    assert.equal(calls, 1, 'the second answer came from memory');
    fs.rmSync(path.join(repo, '.git'), { recursive: true });
    assert.equal(cached.gitRoot(dir), fs.realpathSync(repo), 'still remembered within the ttl');
    clock.advance(2000);
    assert.notEqual(cached.gitRoot(dir), fs.realpathSync(repo), 'asked again after the ttl');
    assert.equal(calls, 2);
  });

  it('stays bounded', () => {
    const clock = new ManualClock();
    let calls = 0;
    const cached = cachingProbe({ realpath: (p) => (calls++, p), gitRoot: () => null, gitBranch: () => null, gitCommonDir: () => null }, clock, 60_000, 10);
    for (let i = 0; i < 25; i++) cached.realpath(`/f${i}`);
    cached.realpath('/f24');
    assert.equal(calls, 25, 'the most recent entry is remembered');
    cached.realpath('/f0');
    assert.equal(calls, 26, 'old entries were dropped');
  });
});

describe('core/paths', () => {
  const fake: WorkspaceProbe = {
    realpath: (p) => p.replace('/link/', '/repo/'),
    gitRoot: (dir) => (dir.startsWith('/repo') ? '/repo' : null),
    gitBranch: () => 'main',
    gitCommonDir: () => '/repo/.git',
  };

  it('normalizes relative to the base, through the probe, relative to the root', () => {
    assert.deepEqual(normalizeTarget({ path: 'src/a.ts', startLine: 3, endLine: 4 }, '/repo', null, fake), {
      path: '/repo/src/a.ts', root: '/repo', relPath: 'src/a.ts', repo: '/repo/.git', startLine: 3, endLine: 4,
    });
    assert.equal(normalizeTarget({ path: '../x.ts' }, '/ws/sub', '/ws', fake).repo, null, 'a workspace that is no git repository has none');
    assert.equal(normalizeTarget({ path: '/link/src/a.ts' }, null, null, fake).path, '/repo/src/a.ts');
    assert.equal(normalizeTarget({ path: '../x.ts' }, '/ws/sub', '/ws', fake).root, '/ws');
    assert.equal(normalizeTarget({ path: '/other/x.ts' }, '/ws', '/ws', fake).relPath, '/other/x.ts');
  });

  it('rejects what it cannot place', () => {
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return BrokerError.is(e) ? e.reason : 'other';
      }
      return 'none';
    };
    assert.equal(reason(() => normalizeTarget({ path: 'a.ts' }, null, null, fake)), 'invalidInput');
    assert.equal(reason(() => normalizeTarget({ path: '' }, '/repo', null, fake)), 'invalidInput');
    assert.equal(reason(() => normalizeTarget({ path: 'a\0b' }, '/repo', null, fake)), 'invalidInput');
    assert.equal(reason(() => normalizeTarget({ path: 'a', startLine: 2, endLine: 1 }, '/repo', null, fake)), 'invalidInput');
    assert.equal(reason(() => normalizeTarget({ path: 'a', endLine: 1 }, '/repo', null, fake)), 'invalidInput');
  });

  it('spans: whole file overlaps all; inclusive ranges', () => {
    const r = (s: number | null, e: number | null) => ({ startLine: s, endLine: e });
    assert.equal(spansOverlap(r(null, null), r(5, 6)), true);
    assert.equal(spansOverlap(r(1, 5), r(5, 9)), true);
    assert.equal(spansOverlap(r(1, 5), r(6, 9)), false);
  });

  it('describes targets for people', () => {
    assert.equal(describeTarget({ relPath: 'a.ts', startLine: null, endLine: null }), 'a.ts');
    assert.equal(describeTarget({ relPath: 'a.ts', startLine: 4, endLine: 4 }), 'a.ts:4');
    assert.equal(describeTarget({ relPath: 'a.ts', startLine: 4, endLine: 9 }), 'a.ts:4-9');
  });
});
