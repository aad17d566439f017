/**
 * mesh_plan decompose over `peermesh mcp` on stdio: a real MCP client that declares `sampling`
 * answers the bridge's `sampling/createMessage` requests (first an invalid plan, then a valid
 * one). The retry carries the issues, the plan is stored, and a second decomposition is a
 * proposal, not an overwrite.
 */
import assert from 'node:assert/strict';
import { CreateMessageRequestSchema, type CreateMessageRequest } from '@modelcontextprotocol/sdk/types.js';
import { Agent } from './mcp-agent';
import { spawnCli, tempHome, type Proc } from './harness';

const plan = (extra: Array<{ id: string; title: string }> = []) => ({
  title: 'Search',
  phases: [{ id: 'backend', title: 'Backend', tasks: [{ id: 'index', title: 'Build the index', files: ['src/search/**'] }, ...extra] }],
});

describe('peermesh mcp: decompose through the client\'s sampling', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  let agent: Agent | undefined;

  before(async () => {
    t = tempHome();
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
  });

  after(async () => {
    await agent?.close().catch(() => undefined);
    broker.kill('SIGKILL');
    await broker.exited;
    t.cleanup();
  });

  it('retries with the issues, stores the plan, and proposes the next one', async () => {
    const requests: CreateMessageRequest['params'][] = [];
    const answers = ['{"title": "Search", "phases": [{"id": "backend", "title": "Backend", "tasks": [{"id": "index", "title": "Index", "dependsOn": ["ghost"]}]}]}', JSON.stringify(plan())];
    agent = await Agent.start('vscode', t.env, t.dir, {
      capabilities: { sampling: {} },
      setup: (client) => client.setRequestHandler(CreateMessageRequestSchema, (req) => {
        requests.push(req.params);
        return { role: 'assistant', model: 'scripted', content: { type: 'text', text: answers.shift() ?? '' } };
      }),
    });
    const first = await agent.ok('mesh_plan', { action: 'decompose', description: 'Full-text search over the notes.' });
    assert.equal(requests.length, 2);
    const retry = requests[1].messages.map((m) => (m.content as { text: string }).text);
    assert.match(retry[2], /^That is not a valid plan:\n- phases\.0\.tasks\.0\.dependsOn\.0: task "index" depends on "ghost"/);
    assert.match(first.text, /^Your model's plan is stored .*\nPlan "Search" v1 of /);

    answers.push(JSON.stringify(plan([{ id: 'query', title: 'Query endpoint' }])));
    const second = await agent.ok('mesh_plan', { action: 'decompose', description: 'Add a query endpoint.' });
    assert.match(second.text, /^This project has a plan already, so this one is proposal #\d+, not applied\.[\s\S]*\n- add task query\n/);
    const shown = await agent.ok('mesh_plan');
    assert.match(shown.text, /^Plan "Search" v1 of .*: 1 task /, 'the plan was not overwritten');
  });
});
