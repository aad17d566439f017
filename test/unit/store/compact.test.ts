import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../../src/core/clock';
import { createMesh, type MeshCore } from '../../../src/core/mesh';
import type { DurableStore } from '../../../src/store/store';
import { counterId, FakeTimers, join } from '../core/helpers';
import { crashCopy, storeFixture } from './helpers';

describe('store: mesh.db shrinks after pruning', () => {
  let dir: string;
  const openStore = storeFixture((d) => (dir = d));
  const hour = 3_600_000;

  /** The mesh core on a durable store, with a clock the test moves. */
  function meshOn(store: DurableStore, clock = new ManualClock()): { mesh: MeshCore; clock: ManualClock } {
    const mesh = createMesh(store.db, { clock, timers: new FakeTimers(clock), newId: counterId, retention: { messagesMs: hour, eventsMs: hour } });
    return { mesh, clock };
  }

  const size = async (file: string) => (await fs.stat(path.join(dir, file))).size;
  const bodies = (store: DurableStore) => store.db.all<{ body: string }>('SELECT body FROM messages ORDER BY id').map((r) => r.body);

  it('a snapshot after a prune that freed most pages writes a smaller mesh.db, which the journal still replays onto', async () => {
    const store = await openStore(dir);
    const { mesh, clock } = meshOn(store);
    try {
      const a = (await join(mesh, 'a')).id;
      await join(mesh, 'b');
      for (let i = 0; i < 40; i++) await mesh.messages.send(a, { peer: 'b' }, 'text', `${i} ${'x'.repeat(60_000)}`);
      await store.durable();
      await store.snapshot();
      const full = await size('mesh.db');
      assert.ok(full > 2_400_000, `${full} bytes`);

      clock.advance(hour + 1);
      await mesh.sweep();
      assert.equal((await mesh.counts()).messages, 0);
      await store.durable();
      await store.snapshot();
      const pruned = await size('mesh.db');
      assert.ok(pruned < full / 10, `mesh.db is ${pruned} bytes after pruning, was ${full}`);

      // Writes after the compacted snapshot replay onto it after a crash, and onto the
      // previous (uncompacted) snapshot when mesh.db is unreadable.
      await mesh.messages.send(a, { peer: 'b' }, 'text', 'after');
      await store.durable();
      const copy = await crashCopy(dir);
      assert.deepEqual(bodies(await openStore(copy)), ['after']);
      const fallback = await crashCopy(dir);
      await fs.writeFile(path.join(fallback, 'mesh.db'), 'not a database');
      assert.deepEqual(bodies(await openStore(fallback)), ['after']);
    } finally {
      mesh.dispose();
    }
  });
});
