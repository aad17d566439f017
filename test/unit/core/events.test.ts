import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock';
import { MeshContext, type MeshTx } from '../../../src/core/context';
import { Events } from '../../../src/core/events';
import { nullLogger } from '../../../src/core/logger';
import { meshDefaults } from '../../../src/core/context';
import { nodeWorkspaceProbe } from '../../../src/core/workspace';
import { BrokerError } from '../../../src/protocol/errors';
import type { LockReleaseReason, MeshEvent } from '../../../src/protocol/entities';
import { FakeTimers, flush, harness, join, openDb, type Harness } from './helpers';

const joined = { name: 'one', kind: 'cli', resumed: false } as const;

describe('core/events', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await harness();
  });

  afterEach(() => h.mesh.dispose());

  async function fill(): Promise<void> {
    await h.mesh.state.set('p-a', 'ns', 'a', 1); // 1 state_changed
    await join(h.mesh, 'x'); // 2 peer_joined
    await h.mesh.state.set('p-a', 'ns', 'a', 2); // 3 state_changed
    await h.mesh.state.delete('p-a', 'ns', 'a'); // 4 state_deleted
  }

  it('reads by cursor, type and limit; seq is monotonic', async () => {
    await fill();
    const all = await h.mesh.events.read(0, undefined, 100);
    assert.deepEqual(all.events.map((e) => e.seq), [1, 2, 3, 4]);
    assert.equal(all.cursor, 4);
    assert.deepEqual((await h.mesh.events.read(2, undefined, 100)).events.map((e) => e.seq), [3, 4]);
    const page = await h.mesh.events.read(0, undefined, 2);
    assert.deepEqual([page.events.map((e) => e.seq), page.cursor], [[1, 2], 2]);
    const typed = await h.mesh.events.read(0, ['state_changed'], 1);
    assert.deepEqual([typed.events.map((e) => e.seq), typed.cursor], [[1], 1], 'a full page stops at its last event');
    const rest = await h.mesh.events.read(1, ['state_changed'], 10);
    assert.deepEqual([rest.events.map((e) => e.seq), rest.cursor], [[3], 4], 'a short page skips to lastSeq');
    const none = await h.mesh.events.read(0, ['lock_acquired'], 10);
    assert.deepEqual([none.events, none.cursor], [[], 4]);
    assert.equal(await h.mesh.events.lastSeq(), 4);
  });

  it('wait resolves as soon as a matching event commits, and ignores others', async () => {
    const since = await h.mesh.events.lastSeq();
    const box: { got?: { events: MeshEvent[]; cursor: number } } = {};
    void h.mesh.events.wait(since, ['peer_joined'], 10, 60_000).then((r) => (box.got = r));
    await h.mesh.state.set('p-a', 'ns', 'k', 1);
    await flush();
    assert.equal(box.got === undefined, true, "still waiting");
    await join(h.mesh, 'x');
    await flush();
    assert.deepEqual(box.got?.events.map((e) => e.type), ['peer_joined']);
    assert.equal(box.got?.cursor, 2);
  });

  it('wait returns at once when there is something, and empty at the deadline', async () => {
    await fill();
    assert.equal((await h.mesh.events.wait(0, undefined, 10, 60_000)).events.length, 4);
    const box: { got?: { events: MeshEvent[]; cursor: number } } = {};
    void h.mesh.events.wait(4, undefined, 10, 5_000).then((r) => (box.got = r));
    await h.timers.advance(4_999);
    assert.equal(box.got === undefined, true, "still waiting");
    await h.timers.advance(1);
    assert.deepEqual(box.got, { events: [], cursor: 4 });
  });

  it('a wait whose signal aborts ends at once with cancelled and leaves no waiter behind', async () => {
    const abort = new AbortController();
    let error: unknown;
    void h.mesh.events.wait(0, undefined, 10, 60_000, abort.signal).catch((e: unknown) => (error = e));
    await flush();
    assert.equal(h.mesh.events.waiting(), 1);
    abort.abort();
    await flush();
    assert.ok(BrokerError.is(error, 'cancelled'), String(error));
    assert.equal(h.mesh.events.waiting(), 0);
    assert.equal(h.timers.size, 0, 'its deadline timer is gone too');
    await join(h.mesh, 'x'); // a later event finds nobody to wake
    const already = new AbortController();
    already.abort();
    assert.equal((await h.mesh.events.wait(0, undefined, 10, 60_000, already.signal)).events.length, 1, 'events ready: returned');
    await assert.rejects(h.mesh.events.wait(1, undefined, 10, 60_000, already.signal), (e) => BrokerError.is(e, 'cancelled'));
    assert.equal(h.mesh.events.waiting(), 0);
  });

  it('dispose rejects pending waits with unavailable', async () => {
    let error: unknown;
    void h.mesh.events.wait(0, undefined, 10, 60_000).catch((e: unknown) => (error = e));
    h.mesh.dispose();
    await flush();
    assert.ok(BrokerError.is(error, 'unavailable'));
  });

  it('listeners and waiters hear of an event only after its transaction commits, never of a rolled-back one', async () => {
    const clock = new ManualClock();
    const db = await openDb();
    const ctx = new MeshContext(db, clock, new FakeTimers(clock), nullLogger, nodeWorkspaceProbe, meshDefaults, () => 'id');
    const events = new Events(ctx);
    const log: string[] = [];
    db.onCommit = () => log.push('commit');
    ctx.eventListeners.add((e) => log.push(`event ${e.seq}`));
    const box: { waited?: { events: MeshEvent[] } } = {};
    void events.wait(0, undefined, 10, 60_000).then((r) => (box.waited = r));
    await assert.rejects(ctx.tx(async (t) => {
      await t.emit('peer_joined', 'p-1', joined);
      throw new Error('boom');
    }), /boom/);
    await flush();
    assert.deepEqual(log, []);
    assert.equal(box.waited === undefined, true, "not woken");
    assert.equal((await events.read(0, undefined, 10)).events.length, 0);
    let ended: MeshTx | undefined;
    await ctx.tx(async (t) => {
      ended = t;
      await t.emit('peer_joined', 'p-1', joined);
      await t.emit('peer_left', 'p-1', { name: 'one', reason: 'left' });
    });
    await flush();
    // The rolled-back insert used seq 1 (AUTOINCREMENT is rolled back too).
    assert.deepEqual(log, ['commit', 'event 1', 'event 2']);
    assert.deepEqual(box.waited?.events.map((e) => e.type), ['peer_joined', 'peer_left']);
    await assert.rejects(ended!.emit('peer_joined', null, joined), /after its transaction ended/);
  });

  it('emit takes only the payload of its event type, and read hands back typed payloads', async () => {
    const clock = new ManualClock();
    const ctx = new MeshContext(await openDb(), clock, new FakeTimers(clock), nullLogger, nodeWorkspaceProbe, meshDefaults, () => 'id');
    const events = new Events(ctx);
    const lock = { id: 1, path: '/r/a.ts', root: '/r', relPath: 'a.ts', startLine: null, endLine: null, holder: 'p-1', holderName: 'one', expiresAt: 9 };
    const either = 'lock_expired' as 'lock_released' | 'lock_expired';
    // Each mistake is rejected by the compiler (tsc fails on an unused @ts-expect-error) and,
    // run here, only rolled back.
    await assert.rejects(ctx.tx(async (t) => {
      // @ts-expect-error another type's payload
      await t.emit('lock_acquired', 'p-1', { summary: 'x' });
      // @ts-expect-error a field missing (broadcast)
      await t.emit('message_sent', 'p-1', { id: 1, to: 'p-2', kind: 'text', threadId: 1 });
      // @ts-expect-error a field of the wrong type
      await t.emit('state_changed', 'p-1', { namespace: 'ns', key: 'k', version: '2' });
      // @ts-expect-error a value outside its enum
      await t.emit('peer_left', 'p-1', { name: 'one', reason: 'bored' });
      // @ts-expect-error a type that may be either of two, with one's payload
      await t.emit(either, 'p-1', { ...lock, reason: 'released' });
      // @ts-expect-error a key no payload has
      await t.emit('summary_changed', 'p-1', { summary: 's', body: 'the message text' });
      throw new Error('rollback');
    }), /rollback/);
    await ctx.tx(async (t) => {
      await t.emit('lock_acquired', 'p-1', lock);
      await t.emit('lock_released', 'p-1', { ...lock, reason: 'holder gone' });
    });
    const [released] = (await events.read(0, ['lock_released'], 10)).events;
    const reason: LockReleaseReason = released.data.reason;
    assert.equal(reason, 'holder gone');
    const [any] = (await events.read(0, undefined, 1)).events;
    // Without a type filter the payload is known once the type is checked.
    assert.equal(any.type === 'lock_acquired' ? any.data.relPath : undefined, 'a.ts');
  });

  it('onEvent listeners get every committed event; unsubscribe stops them; a throwing one is contained', async () => {
    const seen: string[] = [];
    const off = h.mesh.onEvent((e) => seen.push(e.type));
    h.mesh.onEvent(() => {
      throw new Error('bad listener');
    });
    const x = await join(h.mesh, 'x');
    off();
    await h.mesh.peers.leave(x.id);
    assert.deepEqual(seen, ['peer_joined']);
  });

  it('retention prunes old events; seq keeps counting', async () => {
    await fill();
    h.clock.advance(48 * 3600_000 + 1);
    await h.mesh.sweep();
    assert.equal((await h.mesh.counts()).events, 0);
    assert.equal(await h.mesh.events.lastSeq(), 4);
    assert.deepEqual(await h.mesh.events.read(0, undefined, 10), { events: [], cursor: 4 });
    await h.mesh.state.set('p-a', 'ns', 'k', 1);
    assert.equal((await h.mesh.events.read(4, undefined, 10)).events[0].seq, 5);
  });
});
