import assert from 'node:assert/strict';
import { BrokerError, errorReasons } from '../../../src/protocol/errors';
import { limits } from '../../../src/protocol/limits';
import { retrySafe } from '../../../src/protocol/requests/spec';
import {
  LockTarget, describeZodError, isRequestMethod, notifications, requests, showsActivity, splitMeta,
} from '../../../src/protocol/methods';

describe('protocol: request schemas', () => {
  it('every request has a params and a result schema', () => {
    for (const [method, spec] of Object.entries(requests)) {
      assert.ok(spec.params && spec.result, method);
      assert.ok(isRequestMethod(method));
    }
    assert.equal(isRequestMethod('toString'), false, 'prototype names are not methods');
    assert.ok(notifications['push/message'] && notifications['push/event']);
  });

  it('applies defaults so handlers see complete params', () => {
    const p = requests['locks/acquire'].params.parse({ target: { path: '/a.ts' } });
    assert.equal(p.reason, '');
    assert.equal(p.waitMs, 0);
    const inbox = requests['messages/inbox'].params.parse({});
    assert.deepEqual(inbox, { unreadOnly: true, limit: 50, peek: false });
  });

  it('a line range needs both ends, in order', () => {
    assert.ok(LockTarget.safeParse({ path: 'a', startLine: 3, endLine: 9 }).success);
    assert.ok(LockTarget.safeParse({ path: 'a' }).success);
    assert.match(describeZodError(LockTarget.safeParse({ path: 'a', startLine: 3 }).error!), /both startLine and endLine/);
    assert.match(describeZodError(LockTarget.safeParse({ path: 'a', startLine: 9, endLine: 3 }).error!), /must not be after/);
    assert.equal(LockTarget.safeParse({ path: 'a', startLine: 0, endLine: 3 }).success, false);
  });

  it('enforces the size limits on every free-text field', () => {
    const over = (n: number) => 'x'.repeat(n + 1);
    const cases: Array<[string, unknown]> = [
      ['messages/send', { to: { peer: 'p' }, body: over(limits.messageBody) }],
      ['peers/update', { summary: over(limits.summary) }],
      ['locks/acquire', { target: { path: over(limits.path) } }],
      ['locks/acquire', { target: { path: 'a' }, reason: over(limits.reason) }],
      ['state/set', { namespace: over(limits.key), key: 'k', value: 1 }],
      ['state/set', { namespace: 'n', key: 'k', value: over(limits.stateValue) }],
      ['locks/acquire', { target: { path: 'a' }, ttlSeconds: limits.ttlSeconds + 1 }],
      ['events/read', { waitMs: limits.waitMs + 1 }],
      ['messages/send', { to: { peers: Array(limits.list + 1).fill('p') }, body: 'hi' }],
      ['mesh/register', { proof: 'p', intro: { name: over(limits.name), kind: 'cursor' } }],
    ];
    for (const [method, params] of cases) {
      const r = requests[method as keyof typeof requests].params.safeParse(params);
      assert.equal(r.success, false, `${method} accepted ${JSON.stringify(params).slice(0, 80)}…`);
    }
  });

  it('state values must be JSON-representable', () => {
    assert.equal(requests['state/set'].params.safeParse({ namespace: 'n', key: 'k' }).success, false, 'no value');
    assert.ok(requests['state/set'].params.safeParse({ namespace: 'n', key: 'k', value: { a: [1, null, 'x'] } }).success);
  });
});

