import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { PlanInput, Task } from '../../../src/protocol/plan';
import type { TaskNode } from '../../../src/vscode/trees/planTree';
import { joinedMesh, otherPeer, waitFor, withAnswers, workspaceFolder } from './helpers';

/** The agent's plan: `seed` waits for `schema` and shares its folder; `endpoint` names a glob and a file. */
const agentPlan: PlanInput = {
  title: 'Accounts',
  description: '',
  phases: [
    {
      id: 'data', title: 'Data', detail: '',
      tasks: [
        { id: 'schema', title: 'Accounts table', detail: 'Columns id, email, created.', files: ['src/db/schema.ts'], dependsOn: [], contracts: [] },
        { id: 'seed', title: 'Seed data', detail: '', files: ['src/db/**'], dependsOn: ['schema'], contracts: [] },
      ],
    },
    {
      id: 'api', title: 'API', detail: '',
      tasks: [{ id: 'endpoint', title: 'Accounts endpoint', detail: '', files: ['src/api/**', 'docs/api.md', 'docs/missing.md'], dependsOn: [], contracts: ['accounts-api'] }],
    },
    {
      id: 'ui', title: 'UI', detail: '',
      tasks: [{ id: 'form', title: 'Account form', detail: '', files: ['src/ui/account.tsx'], dependsOn: [], contracts: ['accounts-api'] }],
    },
  ],
  contracts: [{ id: 'accounts-api', kind: 'api', name: 'GET /api/accounts', file: null, symbol: null, spec: '200 [{ id, email }]' }],
};

/** The Plan view's row of a task, once `ready` says it reads as expected. */
async function taskRow(id: string, ready: (item: vscode.TreeItem) => boolean = () => true): Promise<{ node: TaskNode; item: vscode.TreeItem }> {
  const api = await joinedMesh();
  return waitFor(`the Plan view's row of task ${id}`, () => {
    // By row id: the suite's bundle has its own copy of the node classes, so no instanceof.
    const node = api.trees.plan.nodes().find((n) => n.toTreeItem().id === `task-${id}`) as TaskNode | undefined;
    const item = node?.toTreeItem();
    return node && item && ready(item) ? { node, item } : undefined;
  });
}

const iconId = (item: vscode.TreeItem) => (item.iconPath as vscode.ThemeIcon).id;

