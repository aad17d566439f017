/**
 * How deltas, debates and landing tokens read to a model: blocking deltas first with the call
 * that acks them, a debate's turn with the calls that take it, the landing token with the time
 * left; other peers' words JSON-quoted on one line and escaped.
 */
import assert from 'node:assert/strict';
import { toCoordinationNews } from '../../../src/core/coordination-news';
import { hookContext, pendingText, type News } from '../../../src/core/news';
import type { DebateSummary, Delta, SyncQueue } from '../../../src/protocol/coordination';
import type { Lock } from '../../../src/protocol/entities';

const delta = (id: number, severity: Delta['severity'], summary: string, project = '/repo'): Delta => ({
  id, project, author: 'p-a', authorName: 'alice', kind: 'contract_change', severity, summary, detail: '',
  affects: { contracts: ['users-api'], files: [], tasks: [] }, contractVersions: { 'users-api': 2 }, debate: null, createdAt: 1, recipients: [],
});

const debate = (change: Partial<DebateSummary>): DebateSummary => ({
  id: 4, project: '/repo', topic: 'cursor or offset', origin: 1, concerns: { contract: 'users-api', task: null },
  participants: [{ peer: 'p-a', peerName: 'alice' }, { peer: 'p-b', peerName: 'bob' }],
  status: 'open', round: 2, maxRounds: 5, awaiting: ['p-b'], escalation: null, agreed: null, ruling: null, createdAt: 1, updatedAt: 2, ...change,
});

const queue = (holder: string, waiting: string[], branch = 'main'): SyncQueue => ({
  project: '/repo', branch, holder: { peer: holder, peerName: holder === 'p-b' ? 'bob' : 'carol', since: 0, expiresAt: 10 * 60_000 },
  waiting: waiting.map((peer) => ({ peer, peerName: peer, since: 1 })), stalled: false, usualMs: null,
});

const empty: News = { messages: [], more: 0, unread: 0 };

