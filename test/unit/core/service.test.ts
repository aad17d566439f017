import assert from 'node:assert/strict';
import type { MeshCounts } from '../../../src/core/api';
import type { MeshService } from '../../../src/core/service';
import { statusCounts } from '../../../src/protocol/requests/status';
import type { SqlTx } from '../../../src/core/sql';
import { flush, harness, join } from './helpers';

describe('core/service: the mesh loops over its services', () => {
  it('runs a service added from outside: sweeps it when it falls due, counts it, disposes it', async () => {
    const h = await harness();
    const start = h.clock.now();
    const calls: string[] = [];
    let due: number | null = start + 5_000;
    const widgets: MeshService = {
      sweep(_tx, now) {
        calls.push(`sweep +${now - start}`);
        due = null;
        return Promise.resolve({ widgets: 1 });
      },
      // A count name a real service would declare in protocol/requests/status.ts.
      counts: (): Promise<Partial<MeshCounts>> => Promise.resolve(Object.fromEntries([['widgets', 7]])),
      nextExpiry: () => Promise.resolve(due),
      dispose: () => calls.push('dispose'),
    };
    h.mesh.addService(widgets);

    await h.timers.advance(4_999);
    assert.deepEqual(calls, [], 'not due yet');
    await h.timers.advance(1);
    assert.deepEqual(calls, ['sweep +5000'], 'its expiry woke the mesh, which swept it');
    assert.equal(h.timers.size, 0, 'nothing else is due: no timer left');

    await h.mesh.sweep();
    assert.deepEqual(calls, ['sweep +5000', 'sweep +5000'], 'a sweep of the mesh sweeps it too');

    assert.equal((await h.mesh.counts() as unknown as Record<string, number>).widgets, 7);
    assert.equal((await h.mesh.counts()).livePeers, 0, 'next to the built-in counts');

    h.mesh.dispose();
    h.mesh.dispose();
    assert.deepEqual(calls.slice(2), ['dispose'], 'disposed once');
  });

  it('sweeps an added service in the same transaction as the others', async () => {
    const h = await harness();
    await join(h.mesh, 'claude');
    const inTx: boolean[] = [];
    // Counts the store's transactions, and which are running.
    const transaction = h.db.transaction.bind(h.db);
    let started = 0;
    let running = 0;
    h.db.transaction = <T>(fn: (tx: SqlTx) => Promise<T>) => transaction(async (tx) => {
      started++;
      running++;
      try {
        return await fn(tx);
      } finally {
        running--;
      }
    });
    h.mesh.addService({
      sweep: async (t) => {
        assert.equal(running, 1, 'called inside the sweep\'s transaction');
        assert.ok(await t.db.get('SELECT 1 AS x'), 'and given its statements');
        inTx.push(true);
        return {};
      },
      counts: () => Promise.resolve({}),
    });
    await flush();
    started = 0;
    await h.mesh.sweep();
    assert.deepEqual(inTx, [true]);
    assert.equal(started, 1, 'one transaction for the whole sweep');
    h.mesh.dispose();
  });

  it('counts every core count declared in the protocol', async () => {
    const h = await harness();
    const declared = Object.keys(statusCounts).filter((name) => name !== 'sessions');
    assert.deepEqual(Object.keys(await h.mesh.counts()).sort(), declared.sort());
    h.mesh.dispose();
  });
});
