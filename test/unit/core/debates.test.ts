import assert from 'node:assert/strict';
import type * as z from 'zod';
import type { TurnInput } from '../../../src/protocol/coordination';
import { decisionSummary } from '../../../src/core/debates';
import { coordinationLimits } from '../../../src/protocol/coordination';
import { harness, join, gitRepo, rejectsReason, type Harness } from './helpers';
import { eventsOf, loginPlan } from './plan-helpers';

const say = (position: string, more: Partial<z.input<typeof TurnInput>> = {}): z.input<typeof TurnInput> => ({ position, ...more });
const idleMs = 10 * 60_000;
const auditMs = 24 * 3600_000;

describe('core/debates', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;
  let person: string;
  let repo: string;

  beforeEach(async () => {
    h = await harness({ debate: { idleMs }, retention: { auditMs } });
    repo = gitRepo();
    [alice, bob, carol] = [(await join(h.mesh, 'alice', repo)).id, (await join(h.mesh, 'bob', repo)).id, (await join(h.mesh, 'carol', repo)).id];
    person = (await join(h.mesh, 'me', repo, { kind: 'vscode-window' })).id;
    await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
  });

  // After every test, every debate it left is in one state whose fields agree with it, as stored.
  afterEach(async () => {
    try {
      for (const { id } of h.db.all<{ id: number }>('SELECT id FROM debates')) {
        const d = await h.mesh.debates.get(person, id);
        const fields = [d.awaiting.length > 0, d.agreed !== null, d.escalation !== null, d.ruling !== null];
        const expected: Record<typeof d.status, boolean[]> = {
          open: [true, false, false, false],
          resolved: [false, true, false, false],
          escalated: [false, false, true, false],
          // Ruled on straight from open, or after an escalation.
          decided: [false, false, d.escalation !== null, true],
        };
        assert.deepEqual(fields, expected[d.status], `debate ${id} is ${d.status}: awaiting, agreed, escalation, ruling`);
      }
    } finally {
      h.mesh.dispose();
    }
  });

  const startWithBob = (more: { maxRounds?: number; contract?: string; task?: string; origin?: number } = {}, turn = say('REST', { proposal: 'use REST' })) =>
    h.mesh.debates.start(alice, undefined, { topic: 'API style', with: ['bob'], turn, ...more });

  it('resolves when every participant accepts one proposal: started, turns and the change are events', async () => {
    const started = await startWithBob();
    assert.deepEqual([started.status, started.round, started.awaiting, started.maxRounds], ['open', 1, [bob], 5]);
    assert.deepEqual(started.participants, [{ peer: alice, peerName: 'alice' }, { peer: bob, peerName: 'bob' }]);
    assert.deepEqual(started.proposals.map((p) => [p.n, p.peerName, p.text]), [[1, 'alice', 'use REST']]);
    const done = await h.mesh.debates.respond(bob, started.id, say('fine by me', { accept: 1 }));
    assert.deepEqual([done.status, done.agreed, done.awaiting], ['resolved', 1, []]);
    assert.deepEqual(done.turns.map((t) => [t.peerName, t.round, t.proposal, t.accepts]), [['alice', 1, 1, 1], ['bob', 1, null, 1]]);
    const [s] = await eventsOf(h.mesh, 'debate_started');
    assert.deepEqual(s.data, { project: repo, debate: started.id, topic: 'API style', participants: [alice, bob], origin: null, byName: 'alice' });
    assert.deepEqual((await eventsOf(h.mesh, 'debate_turn')).map((e) => [e.peer, e.data.accepts]), [[alice, 1], [bob, 1]]);
    const [c] = await eventsOf(h.mesh, 'debate_changed');
    assert.deepEqual([c.peer, c.data], [bob, { project: repo, debate: started.id, topic: 'API style', status: 'resolved', previous: 'open', agreed: 1, byName: 'bob' }]);
  });

  it('escalates after its last round without agreement (rounds), and after a turn that asks (asked)', async () => {
    const d = await startWithBob({ maxRounds: 2 });
    await h.mesh.debates.respond(bob, d.id, say('no', { proposal: 'use RPC' }));
    await h.mesh.debates.respond(alice, d.id, say('still REST', { accept: 1 }));
    const last = await h.mesh.debates.respond(bob, d.id, say('still RPC', { accept: 2 }));
    assert.deepEqual([last.status, last.round, last.escalation], ['escalated', 2, { reason: 'rounds', at: h.clock.now(), peer: null }]);
    const asked = await h.mesh.debates.start(alice, undefined, { topic: 'naming', with: [carol], turn: say('ask the person', { escalate: true }) });
    assert.deepEqual([asked.status, asked.escalation?.reason, asked.escalation?.peer, asked.turns.length], ['escalated', 'asked', alice, 1]);
    assert.deepEqual((await eventsOf(h.mesh, 'debate_changed')).map((e) => e.data.reason), ['rounds', 'asked']);
  });

  it('escalates an open debate nobody took a turn in for the idle time: the mesh wakes for it', async () => {
    const d = await startWithBob();
    await h.timers.advance(idleMs / 2);
    await h.mesh.debates.respond(bob, d.id, say('thinking', { proposal: 'use gRPC' }));
    await h.timers.advance(idleMs - 1);
    assert.equal((await h.mesh.debates.get(alice, d.id)).status, 'open', 'a turn restarts the idle time');
    await h.timers.advance(1);
    const idle = await h.mesh.debates.get(alice, d.id);
    assert.deepEqual([idle.status, idle.escalation], ['escalated', { reason: 'idle', at: h.clock.now(), peer: null }]);
    const [c] = await eventsOf(h.mesh, 'debate_changed');
    assert.deepEqual([c.peer, c.data], [null, { project: repo, debate: d.id, topic: 'API style', status: 'escalated', previous: 'open', reason: 'idle' }]);
  });

  it('the person rules: a blocking decision delta to every participant, recorded on the contract and the task', async () => {
    const d = await startWithBob({ contract: 'login-api', task: 'endpoint' });
    await rejectsReason(h.mesh.debates.decide(alice, d.id, { pick: 1 }), 'invalidInput');
    await rejectsReason(h.mesh.debates.decide(person, d.id, { pick: 2 }), 'invalidInput');
    const ruled = await h.mesh.debates.decide(person, d.id, { pick: 1 });
    assert.equal(ruled.status, 'decided');
    const delta = ruled.ruling!.delta;
    assert.deepEqual(ruled.ruling, { peer: person, peerName: 'me', proposal: 1, text: 'use REST', delta, at: h.clock.now() });
    const [pushed] = await eventsOf(h.mesh, 'delta_pushed');
    assert.deepEqual([pushed.peer, pushed.data], [person, {
      project: repo, delta, kind: 'decision', severity: 'blocking', summary: 'Ruling on API style: use REST', recipients: [alice, bob], byName: 'me',
    }]);
    const row = h.db.get<{ affects: string; debate: number; detail: string }>('SELECT * FROM deltas WHERE id = ?', [delta])!;
    assert.deepEqual([JSON.parse(row.affects), row.debate, row.detail], [{ contracts: ['login-api'], files: [], tasks: ['endpoint'] }, d.id, 'use REST']);
    assert.deepEqual(h.db.all('SELECT peer, reason, via FROM delta_recipients WHERE delta = ? ORDER BY peer', [delta]),
      [{ peer: alice, reason: 'participant', via: `debate #${d.id}` }, { peer: bob, reason: 'participant', via: `debate #${d.id}` }].sort((a, b) => a.peer.localeCompare(b.peer)));
    const decision = { debate: d.id, delta, text: 'use REST', byName: 'me', at: h.clock.now() };
    const { plan } = await h.mesh.plans.get(bob, undefined);
    assert.deepEqual(plan!.contracts.map((c) => [c.id, c.decisions]), [['login-api', [decision]], ['user-type', undefined]]);
    assert.deepEqual(plan!.phases[0].tasks.map((t) => [t.id, t.decisions]), [['schema', undefined], ['endpoint', [decision]]]);
    assert.deepEqual((await h.mesh.plans.tasks(bob, undefined, {})).find((t) => t.id === 'endpoint')?.decisions, [decision]);
    const [changed] = await eventsOf(h.mesh, 'debate_changed');
    assert.deepEqual(changed.data, { project: repo, debate: d.id, topic: 'API style', status: 'decided', previous: 'open', delta, byName: 'me' });
    await rejectsReason(h.mesh.debates.decide(person, d.id, { text: 'again' }), 'invalidInput');
    // The task leaves the plan and a new one takes its id: the ruling went with the old one.
    const without = loginPlan((p) => {
      p.phases[0].tasks = p.phases[0].tasks.filter((t) => t.id !== 'endpoint');
      p.phases[1].tasks[0].dependsOn = [];
    });
    await h.mesh.plans.accept(alice, (await h.mesh.plans.submit(alice, undefined, without, 'agent')).proposal!.id);
    await h.mesh.plans.accept(alice, (await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent')).proposal!.id);
    assert.equal((await h.mesh.plans.tasks(bob, undefined, {})).find((t) => t.id === 'endpoint')?.decisions, undefined);
    assert.deepEqual((await h.mesh.plans.get(bob, undefined)).plan!.contracts[0].decisions, [decision], 'the contract stayed, and its ruling');
  });

  it('rules on an escalated debate with the person\'s own text; a resolved one has nothing to rule on', async () => {
    const asked = await startWithBob({}, say('you decide', { escalate: true }));
    const ruled = await h.mesh.debates.decide(person, asked.id, { text: 'GraphQL' });
    assert.deepEqual([ruled.ruling?.proposal, ruled.ruling?.text, ruled.concerns], [null, 'GraphQL', { contract: null, task: null }]);
    const resolved = await startWithBob();
    await h.mesh.debates.respond(bob, resolved.id, say('ok', { accept: 1 }));
    const e = await rejectsReason(h.mesh.debates.decide(person, resolved.id, { text: 'x' }), 'invalidInput');
    assert.match(e.message, /is resolved/);
  });

  it('an origin delta of the project gives what the debate concerns, unless contract or task say', async () => {
    const delta = async (project: string) => h.db.transaction(async (tx) => (await tx.run(
      `INSERT INTO deltas (project, author, author_name, kind, severity, summary, detail, affects, contract_versions, created_at)
       VALUES (?, ?, 'bob', 'discovery', 'info', 's', '', ?, '{}', 0)`, [project, bob, JSON.stringify({ contracts: ['user-type'], files: [], tasks: ['schema', 'form'] })],
    )).lastInsertRowid);
    const origin = await delta(repo);
    const d = await startWithBob({ origin });
    assert.deepEqual([d.origin, d.concerns], [origin, { contract: 'user-type', task: 'schema' }]);
    assert.deepEqual((await startWithBob({ origin, task: 'form' })).concerns, { contract: 'user-type', task: 'form' });
    await rejectsReason(startWithBob({ origin: origin + 100 }), 'notFound');
    await rejectsReason(startWithBob({ origin: await delta(gitRepo()) }), 'notFound');
  });

  it('refuses bad input in the caller\'s terms', async () => {
    const e = await rejectsReason(h.mesh.debates.start(alice, undefined, { topic: 't', with: ['bob', 'nobody'], turn: say('x') }), 'notFound');
    assert.deepEqual(e.data, { missing: ['nobody'] });
    assert.match((await rejectsReason(h.mesh.debates.start(alice, undefined, { topic: 't', with: ['alice'], turn: say('x') }), 'invalidInput')).message, /is you/);
    await rejectsReason(h.mesh.debates.start(alice, undefined, { topic: 't', with: ['bob', bob], turn: say('x') }), 'invalidInput');
    await rejectsReason(h.mesh.debates.start(alice, undefined, { topic: 't', with: ['me'], turn: say('x') }), 'invalidInput');
    await rejectsReason(h.mesh.debates.start(person, undefined, { topic: 't', with: ['bob'], turn: say('x') }), 'invalidInput');
    await rejectsReason(h.mesh.debates.start(alice, undefined, { topic: ' ', with: ['bob'], turn: say('x') }), 'invalidInput');
    await rejectsReason(startWithBob({ contract: 'nope' }), 'notFound');
    await rejectsReason(startWithBob({ task: 'nope' }), 'notFound');
    await rejectsReason(startWithBob({}, say('x', { accept: 1 })), 'invalidInput');
    const d = await startWithBob();
    await rejectsReason(h.mesh.debates.respond(carol, d.id, say('me too')), 'invalidInput');
    await rejectsReason(h.mesh.debates.respond(alice, d.id, say('again')), 'invalidInput');
    assert.match((await rejectsReason(h.mesh.debates.respond(bob, d.id, say('x', { accept: 3 })), 'invalidInput')).message, /has no proposal 3 \(it has 1–1\)/);
    await rejectsReason(h.mesh.debates.respond(bob, d.id, say('x', { accept: 1, proposal: 'y' })), 'invalidInput');
    await rejectsReason(h.mesh.debates.get(bob, 999), 'notFound');
    await rejectsReason(h.mesh.debates.decide(person, d.id, {}), 'invalidInput');
    assert.equal((await eventsOf(h.mesh, 'debate_started')).length, 1, 'nothing refused left a trace');
  });

  it('mine: whose turn it is at a round not yet shown, and debates that moved since last shown', async () => {
    const d = await startWithBob();
    assert.deepEqual((await h.mesh.debates.mine(alice, false)).yourTurn, [], 'the starter has taken its turn');
    assert.deepEqual((await h.mesh.debates.mine(bob, true)).yourTurn.map((x) => [x.id, x.round]), [[d.id, 1]]);
    assert.deepEqual((await h.mesh.debates.mine(bob, false)).yourTurn, [], 'shown at this round');
    await h.mesh.debates.respond(bob, d.id, say('no', { proposal: 'RPC' }));
    assert.deepEqual((await h.mesh.debates.mine(alice, false)).yourTurn.map((x) => [x.id, x.round]), [[d.id, 2]]);
    await h.mesh.debates.respond(alice, d.id, say('fine', { accept: 2 }));
    const bobs = await h.mesh.debates.mine(bob, true);
    assert.deepEqual([bobs.yourTurn, bobs.changed.map((x) => [x.id, x.status, x.agreed])], [[], [[d.id, 'resolved', 2]]]);
    assert.deepEqual(await h.mesh.debates.mine(bob, false), { yourTurn: [], changed: [] });
    assert.deepEqual((await h.mesh.debates.mine(alice, false)).changed, [], 'alice resolved it: her result showed it');
    assert.deepEqual(await h.mesh.debates.mine(carol, false), { yourTurn: [], changed: [] });
  });

  it('lists the project\'s debates newest first, by status; prunes decided and resolved ones after the audit retention', async () => {
    const a = await startWithBob();
    await h.mesh.debates.respond(bob, a.id, say('ok', { accept: 1 }));
    const b = await startWithBob();
    assert.deepEqual((await h.mesh.debates.list(carol, undefined, {})).map((x) => [x.id, x.status, x.awaiting]), [[b.id, 'open', [bob]], [a.id, 'resolved', []]]);
    assert.deepEqual((await h.mesh.debates.list(carol, undefined, { status: ['resolved'] })).map((x) => x.id), [a.id]);
    await h.mesh.debates.respond(bob, b.id, say('ask', { escalate: true }));
    await h.timers.advance(auditMs + 1);
    await h.mesh.sweep();
    assert.deepEqual((await h.mesh.debates.list(carol, undefined, {})).map((x) => x.id), [b.id], 'the escalated one waits for its ruling');
    assert.equal(h.db.all('SELECT * FROM debate_turns WHERE debate = ?', [a.id]).length, 0);
  });

  it('a decision\'s summary carries the ruling on one line, cut to a summary\'s length', () => {
    assert.equal(decisionSummary('API style', 'use REST,\n  versioned'), 'Ruling on API style: use REST, versioned');
    const long = decisionSummary('API style', `${'x'.repeat(coordinationLimits.summary - 23)}😀 and more`);
    assert.equal(long.length, coordinationLimits.summary - 1, 'the emoji is not split: it goes whole');
    assert.match(long, /x…$/);
  });
});
