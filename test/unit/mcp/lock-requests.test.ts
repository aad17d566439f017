/**
 * Release requests and queue-honest checks as agents read them, through real MCP clients over a
 * real broker: the holder finds the request in its pending news with the call that answers it,
 * until it answers; the requester finds the answer in its own, once; a check counts the queue.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { twoAgents, until, type TwoAgents } from './in-memory-agent';

describe('mcp: asking a holder to let go', function () {
  this.timeout(60_000);
  let m: TwoAgents;

  beforeEach(async () => {
    m = await twoAgents('pm-lockrequests-');
    writeFileSync(path.join(m.dir, 'a.ts'), Array.from({ length: 30 }, (_, i) => `const x${i} = ${i};`).join('\n') + '\n');
  });

  afterEach(() => m.close());

  it('the holder reads the request with the answering call until it answers; the requester reads the answer once', async () => {
    const lock = await m.alice.ok('mesh_lock', { action: 'acquire', path: 'a.ts', startLine: 1, endLine: 20, reason: 'refactor' });
    const lockId = (lock.data.lock as { id: number }).id;
    const asked = await m.bob.ok('mesh_lock', { action: 'request', path: 'a.ts', startLine: 15, endLine: 18, reason: 'fix the bug at line 16' });
    assert.match(asked.text, new RegExp(`^Asked alice to release #${lockId} \\(request #\\d+\\)`));
    const [requestId] = asked.data.requests as number[];
    const line = `release request #${requestId} from bob for your claim #${lockId} on a.ts:15-18: "fix the bug at line 16" → mesh_lock action="answer" requestId=${requestId}`;
    const first = await until(async () => {
      const r = await m.alice.ok('mesh_whoami');
      return r.text.includes(line) ? r : undefined;
    }, 'the request in alice\'s news');
    assert.match(first.text, /answer="deny" reason="…", or answer="narrow" startLine=… endLine=…/);
    // Still there on the next result: it waits for an answer.
    assert.ok((await m.alice.ok('mesh_whoami')).text.includes(line));
    const denied = await m.alice.ok('mesh_lock', { action: 'answer', requestId, answer: 'deny', reason: 'mid-refactor, 10 more minutes' });
    assert.equal(denied.text.split('\n')[0], `Kept #${lockId}; bob was told why.`);
    assert.ok(!(await m.alice.ok('mesh_whoami')).text.includes(`release request #${requestId}`));
    const answer = `your release request #${requestId}: alice denied it, keeping claim #${lockId} on a.ts:15-18: "mid-refactor, 10 more minutes"`;
    await until(async () => ((await m.bob.ok('mesh_whoami')).text.includes(answer) ? true : undefined), 'the answer in bob\'s news');
    assert.ok(!(await m.bob.ok('mesh_whoami')).text.includes(answer), 'the answer is shown once');
  });

  it('a request answered narrow frees the rest; a bad answer is a clear error', async () => {
    await m.alice.ok('mesh_lock', { action: 'acquire', path: 'a.ts', startLine: 1, endLine: 20, reason: 'refactor' });
    const asked = await m.bob.ok('mesh_lock', { action: 'request', path: 'a.ts', startLine: 15, endLine: 18, reason: 'the tail' });
    const [requestId] = asked.data.requests as number[];
    const missing = await m.alice.call('mesh_lock', { action: 'answer', requestId });
    assert.ok(missing.isError);
    assert.match(missing.text, /answer needs requestId and answer/);
    const notMine = await m.bob.call('mesh_lock', { action: 'answer', requestId, answer: 'release' });
    assert.ok(notMine.isError);
    assert.match(notMine.text, /not yours/);
    const narrowed = await m.alice.ok('mesh_lock', { action: 'answer', requestId, answer: 'narrow', startLine: 1, endLine: 10 });
    assert.match(narrowed.text, /^Narrowed #\d+ to a\.ts:1-10; the rest is free and bob was told\./);
    const got = await m.bob.ok('mesh_lock', { action: 'acquire', path: 'a.ts', startLine: 15, endLine: 18, reason: 'the tail' });
    assert.match(got.text, /^Locked a\.ts:15-18/);
    const own = await m.bob.call('mesh_lock', { action: 'request', lockId: (got.data.lock as { id: number }).id, reason: 'mine' });
    assert.ok(own.isError);
    assert.match(own.text, /is yours: release it yourself/);
  });

  it('check says free only when an acquire would succeed now: it counts the requests queued ahead', async () => {
    await m.alice.ok('mesh_lock', { action: 'acquire', path: 'a.ts', startLine: 1, endLine: 10, reason: 'top' });
    const waiting = m.bob.ok('mesh_lock', { action: 'acquire', path: 'a.ts', startLine: 5, endLine: 25, reason: 'wide', waitSeconds: 30 });
    const check = await until(async () => {
      const r = await m.alice.ok('mesh_lock', { action: 'check', path: 'a.ts', startLine: 22, endLine: 24 });
      return r.data.free === false ? r : undefined;
    }, 'bob queued');
    assert.equal(check.text.split('\n')[0], 'a.ts is not held, but queued: 1 ahead (bob first); acquire with waitSeconds to wait your turn.');
    assert.equal(check.data.queued, 1);
    const free = await m.alice.ok('mesh_lock', { action: 'check', path: 'a.ts', startLine: 26, endLine: 30 });
    assert.equal(free.data.free, true);
    await m.alice.ok('mesh_lock', { action: 'release' });
    assert.match((await waiting).text, /^Locked a\.ts:5-25/);
  });
});
