import assert from 'node:assert/strict';
import { describeCounts, StatusCounts, statusCounts } from '../../../src/protocol/requests/status';

describe('protocol/status: the counts, declared once', () => {
  const counts = { livePeers: 2, peers: 3, sessions: 1, locks: 1, messages: 4, unreadMessages: 3, stateEntries: 1, events: 12 };

  it('reads every declared count, in the declared order, singular for 1', () => {
    assert.equal(describeCounts(counts),
      '2 live peers, 3 known peers, 1 session, 1 lock, 4 messages, 3 unread messages, 1 state entry, 12 events');
  });

  it('the schema has exactly the declared names, each described by its label', () => {
    assert.deepEqual(Object.keys(StatusCounts.shape), Object.keys(statusCounts));
    assert.equal(StatusCounts.shape.unreadMessages.description, 'unread messages');
    assert.deepEqual(StatusCounts.parse(counts), counts);
    assert.equal(StatusCounts.safeParse({ ...counts, locks: undefined }).success, false, 'every count is required');
    assert.equal(StatusCounts.safeParse({ ...counts, locks: 1.5 }).success, false, 'counts are integers');
  });
});