describe('core/news: deltas, debates and landing tokens', () => {
  it('says nothing when nothing concerns the agent', () => {
    assert.equal(toCoordinationNews({ deltas: { blocking: [], fresh: [] }, debates: { yourTurn: [], changed: [] }, landing: [] }, 'p-b', '/repo', 0), undefined);
  });

  it('puts blocking deltas before the messages, the rest after the tasks, each with the call to make', () => {
    const coordination = toCoordinationNews({
      deltas: { blocking: [delta(7, 'blocking', 'users-api v2: cursor pagination')], fresh: [delta(8, 'warning', 'slow tests', '/other')] },
      debates: { yourTurn: [debate({})], changed: [debate({ id: 5, status: 'decided', ruling: { peer: 'p-v', peerName: 'Dana', proposal: 1, text: 'x', delta: 9, at: 3 } })] },
      landing: [queue('p-b', []), queue('p-c', ['p-b'], 'release')],
    }, 'p-b', '/repo', 60_000);
    assert.equal(pendingText({ ...empty, coordination }), [
      'BLOCKING delta #7 contract change from alice: "users-api v2: cursor pagination" → take it into account, then mesh_delta action="ack" ids=[7]',
      'pending: none',
      'debate #4 "cursor or offset": your turn (round 2 of 5) → mesh_debate action="get" id=4, then action="respond"',
      'debate #5 "cursor or offset": the person ruled (decision delta #9)',
      'warning: delta #8 contract change from alice in /other: "slow tests"',
      'you hold the landing token for "main" (9 minutes left) → rebase, push, then mesh_sync action="release" branch="main"',
      'landing queue for "release": you are 2nd in line, carol holds the token',
    ].join('\n'));
  });

  it('says a ruling once: by its blocking decision delta, not again by its debate', () => {
    const ruled = debate({ status: 'decided', ruling: { peer: 'p-v', peerName: 'Dana', proposal: 1, text: 'x', delta: 9, at: 3 } });
    const news = toCoordinationNews({ deltas: { blocking: [{ ...delta(9, 'blocking', 'Ruling on cursor or offset: cursor'), kind: 'decision' }], fresh: [] }, debates: { yourTurn: [], changed: [ruled] } }, 'p-b', '/repo', 0);
    assert.equal(news?.debates, undefined);
    assert.equal(news?.blocking?.length, 1);
  });

  it('caps each kind and counts what it left out', () => {
    const many = Array.from({ length: 8 }, (_, i) => delta(i + 1, 'info', `d${i + 1}`));
    const news = toCoordinationNews({ deltas: { blocking: [], fresh: many } }, 'p-b', '/repo', 0)!;
    assert.equal(news.deltas?.length, 5);
    assert.equal(news.more, 3);
  });

  it('quotes a summary on one line and escapes what would act on a terminal or hide text', () => {
    const coordination = toCoordinationNews({ deltas: { blocking: [delta(3, 'blocking', 'line\n"two" \u202Eexe')], fresh: [] } }, 'p-b', '/repo', 0);
    const [line] = pendingText({ ...empty, coordination }).split('\n');
    assert.equal(line, 'BLOCKING delta #3 contract change from alice: "line\\n\\"two\\" \\u202eexe" → take it into account, then mesh_delta action="ack" ids=[3]');
  });

  it('leads a hook\'s context with blocking deltas, and says the rest after the messages', () => {
    const blocking = toCoordinationNews({ deltas: { blocking: [delta(7, 'blocking', 'v2')], fresh: [] } }, 'p-b', '/repo', 0);
    assert.match(hookContext({ ...empty, coordination: blocking }, 'bob', false)!, /^PeerMesh \(bob\), from the other agents:\n- BLOCKING delta #7/);
    const turn = toCoordinationNews({ debates: { yourTurn: [debate({})], changed: [] } }, 'p-b', '/repo', 0);
    const message: News = { messages: [{ id: 1, from: 'carol', kind: 'text', body: 'hi', truncated: false, replyTo: null }], more: 0, unread: 1 };
    const context = hookContext({ ...message, coordination: turn }, 'bob', false)!;
    assert.ok(context.indexOf('#1 from carol') < context.indexOf('debate #4'), context);
    assert.equal(hookContext(empty, 'bob', false), undefined);
  });
});

describe('core/news: the agent\'s claims whose code is gone', () => {
  const lock = (id: number, change: Partial<Lock> = {}): Lock => ({
    id, path: `/repo/src/a.ts`, root: '/repo', relPath: 'src/a.ts', startLine: 10, endLine: 20, holder: 'p-b', holderName: 'bob',
    reason: 'refactor', createdAt: 0, expiresAt: 600_000, ...change,
  });

  it('names each lost claim with its lines and the calls that settle it, right after the blocking deltas', () => {
    const coordination = toCoordinationNews({
      deltas: { blocking: [delta(7, 'blocking', 'v2')], fresh: [] },
      claims: [lock(12, { anchorLost: true }), lock(13), lock(14, { anchorLost: true, startLine: 5, endLine: 5, root: '/other', relPath: 'b.ts' })],
    }, 'p-b', '/repo', 0);
    assert.deepEqual(pendingText({ ...empty, coordination }).split('\n'), [
      'BLOCKING delta #7 contract change from alice: "v2" → take it into account, then mesh_delta action="ack" ids=[7]',
      'Your claim #12 on src/a.ts:10-20 lost its code (its lines are no longer in the file): release it (mesh_lock action="release" lockId=12), or claim the lines you need again.',
      'Your claim #14 on b.ts:5 in /other lost its code (its lines are no longer in the file): release it (mesh_lock action="release" lockId=14), or claim the lines you need again.',
      'pending: none',
    ]);
  });

  it('says nothing of claims that keep their code, nor of another peer\'s lost claims', () => {
    assert.equal(toCoordinationNews({ claims: [lock(1), lock(2, { anchorLost: false })] }, 'p-b', '/repo', 0), undefined);
    assert.equal(toCoordinationNews({ claims: [lock(3, { anchorLost: true, holder: 'p-a' })] }, 'p-b', '/repo', 0), undefined);
  });

  it('caps them like the other kinds', () => {
    const news = toCoordinationNews({ claims: Array.from({ length: 7 }, (_, i) => lock(i + 1, { anchorLost: true })) }, 'p-b', '/repo', 0)!;
    assert.equal(news.lostClaims?.length, 5);
    assert.equal(news.more, 2);
  });

  it('escapes a file name that would act on a terminal', () => {
    const coordination = toCoordinationNews({ claims: [lock(4, { anchorLost: true, relPath: 'a\u001b[2J.ts' })] }, 'p-b', '/repo', 0);
    assert.match(pendingText({ ...empty, coordination }), /^Your claim #4 on a␛\[2J\.ts:10-20 lost its code/);
  });

  it('says them in a hook\'s context on every event, even after a tool with nothing else new, as the agent\'s own', () => {
    const coordination = toCoordinationNews({ claims: [lock(12, { anchorLost: true })] }, 'p-b', '/repo', 0);
    assert.equal(hookContext({ ...empty, coordination }, 'bob', false), [
      'PeerMesh (bob), your claims:',
      '- Your claim #12 on src/a.ts:10-20 lost its code (its lines are no longer in the file): release it (mesh_lock action="release" lockId=12), or claim the lines you need again.',
    ].join('\n'));
    const withBlocking = toCoordinationNews({ deltas: { blocking: [delta(7, 'blocking', 'v2')], fresh: [] }, claims: [lock(12, { anchorLost: true })] }, 'p-b', '/repo', 0);
    const context = hookContext({ ...empty, coordination: withBlocking }, 'bob', false)!;
    assert.ok(context.indexOf('BLOCKING delta #7') < context.indexOf('Your claim #12'), context);
  });
});
