/**
 * What a failed tool call tells the model, through a real MCP client: the tool's own words
 * (its name, its actions, its arguments as its schema spells them), never the broker's
 * methods or wire fields; and arguments that fail the tool's schema come back as a tool error
 * the model can correct, ending with the same `pending:` line as every other result.
 */
import assert from 'node:assert/strict';
import { toolErrorText } from '../../../src/mcp/errors';
import { BrokerError } from '../../../src/protocol/errors';
import { twoAgents, until, type Agent, type TwoAgents } from './in-memory-agent';

/** A broker method (`locks/acquire`), or a wire field no tool has. */
const internal = /\b(?:mesh|peers|messages|state|locks|events|status|edits|plan)\/[a-zA-Z]+|\btarget\b|\bwaitMs\b|\bprefix\b|\bparams\b|MCP error|-32602/;

describe('mcp tool errors: in the tool\'s words, with the pending line', function () {
  this.timeout(30_000);
  let alice: Agent;
  let bob: Agent;

  let mesh: TwoAgents | undefined;

  before(async () => {
    mesh = await twoAgents('pm-errors-');
    ({ alice, bob } = mesh);
  });

  after(async () => {
    await mesh?.close();
  });

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['mesh_send', { to: 'nobody', body: 'hi' }, /^no live peer "nobody" \(mesh_peers lists who is here\)/],
    ['mesh_send', { to: 'bob,nobody,ghost', body: 'hi' }, /^no live peer "nobody", "ghost" \(mesh_peers lists who is here\)/],
    ['mesh_lock', { action: 'acquire', path: 'a.ts', startLine: 10, endLine: 5 }, /^startLine \(10\) is after endLine \(5\)/],
    ['mesh_lock', { action: 'check', path: 'a.ts', startLine: 9, endLine: 2 }, /^startLine \(9\) is after endLine \(2\)/],
    ['mesh_lock', { action: 'acquire', path: 'x'.repeat(4090) }, /^path is \d+ characters once resolved against your cwd; at most 4096/],
    ['mesh_state', { action: 'set', key: 'k', value: 'v'.repeat(300_000) }, /^value is 300002 characters as JSON; at most 262144/],
    ['mesh_state', { action: 'set', key: 'k', value: 'v'.repeat(2_000_000) }, /^value is 2000002 characters as JSON; at most 262144/],
    ['mesh_state', { action: 'get', key: 'k', cursor: 'nonsense' }, /^cursor "nonsense" is not one mesh_state gave: call mesh_state action="get" key="k" without it/],
    ['mesh_lock', { action: 'list', cursor: 'x' }, /^cursor "x" is not one mesh_lock gave/],
    ['mesh_inbox', { cursor: '#x' }, /^cursor "#x" is not one mesh_inbox gave: call mesh_inbox without it/],
    ['mesh_send', { to: Array(201).fill('x').join(','), body: 'hi' }, /^to names 201 peers; at most 200/],
    ['mesh_task', { action: 'claim' }, /^claim needs the task's id as task \(not id\): mesh_task action="claim" task="<id>"; mesh_task lists them/],
    ['mesh_task', { action: 'done', id: 'login-form' }, /^done needs the task's id as task \(not id\): mesh_task action="done" task="<id>"/],
    ['mesh_task', { action: 'claim', task: 'no such id!' }, /^mesh_task: task is not right: an id is 1 to 64 letters/],
    ['mesh_plan', { action: 'reject' }, /^reject needs proposal/],
    ['mesh_plan', { action: 'show', proposal: 99 }, /^no proposal 99/],
    ['mesh_plan', { action: 'contract', contract: { id: 'x', spec: 's', extra: 1 } }, /^contract: Unrecognized key: "extra"/],
  ];

  for (const [tool, args, expected] of cases) {
    it(`${tool} ${JSON.stringify(args).slice(0, 60)}: ${expected.source.slice(1, 50)}`, async () => {
      const r = await alice.call(tool, args);
      assert.equal(r.isError, true, r.text);
      assert.match(r.text, expected);
      assert.doesNotMatch(r.text, internal);
      assert.match(r.text, /\npending: none$/);
    });
  }

  it('a holder name as long as names may be lists locks (the broker does not refuse it as too long)', async () => {
    const r = await alice.ok('mesh_lock', { action: 'list', holder: 'h'.repeat(100) });
    assert.match(r.text, /^No locks\./);
  });

  it('arguments that fail the schema: a tool error naming the argument, then the pending line with the message that waits', async () => {
    await bob.ok('mesh_send', { to: 'alice', body: 'are you there?' });
    // Asked on the socket the push came by: once this answer is in, so is the push.
    await until(async () => ((await alice.peer.request('messages/inbox', { peek: true })).messages.length > 0) || undefined, 'the message to arrive');
    const bad = await alice.call('mesh_inbox', { action: 'bogus' });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /^mesh_inbox: action must be one of read, claim, ack, sent \(not "bogus"\)\. Correct it and call again\./);
    assert.doesNotMatch(bad.text, internal);
    assert.match(bad.text, /\npending: 1 new message for you:\n {2}#\d+ from bob: "are you there\?"$/);
    assert.deepEqual(bad.data, {}, 'no structuredContent on an error');

    const missing = await alice.call('mesh_summary', {});
    assert.equal(missing.isError, true);
    assert.match(missing.text, /^mesh_summary: summary is missing\./);
    assert.match(missing.text, /\npending: nothing new \(1 unread → mesh_inbox\)$/);

    const several = await alice.call('mesh_events', { since: -1, limit: 'ten' });
    assert.equal(several.isError, true);
    assert.match(several.text, /^mesh_events: since must be at least 0; limit must be a number \(not "ten"\)\./);
    assert.match(several.text, /\npending: nothing new/);
  });
});

describe('mcp tool errors: a refusal of the broker\'s schema', () => {
  it('is told with the tools\' argument names, whatever got past a tool\'s own checks', () => {
    const refused = new BrokerError('invalidInput', 'target.startLine: Too small; waitMs: Too big', {
      method: 'locks/acquire', issues: [{ path: 'target.startLine', message: 'Too small' }, { path: 'waitMs', message: 'Too big' }, { path: 'target', message: 'give both' }],
    });
    assert.equal(toolErrorText(refused), 'startLine: Too small; waitSeconds: Too big; give both');
    assert.equal(toolErrorText(new BrokerError('notFound', 'no live peer "x"', { missing: ['x'] })), 'no live peer "x" (mesh_peers lists who is here)');
  });

  it('a task another holds names who, and a task not ready what it waits on and how to start it anyway', () => {
    const held = { task: 'api', by: 'p-1', byName: 'bob', status: 'in_progress' };
    assert.equal(toolErrorText(new BrokerError('alreadyClaimed', 'task api is taken: bob has it (in progress)', held)),
      'bob holds task api (in_progress). Leave it to them: take another task (mesh_task lists the ready ones), or ask bob with mesh_send.');
    assert.match(toolErrorText(new BrokerError('alreadyClaimed', 'task api was handed to bob', { ...held, status: 'todo' })), /^Task api was handed to bob\. /);
    assert.match(toolErrorText(new BrokerError('alreadyClaimed', '#4 is already claimed by bob', { claimed: [{ id: 4, by: 'p-1', byName: 'bob' }] })),
      /^#4 is already claimed by bob\. Nothing was claimed: leave those to them/, 'a message claim reads as before');
    const open = [{ id: 'schema', title: 'Schema', status: 'in_progress' }, { id: 'db', title: 'DB', status: 'todo' }];
    assert.equal(toolErrorText(new BrokerError('notReady', 'task api waits for tasks not done yet', { task: 'api', open })),
      'api waits on schema (in_progress), db (todo). Take a ready task (mesh_task lists them), or start this one anyway: mesh_task action="claim" task="api" force="<why>".');
    assert.equal(toolErrorText(new BrokerError('notReady', 'task api waits for tasks not done yet', {})),
      'task api waits for tasks not done yet. Take a ready task (mesh_task lists them), or start this one anyway: claim it again with force="<why>".');
  });
});
