/**
 * The terminal's identity and `peermesh lock` as a lock between scripts: real `peermesh`
 * processes against a real `peermesh serve`. Two scripts that lock the same file exclude each
 * other, whether they run as the person (the default identity) or as named identities (`--as`);
 * an identity used for the first time by several processes at once is registered once.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import { spawnCli } from './harness';
import { withBroker, withInProcessBroker, type MeshFixture } from './with-broker';

/** Polls `look` until it returns something other than undefined; fails naming `what` after `ms`. */
async function eventually<T>(what: string, look: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const seen = await look();
    if (seen !== undefined) return seen;
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The live peers of kind `cli`, as another peer sees them. */
async function terminals(looker: PeerClient) {
  return (await looker.request('peers/list', {})).peers.filter((p) => p.kind === 'cli');
}

describe('peermesh lock between scripts (terminal identities)', function () {
  this.timeout(120_000);

  /** A file path for this test's mesh (locks need not name an existing file). */
  const file = (m: MeshFixture, name: string) => path.join(m.dir, 'work', name);

  it('two scripts locking the same file at once as the person: one gets it, the other exits 1 naming the holder', () => withBroker(async (m) => {
    // The identity exists already: this is about the lock, not the first registration.
    assert.equal((await m.cli('peers')).code, 0);
    const target = file(m, 'same-file.txt');
    const runs = await Promise.all([m.cli('lock', target, '--reason', 'script one'), m.cli('lock', target, '--reason', 'script two')]);
    assert.deepEqual(runs.map((r) => r.code).sort(), [0, 1], `exit codes; stdout: ${runs.map((r) => r.stdout).join(' | ')}`);
    const refused = runs.find((r) => r.code === 1)!;
    assert.match(refused.stderr, /^peermesh: .*same-file\.txt is already locked by you \(\S+-cli\)/);
    assert.match(refused.stderr, /taken \S+ ago/);
    assert.match(refused.stderr, /peermesh lock --renew /);
    assert.match(refused.stderr, /--as NAME/);
    const looker = await m.observer('looker');
    assert.equal((await looker.request('locks/list', {})).locks.length, 1);
  }));

  it('with --wait the second script waits for the first to unlock, then gets the lock', () => withBroker(async (m) => {
    const target = file(m, 'queued.txt');
    assert.equal((await m.cli('lock', target)).code, 0);
    const looker = await m.observer('looker');
    const second = spawnCli(['lock', target, '--wait', '60'], m.env);
    m.defer(() => second.kill());
    // It queues: the lock shows one request waiting for it (or the test sees the early exit).
    await eventually('the second script queued', async () => {
      if (second.child.exitCode !== null) assert.fail(`the second script did not wait: exit ${second.child.exitCode}, ${second.lines.join(' ')}`);
      const [lock] = (await looker.request('locks/list', { path: target })).locks;
      return lock?.waiting === 1 ? lock : undefined;
    });
    const unlocked = await m.cli('unlock', target);
    assert.equal(unlocked.code, 0, unlocked.stderr);
    assert.equal(await second.exited, 0, second.stderr);
    assert.match(second.lines.join('\n'), /^locked .*queued\.txt/);
    assert.equal((await looker.request('locks/list', { path: target })).locks.length, 1);
  }));

  it('--as NAME (or PEERMESH_AS) is a holder of its own: a and b exclude each other, and each unlocks only its own', () => withBroker(async (m) => {
    const target = file(m, 'named.txt');
    const a = await m.cli('--as', 'a', 'lock', target, '--reason', 'job a');
    assert.equal(a.code, 0, a.stderr);
    const b = await m.cli('lock', target, '--as', 'b');
    assert.equal(b.code, 1);
    assert.match(b.stderr, /named\.txt is locked by \S+-cli:a \("job a"\)/);
    assert.equal((await m.cli('lock', target)).code, 1, 'the person\'s default identity is another holder too');
    const bEnv = { ...m.env, PEERMESH_AS: 'b' };
    const spawned = spawnCli(['unlock', target], bEnv);
    assert.equal(await spawned.exited, 1);
    assert.match(spawned.stderr, /held by \S+-cli:a, not by you/);
    assert.equal((await m.cli('unlock', target)).code, 1, 'nor can the default identity release it');
    const looker = await m.observer('looker');
    const holders = (await looker.request('locks/list', {})).locks.map((l) => l.holderName);
    assert.equal(holders.length, 1);
    assert.match(holders[0], /-cli:a$/);
    assert.equal((await m.cli('unlock', target, '--as', 'a')).code, 0);
    assert.deepEqual((await looker.request('locks/list', {})).locks, []);
    // Each named identity is a terminal peer of the person, with its own file (0600).
    const names = (await terminals(looker)).map((p) => p.name.replace(/^.*-cli/, '<me>-cli')).sort();
    assert.deepEqual(names, ['<me>-cli', '<me>-cli:a', '<me>-cli:b']);
    for (const name of ['a', 'b']) {
      const stat = await fs.stat(path.join(m.dir, 'cli-peers', `${name}.json`));
      assert.equal(stat.mode & 0o777, 0o600, `cli-peers/${name}.json is private`);
    }
  }));

  it('--as refuses a name that is not a plain word, in its own terms (exit 2)', () => withBroker(async (m) => {
    for (const bad of ['../x', 'a/b', '', '.hidden', 'x'.repeat(33)]) {
      const r = await m.cli('--as', bad, 'locks');
      assert.equal(r.code, 2, `--as "${bad}": ${r.stderr}`);
      assert.match(r.stderr, /^peermesh: --as takes a name of 1 to 32 letters, digits, dots, dashes or underscores/);
    }
  }));

  it('--renew renews the lock the identity holds, and fails when it holds none', () => withBroker(async (m) => {
    const target = file(m, 'renewed.txt');
    assert.equal((await m.cli('lock', target, '--ttl', '60')).code, 0);
    const looker = await m.observer('looker');
    const before = (await looker.request('locks/list', { path: target })).locks[0];
    const renewed = await m.cli('lock', '--renew', target, '--ttl', '3600');
    assert.equal(renewed.code, 0, renewed.stderr);
    assert.match(renewed.stdout, /^renewed .*renewed\.txt \(#\d+\) for (1h 0m|59m \d+s)$/);
    const after = (await looker.request('locks/list', { path: target })).locks[0];
    assert.equal(after.id, before.id);
    assert.ok(after.expiresAt > before.expiresAt + 3_000_000, 'the lock now lasts an hour');
    const none = await m.cli('lock', '--renew', file(m, 'other.txt'));
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^peermesh: you hold no lock on /);
  }));

  it('blocked by its own queued request (not a lock it holds), lock does not suggest --renew, which would fail', () => withBroker(async (m) => {
    const target = file(m, 'queued-own.txt');
    const looker = await m.observer('looker');
    await looker.request('locks/acquire', { target: { path: target, startLine: 1, endLine: 10 }, reason: 'another agent' });
    // This identity waits for the whole file; its next command asks for lines nobody holds.
    const waiting = spawnCli(['lock', target, '--wait', '60'], m.env);
    m.defer(() => waiting.kill());
    await eventually('the whole-file request queued', async () => {
      if (waiting.child.exitCode !== null) assert.fail(`it did not wait: exit ${waiting.child.exitCode}, ${waiting.lines.join(' ')}`);
      const [lock] = (await looker.request('locks/list', { path: target })).locks;
      return lock?.waiting === 1 ? lock : undefined;
    });
    const r = await m.cli('lock', `${target}:20-30`);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /queued-own\.txt is claimed next by \S+-cli, queued earlier/);
    assert.doesNotMatch(r.stderr, /--renew/);
    assert.match(r.stderr, /--as NAME/);
  }));

  it('processes using the identity for the first time at once register one peer and one identity file; unlock releases any of their locks', () => withBroker(async (m) => {
    const targets = ['first-a.txt', 'first-b.txt', 'first-c.txt'].map((n) => file(m, n));
    const runs = await Promise.all(targets.map((t) => m.cli('lock', t)));
    assert.deepEqual(runs.map((r) => r.code), [0, 0, 0], runs.map((r) => r.stderr).join(' | '));
    const looker = await m.observer('looker');
    const cli = await terminals(looker);
    assert.deepEqual(cli.map((p) => p.name.replace(/^.*-cli/, '<me>-cli')), ['<me>-cli'], 'one terminal peer');
    const saved = JSON.parse(await fs.readFile(path.join(m.dir, 'cli-peer.json'), 'utf8')) as { peerId: string };
    assert.equal(saved.peerId, cli[0].id, 'the identity file names that peer');
    assert.deepEqual((await fs.readdir(m.dir)).filter((f) => f.startsWith('cli-peer')), ['cli-peer.json'], 'nothing left beside it');
    for (const t of targets) {
      const r = await m.cli('unlock', t);
      assert.equal(r.code, 0, `unlock ${path.basename(t)}: ${r.stderr}`);
    }
    assert.deepEqual((await looker.request('locks/list', {})).locks, []);
  }));

  it('a saved identity the broker no longer knows is registered again once, however many commands find it at once', () => withBroker(async (m) => {
    // As after the mesh's store was reset: the file names a peer this broker never saw.
    const saved = path.join(m.dir, 'cli-peer.json');
    await fs.writeFile(saved, JSON.stringify({ peerId: 'p-forgotten', sessionSecret: 'x'.repeat(48) }) + '\n', { mode: 0o600 });
    const targets = ['stale-a.txt', 'stale-b.txt', 'stale-c.txt'].map((n) => file(m, n));
    const runs = await Promise.all(targets.map((t) => m.cli('lock', t)));
    assert.deepEqual(runs.map((r) => r.code), [0, 0, 0], runs.map((r) => r.stderr).join(' | '));
    const looker = await m.observer('looker');
    const cli = await terminals(looker);
    assert.deepEqual(cli.map((p) => p.name.replace(/^.*-cli/, '<me>-cli')), ['<me>-cli'], 'one terminal peer');
    assert.equal((JSON.parse(await fs.readFile(saved, 'utf8')) as { peerId: string }).peerId, cli[0].id);
    assert.deepEqual((await fs.readdir(m.dir)).filter((f) => f.startsWith('cli-peer')), ['cli-peer.json']);
    for (const t of targets) assert.equal((await m.cli('unlock', t)).code, 0, `unlock ${path.basename(t)}`);
  }));

  it('a named identity used for the first time by several commands at once is one peer with one file', () => withBroker(async (m) => {
    const targets = ['named-a.txt', 'named-b.txt'].map((n) => file(m, n));
    const runs = await Promise.all(targets.map((t) => m.cli('lock', t, '--as', 'Nightly')));
    assert.deepEqual(runs.map((r) => r.code), [0, 0], runs.map((r) => r.stderr).join(' | '));
    const looker = await m.observer('looker');
    const cli = await terminals(looker);
    assert.deepEqual(cli.map((p) => p.name.replace(/^.*-cli/, '<me>-cli')), ['<me>-cli:nightly'], 'names are one identity whatever their case');
    assert.deepEqual(await fs.readdir(path.join(m.dir, 'cli-peers')), ['nightly.json']);
    for (const t of targets) assert.equal((await m.cli('unlock', t, '--as', 'nightly')).code, 0, `unlock ${path.basename(t)}`);
  }));

  /** The commands that only look (or, for an identity that does not exist, could find nothing): they make no identity. */
  const lookOnly = (m: MeshFixture) => [
    ['status'], ['peers'], ['locks'], ['edits', file(m, 'x.txt')], ['events'], ['state', 'get', 'plan/phase'], ['state', 'list', 'plan'],
    ['inbox'], ['unlock', file(m, 'x.txt')], ['lock', '--renew', file(m, 'x.txt')],
  ];

  it('a command that only looks, acting as a name with no identity yet (a typo), refuses and registers nothing', () => withBroker(async (m) => {
    for (const args of lookOnly(m)) {
      const r = await m.cli(...args, '--as', 'tpyo');
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^peermesh: no terminal identity tpyo yet; it is made by the first command that acts as it, e\.g\. peermesh lock --as tpyo /, args.join(' '));
    }
    const looker = await m.observer('looker');
    assert.deepEqual((await looker.request('peers/list', { includeGone: true })).peers.filter((p) => p.kind === 'cli'), [], 'no terminal peer');
    await assert.rejects(fs.stat(path.join(m.dir, 'cli-peers', 'tpyo.json')), { code: 'ENOENT' });
    // A command that acts makes it; then the others act as it.
    assert.equal((await m.cli('state', 'set', 'plan/phase', '2', '--as', 'tpyo')).code, 0);
    const got = await m.cli('state', 'get', 'plan/phase', '--as', 'tpyo');
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim(), '2');
  }));

  it('a named identity unused for longer than the event retention is forgotten; looking as it refuses, acting as it registers it again', () => withInProcessBroker(async (m) => {
    const made = await m.cli('state', 'set', 'ci/job', '1', '--as', 'job-17');
    assert.equal(made.code, 0, made.stderr);
    const saved = path.join(m.dir, 'cli-peers', 'job-17.json');
    const first = (JSON.parse(await fs.readFile(saved, 'utf8')) as { peerId: string }).peerId;
    const looker = await m.observer('looker');
    await eventually('the unused identity forgotten', async () => {
      const { peers } = await looker.request('peers/list', { includeGone: true });
      return peers.some((p) => p.id === first) ? undefined : true;
    });
    const look = await m.cli('peers', '--as', 'job-17');
    assert.equal(look.code, 1, look.stderr);
    assert.match(look.stderr, /^peermesh: the mesh no longer knows terminal identity job-17 /);
    const again = await m.cli('state', 'set', 'ci/job', '2', '--as', 'job-17');
    assert.equal(again.code, 0, again.stderr);
    const second = (JSON.parse(await fs.readFile(saved, 'utf8')) as { peerId: string }).peerId;
    assert.notEqual(second, first, 'registered again, and saved');
    const named = (await terminals(looker)).filter((p) => p.id === second).map((p) => p.name.replace(/^.*-cli/, '<me>-cli'));
    assert.deepEqual(named, ['<me>-cli:job-17']);
  }, { retention: { eventsMs: 500 }, sweepEveryMs: 100 }));
});
