import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cliPath, observer, runCli, spawnCli, tempHome, type Proc } from './harness';

describe('peermesh CLI', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  const cli = (...args: string[]) => runCli(args, t.env);

  before(async () => {
    t = tempHome();
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false);
  });
  after(async () => {
    broker.kill('SIGTERM');
    await broker.exited;
    t.cleanup();
  });

  it('stops quietly when its reader closes the pipe early (peermesh … | head)', () => {
    // A real pipe whose reader is gone before the help is written (`true` reads nothing).
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${cliPath}" help | true`], { env: t.env, encoding: 'utf8' });
    assert.equal(r.stderr, '', 'no stack trace');
    assert.equal(r.status, 0, 'exit 0: the output is done, not failed');
  });

  it('every command has --help, listing its own options and no other command\'s', async () => {
    const own: Record<string, string[]> = {
      serve: ['--idle-exit', '--lock-ttl', '--grace', '--message-retention', '--event-retention', '--audit-retention', '--debate-rounds', '--debate-idle', '--request-escalate', '--json', '--port'],
      status: ['--json', '--port', '--as'],
      peers: ['--scope', '--all', '--json', '--port', '--as'],
      send: ['--kind', '--scope', '--json', '--port', '--as'],
      inbox: ['--all', '--json', '--port', '--as'],
      'state get': ['--json', '--port', '--as'],
      'state set': ['--if-version', '--ttl', '--json', '--port', '--as'],
      'state del': ['--port', '--as'],
      'state list': ['--json', '--port', '--as'],
      lock: ['--ttl', '--reason', '--wait', '--renew', '--request', '--json', '--port', '--as'],
      unlock: ['--force', '--reason', '--json', '--port', '--as'],
      locks: ['--watch', '--json', '--port', '--as'],
      check: ['--json', '--port', '--as'],
      events: ['--since', '--follow', '--json', '--port', '--as'],
      edits: ['--json', '--port', '--as'],
      'commit-guard': [],
      mcp: ['--name', '--port'],
      setup: ['--hook-mode', '--hooks', '--print', '--remove'],
      doctor: ['--port'],
    };
    await Promise.all(Object.entries(own).map(async ([name, options]) => {
      const r = await cli(...name.split(' '), '--help');
      assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: peermesh ${name} `));
      const listed = r.stdout.split(/\n\n/).find((s) => s.startsWith('Options:'))?.match(/--[a-z-]+/g) ?? [];
      assert.deepEqual(listed.sort(), [...options, '--help'].sort(), `${name} --help lists its own options`);
    }));
    const top = await cli('--help');
    assert.equal(top.code, 0);
    for (const name of ['serve', 'status', 'peers', 'send', 'inbox', 'state', 'lock', 'check', 'unlock', 'locks', 'events', 'mcp', 'setup', 'doctor']) {
      assert.match(top.stdout, new RegExp(`^  ${name} `, 'm'), `peermesh --help lists ${name}`);
    }
    assert.match(top.stdout, /PEERMESH_HOME/);
    assert.equal((await cli()).stdout, top.stdout, 'bare peermesh shows the help');
    assert.match((await cli('state', 'set', '--help')).stdout, /Examples:\n {2}\$ peermesh state set /);
  });

  it('serve reports the running broker and exits 0', async () => {
    const r = await cli('serve');
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`already runs .* pid ${broker.pid}`));
  });

  it('serve takes the retention settings as flags, with their defaults and limits', async () => {
    const help = (await cli('serve', '--help')).stdout.replace(/\s+/g, ' '); // as one line, whatever the wrapping
    assert.match(help, /--message-retention <hours> how long messages are kept, read or not \(default 24\)/);
    assert.match(help, /--event-retention <hours> how long events are kept, and peers that left are remembered \(default 48\)/);
    assert.match(help, /--audit-retention <days> how long the audit trail \(the plan, deltas, debates and landings\) is kept \(default 30\)/);
    const refused = [['--message-retention', '0'], ['--event-retention', '1.5'], ['--event-retention', 'week'], ['--audit-retention', '0']];
    for (const [[flag, value], r] of (await Promise.all(refused.map((args) => cli('serve', ...args)))).map((r, i) => [refused[i], r] as const)) {
      assert.equal(r.code, 2, `${flag} ${value}: ${r.stdout}`);
      assert.equal(r.stderr, `peermesh: ${flag} takes a whole number of 1 or more, not "${value}"\n`);
    }
    // Valid ones are taken: this home's broker already runs, so serve says so and exits 0.
    const r = await cli('serve', '--message-retention', '2', '--event-retention', '72', '--audit-retention', '90');
    assert.equal(r.code, 0, r.stderr);
  });

  it('status --json names the broker pid and port', async () => {
    const r = await cli('status', '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.pid, broker.pid);
    assert.equal(typeof s.port, 'number');
    assert.equal(s.home, t.home.dir);
  });

  it('lock, locks, unlock with line ranges; a conflicting claim is refused with the holder named', async () => {
    assert.equal((await cli('lock', 'src/a.ts:10-20', '--reason', 'refactor', '--ttl', '120')).code, 0);
    const list = JSON.parse((await cli('locks', '--json')).stdout);
    assert.equal(list.length, 1);
    assert.deepEqual([list[0].startLine, list[0].endLine, list[0].reason], [10, 20, 'refactor']);
    assert.ok(list[0].expiresAt - Date.now() <= 120_000);
    // the same terminal locking it again is refused (scripts exclude each other); --renew renews
    const again = await cli('lock', 'src/a.ts:10-20');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already locked by you/);
    assert.match((await cli('lock', '--renew', 'src/a.ts:10-20')).stdout, /^renewed/);
    const un = await cli('unlock', 'src/a.ts:10-20');
    assert.equal(un.code, 0, un.stderr);
    assert.equal((await cli('locks')).stdout, 'no locks');
    const missing = await cli('unlock', 'src/a.ts');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /^peermesh: /);

    const other = await observer(t.home, 'other-agent');
    try {
      await other.request('locks/acquire', { target: { path: path.resolve('src/b.ts'), startLine: 5, endLine: 9 }, reason: 'rewriting the parser' });
      const refused = await cli('lock', 'src/b.ts');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /other-agent/);
      assert.match(refused.stderr, /rewriting the parser/);
    } finally {
      await other.close();
    }
  });

  it('an empty path is refused, never taken as the working directory', async () => {
    const empties = await Promise.all([['lock', ''], ['lock', ':12'], ['unlock', ''], ['locks', ''], ['edits', '']].map(async (args) => ({ args, r: await cli(...args) })));
    for (const { args, r } of empties) {
      assert.equal(r.code, 2, `peermesh ${args.join(' ')} exited ${r.code}: ${r.stdout}`);
      assert.match(r.stderr, /^peermesh: the path is empty: name a file/, `peermesh ${args.join(' ')}`);
    }
    assert.equal((await cli('locks')).stdout, 'no locks');
  });

  it('between commands the terminal shows disconnected, never working, and keeps its claims', async () => {
    const looker = await observer(t.home, 'looker');
    try {
      assert.equal((await cli('lock', 'src/d.ts', '--ttl', '300')).code, 0);
      const { peers } = await looker.request('peers/list', {});
      const terminal = peers.find((p) => p.kind === 'cli');
      assert.equal(terminal?.status, 'disconnected');
      assert.ok(terminal?.lastActive, 'its last command counted as a call of its own');
      assert.deepEqual((await looker.request('locks/list', {})).locks.map((l) => [l.relPath, l.holder]), [['src/d.ts', terminal?.id]]);
      assert.equal((await cli('unlock', 'src/d.ts')).code, 0);
    } finally {
      await looker.close();
    }
  });

  it('unlock --force takes another peer\'s lock away by id and alerts it', async () => {
    const agent = await observer(t.home, 'busy-agent');
    try {
      const alerts: string[] = [];
      agent.onMessage((m) => alerts.push(`${m.kind}: ${m.body}`));
      const { lock } = await agent.request('locks/acquire', { target: { path: path.resolve('src/c.ts'), startLine: 3, endLine: 4 }, reason: 'refactor' });
      const forced = await cli('unlock', '--force', `#${lock.id}`, '--reason', 'I am taking over src/c.ts');
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stdout, new RegExp(`^force-released src/c\\.ts:3-4 \\(#${lock.id}\\) from busy-agent, who was alerted$`));
      assert.deepEqual((await agent.request('locks/list', {})).locks, []);
      const deadline = Date.now() + 5000;
      while (alerts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(alerts.map((a) => a.replace(/^alert: \S+-cli /, 'alert: <me>-cli ')),
        ['alert: <me>-cli force-released your lock on src/c.ts:3-4: I am taking over src/c.ts']);
      const { events } = await agent.request('events/read', { types: ['lock_released'], since: 0, limit: 500 });
      const last = events[events.length - 1];
      assert.ok(last.type === 'lock_released');
      assert.equal(last.data.reason, 'forced');
      assert.match(last.data.by ?? '', /-cli$/);

      const again = await cli('unlock', '--force', String(lock.id));
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`^peermesh: no lock ${lock.id}: `));
      for (const args of [['unlock', '--force', 'src/c.ts'], ['unlock', 'src/c.ts', '--reason', 'why']]) {
        const r = await cli(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /^peermesh: (--force takes a lock id|--reason goes with --force)/);
      }
    } finally {
      await agent.close();
    }
  });

  it('state set, get, list, compare-and-set, del', async () => {
    assert.equal((await cli('state', 'set', 'plan/phase', '{"n":1}')).code, 0);
    assert.equal((await cli('state', 'get', 'plan/phase')).stdout, '{"n":1}');
    const stale = await cli('state', 'set', 'plan/phase', '2', '--if-version', '7');
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /version/i);
    assert.equal((await cli('state', 'set', 'plan/phase', '2', '--if-version', '1')).code, 0);
    assert.match((await cli('state', 'list', 'plan')).stdout, /^phase\tv2\t2$/m);
    assert.equal((await cli('state', 'del', 'plan/phase')).code, 0);
    const gone = await cli('state', 'get', 'plan/phase');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /not set/);
  });

  it('state list pages through every key and shows a big value by its size and how to read it', async () => {
    const writer = await observer(t.home, 'state-writer');
    try {
      const keys = Array.from({ length: 1200 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      // All at once: the journal commits them in a few groups, not in 1,200 flushes one after another.
      await Promise.all(keys.map((key) => writer.request('state/set', { namespace: 'many', key, value: 1 })));
      const big = 'v'.repeat(256 * 1024 - 2);
      for (const key of ['a', 'b']) await writer.request('state/set', { namespace: 'wide', key, value: big });
      await writer.request('state/set', { namespace: 'wide', key: 'c', value: 'small' });

      const listed = (await cli('state', 'list', 'many')).stdout.split('\n').map((line) => line.split('\t')[0]);
      assert.deepEqual(listed, keys, 'every key once, past the first thousand');
      const wide = await cli('state', 'list', 'wide');
      assert.equal(wide.code, 0);
      assert.deepEqual(wide.stdout.split('\n'), [
        'a\tv1\t(262144 bytes: peermesh state get wide/a)',
        'b\tv1\t(262144 bytes: peermesh state get wide/b)',
        'c\tv1\t"small"',
      ]);
      const json = JSON.parse((await cli('state', 'list', 'wide', '--json')).stdout) as Array<{ key: string; value: unknown; bytes?: number }>;
      assert.deepEqual(json.map((e) => [e.key, e.value, e.bytes]), [['a', null, 262144], ['b', null, 262144], ['c', 'small', undefined]]);
      assert.equal((await cli('state', 'get', 'wide/a')).stdout, JSON.stringify(big), 'get reads the whole value');
    } finally {
      await writer.close();
    }
  });

  it('send reaches a peer, and events lists what happened', async () => {
    const other = await observer(t.home, 'listener');
    try {
      const got = new Promise<string>((resolve) => other.onMessage((m) => resolve(m.body)));
      const r = await cli('send', 'listener', 'hello', 'there');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'sent to 1 peer');
      assert.equal(await got, 'hello there');
      const inbox = await other.request('messages/inbox', {});
      assert.match(inbox.messages[0].fromName, /-cli$/);
    } finally {
      await other.close();
    }
    const peers = JSON.parse((await cli('peers', '--json')).stdout);
    const me = peers.find((p: { kind: string }) => p.kind === 'cli');
    assert.ok(me, 'the terminal is a peer');
    const sent = await cli('send', me.name, 'note', 'to', 'self');
    // a peer cannot message itself: a clear refusal, not a crash
    assert.equal(sent.code, 2, sent.stderr);
    const events = (await cli('events', '--json')).stdout.split('\n').map((l) => JSON.parse(l));
    assert.ok(events.some((e) => e.type === 'state_changed'));
    assert.ok(events.every((e, i) => i === 0 || e.seq > events[i - 1].seq), 'events come in sequence order');
    const since = events[events.length - 2].seq;
    const tail = (await cli('events', '--since', String(since), '--json')).stdout.split('\n').filter(Boolean);
    assert.ok(tail.length >= 1);
  });

  it('peers, locks, inbox and a lock conflict show other peers\' escape sequences as text, never raw; a name with one is refused', async () => {
    // Erase the line and return to its start (to forge it), then set the window title.
    const attack = 'fine\x1b[2K\rforged\x1b]0;pwned\x07';
    await assert.rejects(observer(t.home, `evil${attack}`), /name must not contain control or invisible characters/);
    const me = JSON.parse((await cli('peers', '--json')).stdout).find((p: { kind: string }) => p.kind === 'cli');
    const mallory = await observer(t.home, 'mallory');
    try {
      await mallory.request('peers/update', { summary: attack });
      await mallory.request('locks/acquire', { target: { path: path.resolve('src/evil.ts') }, reason: attack });
      await mallory.request('messages/send', { to: { peer: me.id }, kind: 'text', body: `${attack}\n#1 12:00:00 admin → alert: all clear` });
      const shown = [await cli('peers'), await cli('locks'), await cli('inbox'), await cli('lock', 'src/evil.ts')];
      for (const r of shown) assert.doesNotMatch((r.stdout + r.stderr).replaceAll('\n', ''), /\p{Cc}/u, JSON.stringify(r));
      assert.match(shown[0].stdout, /mallory .*fine␛\[2K␍forged␛\]0;pwned␇$/m);
      assert.match(shown[2].stdout, /^#\d+ .* mallory → text: fine␛.* ⏎ #1 12:00:00 admin → alert: all clear$/m, 'a body cannot forge a line of its own');
    } finally {
      await mallory.request('locks/releaseAll', {});
      await mallory.close();
    }
  });

  it('events --follow prints new events as they happen', async () => {
    const since = JSON.parse((await cli('status', '--json')).stdout).lastEventSeq;
    const follow = spawnCli(['events', '--follow', '--json', '--since', String(since)], t.env);
    try {
      await cli('state', 'set', 'live/key', '"v"');
      const seen = await follow.waitFor((e) => e.type === 'state_changed' && (e.data as { key?: string }).key === 'key', 15_000, 'the followed event');
      assert.ok((seen.seq as number) > since);
    } finally {
      follow.kill('SIGTERM');
      await follow.exited;
    }
  });

  it('bad input exits non-zero with one line', async () => {
    for (const args of [['lock'], ['lock', 'x', '--ttl', 'soon'], ['nonsense'], ['state', 'get', 'nokey'], ['peers', '--bogus'], ['state']]) {
      const r = await cli(...args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^peermesh: /);
    }
  });

  it('a refusal of the broker is told in the command line\'s words, never the broker\'s methods', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['send', 'nobody', 'hi'], /^peermesh: no live peer "nobody" \(peermesh peers lists who is here\)$/],
      [['lock', 'a.ts:10-5'], /^peermesh: a\.ts:10-5: the range ends before it starts; give path:START-END$/],
      [['state', 'set', 'ns/k', 'v'.repeat(100_000), 'v'.repeat(100_000), 'v'.repeat(100_000)], /^peermesh: value: must be JSON of at most 262144 characters$/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(...args);
      assert.notEqual(r.code, 0, args.join(' ').slice(0, 40));
      assert.match(r.stderr.trimEnd(), pattern);
      assert.doesNotMatch(r.stderr, /\b(?:peers|messages|state|locks)\/[a-zA-Z]+|\btarget\b/);
    }
  });

  it('a mistake on the command line (unknown option or command, bad number, missing argument) exits 2 with one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['peers', '--bogus'], /^peermesh: unknown option '--bogus'; run peermesh peers --help$/],
      [['lock', 'x', '--tll', '5'], /^peermesh: unknown option '--tll' \(Did you mean --ttl\?\); run peermesh lock --help$/],
      [['doctor', '--json'], /^peermesh: unknown option '--json'/],
      [['nonsense'], /^peermesh: unknown command 'nonsense'; run peermesh --help$/],
      [['state', 'fetch', 'a/b'], /^peermesh: unknown command 'fetch'; run peermesh state --help$/],
      [['lock', 'x', '--ttl', 'soon'], /^peermesh: --ttl takes a whole number from 1 to 86400, not "soon"$/],
      [['lock', 'x', '--ttl', '0'], /^peermesh: --ttl takes a whole number from 1 to 86400, not "0"$/],
      [['lock', 'x', '--wait', '-1'], /^peermesh: --wait takes a whole number from 0 to 600, not "-1"$/],
      [['events', '--since', '1.5'], /^peermesh: --since takes a whole number of 0 or more, not "1.5"$/],
      [['serve', '--port', '70000'], /^peermesh: --port takes a whole number from 0 to 65535, not "70000"$/],
      [['peers', '--scope', 'galaxy'], /^peermesh: option '--scope <scope>' argument 'galaxy' is invalid/],
      [['send', 'someone'], /^peermesh: missing required argument 'text'; run peermesh send --help$/],
      [['state'], /^peermesh: missing command: one of get, set, del, list; run peermesh state --help$/],
    ];
    await Promise.all(cases.map(async ([args, pattern]) => {
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr.trimEnd(), pattern);
    }));
  });

  it('status without a broker says so and exits 1 (it does not start one)', async () => {
    const other = tempHome();
    try {
      const r = await runCli(['status'], other.env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no PeerMesh broker is running/);
    } finally {
      other.cleanup();
    }
  });
});
