/**
 * A task as the model reads it: the contracts it codes against that changed and its assignee
 * has not acked, each with its new version and the delta to ack, in the data and on its line.
 */
import assert from 'node:assert/strict';
import { taskLine, taskView } from '../../../src/mcp/plan-views';
import type { Task } from '../../../src/protocol/plan';

const task = (change: Partial<Task>): Task => ({
  id: 'handlers', phase: 'api', title: 'Users handlers', detail: '', status: 'in_progress', assignee: 'p-b', assigneeName: 'bob',
  files: ['src/api/users.ts'], dependsOn: [], contracts: ['users-api', 'auth'], note: null, updatedAt: 1, updatedBy: 'p-b', ...change,
});

describe('mcp/plan-views: a task', () => {
  it('names each changed contract with its version and the delta to ack', () => {
    const view = taskView(task({ changedContracts: [{ contract: 'users-api', version: 2, delta: 1 }, { contract: 'auth', version: 4, delta: 3 }] }), 'p-b', undefined, true);
    assert.deepEqual(view.changed, ['users-api v2 (delta #1)', 'auth v4 (delta #3)']);
    assert.equal(taskLine(view), 'handlers [in_progress, you] "Users handlers" files: src/api/users.ts contracts changed: users-api v2 (delta #1), auth v4 (delta #3)');
  });

  it('says nothing of contracts when none changed', () => {
    const view = taskView(task({}), 'p-a');
    assert.equal(view.changed, undefined);
    assert.equal(taskLine(view), 'handlers [in_progress, bob] "Users handlers"');
  });
});
