import assert from 'node:assert/strict';
import { planChanges } from '../../../src/core/plan-diff';
import { PlanInput, type PlanView, type Proposal, type Task, type TaskStatus } from '../../../src/protocol/plan';
import { describeOverlaps, insideProject, mdText, planAsInput, proposalMarkdown } from '../../../src/vscode/plan/planText';
import { loginPlan } from '../core/plan-helpers';

/** The plan as the broker would show it once stored, with the given tasks' statuses and assignees. */
function viewOf(input: PlanInput, moved: Record<string, { status: TaskStatus; by?: string }> = {}): PlanView {
  return {
    project: '/work/app', title: input.title, description: input.description, version: 2, updatedAt: 0, updatedBy: null,
    phases: input.phases.map((p) => ({
      id: p.id, title: p.title, detail: p.detail,
      tasks: p.tasks.map((t): Task => ({
        ...t, phase: p.id, status: moved[t.id]?.status ?? 'todo', assignee: moved[t.id]?.by ?? null, assigneeName: moved[t.id]?.by ?? null,
        note: null, updatedAt: 0, updatedBy: null,
      })),
    })),
    contracts: input.contracts.map((c) => ({ ...c, file: c.file ?? null, symbol: c.symbol ?? null, version: 1, status: 'proposed', updatedAt: 0, updatedBy: null })),
  };
}

function proposalOf(current: PlanView, next: PlanInput): Proposal {
  return {
    id: 7, project: current.project, author: 'p-1', authorName: 'alice', source: 'editor', baseVersion: current.version,
    status: 'pending', createdAt: 0, plan: next, changes: planChanges(current, next),
  };
}

describe('the plan in words', () => {
  const current = viewOf(loginPlan(), { endpoint: { status: 'in_progress', by: 'bob' } });

  it('reads the current plan back as an input that changes nothing', () => {
    const input = PlanInput.parse(planAsInput(current));
    assert.deepEqual(planChanges(current, input), []);
  });

  it('shows a proposal\'s additions, changed fields (old → new, lists as gains and losses) and removals with their cost', () => {
    const next = loginPlan((p) => {
      p.phases[0].tasks[0].title = 'Users table';
      p.phases[0].tasks[0].files = ['src/db/schema.ts', 'src/db/migrations/**'];
      p.phases[0].tasks.splice(1, 1); // endpoint goes (bob works on it)
      p.phases[1].tasks[0].dependsOn = [];
      p.phases[1].tasks.push({ id: 'logout', title: 'Logout button', files: ['src/ui/logout.tsx'], dependsOn: [], contracts: [] });
    });
    const text = proposalMarkdown(proposalOf(current, next), current);
    assert.match(text, /^# Proposal 7: Login$/m);
    assert.match(text, /From \*\*alice\*\* \(decomposed by the editor's language model\), against plan version 2\./);
    assert.match(text, /1 added · 2 changed · 1 removed/);
    assert.match(text, /## Added\n\n- task `logout` Logout button — in phase `ui` — files src\/ui\/logout\\\.tsx/);
    assert.match(text, /- task `schema` Users table — title: “User schema” → “Users table”; files: \+src\/db\/migrations\/\\\*\\\*/);
    assert.match(text, /- task `form` Login form — dependsOn: −endpoint/);
    assert.match(text, /## Removed\n\n- task `endpoint` Login endpoint — \*in progress by bob: goes with it\*/);
  });

  it('says when the plan moved on since the proposal was made', () => {
    const next = loginPlan((p) => { p.title = 'Login v2'; });
    const text = proposalMarkdown(proposalOf(current, next), { ...current, version: 3 });
    assert.match(text, /the plan is at version 3 now, so accepting it will fail/);
    assert.match(text, /- the plan — title: “Login” → “Login v2”/);
  });

  it('never lets a title put a link, an image or HTML into the document', () => {
    const next = loginPlan((p) => {
      p.title = '[click](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> ![i](http://x/i.png)';
      p.phases[1].tasks[0].title = '**bold** `code`\u202Egnp.exe';
    });
    const text = proposalMarkdown(proposalOf(current, next), current);
    assert.doesNotMatch(text, /[^\\]\]\(/, 'no link target');
    assert.doesNotMatch(text, /[^\\]<img/, 'no HTML');
    assert.doesNotMatch(text, /\u202E/, 'no bidi override');
    assert.equal(mdText('a*b_c<d>'), 'a\\*b\\_c\\<d\\>');
  });

  it('names the peers a claim overlaps', () => {
    assert.equal(describeOverlaps([
      { kind: 'lock', peer: 'p-2', peerName: 'bob', path: 'src/api/login.ts', lockId: 3 },
      { kind: 'task', peer: 'p-3', peerName: 'carol', path: 'src/api/**', task: 'endpoint' },
    ]), 'bob holds a lock on src/api/login.ts; carol works on task endpoint (src/api/**)');
  });

  it('opens only files inside the project: a task naming ../ or another absolute path is not followed', () => {
    for (const inside of ['src/a.ts', './src', 'src/**/*.ts', '**/*.md', '/work/app/lib/x.ts', 'src/../lib/y.ts']) assert.ok(insideProject('/work/app', inside), inside);
    for (const outside of ['../secrets.txt', '/etc/passwd', '../other/**', 'src/../../x', '/work/application/x.ts']) assert.ok(!insideProject('/work/app', outside), outside);
  });
});
