/**
 * Symbol claims through the mesh, on a real TypeScript file: taken by name, conflicting like
 * lines, and re-resolved by name when the file changes on disk.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Lock } from '../../../src/protocol/entities';
import { BrokerError } from '../../../src/protocol/errors';
import { gitRepo, harness, join, nextMove, rejectsReason, writeAtomically, writeFile, type Harness } from './helpers';

const fixture = fs.readFileSync(path.join(__dirname, '../../fixtures/symbols/auth.ts'), 'utf8').replace(/\n$/, '').split('\n');

const range = (l: Pick<Lock, 'startLine' | 'endLine'>) => [l.startLine, l.endLine];

describe('core/symbol-claims: claims on symbols', () => {
  let h: Harness;
  let repo: string;
  let file: string;
  let a: string;
  let b: string;

  beforeEach(async () => {
    h = await harness();
    repo = gitRepo();
    file = writeFile(path.join(repo, 'src', 'auth.ts'), `${fixture.join('\n')}\n`);
    a = (await join(h.mesh, 'claude-1', repo)).id;
    b = (await join(h.mesh, 'cursor-1', repo)).id;
  });

  afterEach(() => h.mesh.dispose());

  it('two peers hold disjoint symbols of one file, each on its symbol\'s lines', async () => {
    const login = (await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'AuthService.login' }, { reason: 'login' })).lock;
    const refresh = (await h.mesh.locks.acquire(b, { path: 'src/auth.ts', symbol: 'AuthService.refresh' }, { reason: 'refresh' })).lock;
    assert.deepEqual([login.symbol, ...range(login)], ['AuthService.login', 22, 27]);
    assert.deepEqual([refresh.symbol, ...range(refresh)], ['AuthService.refresh', 29, 33]);
    const listed = await h.mesh.locks.list({ path: file });
    assert.deepEqual(listed.map((l) => [l.holder, l.symbol]), [[a, 'AuthService.login'], [b, 'AuthService.refresh']]);
  });

  it('a whole-file claim and a class claim conflict with a method claim; lines outside it do not', async () => {
    await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'AuthService.refresh' }, { reason: '' });
    const whole = await rejectsReason(h.mesh.locks.acquire(b, { path: 'src/auth.ts' }, { reason: '' }), 'lockConflict');
    assert.match(whole.message, /AuthService\.refresh/);
    await rejectsReason(h.mesh.locks.acquire(b, { path: 'src/auth.ts', symbol: 'AuthService' }, { reason: '' }), 'lockConflict');
    await rejectsReason(h.mesh.locks.acquire(b, { path: 'src/auth.ts', startLine: 33, endLine: 34 }, { reason: '' }), 'lockConflict');
    assert.deepEqual(range((await h.mesh.locks.acquire(b, { path: 'src/auth.ts', symbol: 'parseConfig' }, { reason: '' })).lock), [47, 50]);
    assert.deepEqual((await h.mesh.locks.check(b, { path: 'src/auth.ts', symbol: 'AuthService.login' })), []);
    assert.deepEqual((await h.mesh.locks.check(b, { path: 'src/auth.ts', symbol: 'AuthService' })).map((l) => l.symbol), ['AuthService.refresh']);
  });

  it('taking one\'s own symbol again renews it; release and renew by symbol act on that claim only', async () => {
    const first = (await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'AuthService.login' }, { reason: '' })).lock;
    await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'parseConfig' }, { reason: '' });
    const again = await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'AuthService.login' }, { reason: '' });
    assert.deepEqual([again.renewed, again.lock.id], [true, first.id]);
    assert.deepEqual((await h.mesh.locks.renew(a, { target: { path: 'src/auth.ts', symbol: 'parseConfig' } })).map((l) => l.symbol), ['parseConfig']);
    assert.deepEqual((await h.mesh.locks.release(a, { target: { path: 'src/auth.ts', symbol: 'AuthService.login' } })).map((l) => l.id), [first.id]);
    assert.deepEqual((await h.mesh.locks.list({})).map((l) => l.symbol), ['parseConfig']);
    await rejectsReason(h.mesh.locks.release(a, { target: { path: 'src/auth.ts', symbol: 'AuthService.login' } }), 'notFound');
  });

  it('an unknown symbol is notFound with close matches; a file without a grammar is invalidInput', async () => {
    const e = await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'AuthService.refesh' }, { reason: '' }), 'notFound');
    assert.deepEqual(e.data?.closeMatches, ['AuthService.refresh']);
    writeFile(path.join(repo, 'notes.md'), '# notes\n');
    const bad = await rejectsReason(h.mesh.locks.acquire(a, { path: 'notes.md', symbol: 'notes' }, { reason: '' }), 'invalidInput');
    assert.match(bad.message, /\.ts .*\.java/);
    await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/missing.ts', symbol: 'x' }, { reason: '' }), 'notFound');
    await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'a b' }, { reason: '' }), 'invalidInput');
    assert.deepEqual(await h.mesh.locks.list({}), []);
  });

  it('follows its function moved to the end of the file on disk, by name', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'parseConfig' }, { reason: '' });
    const other = (await h.mesh.locks.acquire(b, { path: 'src/auth.ts', symbol: 'AuthService.refresh' }, { reason: '' })).lock;
    const moved = nextMove(h, lock.id);
    // parseConfig (47-50) goes after isExpired, and gains a line on the way.
    const body = fixture.slice(46, 50);
    const after = [...fixture.slice(0, 45), ...fixture.slice(51), '', body[0], '  // one more line', ...body.slice(1)];
    writeAtomically(file, after);
    const e = await moved;
    assert.deepEqual(e.data.from, { startLine: 47, endLine: 50 });
    assert.deepEqual([e.data.startLine, e.data.endLine, e.data.anchorLost, e.data.symbol], [48, 52, false, 'parseConfig']);
    assert.equal(after[47], 'export function parseConfig(text: string): Record<string, string> {');
    const listed = await h.mesh.locks.list({});
    assert.deepEqual(listed.map((l) => [l.id, ...range(l)]), [[other.id, 29, 33], [lock.id, 48, 52]]);
    await rejectsReason(h.mesh.locks.acquire(b, { path: 'src/auth.ts', startLine: 52, endLine: 52 }, { reason: '' }), 'lockConflict');
  });

  it('a renamed symbol is lost: the claim keeps the diff\'s lines, and is found again when the name comes back', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'AuthService.refresh' }, { reason: '' });
    let moved = nextMove(h, lock.id);
    const renamed = fixture.map((l) => l.replace('async refresh(', 'async renew('));
    writeAtomically(file, ['// header', ...renamed]);
    let e = await moved;
    assert.deepEqual([e.data.startLine, e.data.endLine, e.data.anchorLost], [30, 34, true]);
    assert.equal((await h.mesh.locks.list({}))[0].anchorLost, true);
    moved = nextMove(h, lock.id);
    writeAtomically(file, fixture);
    e = await moved;
    assert.deepEqual([e.data.startLine, e.data.endLine, e.data.anchorLost], [29, 33, false]);
  });

  it('a syntax error elsewhere in the file does not lose the symbol', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'parseConfig' }, { reason: '' });
    const moved = nextMove(h, lock.id);
    writeAtomically(file, ['const broken = (;', '', ...fixture]);
    const e = await moved;
    assert.deepEqual([e.data.startLine, e.data.endLine, e.data.anchorLost], [49, 52, false]);
  });

  it('a symbol that grows into another peer\'s claim is not widened into it: it keeps the diff\'s lines, flagged', async () => {
    const { lock } = await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'parseConfig' }, { reason: '' });
    const held = (await h.mesh.locks.acquire(b, { path: 'src/auth.ts', startLine: 52, endLine: 52 }, { reason: '' })).lock;
    const moved = nextMove(h, lock.id);
    // parseConfig's closing brace moves below isExpired: the function now spans b's line.
    writeAtomically(file, [...fixture.slice(0, 49), ...fixture.slice(50), '}']);
    const e = await moved;
    assert.deepEqual([e.data.startLine, e.data.endLine, e.data.anchorLost, e.data.symbolBlocked], [47, 49, false, true]);
    const [mine, theirs] = await h.mesh.locks.list({});
    assert.deepEqual([mine.symbolBlocked, ...range(mine)], [true, 47, 49]);
    assert.deepEqual([theirs.id, ...range(theirs)], [held.id, 51, 51]);
  });

  it('a waiting symbol claim is granted on the symbol where it is when it frees', async () => {
    const held = (await h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'AuthService' }, { reason: '' })).lock;
    const waiting = h.mesh.locks.acquire(b, { path: 'src/auth.ts', symbol: 'AuthService.refresh' }, { reason: '', waitMs: 60_000 });
    writeAtomically(file, ['// header', '// more', ...fixture]);
    await nextMove(h, held.id);
    await h.mesh.locks.release(a, { lockId: held.id });
    assert.deepEqual(range((await waiting).lock), [31, 35]);
  });

  it('symbol and lines together are refused', async () => {
    const e = await rejectsReason(h.mesh.locks.acquire(a, { path: 'src/auth.ts', symbol: 'parseConfig', startLine: 1, endLine: 2 }, { reason: '' }), 'invalidInput');
    assert.ok(BrokerError.is(e) && /symbol or lines/.test(e.message));
  });
});
