/**
 * mesh_debate through real MCP clients over a real broker: one call per turn; each result
 * says the round, whose turn it is, the proposals numbered, and what to do next; refusals
 * come back in the tool's words.
 */
import assert from 'node:assert/strict';
import { twoAgents, type Agent, type TwoAgents } from './in-memory-agent';

describe('mcp: mesh_debate', function () {
  this.timeout(30_000);
  let mesh: TwoAgents;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    mesh = await twoAgents('pm-debate-');
    ({ alice, bob } = mesh);
  });

  after(async () => {
    await mesh?.close();
  });

  it('says there are none yet', async () => {
    assert.match((await alice.ok('mesh_debate')).text, /^No debates in this project\.\n/);
  });

  it('start takes the first turn and says who is awaited; the other responds and they agree', async () => {
    const started = await alice.ok('mesh_debate', { action: 'start', topic: 'API style', with: ['bob'], position: 'REST is simpler', constraints: ['no new dependencies'], alternatives: ['gRPC later'], proposal: 'use REST' });
    const lines = started.text.split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      '#1 "API style" [open, round 1 of 5, awaiting bob] you, bob',
      '1. alice: use REST',
      'Accepting: you→1. Wait for the others\' turns (mesh_debate get id=1).',
    ]);
    assert.deepEqual((started.data.debate as Record<string, unknown>).proposals, [{ n: 1, by: 'alice', text: 'use REST' }]);
    const seen = await bob.ok('mesh_debate', { action: 'get', id: 1 });
    assert.match(seen.text, /\nr1 alice: REST is simpler \(must: no new dependencies\) \(or: gRPC later\) \[accepts 1\]\nAccepting: alice→1\. Your turn: mesh_debate action="respond" id=1 position="…" with accept=N or proposal="…" \(escalate=true asks the person\)\./);
    const agreed = await bob.ok('mesh_debate', { action: 'respond', id: 1, position: 'fine', accept: 1 });
    assert.match(agreed.text, /^#1 "API style" \[resolved\] alice, you\n1\. alice: use REST\nAgreed on 1: work to it\./);
    assert.equal((agreed.data.debate as Record<string, unknown>).agreed, 1);
  });

  it('a turn that asks escalates to the person; list shows both, newest first', async () => {
    const r = await alice.ok('mesh_debate', { action: 'start', topic: 'naming', with: ['bob'], position: 'cannot agree', escalate: true });
    assert.match(r.text, /\nEscalated \(asked\): the person will rule; work on something else meanwhile\./);
    const list = await bob.ok('mesh_debate', { action: 'list' });
    assert.deepEqual(list.text.split('\n').slice(0, 3), ['2 debates, newest first:', '#2 "naming" [escalated] alice, you', '#1 "API style" [resolved] alice, you']);
  });

  it('refuses in its own words: a turn without a position, a turn out of turn, an unknown peer', async () => {
    const noPosition = await alice.call('mesh_debate', { action: 'start', topic: 't', with: ['bob'] });
    assert.equal(noPosition.isError, true);
    assert.match(noPosition.text, /^start takes your turn: give position/);
    await alice.ok('mesh_debate', { action: 'start', topic: 'three', with: ['bob'], position: 'p', proposal: 'x' });
    const twice = await alice.call('mesh_debate', { action: 'respond', id: 3, position: 'again' });
    assert.match(twice.text, /^you cannot take a turn in debate #3: you took your turn of round 1 already: wait for the others/);
    const nobody = await alice.call('mesh_debate', { action: 'start', topic: 't', with: ['zed'], position: 'p' });
    assert.match(nobody.text, /^no live peer named zed \(mesh_peers lists who is here\)/);
    const noId = await bob.call('mesh_debate', { action: 'respond', position: 'p' });
    assert.match(noId.text, /^respond needs the debate's id/);
  });

  it('a long debate stays within the result budget: the newest proposals and turns, and how many earlier are left out', async () => {
    const long = (c: string) => c.repeat(4000);
    const first = await alice.ok('mesh_debate', { action: 'start', topic: 'long', with: ['bob'], position: long('a'), proposal: long('A') });
    const id = (first.data.debate as { id: number }).id;
    for (let round = 1; round <= 5; round++) {
      await bob.ok('mesh_debate', { action: 'respond', id, position: long('b'), proposal: long('B') });
      if (round < 5) await alice.ok('mesh_debate', { action: 'respond', id, position: long('a'), proposal: long('A') });
    }
    const r = await alice.ok('mesh_debate', { action: 'get', id });
    assert.match(r.text, /^#\d+ "long" \[escalated\] you, bob\n\(\d+ earlier proposals not shown\)\n/);
    assert.match(r.text, /\n\(\d+ earlier turns not shown\)\n/);
    assert.match(r.text, /\n10\. bob: B{599}…\n/, 'the newest proposal is shown, cut');
    const shown = (r.data.debate as { proposals: Array<{ n: number }> }).proposals.map((p) => p.n);
    assert.equal(shown[shown.length - 1], 10);
  });
});
