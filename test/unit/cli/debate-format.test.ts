import assert from 'node:assert/strict';
import { debateState, formatDebate } from '../../../src/cli/debate-format';
import type { Debate } from '../../../src/protocol/coordination';

const base: Debate = {
  id: 4, project: '/p', topic: 'tabs\u001b[31m', origin: 9, concerns: { contract: null, task: 'lint' },
  participants: [{ peer: 'p-a', peerName: 'alice' }, { peer: 'p-b', peerName: 'bob' }],
  status: 'open', round: 2, maxRounds: 3, awaiting: ['p-b'], turns: [], proposals: [], escalation: null, agreed: null, ruling: null, createdAt: 0, updatedAt: 0,
};

describe('cli: debate-format', () => {
  it('says where a debate stands in the person\'s words, by name', () => {
    assert.equal(debateState(base), 'open, round 2 of 3, awaiting bob');
    assert.equal(debateState({ ...base, status: 'escalated', escalation: { reason: 'asked', at: 0, peer: 'p-a' } }), 'escalated (alice asked)');
    assert.equal(debateState({ ...base, status: 'escalated', escalation: { reason: 'idle', at: 0, peer: null } }), 'escalated (nobody took a turn)');
    assert.equal(debateState({ ...base, status: 'resolved', agreed: 2 }), 'resolved on proposal 2');
  });

  it('shows a debate round by round, an acceptance withdrawn, and the ruling; agents\' words made printable', () => {
    const turn = { constraints: [], alternatives: ['spaces'], proposal: null, accepts: null, escalate: false, at: 0 };
    const text = formatDebate({
      ...base, status: 'decided',
      turns: [
        { ...turn, peer: 'p-a', peerName: 'alice', round: 1, position: 'tabs', proposal: 1, accepts: 1 },
        { ...turn, peer: 'p-b', peerName: 'bob', round: 1, position: 'no', escalate: true },
      ],
      proposals: [{ n: 1, peer: 'p-a', peerName: 'alice', round: 1, text: 'tabs everywhere' }],
      ruling: { peer: 'p-me', peerName: 'me', proposal: null, text: 'spaces', delta: 12, at: 0 },
    });
    assert.deepEqual(text.split('\n'), [
      '#4 "tabs\u241b[31m": decided by me', 'participants: alice, bob', 'concerns: task lint, delta #9',
      'round 1', '  alice: tabs', '    or: spaces', '    proposes 1: tabs everywhere',
      '  bob: no', '    or: spaces', '    accepts nothing', '    asks you to rule',
      'ruling (delta #12): spaces',
    ]);
  });
});
