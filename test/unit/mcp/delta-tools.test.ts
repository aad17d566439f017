/**
 * mesh_delta through real MCP clients over a real broker: pushing (whom it reached and why, a
 * contract change's new versions), listing (who acked, what waits for the caller's ack, since
 * and blocking-only), acking, and refusals in the tool's words; the broker's delta/get and
 * delta/mine over the same wire.
 */
import assert from 'node:assert/strict';
import { twoAgents, type Agent, type TwoAgents } from './in-memory-agent';
import { signIn } from './plan-fixture';

/** The tool's own text, without the news every result ends with (blocking deltas first, then the pending line). */
function own(r: { text: string }): string {
  const lines = r.text.split('\n');
  return lines.slice(0, lines.findIndex((l) => /^(BLOCKING |pending: )/.test(l))).join('\n');
}

/** The blocking deltas in a result's news, by id. */
const blockingNews = (r: { data: Record<string, unknown> }) =>
  ((r.data.pending as { coordination?: { blocking?: Array<{ id: number }> } }).coordination?.blocking ?? []).map((d) => d.id);

describe('mcp: mesh_delta', function () {
  this.timeout(30_000);
  let mesh: TwoAgents;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    mesh = await twoAgents('pm-delta-');
    ({ alice, bob } = mesh);
  });

  after(async () => {
    await mesh?.close();
  });

  it('says when there are none', async () => {
    const r = await alice.ok('mesh_delta');
    assert.equal(own(r), 'No deltas.');
    assert.deepEqual(r.data.deltas, []);
  });

  it('push says whom it reached and why, without echoing the delta', async () => {
    await alice.ok('mesh_plan', { action: 'submit', plan: signIn });
    await bob.ok('mesh_task', { action: 'claim', task: 'login-form' });
    const r = await alice.ok('mesh_delta', { action: 'push', summary: 'the form posts JSON now', files: ['web/login/**'], blocking: true });
    assert.equal(own(r), 'Pushed delta #1. Sent to bob (task login-form); each must ack it.');
    assert.deepEqual(r.data.delta, { id: 1, sentTo: [{ peer: 'bob', reason: 'task', via: 'login-form' }] });
    const none = await bob.ok('mesh_delta', { action: 'push', kind: 'dependency', summary: 'zod 4', files: ['package.json'] });
    assert.equal(own(none), 'Pushed delta #2. No peer\'s task, claim or recent edit touches it: others see it in mesh_delta list.');
  });

  it('list shows who acked and what waits for the caller\'s ack; ack clears it', async () => {
    const r = await bob.ok('mesh_delta');
    assert.deepEqual(own(r).split('\n'), [
      '2 deltas, 1 waiting for your ack:',
      '#1 blocking discovery by alice "the form posts JSON now" files: web/login/**; waiting: you',
      '#2 info dependency by you "zod 4" files: package.json',
      'Ack when read: mesh_delta action="ack" ids=[1]',
    ]);
    assert.deepEqual((r.data.deltas as Array<Record<string, unknown>>)[0], {
      id: 1, kind: 'discovery', severity: 'blocking', by: 'alice', summary: 'the form posts JSON now', files: ['web/login/**'], waiting: ['you'],
    });
    assert.deepEqual(blockingNews(r), [1], 'until acked, in the news of every result');
    const acked = await bob.ok('mesh_delta', { action: 'ack', ids: [1, 2] });
    assert.equal(own(acked), 'Acked #1. #2: acked before, or your own.');
    assert.deepEqual(blockingNews(acked), [], 'gone from the news of the ack\'s own result');
    assert.equal(own(await bob.ok('mesh_delta', { action: 'ack', ids: [1] })), 'Nothing new acked. #1: acked before, or your own.');
    const seen = await alice.ok('mesh_delta', { blocking: true });
    assert.deepEqual(own(seen).split('\n'), ['1 blocking delta:', '#1 blocking discovery by you "the form posts JSON now" files: web/login/**; acked: bob']);
  });

  it('a contract change gives its contracts new versions, and since lists what came after', async () => {
    const r = await alice.ok('mesh_delta', {
      action: 'push', kind: 'contract_change', summary: 'login answers 202', contracts: ['login-api'], spec: 'Body {"email": string}. 202 when sent.',
    });
    assert.equal(own(r), 'Pushed delta #3. Sent to bob (task login-form).\nContract login-api is v2 now (proposed again).');
    assert.deepEqual(r.data.delta, { id: 3, sentTo: [{ peer: 'bob', reason: 'task', via: 'login-form' }], versions: { 'login-api': 2 } });
    const after = await bob.ok('mesh_delta', { since: 2 });
    assert.deepEqual(own(after).split('\n'), [
      '1 delta after #2, 1 waiting for your ack:',
      '#3 info contract_change by alice "login answers 202" contracts: login-api v2; waiting: you',
      'Ack when read: mesh_delta action="ack" ids=[3]',
    ]);
    assert.equal(own(await bob.ok('mesh_delta', { since: 3 })), 'No deltas after #3.');
  });

  it('the broker answers delta/get and delta/mine too (what the pending news reads)', async () => {
    const { delta } = await bob.peer.request('delta/get', { id: 3 });
    assert.deepEqual([delta.summary, delta.recipients.map((r) => [r.peerName, r.ackedAt])], ['login answers 202', [['bob', null]]]);
    // Pushed and read over the wire alone: a tool call of bob's would read its news first.
    const push = (summary: string, severity: 'info' | 'blocking') => alice.peer.request('delta/push', { kind: 'discovery', summary, severity, affects: { tasks: ['login-form'] } });
    const [{ delta: fresh }, { delta: blocking }] = [await push('fresh', 'info'), await push('blocking', 'blocking')];
    const ids = (r: { blocking: Array<{ id: number }>; fresh: Array<{ id: number }> }) => [r.blocking.map((d) => d.id), r.fresh.map((d) => d.id)];
    assert.deepEqual(ids(await bob.peer.request('delta/mine', { seen: true })), [[blocking.id], [fresh.id]]);
    assert.deepEqual(ids(await bob.peer.request('delta/mine', { seen: true })), [[blocking.id], []], 'a fresh one once, a blocking one until acked');
    await bob.peer.request('delta/ack', { ids: [blocking.id] });
    assert.deepEqual(ids(await bob.peer.request('delta/mine', { seen: false })), [[], []]);
  });

  it('refusals say what to do, in the tool\'s words', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ action: 'push' }, /^push needs a summary: one line saying what changed\n/],
      [{ action: 'ack' }, /^ack needs ids: the deltas' ids, as mesh_delta lists them\n/],
      [{ action: 'ack', ids: [99] }, /^no delta 99; nothing was acked\n/],
      [{ action: 'push', summary: 'x', tasks: ['nope'] }, /^the plan of \S+ has no task nope; nothing was pushed\n/],
      [{ action: 'push', kind: 'contract_change', summary: 'x' }, /^a contract_change names the contracts of the plan that changed/],
      [{ action: 'push', kind: 'decision', summary: 'x' }, /^mesh_delta: kind must be one of discovery, contract_change, dependency, scope_change \(not "decision"\)/],
      [{ action: 'push', summary: 'x', files: ['../out.ts'] }, /^files are relative to the project \S+; \.\.\/out\.ts is outside it\n/],
    ];
    for (const [args, expected] of cases) {
      const r = await alice.call('mesh_delta', args);
      assert.equal(r.isError, true, JSON.stringify(args));
      assert.match(r.text, expected, `${JSON.stringify(args)}: ${r.text}`);
    }
  });
});
