import assert from 'node:assert/strict';
import { meshDefaults } from '../../../src/core/context';
import { gitRepo, harness, join, type Harness } from './helpers';
import { loginPlan } from './plan-helpers';

describe('core/events: the audit trail', () => {
  let h: Harness;
  const hour = 3_600_000;

  beforeEach(async () => {
    h = await harness({ retention: { eventsMs: hour, auditMs: 10 * hour } });
  });

  afterEach(() => h.mesh.dispose());

  it('gives each event its peer\'s name, from the peers kept, else from the event, else none', async () => {
    const repo = gitRepo();
    const alice = (await join(h.mesh, 'alice', repo)).id;
    const bob = (await join(h.mesh, 'bob', repo)).id;
    await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
    await h.mesh.plans.claim(bob, undefined, 'schema');
    await h.mesh.peers.update(bob, { name: 'robert' });
    await h.mesh.peers.leave(bob);
    await h.timers.advance(0); // the mesh frees robert's task: task_released without a peer
    const read = async () => (await h.mesh.events.audit({ since: 0, after: 0, limit: 100 })).entries.map((e) => [e.event.type, e.peerName]);
    const named = [
      ['peer_joined', 'alice'], ['peer_joined', 'robert'], ['plan_changed', 'alice'], ['task_claimed', 'robert'],
      ['peer_status', 'robert'], ['peer_left', 'robert'], ['task_released', null],
    ];
    assert.deepEqual(await read(), named, 'the peers table has the name it has now');
    h.db.exec(`DELETE FROM peers WHERE id = '${bob}'`);
    assert.deepEqual(await read(), [
      ['peer_joined', 'alice'], ['peer_joined', 'bob'], ['plan_changed', 'alice'], ['task_claimed', 'bob'],
      ['peer_status', 'robert'], ['peer_left', 'robert'], ['task_released', null],
    ], 'forgotten: the name the event carries, as it was then');
  });

  it('pages by seq and filters by time and type; the cursor stays put when nothing more', async () => {
    const repo = gitRepo();
    const alice = (await join(h.mesh, 'alice', repo)).id; // seq 1
    await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent'); // 2
    h.clock.advance(1000);
    const later = h.clock.now();
    await h.mesh.plans.claim(alice, undefined, 'schema'); // 3
    await h.mesh.plans.update(alice, undefined, 'schema', { status: 'done' }); // 4
    const page = await h.mesh.events.audit({ since: 0, after: 0, limit: 2 });
    assert.deepEqual([page.entries.map((e) => e.event.seq), page.cursor], [[1, 2], 2]);
    const rest = await h.mesh.events.audit({ since: 0, after: page.cursor, limit: 2 });
    assert.deepEqual([rest.entries.map((e) => e.event.seq), rest.cursor], [[3, 4], 4]);
    assert.deepEqual(await h.mesh.events.audit({ since: 0, after: 4, limit: 2 }), { entries: [], cursor: 4 });
    const recent = await h.mesh.events.audit({ since: later, after: 0, limit: 10 });
    assert.deepEqual(recent.entries.map((e) => e.event.seq), [3, 4]);
    const typed = await h.mesh.events.audit({ since: 0, after: 0, types: ['task_updated', 'plan_changed'], limit: 10 });
    assert.deepEqual(typed.entries.map((e) => e.event.type), ['plan_changed', 'task_updated']);
  });

  it('keeps plan, task and contract events for the audit retention, others for the event retention', async () => {
    const repo = gitRepo();
    const alice = (await join(h.mesh, 'alice', repo)).id;
    await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
    await h.mesh.plans.contract(alice, undefined, { id: 'login-api', status: 'approved' });
    await h.mesh.state.set(alice, 'ns', 'k', 1);
    h.clock.advance(2 * hour);
    await h.mesh.sweep();
    assert.deepEqual((await h.mesh.events.read(0, undefined, 100)).events.map((e) => e.type), ['plan_changed', 'contract_changed']);
    h.clock.advance(8 * hour + 1);
    await h.mesh.sweep();
    assert.deepEqual((await h.mesh.events.read(0, undefined, 100)).events.map((e) => e.type), []);
  });

  it('keeps the audit trail 30 days by default', () => {
    assert.equal(meshDefaults.retention.auditMs, 30 * 24 * hour);
  });
});
