import assert from 'node:assert/strict';
import path from 'node:path';
import { MeshEvent, eventTypes, type EventType } from '../../../src/protocol/entities';
import { eventTopics, meshTopics } from '../../../src/protocol/topics';
import { contentHash } from '../../../src/core/reanchor';
import { gitRepo, harness, join, sha256, writeFile } from '../core/helpers';
import { loginPlan } from '../core/plan-helpers';

/** True only when A and B are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;

describe('protocol: events', () => {
  it('the event union has one member per event type', async () => {
    const sameTypes: Equal<MeshEvent['type'], EventType> = true;
    assert.ok(sameTypes);
    assert.deepEqual(MeshEvent.options.map((o) => o.shape.type.value).sort(), [...eventTypes].sort());
  });

  it('the topic map places every event type, and only known topics', async () => {
    // The map's type names every event type: one left out, or one unknown, does not compile.
    // @ts-expect-error peer_left and the others are missing
    const partial: typeof eventTopics = { peer_joined: ['peers'] };
    assert.ok(partial);
    assert.deepEqual(Object.keys(eventTopics).sort(), [...eventTypes].sort());
    for (const [type, topics] of Object.entries(eventTopics)) {
      for (const topic of topics) assert.ok(meshTopics.includes(topic), `${type} → ${topic}`);
    }
    for (const topic of meshTopics) {
      assert.ok(eventTypes.some((t) => eventTopics[t].includes(topic)), `no event changes ${topic}`);
    }
  });

  it("a rename reaches the locks views: the holder's name changes and the event has the locks topic", async () => {
    const h = await harness();
    try {
      const repo = gitRepo();
      writeFile(path.join(repo, 'src', 'a.ts'));
      const a = (await join(h.mesh, 'alice', repo)).id;
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: 'r' });
      const since = await h.mesh.events.lastSeq();
      await h.mesh.peers.update(a, { name: 'alice-renamed' });
      const { events } = await h.mesh.events.read(since, undefined, 100);
      assert.ok(events.some((e) => eventTopics[e.type].includes('locks')), events.map((e) => e.type).join(', '));
      assert.deepEqual((await h.mesh.locks.list({})).map((l) => l.holderName), ['alice-renamed']);
    } finally {
      h.mesh.dispose();
    }
  });

  it('every event the core emits matches its schema, and crosses the wire unchanged', async () => {
    const h = await harness();
    try {
      const repo = gitRepo();
      const text = 'one\ntwo\nthree\nfour\nfive\nsix\n';
      writeFile(path.join(repo, 'src', 'a.ts'), text);
      const a = (await join(h.mesh, 'alice', repo)).id;
      const b = (await join(h.mesh, 'bob', repo)).id;
      const c = (await join(h.mesh, 'carol', repo)).id;
      const person = (await join(h.mesh, 'person', repo, { kind: 'vscode-window' })).id;
      await h.mesh.peers.update(a, { summary: 'typing events', status: 'idle', name: 'alice-2' });
      await h.mesh.messages.send(a, { peers: [b, c] }, 'request', 'look?');
      await h.mesh.messages.deliver(b, 2000, 10);
      await h.mesh.edits.record(a, 'src/a.ts', [{ startLine: 2, endLine: 3 }], 'Edit');
      await h.mesh.state.set(a, 'ns', 'k', 1);
      await h.mesh.state.delete(a, 'ns', 'k');
      await h.mesh.state.set(a, 'ns', 'brief', 1, { ttlSeconds: 1 });
      const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 5 }, { reason: 'r' });
      await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 5 }, { reason: 'r' });
      await h.mesh.locks.fileChanged(person, 'src/a.ts', { hash: contentHash(`zero\n${text}`), text: `zero\n${text}` });
      await h.mesh.locks.release(a, { lockId: lock.id });
      await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: 'short', ttlSeconds: 1 });
      await h.mesh.locks.acquire(b, { path: 'src/b.ts' }, { reason: 'kept' });
      const { lock: taken } = await h.mesh.locks.acquire(c, { path: 'src/c.ts' }, { reason: 'taken away' });
      await h.mesh.locks.saveGuarded(person, { path: 'src/c.ts', lockIds: [taken.id], choice: 'saved' });
      await h.mesh.locks.forceRelease(person, taken.id, 'the person needs it');
      h.clock.advance(2_000);
      await h.mesh.sweep();
      await h.mesh.plans.submit(a, undefined, loginPlan(), 'agent');
      const { proposal: turnedDown } = await h.mesh.plans.submit(c, undefined, loginPlan((p) => (p.title = 'no')), 'sampling');
      await h.mesh.plans.reject(a, turnedDown!.id, 'no');
      const { proposal } = await h.mesh.plans.submit(c, undefined, loginPlan((p) => (p.title = 'yes')), 'editor');
      await h.mesh.plans.accept(a, proposal!.id);
      await h.mesh.plans.claim(b, undefined, 'schema');
      await h.mesh.plans.update(c, undefined, 'form', { status: 'blocked', note: 'waiting' });
      await h.mesh.plans.contract(a, undefined, { id: 'login-api', status: 'approved' });
      const delta = await h.mesh.deltas.push(a, undefined, { kind: 'discovery', severity: 'blocking', summary: 'the schema moved', affects: { tasks: ['schema'] } });
      await h.mesh.deltas.ack(b, [delta.id]);
      await h.mesh.edits.record(a, 'src/types.ts', [], 'Edit'); // the user-type contract's file: a draft
      const debate = await h.mesh.debates.start(a, undefined, { topic: 'REST or RPC', with: ['carol'], turn: { position: 'REST', proposal: 'REST' } });
      await h.mesh.debates.respond(c, debate.id, { position: 'RPC', escalate: true });
      await h.mesh.debates.decide(person, debate.id, { pick: 1 });
      // The landing queue: alice holds main past half its TTL (a stall), then passes it to bob.
      await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 10 });
      await h.mesh.sync.acquire(b, undefined, 'main');
      h.clock.advance(5_000);
      await h.mesh.sweep();
      await h.mesh.sync.release(a, undefined, 'main');
      // Release requests: carol asks for bob's claim, which escalates unanswered, then is denied.
      const { requests: [asked] } = await h.mesh.lockRequests.request(c, { target: { path: 'src/b.ts' } }, { reason: 'need it' });
      h.clock.advance(3 * 60_000);
      await h.mesh.sweep();
      await h.mesh.lockRequests.answer(b, asked.id, { answer: 'deny', reason: 'not yet' });
      await h.mesh.peers.disconnected(b);
      await h.mesh.peers.resume(b, sha256('secret-bob'));
      await h.mesh.peers.leave(b);
      await h.timers.advance(0); // bob's task is freed
      const { events } = await h.mesh.events.read(0, undefined, 500);
      assert.deepEqual([...new Set(events.map((e) => e.type))].sort(), [...eventTypes].sort(), 'the scenario covers every type');
      for (const e of events) {
        const wire: unknown = JSON.parse(JSON.stringify(e));
        assert.deepEqual(MeshEvent.parse(wire), wire, `#${e.seq} ${e.type}`);
      }
    } finally {
      h.mesh.dispose();
    }
  });
});
