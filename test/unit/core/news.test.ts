/**
 * How news reads to a model, in a result's `pending` line and in a hook's context: each message
 * on one line, its body JSON-quoted so another peer's text cannot pass for PeerMesh's own lines,
 * and escaped where JSON leaves characters raw that a terminal or a reader would act on.
 */
import assert from 'node:assert/strict';
import { newsLines, pendingText, taskLines, type News, type TasksNews } from '../../../src/core/news';

const news = (body: string): News => ({
  messages: [{ id: 7, from: 'mallory', kind: 'text', body, truncated: false, replyTo: null }],
  more: 0,
  unread: 1,
});

describe('core/news: what the model reads', () => {
  it('quotes a body on one line', () => {
    assert.deepEqual(newsLines(news('line one\nline two "quoted"')), ['#7 from mallory: "line one\\nline two \\"quoted\\""']);
  });

  it('escapes C1 controls, bidi controls and invisible characters, which JSON leaves raw', () => {
    const [line] = newsLines(news('run \u202Egnp.exe\u202C now \u009b2K \u3164'));
    assert.equal(line, '#7 from mallory: "run \\u202egnp.exe\\u202c now \\x9b2K \\u3164"');
    assert.doesNotMatch(pendingText(news('\u202E\u009b')), /[\u202E\u009b]/);
  });
});

describe('core/news: the plan\'s lines', () => {
  const tasks = (title: string): TasksNews => ({
    held: [{ id: 'api', status: 'in_progress' }, { id: 'ui', status: 'blocked', project: '/other' }],
    assigned: [{ id: 'db', status: 'todo', title, by: 'carol' }],
    more: 2,
  });

  it('held tasks on one line, each new one on its own with the call that takes it, then how many more', () => {
    assert.deepEqual(taskLines(tasks('The DB')), [
      'your tasks: api (in_progress), ui in /other (blocked)',
      'new task for you: db "The DB" (todo, from carol) → mesh_task action="claim" task="db"',
      'and 2 more tasks of yours → mesh_task assignee="me"',
    ]);
    assert.deepEqual(taskLines(tasks('x'), false).slice(0, 1), ['new task for you: db "x" (todo, from carol) → mesh_task action="claim" task="db"']);
  });

  it('quotes a title on one line and escapes what would act on a terminal or hide text', () => {
    const [, line] = taskLines(tasks('line\n"two" \u202Eexe.txt'));
    assert.equal(line, 'new task for you: db "line\\n\\"two\\" \\u202eexe.txt" (todo, from carol) → mesh_task action="claim" task="db"');
  });

  it('follows the message lines in a result\'s pending part', () => {
    assert.equal(pendingText({ messages: [], more: 0, unread: 0, tasks: { held: [{ id: 'api', status: 'review' }] } }), 'pending: none\nyour task: api (review)');
  });
});
