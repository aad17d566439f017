/**
 * mesh_plan decompose through MCP sampling: a real MCP `Client` that declares `sampling` and
 * answers `sampling/createMessage` from a script (first an invalid plan, then a valid one), over
 * the real server and a real broker. The retry carries the issues; the plan is stored as the
 * model's; a second decomposition is a proposal, never an overwrite; a model that stays wrong,
 * or a client that refuses, leaves nothing stored and says how to go on.
 */
import assert from 'node:assert/strict';
import { CreateMessageRequestSchema, type CreateMessageRequest } from '@modelcontextprotocol/sdk/types.js';
import { Agent, twoAgents, type TwoAgents } from './in-memory-agent';
import { signIn } from './plan-fixture';

/** A client's model: answers from a script, keeping every request it was sent. */
class ScriptedModel {
  readonly requests: CreateMessageRequest['params'][] = [];
  answers: Array<string | Error> = [];

  answer(params: CreateMessageRequest['params']) {
    this.requests.push(params);
    const next = this.answers.shift();
    if (next === undefined) throw new Error('the model was asked more often than scripted');
    if (next instanceof Error) throw next;
    return { role: 'assistant' as const, model: 'scripted', content: { type: 'text' as const, text: next } };
  }
}

const texts = (params: CreateMessageRequest['params']) => params.messages.map((m) => [m.role, (m.content as { text: string }).text] as const);

describe('mcp: decompose through sampling', function () {
  this.timeout(30_000);
  let mesh: TwoAgents;
  let carol: Agent;
  const model = new ScriptedModel();

  before(async () => {
    mesh = await twoAgents('pm-sampling-');
    carol = await Agent.join(mesh.home, mesh.dir, 'carol', 'copilot', {
      capabilities: { sampling: {} },
      setup: (client) => client.setRequestHandler(CreateMessageRequestSchema, (req) => model.answer(req.params)),
    });
  });

  after(async () => {
    await carol?.close();
    await mesh?.close();
  });

  it('an invalid first answer is sent back with its issues; the valid second one is stored as the plan', async () => {
    const wrong = structuredClone(signIn);
    wrong.phases[1].tasks[1].dependsOn = ['ghost'];
    model.answers = [`Here you go:\n\`\`\`json\n${JSON.stringify(wrong)}\n\`\`\``, JSON.stringify(signIn)];
    const r = await carol.ok('mesh_plan', { action: 'decompose', description: 'Passwordless sign-in: a route that mails a link, a form and a page.' });
    assert.equal(model.requests.length, 2);
    const [first, retry] = model.requests;
    assert.equal(first.messages.length, 1);
    assert.match(texts(first)[0][1], /Break the work described below into a plan[\s\S]*The work:\nPasswordless sign-in: a route/);
    assert.ok(first.maxTokens > 0 && first.systemPrompt);
    const turns = texts(retry);
    assert.deepEqual(turns.map(([role]) => role), ['user', 'assistant', 'user']);
    assert.match(turns[1][1], /^Here you go:/, 'the first answer, as the model gave it');
    assert.match(turns[2][1], /^That is not a valid plan:\n- phases\.1\.tasks\.1\.dependsOn\.0: task "login-page" depends on "ghost", which is not a task of this plan\nAnswer again/);
    assert.match(r.text, /^Your model's plan is stored \(nobody has accepted anything: it is the project's first\)\.\nPlan "Sign-in" v1 of .*: 4 tasks/);
    assert.match(r.text, /\n {2}login-form \[todo, ready\] "Login form"\n/, 'the tree: this model has not seen the plan');
    assert.equal(r.data.version, 1);
    const events = await mesh.alice.ok('mesh_events', { types: ['plan_changed'] });
    assert.match(events.text, /plan_changed carol .*version=1/);
  });

  it('a second decomposition is a proposal, with the current plan as context; the plan stays as it was', async () => {
    const next = structuredClone(signIn);
    next.phases[0].tasks.push({ id: 'rate-limit', title: 'Rate-limit the route', detail: '', files: ['src/server/limit.ts'], contracts: [] });
    model.answers = [JSON.stringify(next)];
    const r = await carol.ok('mesh_plan', { action: 'decompose', description: 'Also rate-limit the login route.' });
    const asked = texts(model.requests[2])[0][1];
    assert.match(asked, /What the project has now:\nA plan exists \(v1\): "Sign-in"\. Your answer replaces it whole: keep the ids/);
    assert.match(asked, /\n {2}task login-form \[todo\] "Login form" files: web\/login\/\*\*\n/);
    const id = (r.data.proposal as { id: number; source: string }).id;
    assert.equal((r.data.proposal as { source: string }).source, 'sampling');
    assert.match(r.text, new RegExp(`^This project has a plan already, so this one is proposal #${id}, not applied\\.[\\s\\S]*\\n- add task rate-limit\\n[\\s\\S]*Accept: mesh_plan action="accept" proposal=${id};`));
    const plan = await mesh.alice.ok('mesh_plan');
    assert.doesNotMatch(plan.text, /rate-limit \[/, 'not applied');
    assert.match(plan.text, new RegExp(`\\nproposal #${id} by carol \\(sampling, 1 change\\) waits`));
  });

  it('a model that stays wrong: both answers\' issues end it, nothing is stored', async () => {
    model.answers = ['no plan here', '{"title": "x", "phases": []}'];
    const r = await carol.call('mesh_plan', { action: 'decompose', description: 'Anything' });
    assert.equal(r.isError, true);
    assert.match(r.text, /^Your model's plan was still not valid after being told what was wrong, so nothing was stored: phases: .*\. Write the plan yourself and submit it \(mesh_plan action="submit"\)\. A plan is JSON/);
    assert.equal(model.answers.length, 0);
  });

  it('a client that refuses the request: nothing is stored, and the agent is told to write the plan', async () => {
    model.answers = [new Error('the user declined')];
    const r = await carol.call('mesh_plan', { action: 'decompose', description: 'Anything' });
    assert.equal(r.isError, true);
    assert.match(r.text, /^Your client did not give a plan \(.*the user declined.*\)\. Write it yourself and submit it/);
  });
});