/** A row's Markdown tooltip with the escapes of its plain-text parts undone. */
const tooltipText = (item: vscode.TreeItem) => (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');

describe('The Plan view', () => {
  /** An agent in the same folder: it submits the plan and works on it. */
  let agent: PeerClient;
  let project: string;

  async function taskAsAgentSees(id: string): Promise<Task> {
    const { tasks } = await agent.request('plan/tasks', { project });
    return tasks.find((t) => t.id === id)!;
  }

  before(async function () {
    this.timeout(60_000);
    await joinedMesh();
    project = workspaceFolder();
    agent = await otherPeer('plan-agent', 'claude-code');
    for (const file of ['src/api/accounts.ts', 'src/api/routes.ts', 'docs/api.md']) {
      mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
      writeFileSync(path.join(project, file), `// ${file}\n`);
    }
  });
  after(async () => {
    await agent?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the phases, tasks and contracts of a plan another peer submits (its proposal while it waits)', async () => {
    const api = await joinedMesh();
    const { proposal } = await agent.request('plan/submit', { plan: agentPlan, source: 'agent' });
    if (proposal) {
      // The project has a plan already (the decomposition tests ran first): the agent's waits in the view.
      await waitFor('the proposal in the Plan view', () => (api.trees.plan.rows().some((r) => r.label === `Proposal ${proposal.id} waits for review`) ? true : undefined));
      await agent.request('plan/accept', { id: proposal.id });
    }
    await waitFor('the agent\'s plan in the Plan view', () => (api.trees.plan.rows().some((r) => r.label === 'Accounts table') ? true : undefined));
    const rows = api.trees.plan.rows();
    assert.deepEqual(rows.map((r) => [r.label, r.description]), [
      ['Data', '0/2 tasks done'],
      ['Accounts table', 'to do'],
      ['Seed data', 'to do · waits for schema'],
      ['API', '0/1 task done'],
      ['Accounts endpoint', 'to do'],
      ['UI', '0/1 task done'],
      ['Account form', 'to do'],
      ['Contracts', '1'],
      ['GET /api/accounts', 'api · v1 · proposed'],
    ]);
    assert.equal(iconId(rows[1]), 'circle-large-outline');
    assert.equal(rows[1].contextValue, 'task.todo.files');
    assert.match(api.trees.plan.view.description ?? '', /^Accounts · v\d+$/);
    assert.match(tooltipText(rows[2]), /\*\*Depends on:\*\* schema \(not done\)/);
    assert.match(tooltipText(rows[4]), /\*\*Contracts:\*\* GET \/api\/accounts \(api, v1, proposed\)/);
  });

  it('follows the agent claiming a task', async () => {
    await agent.request('plan/claim', { project, task: 'schema' });
    const { item } = await taskRow('schema', (i) => i.description === 'plan-agent · in progress');
    assert.equal(iconId(item), 'play-circle');
    assert.equal((item.iconPath as vscode.ThemeIcon).color?.id, 'charts.blue');
  });

  it('Claim on a task row claims it for the window', async () => {
    const api = await joinedMesh();
    const { node } = await taskRow('form');
    const claimed = await withAnswers({}, async (asked) => {
      const task = await vscode.commands.executeCommand<Task>('peermesh.claimTask', node);
      assert.deepEqual(asked, [], 'nothing to ask or warn about');
      return task;
    });
    assert.equal(claimed.assignee, api.mesh.client!.peer.id);
    assert.equal((await taskAsAgentSees('form')).assignee, api.mesh.client!.peer.id);
    const { item } = await taskRow('form');
    assert.equal(item.description, 'you · in progress', 'shown at once, when the command returns');
    assert.equal(item.contextValue, 'task.in_progress.mine.files');
  });

  it('Claim on a task that waits for another names it, starts anyway with the reason given, and warns of the agent on its files', async () => {
    const { node } = await taskRow('seed');
    await withAnswers({
      notify: (_message, buttons) => (buttons.includes('Start Anyway…') ? 'Start Anyway…' : undefined),
      input: () => 'the schema is settled already',
    }, async (asked) => {
      const task = await vscode.commands.executeCommand<Task>('peermesh.claimTask', node);
      assert.equal(task.status, 'in_progress');
      assert.deepEqual(asked.map((a) => [a.kind, a.text]), [
        ['notify', 'PeerMesh: task seed waits for schema (in progress).'],
        ['input', 'Start seed before the tasks it waits for'],
        ['notify', 'PeerMesh: you took task seed, but plan-agent works on task schema (src/db/schema.ts).'],
      ]);
    });
    assert.equal((await taskAsAgentSees('seed')).note, 'the schema is settled already', 'the agents see why');
  });

  it('Claim on a task another peer holds says who has it, and changes nothing', async () => {
    const { node } = await taskRow('schema');
    await withAnswers({}, async (asked) => {
      assert.equal(await vscode.commands.executeCommand('peermesh.claimTask', node), undefined);
      assert.deepEqual(asked.map((a) => [a.kind, a.text, a.choices]), [['notify', 'PeerMesh: task schema is taken by plan-agent.', ['Message Them']]]);
    });
    assert.equal((await taskAsAgentSees('schema')).assigneeName, 'plan-agent');
  });

  it('Set Status… moves a task; blocked asks why, and the agents see it', async () => {
    const { node } = await taskRow('form');
    await withAnswers({ pick: (labels) => labels.find((l) => l.endsWith(' blocked')), input: () => 'waiting for the API contract' }, async (asked) => {
      const task = await vscode.commands.executeCommand<Task>('peermesh.setTaskStatus', node);
      assert.equal(task.status, 'blocked');
      assert.deepEqual(asked[0].choices, ['$(circle-large-outline) to do', '$(eye) in review', '$(error) blocked', '$(pass-filled) done']);
      assert.equal(asked[1].text, 'Why is Account form blocked?');
    });
    const seen = await taskAsAgentSees('form');
    assert.deepEqual([seen.status, seen.note], ['blocked', 'waiting for the API contract']);
    const { item } = await taskRow('form', (i) => i.description === 'you · blocked');
    assert.equal(iconId(item), 'error');
  });

  it('Open Files opens the task\'s files that exist and offers its glob\'s matches', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const { node } = await taskRow('endpoint');
    const opened = await withAnswers({ pickMany: (labels) => labels.filter((l) => l.endsWith('routes.ts')) }, async (asked) => {
      const uris = await vscode.commands.executeCommand<vscode.Uri[]>('peermesh.openTaskFiles', node);
      assert.deepEqual(asked.map((a) => [a.kind, a.choices]), [['pickMany', ['src/api/accounts.ts', 'src/api/routes.ts']]]);
      return uris;
    });
    assert.deepEqual(opened.map((uri) => path.relative(project, uri.fsPath)), ['docs/api.md', 'src/api/routes.ts']);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => (t.input as { uri?: vscode.Uri }).uri?.fsPath);
    assert.ok(tabs.includes(path.join(project, 'src/api/routes.ts')) && tabs.includes(path.join(project, 'docs/api.md')), `tabs: ${tabs.join(', ')}`);
  });
});
