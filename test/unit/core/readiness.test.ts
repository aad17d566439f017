import assert from 'node:assert/strict';
import { isReady, madeReady, statusOf, waitingOn } from '../../../src/core/readiness';
import type { TaskStatus } from '../../../src/protocol/plan';

const task = (id: string, status: TaskStatus, dependsOn: string[] = []) => ({ id, status, dependsOn });

describe('core: when a task may start', () => {
  const tasks = [task('schema', 'done'), task('api', 'in_progress', ['schema']), task('form', 'todo', ['schema', 'api']), task('docs', 'todo')];

  it('names the dependencies not done, a task the plan lacks among them', () => {
    const status = statusOf(tasks);
    assert.deepEqual(waitingOn(tasks[2], status), ['api']);
    assert.deepEqual(waitingOn(tasks[1], status), []);
    assert.deepEqual(waitingOn(task('x', 'todo', ['gone']), status), ['gone']);
  });

  it('calls only a todo task with nothing to wait for ready', () => {
    const status = statusOf(tasks);
    assert.deepEqual(tasks.filter((t) => isReady(t, status)).map((t) => t.id), ['docs']);
  });

  it('tells which todo tasks a finished one made ready, and only those that waited on it', () => {
    const after = tasks.map((t) => (t.id === 'api' ? { ...t, status: 'done' as const } : t));
    assert.deepEqual(madeReady('api', after, statusOf(after)).map((t) => t.id), ['form']);
    assert.deepEqual(madeReady('schema', after, statusOf(after)).map((t) => t.id), ['form'], 'form waited on schema too');
    assert.deepEqual(madeReady('api', tasks, statusOf(tasks)), [], 'api is not done yet');
  });
});
