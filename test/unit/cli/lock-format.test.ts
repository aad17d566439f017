/**
 * How the terminal shows claims: `peermesh locks` marks a claim whose code is gone, and
 * `peermesh locks --watch` says each change in one line (who, which lines, and why a claim
 * ended); `lock` and `check` warn of the same file claimed in another worktree. Events are built
 * through the protocol's own schema, so they are ones a broker could send.
 */
import assert from 'node:assert/strict';
import { clockTime, lockEventText, locksTable, type LockEvent } from '../../../src/cli/lock-format';
import { describeWorktreeClaim } from '../../../src/core/paths';
import { MeshEvent, type Lock } from '../../../src/protocol/entities';

const claim = (change: Partial<Lock> = {}): Lock => ({
  id: 12, path: '/repo/src/a.ts', root: '/repo', relPath: 'src/a.ts', startLine: 10, endLine: 20, holder: 'p-a', holderName: 'alice',
  reason: 'refactor', createdAt: 0, expiresAt: 600_000, ...change,
});

const lockData = (change: Partial<Lock> = {}) => {
  const { id, path, root, relPath, startLine, endLine, holder, holderName, expiresAt } = claim(change);
  return { id, path, root, relPath, startLine, endLine, holder, holderName, expiresAt };
};

const event = (type: LockEvent['type'], data: Record<string, unknown>, at = 0): LockEvent =>
  MeshEvent.parse({ seq: 1, type, peer: 'p-a', at, data }) as LockEvent;

describe('cli: claims in the terminal', () => {
  it('says each change to a claim in one line: taken, renewed, expired, released and why', () => {
    assert.equal(lockEventText(event('lock_acquired', lockData())), 'acquired src/a.ts:10-20 #12 (alice)');
    assert.equal(lockEventText(event('lock_renewed', lockData(), 0)), 'renewed src/a.ts:10-20 #12 (alice), 10m 0s left');
    assert.equal(lockEventText(event('lock_expired', lockData({ startLine: null, endLine: null }))), 'expired src/a.ts #12 (alice)');
    const released = (reason: string, by?: string) => lockEventText(event('lock_released', { ...lockData(), reason, ...(by && { by }) }));
    assert.equal(released('released'), 'released src/a.ts:10-20 #12 (alice): by its holder');
    assert.equal(released('holder left'), 'released src/a.ts:10-20 #12 (alice): its holder left the mesh');
    assert.equal(released('holder gone'), 'released src/a.ts:10-20 #12 (alice): its holder was disconnected past the grace period');
    assert.equal(released('forced', 'Dana'), 'released src/a.ts:10-20 #12 (alice): forced by Dana');
  });

  it('says where a claim moved with its code, and when its code is gone', () => {
    const moved = (to: Partial<Lock>, from: { startLine: number; endLine: number }, anchorLost: boolean) =>
      lockEventText(event('lock_moved', { ...lockData(to), from, anchorLost }));
    assert.equal(moved({ startLine: 15, endLine: 25 }, { startLine: 10, endLine: 20 }, false), 'moved src/a.ts:10-20 → 15-25 #12 (alice)');
    assert.equal(moved({ startLine: 3, endLine: 3 }, { startLine: 4, endLine: 4 }, false), 'moved src/a.ts:4 → 3 #12 (alice)');
    assert.equal(moved({}, { startLine: 10, endLine: 20 }, true), 'code gone src/a.ts:10-20 #12 (alice): the claim keeps its lines');
    assert.equal(moved({ startLine: 8, endLine: 18 }, { startLine: 10, endLine: 20 }, true), 'moved src/a.ts:10-20 → 8-18 #12 (alice), code gone');
    assert.equal(moved({}, { startLine: 10, endLine: 20 }, false), 'code back src/a.ts:10-20 #12 (alice)');
  });

  it('escapes a holder name or file name that would act on the terminal', () => {
    const line = lockEventText(event('lock_acquired', lockData({ holderName: 'eve\u001b[2J', relPath: 'x\u202e.ts' })));
    assert.ok(!line.includes('\u001b') && !line.includes('\u202e'), line);
    assert.match(line, /^acquired x.+\.ts:10-20 #12 \(eve.+\[2J\)$/);
  });

  it('marks a claim whose code is gone in the locks table', () => {
    const rows = locksTable([claim(), claim({ id: 13, anchorLost: true, startLine: 30, endLine: 31 })], 0).split('\n');
    assert.deepEqual(rows.map((r) => r.split(/\s{2,}/)), [
      ['ID', 'TARGET', 'HOLDER', 'LEFT', 'REASON'],
      ['12', 'src/a.ts:10-20', 'alice', '10m 0s', 'refactor'],
      ['13', 'src/a.ts:30-31 (code gone)', 'alice', '10m 0s', 'refactor'],
    ]);
    assert.equal(locksTable([]), '');
  });

  it('shows the time of day with two digits each', () => {
    assert.match(clockTime(new Date(2026, 0, 2, 3, 4, 5).getTime()), /^03:04:05$/);
  });

  it('warns of the same file claimed in another worktree, by its folder name and branch', () => {
    const other = (change: Partial<Lock>, branch: string | null) => describeWorktreeClaim({ lock: claim({ holderName: 'bob', ...change }), worktree: '/work/app-feature', branch });
    assert.equal(other({}, 'feature'), 'also claimed in worktree app-feature on branch feature by bob: lines 10-20');
    assert.equal(other({ startLine: 7, endLine: 7 }, null), 'also claimed in worktree app-feature by bob: line 7');
    assert.equal(other({ startLine: null, endLine: null, anchorLost: false }, 'main'), 'also claimed in worktree app-feature on branch main by bob: the whole file');
    assert.equal(other({ anchorLost: true }, 'main'), 'also claimed in worktree app-feature on branch main by bob: lines 10-20 (code gone)');
  });
});
