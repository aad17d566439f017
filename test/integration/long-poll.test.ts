/**
 * Long polls over the wire end when their caller gives up: a cancelled request (`$/cancelRequest`)
 * or a closed connection ends the broker's wait at once, and no waiter stays behind.
 */
import assert from 'node:assert/strict';
import type { Broker } from '../../src/broker/broker';
import type { Events } from '../../src/core/events';
import { BrokerError } from '../../src/protocol/errors';
import { observer, sleep, tempHome } from './harness';
import { startBroker } from '../start-broker';

describe('long polls end with their caller', function () {
  this.timeout(30_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Broker;
  const waiting = () => (broker.mesh.events as Events).waiting();

  beforeEach(async () => {
    t = tempHome();
    broker = await startBroker({ home: t.home });
  });

  afterEach(async () => {
    await broker.close();
    t.cleanup();
  });

  async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
    for (const end = Date.now() + ms; !check();) {
      if (Date.now() > end) assert.fail(`${what} within ${ms} ms`);
      await sleep(20);
    }
  }

  it('events/read with waitMs ends at once with cancelled when the request is cancelled', async () => {
    const a = await observer(t.home, 'a');
    try {
      const { lastEventSeq } = await a.request('status/get', {});
      const abort = new AbortController();
      const poll = a.request('events/read', { since: lastEventSeq, waitMs: 60_000 }, { signal: abort.signal });
      await until(() => waiting() === 1, 'the broker is waiting');
      const cancelledAt = Date.now();
      abort.abort();
      await assert.rejects(poll, (e) => BrokerError.is(e, 'cancelled'));
      assert.ok(Date.now() - cancelledAt < 2000, 'answered at once, not at the deadline');
      assert.equal(waiting(), 0, 'no waiter left behind');
      // The connection is fine afterwards.
      assert.equal((await a.request('events/read', { since: 0, limit: 1 })).events.length, 1);
    } finally {
      await a.close();
    }
  });

  it('a long poll ends when its connection closes, leaving no waiter behind', async () => {
    const a = await observer(t.home, 'a');
    const { lastEventSeq } = await a.request('status/get', {});
    // Waiting for a type the peer's own departure does not emit, so only the close can end it.
    const poll = a.request('events/read', { since: lastEventSeq, types: ['lock_acquired'], waitMs: 60_000 }).catch((e: unknown) => e);
    await until(() => waiting() === 1, 'the broker is waiting');
    await a.close(false); // the connection drops; no mesh/leave
    await until(() => waiting() === 0, 'the broker dropped the wait');
    assert.ok(await poll instanceof Error);
  });
});
