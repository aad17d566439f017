/**
 * `peermesh deltas`: the real `peermesh` binary against a real broker (hosted in the test
 * process, so agents of it can push and ack deltas without processes of their own). It lists a
 * project's deltas with who acked each, filters by --since and --blocking, prints JSON, and
 * refuses a bad --since in its own words. Four CLI runs in all: the suite is near its time limit.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PeerClient } from '../../src/client/peer';
import type { Delta, DeltaKind } from '../../src/protocol/coordination';
import type { RequestParams } from '../../src/protocol/methods';
import { withInProcessBroker } from './with-broker';

describe('peermesh deltas', function () {
  this.timeout(120_000);

  it('lists the project\'s deltas with who acked them; --since, --blocking, --json; a bad --since refused', () => withInProcessBroker(async (m) => {
    const project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-deltas-')));
    m.defer(() => rmSync(project, { recursive: true, force: true }));
    execFileSync('git', ['init', '-q', project]);
    const agent = async (name: string) => {
      const c = await PeerClient.connect({ home: m.home, canHost: false, connectTimeoutMs: 10_000, intro: { name, kind: 'claude-code', cwd: project } });
      m.defer(() => c.close());
      return c;
    };
    const alice = await agent('alice');
    const bob = await agent('bob');
    await alice.request('plan/submit', {
      source: 'agent',
      plan: {
        title: 'Sign-in',
        contracts: [{ id: 'login-api', kind: 'api', name: 'POST /api/login', spec: 'Body {"email": string}.' }],
        phases: [{ id: 'web', title: 'Web', tasks: [{ id: 'login-form', title: 'Login form', files: ['web/login/**'], contracts: ['login-api'] }] }],
      },
    });
    await bob.request('plan/claim', { task: 'login-form' });
    const push = async (delta: Omit<RequestParams<'delta/push'>, 'kind'> & { kind?: DeltaKind }) => (await alice.request('delta/push', { kind: 'discovery', ...delta })).delta;
    const first = await push({ summary: 'the form posts JSON', severity: 'blocking', affects: { files: ['web/login/form.ts'] } });
    await bob.request('delta/ack', { ids: [first.id] });
    const second = await push({ kind: 'contract_change', severity: 'blocking', summary: 'login answers 202', detail: 'Do not wait\nfor the mail.', affects: { contracts: ['login-api'] } });
    const third = await push({ summary: 'docs moved', affects: { files: ['docs/**'] } });

    const [listed, blocking, bad, help] = await Promise.all([
      m.cli('deltas', '--project', project),
      m.cli('deltas', '--project', project, '--blocking', '--since', String(first.id), '--json'),
      m.cli('deltas', '--project', project, '--since', 'yesterday'),
      m.cli('deltas', '--help'),
    ]);
    assert.equal(listed.code, 0, listed.stderr);
    const ago = '\\d+s ago';
    const expected = [
      `#${first.id} blocking discovery by alice, ${ago}: "the form posts JSON"`,
      '    files web/login/form.ts',
      '    acked: bob',
      '',
      `#${second.id} blocking contract_change by alice, ${ago}: "login answers 202"`,
      '    contracts login-api v2',
      '    Do not wait for the mail.',
      '    not acked: bob',
      '',
      `#${third.id} info discovery by alice, ${ago}: "docs moved"`,
      '    files docs/\\*\\*',
      '    sent to nobody \\(no peer\'s task, claim or recent edit touched it\\)',
    ];
    const lines = listed.stdout.split('\n');
    assert.equal(lines.length, expected.length, listed.stdout);
    lines.forEach((line, i) => assert.match(line, new RegExp(`^${expected[i]}$`), `line ${i + 1}: ${line}`));

    assert.equal(blocking.code, 0, blocking.stderr);
    const page = JSON.parse(blocking.stdout) as { deltas: Delta[]; more: boolean };
    assert.deepEqual([page.deltas.map((d) => d.id), page.more], [[second.id], false]);
    assert.deepEqual(page.deltas[0].recipients.map((r) => [r.peerName, r.reason, r.via, r.ackedAt]), [['bob', 'task', 'login-form', null]]);

    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^peermesh: --since takes a whole number of 0 or more, not "yesterday"/);

    assert.equal(help.code, 0, help.stderr);
    const options = help.stdout.split(/\n\n/).find((x) => x.startsWith('Options:'))?.match(/--[a-z-]+/g) ?? [];
    assert.deepEqual(options.sort(), ['--as', '--blocking', '--help', '--json', '--port', '--project', '--since']);
  }));
});
