import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { LockConflictData } from '../../../src/protocol/entities';
import type { SqlTx } from '../../../src/core/sql';
import { gitRepo, harness, join, rejectsReason, sha256, writeFile, type Harness } from './helpers';

describe('core/locks', () => {
  let h: Harness;
  let repo: string;
  let a: string;
  let b: string;

  beforeEach(async () => {
    h = await harness();
    repo = gitRepo();
    writeFile(path.join(repo, 'src', 'a.ts'));
    a = (await join(h.mesh, 'claude-1', repo)).id;
    b = (await join(h.mesh, 'cursor-1', repo)).id;
  });

  afterEach(() => h.mesh.dispose());

  describe('conflict matrix', () => {
    const cases: Array<[string, [number, number] | null, [number, number] | null, boolean]> = [
      ['file / file', null, null, true],
      ['file / range', null, [10, 20], true],
      ['range / file', [10, 20], null, true],
      ['overlapping ranges', [10, 20], [15, 30], true],
      ['range inside range', [10, 20], [12, 13], true],
      ['ranges sharing one line', [10, 20], [20, 30], true],
      ['same single line', [7, 7], [7, 7], true],
      ['adjacent ranges', [10, 20], [21, 30], false],
      ['adjacent, other side', [10, 20], [1, 9], false],
      ['disjoint ranges', [1, 5], [100, 200], false],
    ];
    for (const [name, held, wanted, conflicts] of cases) {
      it(`${name}: ${conflicts ? 'conflicts' : 'no conflict'}`, async () => {
        const lines = (r: [number, number] | null) => (r ? { startLine: r[0], endLine: r[1] } : {});
        await h.mesh.locks.acquire(a, { path: 'src/a.ts', ...lines(held) }, { reason: 'held' });
        const check = await h.mesh.locks.check(b, { path: 'src/a.ts', ...lines(wanted) });
        assert.equal(check.length, conflicts ? 1 : 0);
        const attempt = h.mesh.locks.acquire(b, { path: 'src/a.ts', ...lines(wanted) }, { reason: 'wanted' });
        if (conflicts) await rejectsReason(attempt, 'lockConflict');
        else assert.equal((await attempt).renewed, false);
      });
    }

    it('different files never conflict', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.locks.acquire(b, { path: 'src/b.ts' }, { reason: '' });
      assert.equal((await h.mesh.locks.list({})).length, 2);
    });

    it('a holder never conflicts with itself: overlapping own ranges are separate locks', async () => {
      const whole = await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      const range = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 5 }, { reason: '' });
      const other = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 3, endLine: 9 }, { reason: '' });
      assert.equal(new Set([whole.lock.id, range.lock.id, other.lock.id]).size, 3);
      assert.deepEqual(await h.mesh.locks.check(a, { path: 'src/a.ts' }), []);
      assert.equal((await h.mesh.locks.check(b, { path: 'src/a.ts', startLine: 4, endLine: 4 })).length, 3);
    });
  });

  it('names holder, reason, range and time left in a conflict', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 10, endLine: 20 }, { reason: 'refactoring parser' });
    h.clock.advance(48_000);
    const e = await rejectsReason(h.mesh.locks.acquire(b, { path: 'src/a.ts', startLine: 1, endLine: 12 }, { reason: '' }), 'lockConflict');
    assert.equal(e.message, 'src/a.ts:10-20 is locked by claude-1 ("refactoring parser") for another 9m 12s');
    const data = e.data as LockConflictData;
    assert.deepEqual(data, { holder: a, holderName: 'claude-1', reason: 'refactoring parser', expiresInMs: 552_000, lock });
  });

  it('normalizes paths: relative, absolute, through a symlink and from another cwd are one file', async () => {
    const link = path.join(path.dirname(repo), `${path.basename(repo)}-link`);
    fs.symlinkSync(repo, link);
    try {
      const c = (await join(h.mesh, 'aider', path.join(repo, 'src'))).id;
      const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      assert.equal(lock.path, path.join(repo, 'src', 'a.ts'));
      assert.equal(lock.root, repo);
      assert.equal(lock.relPath, 'src/a.ts');
      assert.equal((await h.mesh.locks.check(b, { path: path.join(repo, 'src', 'a.ts') })).length, 1);
      assert.equal((await h.mesh.locks.check(b, { path: path.join(link, 'src', '..', 'src', 'a.ts') })).length, 1);
      assert.equal((await h.mesh.locks.check(c, { path: 'a.ts' })).length, 1);
      // A file that does not exist yet, under a symlinked folder, still resolves to one path.
      const created = await h.mesh.locks.acquire(b, { path: path.join(link, 'src', 'new', 'b.ts') }, { reason: '' });
      assert.equal(created.lock.path, path.join(repo, 'src', 'new', 'b.ts'));
      assert.equal(created.lock.relPath, 'src/new/b.ts');
      assert.equal((await h.mesh.locks.check(a, { path: 'src/new/b.ts' })).length, 1);
    } finally {
      fs.unlinkSync(link);
    }
  });

  it('uses the workspace as root outside a repo, and the absolute path outside both', async () => {
    const plain = path.join(path.dirname(repo), `${path.basename(repo)}-plain`);
    fs.mkdirSync(plain);
    try {
      const c = (await join(h.mesh, 'plain', plain)).id;
      const inside = await h.mesh.locks.acquire(c, { path: 'notes/x.md' }, { reason: '' });
      assert.equal(inside.lock.root, plain);
      assert.equal(inside.lock.relPath, 'notes/x.md');
      const outside = await h.mesh.locks.acquire(c, { path: path.join(path.dirname(plain), 'elsewhere.txt') }, { reason: '' });
      assert.equal(outside.lock.root, null);
      assert.equal(outside.lock.relPath, path.join(path.dirname(plain), 'elsewhere.txt'));
    } finally {
      fs.rmSync(plain, { recursive: true });
    }
  });

  it('rejects a relative path from a peer without a cwd, and bad line ranges', async () => {
    const nowhere = (await join(h.mesh, 'nowhere')).id;
    await rejectsReason(h.mesh.locks.acquire(nowhere, { path: 'a.ts' }, { reason: '' }), 'invalidInput');
    await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 5, endLine: 4 }, { reason: '' }), 'invalidInput');
    await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 5 }, { reason: '' }), 'invalidInput');
    await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 0, endLine: 4 }, { reason: '' }), 'invalidInput');
    await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '', ttlSeconds: 0 }), 'invalidInput');
  });

  describe('re-entrancy and renew', () => {
    it('re-acquiring the same target renews it: same id, later expiry, new reason, lock_renewed', async () => {
      const first = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 9 }, { reason: 'one', ttlSeconds: 60 });
      h.clock.advance(30_000);
      const again = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 9 }, { reason: 'two', ttlSeconds: 60 });
      assert.equal(again.renewed, true);
      assert.equal(again.lock.id, first.lock.id);
      assert.equal(again.lock.expiresAt, h.clock.now() + 60_000);
      assert.equal(again.lock.reason, 'two');
      assert.equal((await h.mesh.locks.list({})).length, 1);
      assert.deepEqual((await h.mesh.locks.list({}))[0], { ...again.lock, waiting: 0 });
      const types = (await h.mesh.events.read(0, ['lock_acquired', 'lock_renewed'], 10)).events.map((e) => e.type);
      assert.deepEqual(types, ['lock_acquired', 'lock_renewed']);
      // An empty reason keeps the old one.
      const third = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 9 }, { reason: '' });
      assert.equal(third.lock.reason, 'two');
    });

    it('renew(lockId) is for the holder only, and not for an expired lock', async () => {
      const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '', ttlSeconds: 60 });
      h.clock.advance(50_000);
      const [renewed] = await h.mesh.locks.renew(a, { lockId: lock.id }, 120);
      assert.equal(renewed.expiresAt, h.clock.now() + 120_000);
      const e = await rejectsReason(h.mesh.locks.renew(b, { lockId: lock.id }), 'notHolder');
      assert.match(e.message, /held by claude-1/);
      h.clock.advance(120_000);
      await rejectsReason(h.mesh.locks.renew(a, { lockId: lock.id }), 'notFound');
    });

    describe('by path, in one transaction', () => {
      const held = async (who: string, p: string, lines?: [number, number]) =>
        (await h.mesh.locks.acquire(who, { path: p, ...(lines && { startLine: lines[0], endLine: lines[1] }) }, { reason: '', ttlSeconds: 60 })).lock;

      beforeEach(async () => {
        writeFile(path.join(repo, 'src', 'b.ts'));
        writeFile(path.join(repo, 'lib', 'c.ts'));
        await held(a, 'src/a.ts', [1, 10]);
        await held(a, 'src/a.ts', [20, 30]);
        await held(a, 'src/b.ts');
        await held(a, 'lib/c.ts');
        await held(b, 'src/a.ts', [40, 50]);
      });

      const targets = (locks: Array<{ relPath: string; startLine: number | null; endLine: number | null }>) =>
        locks.map((l) => (l.startLine === null ? l.relPath : `${l.relPath}:${l.startLine}-${l.endLine}`)).sort();
      const events = async (type: 'lock_released' | 'lock_renewed', since: number) =>
        (await h.mesh.events.read(since, [type], 100)).events.map((e) => [e.peer, e.data.relPath]);

      it('releaseAll under a folder releases every lock of the caller there, and nobody else\'s, with an event each', async () => {
        const since = await h.mesh.events.lastSeq();
        const released = await h.mesh.locks.releaseAll(a, { path: 'src' });
        assert.deepEqual(targets(released), ['src/a.ts:1-10', 'src/a.ts:20-30', 'src/b.ts']);
        assert.deepEqual(targets(await h.mesh.locks.list({})), ['lib/c.ts', 'src/a.ts:40-50']);
        assert.deepEqual(await events('lock_released', since), [[a, 'src/a.ts'], [a, 'src/a.ts'], [a, 'src/b.ts']]);
      });

      it('releaseAll of a file, of everything, and of nothing held (not an error)', async () => {
        assert.deepEqual(targets(await h.mesh.locks.releaseAll(a, { path: path.join(repo, 'src/a.ts') })), ['src/a.ts:1-10', 'src/a.ts:20-30']);
        assert.deepEqual(targets(await h.mesh.locks.releaseAll(a)), ['lib/c.ts', 'src/b.ts']);
        assert.deepEqual(await h.mesh.locks.releaseAll(a), []);
        assert.deepEqual(targets(await h.mesh.locks.list({})), ['src/a.ts:40-50']);
      });

      it('releaseAll is all or nothing: a failure midway leaves every lock in place', async () => {
        const before = await h.mesh.locks.list({});
        const since = await h.mesh.events.lastSeq();
        // The store's transactions hand out statements that fail the second DELETE.
        const transaction = h.db.transaction.bind(h.db);
        let deletes = 0;
        h.db.transaction = <T>(fn: (tx: SqlTx) => Promise<T>) => transaction((tx) => fn({
          ...tx,
          run: (sql, params) => sql.startsWith('DELETE FROM locks') && ++deletes === 2 ? Promise.reject(new Error('disk trouble')) : tx.run(sql, params),
        }));
        try {
          await assert.rejects(h.mesh.locks.releaseAll(a), /disk trouble/);
        } finally {
          h.db.transaction = transaction;
        }
        assert.deepEqual(await h.mesh.locks.list({}), before);
        assert.equal(await h.mesh.events.lastSeq(), since, 'no event of the rolled-back release');
      });

      it('renew by a folder or file renews every lock of the caller there, with an event each', async () => {
        h.clock.advance(30_000);
        const since = await h.mesh.events.lastSeq();
        const renewed = await h.mesh.locks.renew(a, { target: { path: 'src' } }, 600);
        assert.deepEqual(targets(renewed), ['src/a.ts:1-10', 'src/a.ts:20-30', 'src/b.ts']);
        for (const l of renewed) assert.equal(l.expiresAt, h.clock.now() + 600_000);
        assert.deepEqual(await events('lock_renewed', since), [[a, 'src/a.ts'], [a, 'src/a.ts'], [a, 'src/b.ts']]);
        const others = (await h.mesh.locks.list({})).filter((l) => !renewed.some((r) => r.id === l.id));
        assert.ok(others.every((l) => l.expiresAt === h.clock.now() + 30_000), 'the rest keep their expiry');
        assert.deepEqual(targets(await h.mesh.locks.renew(a, { target: { path: 'src/b.ts' } })), ['src/b.ts']);
      });

      it('renew by a range renews exactly that range; with nothing given, every lock of the caller', async () => {
        assert.deepEqual(targets(await h.mesh.locks.renew(a, { target: { path: 'src/a.ts', startLine: 20, endLine: 30 } })), ['src/a.ts:20-30']);
        assert.deepEqual(targets(await h.mesh.locks.renew(a, {})), ['lib/c.ts', 'src/a.ts:1-10', 'src/a.ts:20-30', 'src/b.ts']);
      });

      it('renew by path fails notHolder for another peer\'s lock, notFound where the caller holds none', async () => {
        const e = await rejectsReason(h.mesh.locks.renew(a, { target: { path: 'src/a.ts', startLine: 40, endLine: 50 } }), 'notHolder');
        assert.match(e.message, /held by cursor-1/);
        await rejectsReason(h.mesh.locks.renew(b, { target: { path: 'lib' } }), 'notFound');
        await rejectsReason(h.mesh.locks.renew(a, { lockId: 1, target: { path: 'src' } }), 'invalidInput');
        await h.mesh.locks.releaseAll(b);
        await rejectsReason(h.mesh.locks.renew(b, {}), 'notFound');
      });
    });
  });

  describe('expiry', () => {
    it('an expired lock is free at once, and deleted by sweep with lock_expired', async () => {
      const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '', ttlSeconds: 60 });
      h.clock.advance(59_999);
      assert.equal((await h.mesh.locks.check(b, { path: 'src/a.ts' })).length, 1);
      h.clock.advance(1); // expires_at <= now: free (no timer has fired: the row is still there)
      assert.deepEqual(await h.mesh.locks.check(b, { path: 'src/a.ts' }), []);
      assert.deepEqual(await h.mesh.locks.list({}), []);
      assert.equal((await h.mesh.counts()).locks, 0);
      assert.equal(h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM locks')?.n, 1);
      await h.mesh.sweep();
      assert.equal(h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM locks')?.n, 0);
      const [expired] = (await h.mesh.events.read(0, ['lock_expired'], 10)).events;
      assert.equal(expired.data.id, lock.id);
      assert.equal(expired.peer, a);
    });

    it('acquiring over an expired lock deletes it first (lock_expired, then lock_acquired)', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '', ttlSeconds: 60 });
      h.clock.advance(60_000);
      const { lock } = await h.mesh.locks.acquire(b, { path: 'src/a.ts' }, { reason: '' });
      assert.equal(lock.holder, b);
      const types = (await h.mesh.events.read(0, ['lock_acquired', 'lock_expired'], 10)).events.map((e) => e.type);
      assert.deepEqual(types, ['lock_acquired', 'lock_expired', 'lock_acquired']);
    });

    it('the wake-up timer expires locks on time, without a broker sweep', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '', ttlSeconds: 60 });
      await h.timers.advance(60_000);
      assert.equal(h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM locks')?.n, 0);
      assert.equal((await h.mesh.events.read(0, ['lock_expired'], 10)).events.length, 1);
    });

    it('uses the default TTL from the options', async () => {
      const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      assert.equal(lock.expiresAt - lock.createdAt, 600_000);
      const short = await harness({ lockTtlSeconds: 5 });
      const p = (await join(short.mesh, 'x', repo)).id;
      const got = await short.mesh.locks.acquire(p, { path: 'src/a.ts' }, { reason: '' });
      assert.equal(got.lock.expiresAt - got.lock.createdAt, 5000);
      short.mesh.dispose();
    });
  });

  describe('release', () => {
    it('by lockId, with lock_released', async () => {
      const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      assert.deepEqual(await h.mesh.locks.release(a, { lockId: lock.id }), [lock]);
      assert.deepEqual(await h.mesh.locks.list({}), []);
      const [released] = (await h.mesh.events.read(0, ['lock_released'], 10)).events;
      assert.equal(released.data.reason, 'released');
      await rejectsReason(h.mesh.locks.release(a, { lockId: lock.id }), 'notFound');
    });

    it("another peer's lock: notHolder naming the holder", async () => {
      const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 10 }, { reason: '' });
      const byId = await rejectsReason(h.mesh.locks.release(b, { lockId: lock.id }), 'notHolder');
      assert.match(byId.message, /claude-1/);
      assert.equal(byId.data?.holder, a);
      const byTarget = await rejectsReason(h.mesh.locks.release(b, { target: { path: 'src/a.ts', startLine: 1, endLine: 10 } }), 'notHolder');
      assert.match(byTarget.message, /src\/a\.ts:1-10 is held by claude-1/);
      await rejectsReason(h.mesh.locks.release(b, { target: { path: 'src/other.ts' } }), 'notFound');
      await rejectsReason(h.mesh.locks.release(b, {}), 'invalidInput');
      assert.equal((await h.mesh.locks.list({})).length, 1);
    });

    it('by target: a range releases exactly that range; the file releases all of mine on it', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 10 }, { reason: '' });
      await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 20, endLine: 30 }, { reason: '' });
      await h.mesh.locks.acquire(a, { path: 'src/b.ts' }, { reason: '' });
      await rejectsReason(h.mesh.locks.release(a, { target: { path: 'src/a.ts', startLine: 1, endLine: 9 } }), 'notFound');
      const one = await h.mesh.locks.release(a, { target: { path: 'src/a.ts', startLine: 1, endLine: 10 } });
      assert.deepEqual(one.map((l) => [l.startLine, l.endLine]), [[1, 10]]);
      await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 10 }, { reason: '' });
      const all = await h.mesh.locks.release(a, { target: { path: path.join(repo, 'src', 'a.ts') } });
      assert.equal(all.length, 2);
      assert.deepEqual((await h.mesh.locks.list({})).map((l) => l.relPath), ['src/b.ts']);
    });
  });

  describe('check and list', () => {
    it("check lists other peers' conflicting locks only", async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 10 }, { reason: '' });
      await h.mesh.locks.acquire(b, { path: 'src/a.ts', startLine: 11, endLine: 20 }, { reason: '' });
      assert.deepEqual((await h.mesh.locks.check(a, { path: 'src/a.ts' })).map((l) => l.holder), [b]);
      assert.deepEqual((await h.mesh.locks.check(b, { path: 'src/a.ts' })).map((l) => l.holder), [a]);
    });

    it('list filters by file, by folder and by holder id or name', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.locks.acquire(b, { path: 'src/deep/b.ts' }, { reason: '' });
      await h.mesh.locks.acquire(b, { path: 'README.md' }, { reason: '' });
      await h.mesh.locks.acquire(b, { path: 'src-other/c.ts' }, { reason: '' });
      const rel = (ls: Array<{ relPath: string }>) => ls.map((l) => l.relPath);
      assert.deepEqual(rel(await h.mesh.locks.list({ path: 'src', callerCwd: repo })), ['src/a.ts', 'src/deep/b.ts']);
      assert.deepEqual(rel(await h.mesh.locks.list({ path: path.join(repo, 'src', 'a.ts') })), ['src/a.ts']);
      assert.deepEqual(rel(await h.mesh.locks.list({ holder: 'cursor-1' })), ['README.md', 'src-other/c.ts', 'src/deep/b.ts']);
      assert.deepEqual(rel(await h.mesh.locks.list({ holder: a })), ['src/a.ts']);
      assert.deepEqual(rel(await h.mesh.locks.list({ holder: b, path: 'src', callerCwd: repo })), ['src/deep/b.ts']);
    });
  });

  describe('holders that go', () => {
    it('leave releases its locks at once, after peer_left', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.peers.leave(a);
      assert.deepEqual(await h.mesh.locks.list({}), []);
      const events = (await h.mesh.events.read(0, ['peer_left', 'lock_released'], 10)).events;
      assert.deepEqual(events.map((e) => [e.type, e.data.reason]), [['peer_left', 'left'], ['lock_released', 'holder left']]);
      await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' }), 'unauthorized');
    });

    it('a disconnected holder keeps its locks for the grace period, then sweep releases them', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.peers.disconnected(a);
      h.clock.advance(14_999);
      await h.mesh.sweep();
      assert.equal((await h.mesh.locks.list({})).length, 1);
      assert.equal((await h.mesh.peers.get(a))?.status, 'disconnected');
      h.clock.advance(1);
      await h.mesh.sweep();
      assert.deepEqual(await h.mesh.locks.list({}), []);
      assert.equal((await h.mesh.peers.get(a))?.status, 'gone');
      const [released] = (await h.mesh.events.read(0, ['lock_released'], 10)).events;
      assert.equal(released.data.reason, 'holder gone');
    });

    it('a holder that resumes within the grace period keeps its locks', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.peers.disconnected(a);
      await h.timers.advance(10_000);
      await h.mesh.peers.resume(a, sha256('secret-claude-1'));
      await h.timers.advance(60_000);
      assert.equal((await h.mesh.locks.list({})).length, 1);
    });

    it('the grace period ends on its own through the wake-up timer', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.peers.disconnected(a);
      await h.timers.advance(15_000);
      assert.deepEqual(await h.mesh.locks.list({}), []);
      assert.equal((await h.mesh.peers.get(a))?.status, 'gone');
    });

    it('the person\'s terminal (kind cli) has no grace period: its claims last until their TTL', async () => {
      const cli = (await join(h.mesh, 'me-cli', repo, { kind: 'cli' })).id;
      await h.mesh.locks.acquire(cli, { path: 'src/a.ts' }, { reason: 'mine', ttlSeconds: 120 });
      await h.mesh.peers.disconnected(cli);
      await h.timers.advance(60_000);
      assert.equal((await h.mesh.locks.list({})).length, 1, 'kept after the command disconnected');
      await h.timers.advance(60_000);
      // list() hides expired rows anyway; count what is stored, which only the wake-up sweep removes.
      assert.equal(h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM locks')?.n, 0, 'expired at its TTL');
    });

    it('renaming a holder renames its locks', async () => {
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.peers.update(a, { name: 'parser-bot' });
      assert.equal((await h.mesh.locks.list({}))[0].holderName, 'parser-bot');
    });
  });
});
