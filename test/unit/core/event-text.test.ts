import assert from 'node:assert/strict';
import { describeEvent } from '../../../src/core/event-text';
import type { MeshEvent } from '../../../src/protocol/entities';

const names: Record<string, string> = { 'p-a': 'alice', 'p-b': 'bob' };
const name = (id: string | null) => (id === null ? 'the mesh' : names[id] ?? id);
const event = (e: Omit<MeshEvent, 'seq' | 'at'>): MeshEvent => ({ seq: 1, at: 0, ...e }) as MeshEvent;

describe('describeEvent: mesh events as the activity feed reads them', () => {
  it('names who did what to which lines', () => {
    const lock = { id: 3, path: '/r/src/a.ts', root: '/r', relPath: 'src/a.ts', startLine: 3, endLine: 9, holder: 'p-a', holderName: 'alice', expiresAt: 0 };
    assert.equal(describeEvent(event({ type: 'lock_acquired', peer: 'p-a', data: lock }), name), 'alice locked src/a.ts:3-9');
    assert.equal(describeEvent(event({ type: 'lock_moved', peer: 'p-a', data: { ...lock, from: { startLine: 1, endLine: 7 }, anchorLost: false } }), name),
      'alice\'s lock moved from lines 1-7 to src/a.ts:3-9');
  });

  it('gives a message between peers its words when the feed has them, else says who wrote to whom', () => {
    const sent = event({ type: 'message_sent', peer: 'p-a', data: { id: 5, to: 'p-b', kind: 'text', threadId: 5, broadcast: false } });
    assert.equal(describeEvent(sent, name), 'alice sent a text to bob');
    assert.equal(describeEvent(sent, name, { from: 'alice', to: 'bob', body: 'the parser is yours' }), 'alice → bob: the parser is yours');
  });

  it('tells a task move with its note, by the name the event carries', () => {
    const moved = event({ type: 'task_updated', peer: 'p-b', data: { project: '/r', task: 'e2e', title: 'End-to-end test', status: 'blocked', previous: 'in_progress', assignee: 'p-b', assigneeName: 'bob', note: 'waits for the fixtures', byName: 'bob' } });
    assert.equal(describeEvent(moved, name), 'bob moved task e2e "End-to-end test" from in_progress to blocked: waits for the fixtures');
  });
});
