/**
 * Claims that follow their code, through the mesh, on real files: edits written on disk the way
 * an agent's edit tool writes them (a temporary file renamed over the old one), edits reported
 * by an editor before a save, a restart in between, and claims in two worktrees of one repo.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { contentHash } from '../../../src/core/reanchor';
import type { Lock } from '../../../src/protocol/entities';
import { gitRepo, harness, join, nextMove, rejectsReason, tempDir, writeAtomically, writeFile, type Harness } from './helpers';

/** `n` numbered lines of source, each one distinct. */
function source(n: number, from = 1): string[] {
  return Array.from({ length: n }, (_, i) => `export const value${from + i} = compute(${from + i});`);
}

const range = (l: Lock) => [l.startLine, l.endLine];

describe('core/claim-anchors: claims follow their code', () => {
  let h: Harness;
  let repo: string;
  let file: string;
  let a: string;
  let b: string;
  /** The person's editor window. */
  let person: string;
  const original = source(40);

  beforeEach(async () => {
    h = await harness();
    repo = gitRepo();
    file = writeFile(path.join(repo, 'src', 'values.ts'), `${original.join('\n')}\n`);
    a = (await join(h.mesh, 'claude-1', repo)).id;
    b = (await join(h.mesh, 'cursor-1', repo)).id;
    person = (await join(h.mesh, 'window', repo, { kind: 'vscode-window' })).id;
  });

  afterEach(() => h.mesh.dispose());

  it('an edit on disk above a claim moves it; the freed lines are free, the moved ones conflict', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 20 }, { reason: 'refactor' });
    const moved = nextMove(h, lock.id);
    writeAtomically(file, [...source(5, 100), ...original]);
    const e = await moved;
    assert.deepEqual(e.data.from, { startLine: 10, endLine: 20 });
    assert.deepEqual([e.data.startLine, e.data.endLine], [15, 25]);
    assert.equal(e.data.anchorLost, false);
    assert.deepEqual((await h.mesh.locks.list({})).map(range), [[15, 25]]);
    await rejectsReason(h.mesh.locks.acquire(b, { path: 'src/values.ts', startLine: 15, endLine: 25 }, { reason: '' }), 'lockConflict');
    assert.deepEqual(range((await h.mesh.locks.acquire(b, { path: 'src/values.ts', startLine: 1, endLine: 14 }, { reason: '' })).lock), [1, 14]);
  });

  it('a request right after an edit meets the moved ranges, before the watch has said anything', async () => {
    await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 20 }, { reason: '' });
    writeAtomically(file, [...source(5, 100), ...original]);
    // No wait: the acquire itself brings the file up to date.
    assert.deepEqual(range((await h.mesh.locks.acquire(b, { path: 'src/values.ts', startLine: 1, endLine: 14 }, { reason: '' })).lock), [1, 14]);
    assert.deepEqual((await h.mesh.locks.check(b, { path: 'src/values.ts', startLine: 25, endLine: 25 })).map(range), [[15, 25]]);
  });

  it('code deleted from under a claim leaves it at its last range, flagged anchorLost; taking it again clears the flag', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 12 }, { reason: '' });
    const moved = nextMove(h, lock.id);
    writeAtomically(file, [...original.slice(0, 9), ...original.slice(12)]);
    const e = await moved;
    assert.equal(e.data.anchorLost, true);
    assert.deepEqual([e.data.startLine, e.data.endLine], [10, 12], 'never widened, never dropped');
    const [listed] = await h.mesh.locks.list({});
    assert.equal(listed.anchorLost, true);
    const again = await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 12 }, { reason: '' });
    assert.equal(again.renewed, true);
    assert.equal((await h.mesh.locks.list({}))[0].anchorLost, undefined);
  });

  it('typing in an editor moves claims before the save; the save from the disk then applies once', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 3, endLine: 5 }, { reason: '' });
    const before = `${original.join('\n')}\n`;
    const typed = `// one\n// two\n${before}`;
    const events: number[] = [];
    h.mesh.onEvent((e) => e.type === 'lock_moved' && events.push(e.data.startLine ?? 0));
    const answer = await h.mesh.locks.fileChanged(person, file, {
      baseHash: contentHash(before), hash: contentHash(typed),
      changes: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// one\n// two\n' }],
    });
    assert.equal(answer.tracked, true);
    assert.deepEqual(answer.moved.map(range), [[5, 7]]);
    assert.equal(answer.moved[0].id, lock.id);
    // The save: the same text reaches the disk, and the next rule that reads the file finds nothing new.
    writeAtomically(file, typed.slice(0, -1).split('\n'));
    assert.deepEqual((await h.mesh.locks.check(b, { path: 'src/values.ts', startLine: 1, endLine: 40 })).map(range), [[5, 7]]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(events, [5], 'one move, not two');
  });

  it('changes to a text the broker does not have ask for the whole text; a wrong hash is refused', async () => {
    await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 3, endLine: 5 }, { reason: '' });
    const change = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x\n' };
    assert.deepEqual(await h.mesh.locks.fileChanged(person, file, { baseHash: 'unknown', hash: 'h', changes: [change] }), { tracked: true, needText: true, moved: [] });
    await rejectsReason(h.mesh.locks.fileChanged(person, file, { hash: 'not-it', text: 'x\n' }), 'invalidInput');
    const other = writeFile(path.join(repo, 'src', 'other.ts'), 'a\n');
    assert.deepEqual(await h.mesh.locks.fileChanged(person, other, { hash: contentHash('b\n'), text: 'b\n' }), { tracked: false, moved: [] });
    // An agent's edits reach the broker on disk; unsaved text is the person's editor's alone.
    await rejectsReason(h.mesh.locks.fileChanged(b, file, { hash: contentHash('x\n'), text: 'x\n' }), 'unauthorized');
  });

  it('after a restart, an edit made while the broker was down is found from what the claim remembers', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 20 }, { reason: '' });
    h.mesh.dispose();
    writeAtomically(file, [...source(5, 100), ...original]);
    const seq = await h.mesh.events.lastSeq();
    h = await harness({}, h.db);
    // Requests queue behind the start's own transaction, which re-finds the claim's code.
    assert.deepEqual((await h.mesh.locks.list({})).map(range), [[15, 25]]);
    const { events } = await h.mesh.events.read(seq, ['lock_moved'], 10);
    assert.deepEqual(events.map((e) => [e.data.id, e.data.from.startLine, e.data.startLine]), [[lock.id, 10, 15]]);
    await rejectsReason(h.mesh.locks.acquire(b, { path: 'src/values.ts', startLine: 15, endLine: 25 }, { reason: '' }), 'lockConflict');
    // And it follows edits on disk from then on.
    const next = nextMove(h, lock.id);
    writeAtomically(file, [...source(2, 200), ...source(5, 100), ...original]);
    assert.deepEqual([(await next).data.startLine, (await next).data.endLine], [17, 27]);
  });

  it('the same file claimed in another worktree of the repo is a warning, not a conflict', async () => {
    const main = tempDir('peermesh-main-');
    const git = (...args: string[]) => execFileSync('git', ['-C', main, ...args], { stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    writeFile(path.join(main, 'src', 'app.ts'), `${original.join('\n')}\n`);
    git('add', '.');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'start');
    const wt = path.join(tempDir('peermesh-wts-'), 'feature');
    git('worktree', 'add', '-q', '-b', 'feature', wt);
    const inMain = (await join(h.mesh, 'codex-1', main)).id;
    const inWt = (await join(h.mesh, 'gemini-1', wt)).id;
    const first = await h.mesh.locks.acquire(inMain, { path: 'src/app.ts', startLine: 1, endLine: 10 }, { reason: '' });
    assert.equal(first.alsoClaimed, undefined);
    const second = await h.mesh.locks.acquire(inWt, { path: 'src/app.ts', startLine: 5, endLine: 8 }, { reason: '' });
    assert.equal(second.lock.relPath, 'src/app.ts');
    assert.equal(second.alsoClaimed?.length, 1);
    assert.equal(second.alsoClaimed[0].lock.id, first.lock.id);
    assert.equal(second.alsoClaimed[0].worktree, main);
    assert.equal(second.alsoClaimed[0].branch, 'main');
    assert.deepEqual((await h.mesh.locks.alsoClaimed(inMain, { path: 'src/app.ts' })).map((c) => c.branch), ['feature']);
    assert.deepEqual(await h.mesh.locks.alsoClaimed(inMain, { path: 'src/app.ts', startLine: 20, endLine: 30 }), []);
  });

  it('a branch switch that rewrites a claimed file moves its claims like any other edit', async () => {
    const main = tempDir('peermesh-switch-');
    const git = (...args: string[]) => execFileSync('git', ['-C', main, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    const app = writeFile(path.join(main, 'app.ts'), `${original.join('\n')}\n`);
    git('add', '.');
    git('commit', '-qm', 'start');
    git('checkout', '-qb', 'other');
    fs.writeFileSync(app, `${[...source(3, 300), ...original].join('\n')}\n`);
    git('commit', '-qam', 'three lines on top');
    git('checkout', '-q', 'main');
    const holder = (await join(h.mesh, 'codex-2', main)).id;
    const { lock } = await h.mesh.locks.acquire(holder, { path: 'app.ts', startLine: 10, endLine: 20 }, { reason: '' });
    const moved = nextMove(h, lock.id);
    git('checkout', '-q', 'other');
    const e = await moved;
    assert.deepEqual([e.data.startLine, e.data.endLine], [13, 23]);
  });

  it('while the person has unsaved lines above, an agent\'s lines (read from disk) are carried into the editor\'s numbering', async () => {
    const windowId = person;
    await h.mesh.locks.acquire(b, { path: 'src/values.ts', startLine: 30, endLine: 31 }, { reason: '' });
    const before = `${original.join('\n')}\n`;
    const typed = `// one\n// two\n${before}`;
    await h.mesh.locks.fileChanged(windowId, file, { hash: contentHash(typed), text: typed });
    // alice read the saved file: its lines 10–12 are the editor's 12–14.
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 12 }, { reason: '' });
    assert.deepEqual(range(lock), [12, 14]);
    assert.deepEqual((await h.mesh.locks.check(b, { path: 'src/values.ts', startLine: 12, endLine: 12 })).map(range), [[12, 14]]);
    // The window names lines as it shows them.
    assert.deepEqual(range((await h.mesh.locks.acquire(windowId, { path: 'src/values.ts', startLine: 1, endLine: 2 }, { reason: '' })).lock), [1, 2]);
    // Once saved, the disk and the editor agree again.
    writeAtomically(file, typed.slice(0, -1).split('\n'));
    assert.deepEqual(range((await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 20, endLine: 20 }, { reason: '' })).lock), [20, 20]);
  });

  it('a claim whose code comes back (an undo, the paste after a cut) is found again and no longer lost', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 12 }, { reason: '' });
    const typed = async (lines: readonly string[]) => {
      const text = `${lines.join('\n')}\n`;
      return (await h.mesh.locks.fileChanged(person, file, { hash: contentHash(text), text })).moved.map((l) => [l.startLine, l.endLine, l.anchorLost ?? false]);
    };
    const cut = [...original.slice(0, 9), ...original.slice(12)];
    assert.deepEqual(await typed(cut), [[10, 12, true]]);
    assert.deepEqual(await typed(original), [[10, 12, false]], 'undone');
    assert.deepEqual(await typed(cut), [[10, 12, true]]);
    assert.deepEqual(await typed([...cut.slice(0, 30), ...original.slice(9, 12), ...cut.slice(30)]), [[31, 33, false]], 'pasted further down');
    assert.equal((await h.mesh.locks.list({}))[0].id, lock.id);
  });

  it('after its claim moved, the holder still releases or renews it by the lines it named', async () => {
    await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 20 }, { reason: '' });
    writeAtomically(file, [...source(5, 100), ...original]);
    const again = await h.mesh.locks.acquire(a, { path: 'src/values.ts', startLine: 10, endLine: 20 }, { reason: '' });
    assert.equal(again.renewed, true, 'taking the same lines again renews the claim, wherever its code went');
    assert.deepEqual(range(again.lock), [15, 25]);
    assert.deepEqual((await h.mesh.locks.renew(a, { target: { path: 'src/values.ts', startLine: 10, endLine: 20 } })).map(range), [[15, 25]]);
    assert.deepEqual((await h.mesh.locks.release(a, { target: { path: 'src/values.ts', startLine: 10, endLine: 20 } })).map(range), [[15, 25]]);
    assert.deepEqual(await h.mesh.locks.list({}), []);
  });

  it('a claim in a folder that does not exist yet follows the file once it is written', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/new/later.ts', startLine: 3, endLine: 4 }, { reason: '' });
    const later = path.join(repo, 'src', 'new', 'later.ts');
    fs.mkdirSync(path.dirname(later));
    fs.writeFileSync(later, `${source(6).join('\n')}\n`);
    await h.mesh.locks.check(b, { path: 'src/new/later.ts' }); // the claim's lines are now these
    const moved = nextMove(h, lock.id);
    writeAtomically(later, [...source(2, 50), ...source(6)]);
    assert.deepEqual([(await moved).data.startLine, (await moved).data.endLine], [5, 6]);
  });
});
