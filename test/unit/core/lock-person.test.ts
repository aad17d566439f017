/**
 * The person's word over claims: taking a lock away from its holder (`forceRelease`), and the
 * record of what the person chose when the editor warned before saving over claims
 * (`saveGuarded`).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { eventTopics } from '../../../src/protocol/topics';
import { gitRepo, harness, join, rejectsReason, writeFile, type Harness } from './helpers';

describe('core/locks: the person\'s word', () => {
  let h: Harness;
  let repo: string;
  let agent: string;
  let other: string;
  let window: string;

  beforeEach(async () => {
    h = await harness();
    repo = gitRepo();
    writeFile(path.join(repo, 'src', 'a.ts'));
    agent = (await join(h.mesh, 'claude-1', repo)).id;
    other = (await join(h.mesh, 'cursor-1', repo, { kind: 'cursor' })).id;
    window = (await join(h.mesh, 'vscode:proj', repo, { kind: 'vscode-window' })).id;
  });

  afterEach(() => h.mesh.dispose());

  describe('forceRelease', () => {
    it('the editor window takes any lock away: lock_released (forced, by it), and the holder gets an alert from it', async () => {
      const { lock } = await h.mesh.locks.acquire(agent, { path: 'src/a.ts', startLine: 10, endLine: 20 }, { reason: 'parser' });
      const since = await h.mesh.events.lastSeq();
      const result = await h.mesh.locks.forceRelease(window, lock.id, 'I am fixing a typo there');
      assert.deepEqual([result.released.id, result.released.holder, result.alerted], [lock.id, agent, true]);
      assert.deepEqual(await h.mesh.locks.list({}), []);
      const events = (await h.mesh.events.read(since, undefined, 10)).events;
      assert.deepEqual(events.map((e) => [e.type, e.peer]), [['lock_released', window], ['message_sent', window]]);
      const released = events[0];
      assert.ok(released.type === 'lock_released');
      assert.deepEqual([released.data.reason, released.data.by, released.data.holder, released.data.relPath], ['forced', 'vscode:proj', agent, 'src/a.ts']);
      const { messages } = await h.mesh.messages.inbox(agent, true, 10);
      assert.deepEqual(messages.map((m) => [m.from, m.fromName, m.kind, m.body]), [
        [window, 'vscode:proj', 'alert', 'vscode:proj force-released your lock on src/a.ts:10-20: I am fixing a typo there'],
      ]);
    });

    it("the person's terminal may too; without a reason the alert says only what happened", async () => {
      const terminal = (await join(h.mesh, 'me-cli', repo, { kind: 'cli' })).id;
      const { lock } = await h.mesh.locks.acquire(other, { path: 'src/a.ts' }, { reason: '' });
      assert.equal((await h.mesh.locks.forceRelease(terminal, lock.id)).alerted, true);
      const { messages } = await h.mesh.messages.inbox(other, true, 10);
      assert.deepEqual(messages.map((m) => m.body), ['me-cli force-released your lock on src/a.ts']);
    });

    it('an agent may not: unauthorized, saying who may, and the lock stays with no event', async () => {
      const { lock } = await h.mesh.locks.acquire(agent, { path: 'src/a.ts' }, { reason: 'mine' });
      const since = await h.mesh.events.lastSeq();
      for (const kind of ['cursor', 'unknown'] as const) {
        const peer = (await join(h.mesh, `agent-${kind}`, repo, { kind })).id;
        const e = await rejectsReason(h.mesh.locks.forceRelease(peer, lock.id, 'mine now'), 'unauthorized');
        assert.match(e.message, /only the person may force-release a lock.*ask the holder/);
      }
      assert.deepEqual((await h.mesh.locks.list({})).map((l) => l.id), [lock.id]);
      assert.deepEqual((await h.mesh.events.read(since, ['lock_released', 'message_sent'], 10)).events, []);
      assert.equal((await h.mesh.messages.inbox(agent, true, 10)).messages.length, 0);
    });

    it('an unknown, released or expired lock is notFound', async () => {
      await rejectsReason(h.mesh.locks.forceRelease(window, 999), 'notFound');
      const { lock } = await h.mesh.locks.acquire(agent, { path: 'src/a.ts' }, { reason: '', ttlSeconds: 5 });
      h.clock.advance(5000);
      const e = await rejectsReason(h.mesh.locks.forceRelease(window, lock.id), 'notFound');
      assert.match(e.message, new RegExp(`no lock ${lock.id}`));
    });

    it('a holder that is not connected gets no alert; its lock goes all the same', async () => {
      const { lock } = await h.mesh.locks.acquire(agent, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.peers.disconnected(agent);
      const result = await h.mesh.locks.forceRelease(window, lock.id, 'gone quiet');
      assert.equal(result.alerted, false);
      assert.deepEqual(await h.mesh.locks.list({}), []);
      assert.equal((await h.mesh.messages.inbox(agent, false, 10)).messages.length, 0);
    });

    it('a peer waiting for the lock gets it at once', async () => {
      const { lock } = await h.mesh.locks.acquire(agent, { path: 'src/a.ts' }, { reason: '' });
      const waiting = h.mesh.locks.acquire(other, { path: 'src/a.ts', startLine: 1, endLine: 3 }, { reason: 'next', waitMs: 60_000 });
      await h.timers.advance(10);
      await h.mesh.locks.forceRelease(window, lock.id);
      const granted = await waiting;
      assert.equal(granted.lock.holder, other);
    });
  });

  describe('saveGuarded', () => {
    it('records the choice with the claims still held and their holders, each once; unknown ids are left out', async () => {
      const { lock: one } = await h.mesh.locks.acquire(agent, { path: 'src/a.ts', startLine: 1, endLine: 5 }, { reason: '' });
      const { lock: two } = await h.mesh.locks.acquire(agent, { path: 'src/a.ts', startLine: 10, endLine: 20 }, { reason: '' });
      const { lock: three } = await h.mesh.locks.acquire(other, { path: 'src/a.ts', startLine: 30, endLine: 40 }, { reason: '' });
      const since = await h.mesh.events.lastSeq();
      await h.mesh.locks.saveGuarded(window, { path: 'src/a.ts', lockIds: [three.id, one.id, 9999, two.id, one.id], choice: 'saved' });
      const events = (await h.mesh.events.read(since, undefined, 10)).events;
      assert.equal(events.length, 1);
      const [guarded] = events;
      assert.equal(guarded.type, 'save_guarded');
      assert.equal(guarded.peer, window);
      assert.deepEqual(guarded.data, {
        path: path.join(repo, 'src', 'a.ts'), relPath: 'src/a.ts', lockIds: [one.id, two.id, three.id],
        holders: ['claude-1', 'cursor-1'], choice: 'saved',
      });
      assert.equal((await h.mesh.locks.list({})).length, 3, 'recording changes no claim');
      assert.deepEqual(eventTopics.save_guarded, ['locks']);
    });

    it('claims released since the warning are left out, not an error; every choice is recorded', async () => {
      const { lock } = await h.mesh.locks.acquire(agent, { path: 'src/a.ts' }, { reason: '' });
      await h.mesh.locks.release(agent, { lockId: lock.id });
      const since = await h.mesh.events.lastSeq();
      await h.mesh.locks.saveGuarded(window, { path: path.join(repo, 'src', 'a.ts'), lockIds: [lock.id], choice: 'cancelled' });
      await h.mesh.locks.saveGuarded(window, { path: 'src/a.ts', lockIds: [lock.id], choice: 'requested' });
      const data = (await h.mesh.events.read(since, ['save_guarded'], 10)).events.map((e) => [e.data.lockIds, e.data.holders, e.data.choice]);
      assert.deepEqual(data, [[[], [], 'cancelled'], [[], [], 'requested']]);
    });

    it('refuses no ids, too many, and an unknown choice', async () => {
      await rejectsReason(h.mesh.locks.saveGuarded(window, { path: 'src/a.ts', lockIds: [], choice: 'saved' }), 'invalidInput');
      await rejectsReason(h.mesh.locks.saveGuarded(window, { path: 'src/a.ts', lockIds: Array.from({ length: 201 }, (_, i) => i), choice: 'saved' }), 'invalidInput');
      await rejectsReason(h.mesh.locks.saveGuarded(window, { path: 'src/a.ts', lockIds: [1], choice: 'maybe' as 'saved' }), 'invalidInput');
      assert.deepEqual((await h.mesh.events.read(0, ['save_guarded'], 10)).events, []);
    });
  });
});
