import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerError } from '../../src/protocol/errors';
import { withInProcessBroker } from './with-broker';

describe('the plan over the wire', function () {
  this.timeout(60_000);

  it('submit, a claim race between peers, moves and the audit trail, through the broker', () => withInProcessBroker(async (mesh) => {
    const project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pm-plan-')));
    mesh.defer(() => fs.rmSync(project, { recursive: true, force: true }));
    const [a, b, c] = [await mesh.observer('a'), await mesh.observer('b'), await mesh.observer('c')];
    const plan = {
      title: 'Ship it',
      phases: [{ id: 'one', title: 'One', tasks: [{ id: 'build', title: 'Build' }, { id: 'test', title: 'Test', dependsOn: ['build'] }] }],
    };
    const first = await a.request('plan/submit', { project, plan });
    assert.deepEqual([first.plan?.version, first.proposal], [1, null]);
    const bad = await a.request('plan/submit', { project, plan: { ...plan, phases: [] } }).catch((e: unknown) => e);
    assert.ok(BrokerError.is(bad, 'invalidInput'), String(bad));

    const racers = [a, b, c];
    const results = await Promise.allSettled(racers.map((p) => p.request('plan/claim', { project, task: 'build' })));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [racers[i].peer] : []));
    assert.equal(winners.length, 1);
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.ok(BrokerError.is(r.reason, 'alreadyClaimed'), String(r.reason));
        assert.deepEqual(r.reason.data?.byName, winners[0].name);
      }
    }
    const notReady = await a.request('plan/claim', { project, task: 'test' }).catch((e: unknown) => e);
    assert.ok(BrokerError.is(notReady, 'notReady'), String(notReady));
    assert.deepEqual(notReady.data?.open, [{ id: 'build', title: 'Build', status: 'in_progress' }]);

    const winner = racers.find((p) => p.peer.id === winners[0].id)!;
    await winner.request('plan/update', { project, task: 'build', status: 'done' });
    const { tasks } = await a.request('plan/tasks', { project, status: ['done'] });
    assert.deepEqual(tasks.map((t) => [t.id, t.assigneeName]), [['build', winners[0].name]]);

    const { entries } = await a.request('events/audit', { types: ['plan_changed', 'task_claimed', 'task_updated'] });
    assert.deepEqual(entries.map((e) => [e.event.type, e.peerName]), [
      ['plan_changed', 'a'], ['task_claimed', winners[0].name], ['task_updated', winners[0].name],
    ]);
  }));
});