describe('protocol: what shows a peer at work', () => {
  it('every request counts, but background ones, session plumbing and a waiting events/read', () => {
    assert.equal(showsActivity('locks/acquire', {}, {}), true);
    assert.equal(showsActivity('peers/list', {}, {}), true, 'a read the agent asked for counts');
    assert.equal(showsActivity('peers/list', {}, { background: true }), false);
    assert.equal(showsActivity('status/get', {}, { background: false }), true);
    assert.equal(showsActivity('mesh/subscribe', { events: true }, {}), false);
    assert.equal(showsActivity('mesh/leave', {}, {}), false);
    assert.equal(showsActivity('events/read', requests['events/read'].params.parse({ since: 3 }), {}), true);
    assert.equal(showsActivity('events/read', requests['events/read'].params.parse({ since: 3, waitMs: 30_000 }), {}), false, 'a long-poll');
  });

  it('_meta is taken out of the params before they are validated; a malformed one is invalidInput', () => {
    assert.deepEqual(splitMeta('peers/list', { scope: 'repo', _meta: { background: true } }), { params: { scope: 'repo' }, meta: { background: true } });
    assert.deepEqual(splitMeta('peers/list', { scope: 'repo' }), { params: { scope: 'repo' }, meta: {} });
    assert.deepEqual(splitMeta('status/get', undefined), { params: undefined, meta: {} });
    assert.throws(() => splitMeta('peers/list', { _meta: { background: 'yes' } }), (e) => BrokerError.is(e, 'invalidInput') && /peers\/list: _meta/.test(e.message));
    assert.throws(() => splitMeta('peers/list', { _meta: 1 }), (e) => BrokerError.is(e, 'invalidInput'));
  });

  it('a peer may say it is idle or working, nothing else', () => {
    assert.equal(requests['peers/update'].params.safeParse({ status: 'idle' }).success, true);
    assert.equal(requests['peers/update'].params.safeParse({ status: 'working' }).success, true);
    assert.equal(requests['peers/update'].params.safeParse({ status: 'gone' }).success, false);
    assert.equal(requests['peers/update'].params.safeParse({ status: 'disconnected' }).success, false);
  });
});

describe('protocol: the person\'s word over claims', () => {
  it('an acquire is retried after a fail-over unless it is not re-entrant (a repeat would meet its own grant)', () => {
    const acquire = requests['locks/acquire'];
    assert.equal(retrySafe(acquire, { target: { path: '/a.ts' } }), true);
    assert.equal(retrySafe(acquire, { target: { path: '/a.ts' }, reentrant: true }), true);
    assert.equal(retrySafe(acquire, { target: { path: '/a.ts' }, reentrant: false }), false);
    assert.equal(retrySafe(requests['locks/forceRelease'], { lockId: 1 }), false);
  });

  it('forceRelease is never retried, and its reason is bounded', () => {
    assert.equal(requests['locks/forceRelease'].retry, 'never');
    assert.equal(requests['locks/forceRelease'].params.safeParse({ lockId: 1 }).success, true);
    assert.equal(requests['locks/forceRelease'].params.safeParse({ lockId: 1, reason: 'x'.repeat(limits.reason + 1) }).success, false);
  });

  it('saveGuarded is never retried, and takes 1 to the list limit of ids and a known choice', () => {
    assert.equal(requests['locks/saveGuarded'].retry, 'never');
    const guard = (lockIds: number[], choice = 'saved') => requests['locks/saveGuarded'].params.safeParse({ path: '/a.ts', lockIds, choice }).success;
    assert.equal(guard([1]), true);
    assert.equal(guard([]), false);
    assert.equal(guard(Array(limits.list + 1).fill(1)), false);
    assert.equal(guard([1], 'ignored'), false);
  });
});

describe('protocol: errors', () => {
  it('round-trips a typed reason through the wire form', () => {
    const e = new BrokerError('lockConflict', 'src/a.ts is locked by claude-1', { holder: 'p-1' });
    const back = BrokerError.fromWire(e.message, e.toData());
    assert.ok(BrokerError.is(back, 'lockConflict'));
    assert.equal(back.data?.holder, 'p-1');
    assert.equal(BrokerError.is(back, 'notFound'), false);
  });

  it('an unknown reason from the wire becomes internal, never a crash', () => {
    assert.equal(BrokerError.fromWire('x', { reason: 'martian' }).reason, 'internal');
    assert.equal(BrokerError.fromWire('x', undefined).reason, 'internal');
    assert.ok(errorReasons.includes('badFrame'));
  });
});
