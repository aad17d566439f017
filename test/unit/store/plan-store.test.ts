import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock';
import { createMesh, type MeshCore } from '../../../src/core/mesh';
import { migrate, migrations } from '../../../src/store/schema';
import { SqlJsDb } from '../../../src/store/sqljs';
import type { DurableStore } from '../../../src/store/store';
import { counterId, FakeTimers, gitRepo, join } from '../core/helpers';
import { loginPlan } from '../core/plan-helpers';
import { crashCopy, storeFixture } from './helpers';

describe('store: the plan', () => {
  let dir: string;
  const openStore = storeFixture((d) => (dir = d));

  function meshOn(store: DurableStore, clock: ManualClock): MeshCore {
    return createMesh(store.db, { clock, timers: new FakeTimers(clock), newId: counterId });
  }

  it('migration 5 adds the plan tables to a store of schema 4, keeping what it holds', async () => {
    const db = await SqlJsDb.open();
    for (const [i, sql] of migrations.slice(0, 4).entries()) db.exec(`BEGIN; ${sql}; PRAGMA user_version = ${i + 1}; COMMIT;`);
    db.exec("INSERT INTO peers (id, name, kind, status, connected_at, last_seen, session_hash, client) VALUES ('p-a', 'a', 'cursor', 'live', 1, 1, 'h', 'x')");
    db.exec("INSERT INTO events (type, peer, at, data) VALUES ('peer_joined', 'p-a', 1, '{}')");
    assert.equal(migrate(db), migrations.length - 4);
    assert.equal(db.get<{ user_version: number }>('PRAGMA user_version')?.user_version, migrations.length);
    assert.deepEqual(db.all('SELECT id, client FROM peers'), [{ id: 'p-a', client: 'x' }]);
    assert.equal(db.all('SELECT * FROM events').length, 1);
    const tables = db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'plan%' ORDER BY name").map((r) => r.name);
    assert.deepEqual(tables, ['plan_contracts', 'plan_decisions', 'plan_phases', 'plan_proposals', 'plan_tasks', 'plans']);
    assert.equal(migrate(db), 0, 'applied once');
    db.close();
  });

  it('a plan, its task moves and proposals survive a crash: snapshot plus journal replay', async () => {
    const clock = new ManualClock();
    const store = await openStore(dir);
    const mesh = meshOn(store, clock);
    const repo = gitRepo();
    try {
      const alice = (await join(mesh, 'alice', repo)).id;
      const bob = (await join(mesh, 'bob', repo)).id;
      await mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      await mesh.plans.claim(bob, undefined, 'schema');
      await store.durable();
      await store.snapshot();
      // After the snapshot: only in the journal.
      await mesh.plans.update(bob, undefined, 'schema', { status: 'done' });
      const { proposal } = await mesh.plans.submit(alice, undefined, loginPlan((p) => (p.title = 'Login v2')), 'editor');
      await mesh.plans.accept(bob, proposal!.id);
      await mesh.plans.contract(alice, undefined, { id: 'login-api', status: 'approved' });
      await mesh.plans.update(alice, undefined, 'form', { assignee: 'bob' });
      await store.durable();
      const before = { plan: await mesh.plans.get(alice, undefined), mine: await mesh.plans.mine(bob, false), proposal: await mesh.plans.proposal(alice, proposal!.id) };
      assert.equal(before.plan.plan?.version, 2);

      const reopened = await openStore(await crashCopy(dir));
      const again = meshOn(reopened, clock);
      try {
        const after = { plan: await again.plans.get(alice, undefined), mine: await again.plans.mine(bob, false), proposal: await again.plans.proposal(alice, proposal!.id) };
        assert.deepEqual(after, before);
        assert.equal(after.mine.assigned[0]?.id, 'form', 'not yet shown survives too');
      } finally {
        again.dispose();
      }
    } finally {
      mesh.dispose();
    }
  });
});
