import assert from 'node:assert/strict';
import type { Delta } from '../../../src/protocol/coordination';
import type { Lock, Peer } from '../../../src/protocol/entities';
import type { PlanView, Task } from '../../../src/protocol/plan';
import { dashboardPlan } from '../../../src/vscode/dashboard/snapshot';

const root = '/work/app';
const task = (id: string, more: Partial<Task> = {}): Task => ({
  id, phase: 'web', title: `Task ${id}`, detail: '', status: 'todo', assignee: null, assigneeName: null, files: [], dependsOn: [], contracts: [],
  note: null, updatedAt: 0, updatedBy: null, ...more,
});
const plan = (tasks: Task[]): PlanView => ({
  project: root, title: 'App', description: '', version: 1, updatedAt: 0, updatedBy: null, contracts: [],
  phases: [{ id: 'web', title: 'Web', detail: '', tasks }],
});
const peer = (id: string, name: string): Peer => ({ id, name, kind: 'codex' } as Peer);
const lock = (holder: string, holderName: string, relPath: string): Lock => ({ id: 1, holder, holderName, path: `${root}/${relPath}`, relPath, startLine: 1, endLine: 3 } as Lock);

describe('dashboardPlan: what the board flags on each task', () => {
  it('names other peers whose claims touch its files, not its assignee\'s own', () => {
    const form = task('form', { assignee: 'p-1', assigneeName: 'alice', files: ['web/**'] });
    const shown = dashboardPlan(plan([form]), [peer('p-1', 'alice')], [lock('p-1', 'alice', 'web/a.ts'), lock('p-2', 'bob', 'web/b.ts'), lock('p-3', 'carol', 'server/c.ts')], []);
    assert.deepEqual(shown?.phases[0].tasks[0].overlaps, ['bob']);
    assert.deepEqual(shown?.phases[0].tasks[0].assignee, { id: 'p-1', name: 'alice', kind: 'codex' });
  });

  it('says which tasks it still waits for, and which blocking deltas about it its assignee has not acked', () => {
    const api = task('api', { status: 'done' });
    const db = task('db', { status: 'review' });
    const form = task('form', { dependsOn: ['api', 'db'] });
    const recipient = (via: string, ackedAt: number | null) => ({ peer: 'p-1', peerName: 'alice', reason: 'task' as const, via, shownAt: null, ackedAt });
    const delta = (id: number, severity: Delta['severity'], recipients: Delta['recipients']): Delta => ({ id, severity, recipients } as Delta);
    const shown = dashboardPlan(plan([api, db, form]), [], [], [
      delta(7, 'blocking', [recipient('form', null)]),
      delta(8, 'blocking', [recipient('form', 123)]),
      delta(9, 'warning', [recipient('form', null)]),
    ]);
    const flagged = shown?.phases[0].tasks.find((t) => t.id === 'form');
    assert.deepEqual(flagged?.waitingFor, ['db']);
    assert.deepEqual(flagged?.unackedDeltas, [7]);
  });
});
