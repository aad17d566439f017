import assert from 'node:assert/strict';
import type { Debate } from '../../../src/protocol/coordination';
import { acceptedBy, debateMarkdown, debateState, escalationNotificationText } from '../../../src/vscode/debates/debateText';

const participants = [{ peer: 'p-a', peerName: 'alice' }, { peer: 'p-b', peerName: 'bob' }];

function debate(change: Partial<Debate> = {}): Debate {
  return {
    id: 3, project: '/repo', topic: 'Paginate /users by cursor or offset?', origin: 7,
    concerns: { contract: 'users-api', task: null }, participants,
    status: 'open', round: 2, maxRounds: 5, awaiting: ['p-b'],
    turns: [
      { peer: 'p-a', peerName: 'alice', round: 1, position: 'Cursor: stable under inserts.', constraints: ['no breaking change'], alternatives: [], proposal: 1, accepts: 1, escalate: false, at: 1 },
      { peer: 'p-b', peerName: 'bob', round: 1, position: 'Offset: the UI jumps to pages.', constraints: [], alternatives: ['both'], proposal: 2, accepts: 2, escalate: false, at: 2 },
      { peer: 'p-a', peerName: 'alice', round: 2, position: 'Still cursor.', constraints: [], alternatives: [], proposal: null, accepts: 1, escalate: false, at: 3 },
    ],
    proposals: [
      { n: 1, peer: 'p-a', peerName: 'alice', round: 1, text: 'Cursor pagination, `after` param' },
      { n: 2, peer: 'p-b', peerName: 'bob', round: 1, text: 'Offset pagination\nwith a page param' },
    ],
    escalation: null, agreed: null, ruling: null, createdAt: 1, updatedAt: 3,
    ...change,
  };
}

describe('vscode: debates in words', () => {
  it('says where a debate stands in one line, for each status', () => {
    assert.equal(debateState(debate()), 'round 2 of 5, awaiting bob');
    assert.equal(debateState(debate({ status: 'escalated', awaiting: [], escalation: { reason: 'rounds', at: 9, peer: null } })),
      'awaiting your ruling: no agreement after the last round');
    assert.equal(debateState(debate({ status: 'escalated', escalation: { reason: 'asked', at: 9, peer: 'p-b' } })), 'awaiting your ruling: a participant asked for your ruling');
    assert.equal(debateState(debate({ status: 'resolved', agreed: 2 })), 'agreed on proposal 2');
    assert.equal(debateState(debate({ status: 'decided', ruling: { peer: 'p-v', peerName: 'Dana', proposal: 1, text: 'cursor', delta: 9, at: 9 } })), 'decided by Dana');
  });

  it('names who could not agree, and why, in the escalation notification', () => {
    const text = escalationNotificationText(debate({ status: 'escalated', escalation: { reason: 'idle', at: 9, peer: null } }));
    assert.equal(text, 'PeerMesh: alice and bob could not agree on "Paginate /users by cursor or offset?" (nobody took a turn for too long). Your ruling is needed.');
  });

  it('tells who accepts a proposal from their latest turn only', () => {
    assert.deepEqual(acceptedBy(debate(), 1), ['alice']);
    assert.deepEqual(acceptedBy(debate(), 2), ['bob']);
  });

  it('writes the debate round by round, proposals numbered, the ruling first once there is one', () => {
    const md = debateMarkdown(debate({
      status: 'decided', ruling: { peer: 'p-v', peerName: 'Dana', proposal: null, text: 'Cursor, and a page count header', delta: 12, at: 9 },
    }));
    const order = ['# Debate 3: Paginate /users by cursor or offset?', '## Ruling', 'Dana ruled, in their own words:', '## Proposals (2)', '**1.** alice, round 1 — accepted by alice',
      '**2.** bob, round 1 — accepted by bob', '## Round 1 of 5', '### alice', '- no breaking change', '*Proposes **1**.*', '### bob', '**Alternatives**', '## Round 2 of 5', '*Accepts proposal **1** (alice\'s).*'];
    let at = 0;
    for (const piece of order) {
      const found = md.indexOf(piece, at);
      assert.ok(found >= at, `"${piece}" after position ${at} in:\n${md}`);
      at = found;
    }
    assert.match(md, /About: contract users\\-api, started from delta 7/);
    assert.match(md, /> Offset pagination {2}\n> with a page param/, 'a proposal over two lines stays quoted');
  });

  it('keeps a peer\'s words inert: no link, image or markup gets through', () => {
    const md = debateMarkdown(debate({ topic: '[click](command:peermesh.unlockAllMine) ![x](http://e/x.png) <img src=x>' }));
    // Every character Markdown or HTML acts on is escaped, so the preview shows it as text.
    assert.ok(md.startsWith('# Debate 3: \\[click\\]\\(command:peermesh\\.unlockAllMine\\) \\!\\[x\\]\\(http://e/x\\.png\\) \\<img src=x\\>\n'), md);
  });
});
