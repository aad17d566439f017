import assert from 'node:assert/strict';
import type { MeshCounts } from '../../../src/core/api';
import type { MeshService } from '../../../src/core/service';
import { statusCounts } from '../../../src/protocol/requests/status';
import { harness, join } from './helpers';

describe('core/service: the mesh loops over its services', () => {
  it('runs a service added from outside: sweeps it when it falls due, counts it, disposes it', async () => {
    const h = await harness();
    const start = h.clock.now();
    const calls: string[] = [];
    let due: number | null = start + 5_000;
    const widgets: MeshService = {
      sweep(now) {
        calls.push(`sweep +${now - start}`);
        due = null;
        return { widgets: 1 };
      },
      // A count name a real service would declare in protocol/requests/status.ts.
      counts: (): Partial<MeshCounts> => Object.fromEntries([['widgets', 7]]),
      nextExpiry: () => due,
      dispose: () => calls.push('dispose'),
    };
    h.mesh.addService(widgets);

    await h.timers.advance(4_999);
    assert.deepEqual(calls, [], 'not due yet');
    await h.timers.advance(1);
    assert.deepEqual(calls, ['sweep +5000'], 'its expiry woke the mesh, which swept it');
    assert.equal(h.timers.size, 0, 'nothing else is due: no timer left');

    h.mesh.sweep();
    assert.deepEqual(calls, ['sweep +5000', 'sweep +5000'], 'a sweep of the mesh sweeps it too');

    assert.equal((h.mesh.counts() as unknown as Record<string, number>).widgets, 7);
    assert.equal(h.mesh.counts().livePeers, 0, 'next to the built-in counts');

    h.mesh.dispose();
    h.mesh.dispose();
    assert.deepEqual(calls.slice(2), ['dispose'], 'disposed once');
  });

  it('sweeps an added service in the same transaction as the others', async () => {
    const h = await harness();
    join(h.mesh, 'claude');
    const inTx: boolean[] = [];
    h.mesh.addService({
      sweep: () => {
        // A nested transaction would be a no-op; a top-level one would throw inside one.
        assert.throws(() => h.db.run('BEGIN'), /transaction/);
        inTx.push(true);
        return {};
      },
      counts: () => ({}),
    });
    h.mesh.sweep();
    assert.deepEqual(inTx, [true]);
    h.mesh.dispose();
  });

  it('counts every core count declared in the protocol', async () => {
    const h = await harness();
    const declared = Object.keys(statusCounts).filter((name) => name !== 'sessions');
    assert.deepEqual(Object.keys(h.mesh.counts()).sort(), declared.sort());
    h.mesh.dispose();
  });
});
