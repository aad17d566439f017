import assert from 'node:assert/strict';
import fc from 'fast-check';
import { withTasks, type DashboardPlan, type DashboardTask } from '../../../src/protocol/webview';
import { planChange } from '../../../src/vscode/dashboard/planChanges';

const statuses = ['todo', 'in_progress', 'review', 'blocked', 'done'] as const;

const task = (id: string, phase: string, more: Partial<DashboardTask> = {}): DashboardTask => ({
  id, phase, title: `Task ${id}`, status: 'todo', assignee: null, files: [], dependsOn: [], waitingFor: [], contracts: [],
  note: null, overlaps: [], changedContracts: [], unackedDeltas: [], ...more,
});

/** A plan of 1–4 phases of 0–6 tasks. */
const plans = fc.array(fc.array(fc.constantFrom(...statuses), { maxLength: 6 }), { minLength: 1, maxLength: 4 }).map((phases): DashboardPlan => ({
  title: 'App',
  contracts: [{ id: 'api', kind: 'api', name: 'The API', version: 1, status: 'approved' }],
  phases: phases.map((tasks, p) => ({ id: `phase-${p}`, title: `Phase ${p}`, tasks: tasks.map((status, t) => task(`t${p}-${t}`, `phase-${p}`, { status })) })),
}));

/** What an agent's work does to a task: moves it, takes it, flags it. */
const edits = fc.oneof(
  fc.constantFrom(...statuses).map((status) => (t: DashboardTask) => ({ ...t, status })),
  fc.constant((t: DashboardTask) => ({ ...t, assignee: { id: 'p-1', name: 'alice', kind: 'codex' as const } })),
  fc.constant((t: DashboardTask) => ({ ...t, overlaps: ['bob'] })),
  fc.constant((t: DashboardTask) => ({ ...t, unackedDeltas: [7] })),
);

describe('planChange: what the dashboard host sends a page about a new plan', () => {
  it('sends the changed tasks alone when the plan kept its shape, and the page rebuilds the new plan from them', () => {
    fc.assert(fc.property(plans, fc.array(fc.tuple(fc.nat(), edits), { maxLength: 5 }), (before, changes) => {
      const after: DashboardPlan = structuredClone(before);
      const all = after.phases.flatMap((phase) => phase.tasks.map((_, t) => ({ phase, t })));
      for (const [n, edit] of changes) {
        if (all.length === 0) break;
        const { phase, t } = all[n % all.length];
        phase.tasks[t] = edit(phase.tasks[t]);
      }
      const change = planChange(before, after);
      const differing = after.phases.flatMap((phase) => phase.tasks).filter((t, i) => JSON.stringify(t) !== JSON.stringify(before.phases.flatMap((p) => p.tasks)[i]));
      if (differing.length === 0) return assert.deepEqual(change, { kind: 'none' });
      assert.equal(change.kind, 'tasks');
      if (change.kind !== 'tasks') return;
      assert.deepEqual(change.tasks.map((t) => t.id), differing.map((t) => t.id));
      assert.deepEqual(withTasks(before, change.tasks), after);
    }));
  });

  it('keeps the objects of what did not change, so the page redraws only the changed cards', () => {
    const before: DashboardPlan = { title: 'App', contracts: [], phases: [
      { id: 'web', title: 'Web', tasks: [task('a', 'web'), task('b', 'web')] },
      { id: 'api', title: 'API', tasks: [task('c', 'api')] },
    ] };
    const moved = { ...before.phases[0].tasks[1], status: 'done' as const };
    const shown = withTasks(before, [moved]);
    assert.equal(shown.phases[0].tasks[0], before.phases[0].tasks[0]);
    assert.equal(shown.phases[0].tasks[1], moved);
    assert.equal(shown.phases[1], before.phases[1]);
  });

  it('sends the plan whole when its shape changed: a task added or reordered, a phase renamed, a contract, another plan', () => {
    const before: DashboardPlan = { title: 'App', contracts: [], phases: [{ id: 'web', title: 'Web', tasks: [task('a', 'web'), task('b', 'web')] }] };
    const variants: DashboardPlan[] = [
      { ...before, phases: [{ ...before.phases[0], tasks: [...before.phases[0].tasks, task('c', 'web')] }] },
      { ...before, phases: [{ ...before.phases[0], tasks: [before.phases[0].tasks[1], before.phases[0].tasks[0]] }] },
      { ...before, phases: [{ ...before.phases[0], title: 'Front end' }] },
      { ...before, contracts: [{ id: 'api', kind: 'api', name: 'The API', version: 2, status: 'superseded' }] },
      { ...before, title: 'Another app' },
    ];
    for (const after of variants) assert.deepEqual(planChange(before, after), { kind: 'plan', plan: after });
    assert.deepEqual(planChange(before, null), { kind: 'plan', plan: null });
    assert.deepEqual(planChange(null, before), { kind: 'plan', plan: before });
  });

  it('sends the plan whole to a page whose plan is not known, and nothing when nothing changed', () => {
    const plan: DashboardPlan = { title: 'App', contracts: [], phases: [{ id: 'web', title: 'Web', tasks: [task('a', 'web')] }] };
    assert.deepEqual(planChange(undefined, plan), { kind: 'plan', plan });
    assert.deepEqual(planChange(plan, structuredClone(plan)), { kind: 'none' });
    assert.deepEqual(planChange(null, null), { kind: 'none' });
  });
});
