/**
 * The shared plan end to end, as agents and the person use it: real MCP clients on `peermesh
 * mcp` submit a plan, claim tasks (one is warned about another agent's claim on its files),
 * move statuses, and `peermesh audit export` lists every step with its author.
 */
import assert from 'node:assert/strict';
import { Agent } from './mcp-agent';
import { runCli, spawnCli, tempHome, type Proc } from './harness';

const plan = {
  title: 'Plan storage',
  phases: [{
    id: 'core', title: 'Core',
    tasks: [
      { id: 'schema', title: 'Tables for the plan', files: ['src/store/schema.ts'] },
      { id: 'service', title: 'The plan service', files: ['src/core/**'], dependsOn: ['schema'], contracts: ['plan-api'] },
    ],
  }, {
    id: 'surface', title: 'Surface',
    tasks: [{ id: 'tools', title: 'MCP tools', files: ['src/mcp/tools/plan.ts'], contracts: ['plan-api'] }],
  }],
  contracts: [{ id: 'plan-api', kind: 'api', name: 'plan/* requests', spec: 'plan/get, plan/submit, plan/claim' }],
};

interface AuditLine { seq: number; type: string; peer: string | null; peerName: string | null; data: Record<string, unknown> }

describe('the shared plan through real agents and the audit export', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  const agents: Agent[] = [];

  before(async () => {
    t = tempHome();
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
  });

  after(async () => {
    for (const a of agents) await a.close().catch(() => undefined);
    broker.kill('SIGKILL');
    await broker.exited;
    t.cleanup();
  });

  it('a plan is submitted, two agents claim tasks (one warned), statuses move, and the audit lists each step by its author', async () => {
    const [claude, codex] = await Promise.all([Agent.start('claude-code', t.env), Agent.start('codex-mcp-client', t.env)]);
    agents.push(claude, codex);
    const names = { claude: String((await claude.ok('mesh_whoami')).data.name), codex: String((await codex.ok('mesh_whoami')).data.name) };

    const submitted = await claude.ok('mesh_plan', { action: 'submit', plan });
    assert.match(submitted.text, /stored as v1 .* 3 tasks/);

    // The dependency gate: the service waits for the schema.
    const early = await codex.call('mesh_task', { action: 'claim', task: 'service' });
    assert.equal(early.isError, true);
    assert.match(early.text, /schema/);

    // codex holds a claim in src/core; claude's task on src/core/** is warned about it, naming codex.
    await codex.ok('mesh_lock', { action: 'acquire', path: 'src/core/plan.ts', reason: 'reading the service' });
    await claude.ok('mesh_task', { action: 'claim', task: 'schema' });
    await claude.ok('mesh_task', { action: 'done', task: 'schema' });
    const warned = await claude.ok('mesh_task', { action: 'claim', task: 'service' });
    assert.match(warned.text, new RegExp(`${names.codex}.*src/core/plan\\.ts|src/core/plan\\.ts.*${names.codex}`), warned.text);

    // codex cannot take claude's task, and takes another.
    const taken = await codex.call('mesh_task', { action: 'claim', task: 'service' });
    assert.equal(taken.isError, true);
    assert.match(taken.text, new RegExp(names.claude));
    await codex.ok('mesh_task', { action: 'claim', task: 'tools' });
    await codex.ok('mesh_task', { action: 'update', task: 'tools', status: 'blocked', note: 'waiting for the plan API' });
    await claude.ok('mesh_task', { action: 'update', task: 'service', status: 'review' });
    await claude.ok('mesh_task', { action: 'done', task: 'service' });

    const exported = await runCli(['audit', 'export', '--format', 'jsonl'], t.env);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditLine);
    const steps = lines
      .filter((l) => l.type.startsWith('plan_') || l.type.startsWith('task_'))
      .map((l) => `${l.type} ${String(l.data.task ?? l.data.title ?? '')} ${String(l.data.status ?? '')} by ${l.peerName ?? '?'}`.replace(/ +/g, ' '));
    assert.deepEqual(steps, [
      `plan_changed Plan storage by ${names.claude}`,
      `task_claimed schema by ${names.claude}`,
      `task_updated schema done by ${names.claude}`,
      `task_claimed service by ${names.claude}`,
      `task_claimed tools by ${names.codex}`,
      `task_updated tools blocked by ${names.codex}`,
      `task_updated service review by ${names.claude}`,
      `task_updated service done by ${names.claude}`,
    ]);
    const claim = lines.find((l) => l.type === 'task_claimed' && l.data.task === 'service');
    assert.equal(claim?.data.overlaps, 1, 'the audit keeps that the claim was warned');
    assert.ok(lines.every((l, i) => i === 0 || l.seq > lines[i - 1].seq), 'in order');
  });
});
