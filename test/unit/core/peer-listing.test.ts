import assert from 'node:assert/strict';
import { describeKind, lookalikes, peerListing, skeleton } from '../../../src/core/peer-listing';
import type { Peer } from '../../../src/protocol/entities';

function peer(id: string, name: string, extra: Partial<Peer> = {}): Peer {
  return {
    id, name, kind: 'claude-code', client: null, pid: null, cwd: null, workspace: null, gitRoot: null, gitBranch: null, summary: '',
    status: 'idle', connectedAt: 0, lastSeen: 0, lastActive: null, ...extra,
  };
}

describe('core/peer-listing: how a listing of peers reads', () => {
  describe('skeletons (Unicode UTS #39 confusables)', () => {
    it('maps look-alikes to one skeleton: Cyrillic а, digit 1 and letter l, rn and m, an invisible joiner', () => {
      assert.equal(skeleton('\u0430lice'), skeleton('alice'));
      assert.equal(skeleton('peer-1'), skeleton('peer-l'));
      assert.equal(skeleton('corner'), skeleton('comer'));
      assert.equal(skeleton('al\u200Bice'), skeleton('alice'), 'default-ignorable characters draw nothing');
      assert.equal(skeleton('ΑΙ-bot'), skeleton('AI-bot'), 'Greek capitals');
      assert.notEqual(skeleton('alice'), skeleton('bob'));
      assert.notEqual(skeleton('claude-code'), skeleton('claude-code-2'));
    });
  });

  describe('look-alikes', () => {
    it('flags each of two live peers whose names look alike, naming the other', () => {
      const alice = peer('p-1', 'alice');
      const impostor = peer('p-2', '\u0430lice');
      const found = lookalikes([alice, impostor, peer('p-3', 'bob')]);
      assert.deepEqual([...found.entries()], [['p-1', { id: 'p-2', name: '\u0430lice' }], ['p-2', { id: 'p-1', name: 'alice' }]]);
    });

    it('compares regardless of case, as names are unique and addressed regardless of case', () => {
      assert.deepEqual(lookalikes([peer('p-1', 'Alice'), peer('p-2', 'AIice')]).get('p-2'), { id: 'p-1', name: 'Alice' });
    });

    it('flags a name that looks like (or is) another live peer\'s id; ids are the broker\'s and never flagged themselves', () => {
      const real = peer('p-3f9a2c', 'worker');
      const fake = peer('p-777777', 'p-3f9a2c');
      const found = lookalikes([real, fake]);
      assert.deepEqual(found.get('p-777777'), { id: 'p-3f9a2c', name: 'worker' });
      assert.equal(found.has('p-3f9a2c'), false);
      assert.deepEqual(lookalikes([real, peer('p-8', 'p-3f9a2\u0441')]).get('p-8'), { id: 'p-3f9a2c', name: 'worker' }, 'Cyrillic с');
    });

    it('ignores peers that left: a gone alice is nobody to be mistaken for', () => {
      assert.equal(lookalikes([peer('p-1', 'alice', { status: 'gone' }), peer('p-2', '\u0430lice')]).size, 0);
      assert.equal(lookalikes([peer('p-1', 'alice', { status: 'disconnected' }), peer('p-2', '\u0430lice')]).size, 2, 'a disconnected peer keeps its claims: still there');
    });
  });

  describe('peers that left under one name', () => {
    it('keep one row per name, the last to leave, with how many left before it; live peers all stay', () => {
      const listing = peerListing([
        peer('p-a', 'claude-code', { status: 'gone', lastSeen: 10 }),
        peer('p-b', 'claude-code', { status: 'gone', lastSeen: 30 }),
        peer('p-c', 'claude-code', { status: 'idle', lastSeen: 40 }),
        peer('p-d', 'Claude-Code', { status: 'gone', lastSeen: 20 }),
        peer('p-e', 'cursor', { status: 'gone', lastSeen: 5 }),
        peer('p-f', 'codex', { status: 'working', lastSeen: 50 }),
      ]);
      assert.deepEqual(listing.map((row) => [row.peer.id, row.earlierGone]), [['p-b', 2], ['p-c', 0], ['p-e', 0], ['p-f', 0]]);
    });

    it('flags look-alikes in the listing too', () => {
      const [first, second] = peerListing([peer('p-1', 'alice'), peer('p-2', '\u0430lice')]);
      assert.deepEqual([first.lookalikeOf, second.lookalikeOf], [{ id: 'p-2', name: '\u0430lice' }, { id: 'p-1', name: 'alice' }]);
    });
  });

  it('describes the kind, with the client\'s own name when the kind is unknown', () => {
    assert.equal(describeKind(peer('p-1', 'x', { kind: 'unknown', client: 'mcp-inspector' })), 'unknown (mcp-inspector)');
    assert.equal(describeKind(peer('p-1', 'x', { kind: 'unknown' })), 'unknown');
    assert.equal(describeKind(peer('p-1', 'x', { kind: 'claude-code', client: 'claude-code' })), 'claude-code');
    assert.equal(describeKind(peer('p-1', 'x', { kind: 'unknown', client: 'evil\u202E\x1b[2K' })), 'unknown (evil\\u202e␛[2K)');
  });
});
