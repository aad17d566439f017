/**
 * Failures in the command line's words: from the typed reason and its data, never from the
 * message text.
 */
import assert from 'node:assert/strict';
import { cliErrorText } from '../../../src/cli/error-text';
import { BrokerError } from '../../../src/protocol/errors';

describe('cliErrorText', () => {
  it('says which tasks a task waits for, and how to start it anyway', () => {
    const open = [{ id: 'api', title: 'API', status: 'in_progress' }, { id: 'db', title: 'DB', status: 'todo' }];
    assert.equal(cliErrorText(new BrokerError('notReady', 'task form waits for tasks not done yet: …', { open, task: 'form' })),
      'task form is not ready: it needs api (in progress), db (todo) done first (peermesh plan shows them); to start it anyway, say why: --force REASON');
    assert.match(cliErrorText(new BrokerError('notReady', 'x', { open })), /^the task is not ready: it needs api/);
    // Data that is not what the protocol says: the broker's own words.
    assert.equal(cliErrorText(new BrokerError('notReady', 'broker words', { open: [{ id: 'api', status: 'later' }] })), 'broker words');
  });

  it('names who has a task another peer holds, or was handed, and how to free it', () => {
    const taken = (status: string) => cliErrorText(new BrokerError('alreadyClaimed', 'broker words', { task: 'form', by: 'p-2', byName: 'bob', status }));
    assert.equal(taken('in_progress'), 'task form is taken: bob has it (in progress); ask them (peermesh send bob TEXT), or free it for anyone: peermesh task set form --unassign');
    assert.match(taken('todo'), /^task form was handed to bob; /);
    // Messages claimed by others keep the broker's words.
    assert.equal(cliErrorText(new BrokerError('alreadyClaimed', 'message 3 is claimed by bob', { claimed: [{ id: 3, by: 'p-2', byName: 'bob' }] })), 'message 3 is claimed by bob');
  });

  it('lists a refused file\'s issues one per line, printable; a request the broker refused has them in its message already', () => {
    const issues = [{ path: 'phases[0].id', message: 'an id is …' }, { path: 'title', message: 'too\u001b long' }];
    assert.equal(cliErrorText(new BrokerError('invalidInput', 'plan.json is not a valid plan (2 issues)', { issues })),
      'plan.json is not a valid plan (2 issues)\n  phases[0].id: an id is …\n  title: too␛ long');
    assert.equal(cliErrorText(new BrokerError('invalidInput', 'title: too long', { issues, method: 'plan/submit' })), 'title: too long');
  });

  it('keeps to one line otherwise, and points to peermesh peers for a peer not found', () => {
    assert.equal(cliErrorText(new Error('first\nsecond')), 'first');
    assert.equal(cliErrorText(new BrokerError('notFound', 'no peer x', { missing: ['x'] })), 'no peer x (peermesh peers lists who is here)');
  });
});
