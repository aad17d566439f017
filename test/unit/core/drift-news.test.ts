/**
 * How a drafted contract change reads to the agent whose edit touched the contract: the file
 * and lines, the contract, and the exact calls that confirm or dismiss it; in a tool result's
 * pending part and a hook's context, even after a tool with nothing else new.
 */
import assert from 'node:assert/strict';
import { toCoordinationNews } from '../../../src/core/coordination-news';
import { hookContext, pendingText, type News } from '../../../src/core/news';
import type { DeltaDraft } from '../../../src/protocol/coordination';

const draft = (id: number, change: Partial<DeltaDraft> = {}): DeltaDraft => ({
  id, project: '/repo', contract: 'auth-refresh', contractName: 'Token refresh', symbol: 'AuthService.refresh',
  symbolLines: { startLine: 4, endLine: 6 }, file: 'src/auth.ts', edits: 1, peer: 'p-b', peerName: 'bob',
  status: 'draft', delta: null, createdAt: 1, updatedAt: 1, ...change,
});

const empty: News = { messages: [], more: 0, unread: 0 };
const news = (drafts: DeltaDraft[]) => toCoordinationNews({ deltas: { blocking: [], fresh: [], drafts } }, 'p-b', '/repo', 0);

const line = 'Your edit of src/auth.ts:4-6 touched contract auth-refresh ("AuthService.refresh"): if its interface changed, tell the peers coding against it → '
  + 'mesh_delta action="confirm" ids=[7] summary="<what changed>" (spec="<its new spec>" if it has one); if not → mesh_delta action="dismiss" ids=[7]';

describe('core/news: contract changes drafted for the agent', () => {
  it('a draft reads with its file, lines, contract and the calls that settle it', () => {
    assert.deepEqual(news([draft(7)])?.drafts, [{ id: 7, contract: 'auth-refresh', what: 'AuthService.refresh', file: 'src/auth.ts', lines: '4-6' }]);
    assert.equal(pendingText({ ...empty, coordination: news([draft(7)]) }), `${line}\npending: none`);
  });

  it('a contract without a symbol is named by its name; another project is said', () => {
    const [d] = news([draft(8, { symbol: null, symbolLines: null, project: '/other' })])!.drafts!;
    assert.deepEqual(d, { id: 8, contract: 'auth-refresh', what: 'Token refresh', file: 'src/auth.ts', project: '/other' });
    assert.match(pendingText({ ...empty, coordination: news([draft(8, { symbol: null, symbolLines: null, project: '/other' })]) }),
      /^Your edit of src\/auth\.ts in \/other touched contract auth-refresh \("Token refresh"\)/);
  });

  it('a hook says it after a tool with nothing else new, as the agent\'s own', () => {
    assert.equal(hookContext({ ...empty, coordination: news([draft(7)]) }, 'bob', false), ['PeerMesh (bob), your edits:', `- ${line}`].join('\n'));
  });

  it('caps them like the other kinds; none, no news', () => {
    const many = news(Array.from({ length: 7 }, (_, i) => draft(i + 1)))!;
    assert.deepEqual([many.drafts?.length, many.more], [5, 2]);
    assert.equal(news([]), undefined);
  });
});
