import assert from 'node:assert/strict';
import { buildFixtures, sleep } from './harness';
import { withBroker } from './with-broker';

describe('grace period: a killed peer\'s locks', function () {
  this.timeout(60_000);
  before(buildFixtures);

  // The peer may host a broker itself, so it starts only once this one has won (withBroker waits for that).
  it('are kept through the grace period, then released long before their TTL', () => withBroker({ serveArgs: ['--grace', '2'] }, async (mesh) => {
    const peer = mesh.spawnPeer('doomed');
    const obs = await mesh.observer();
    await peer.waitFor((o) => o.ev === 'ready');
    peer.send({ cmd: 'lock', path: `${mesh.dir}/held.ts` });
    await peer.waitFor((o) => o.ev === 'locked');
    const killedAt = Date.now();
    peer.kill('SIGKILL');
    await peer.exited;
    await sleep(500);
    const during = await obs.request('locks/list', {});
    assert.equal(during.locks.length, 1, 'lock kept during the grace period');
    assert.ok(during.locks[0].expiresAt - Date.now() > 500_000, 'its TTL is ten minutes');
    let releasedAfter = -1;
    while (Date.now() - killedAt < 10_000) {
      const { locks } = await obs.request('locks/list', {});
      if (locks.length === 0) {
        releasedAfter = Date.now() - killedAt;
        break;
      }
      await sleep(100);
    }
    assert.ok(releasedAfter >= 1900, `released after ${releasedAfter} ms, inside the 2 s grace period`);
    assert.ok(releasedAfter < 6000, `still held ${Date.now() - killedAt} ms after the peer died`);
    const { events } = await obs.request('events/read', { types: ['lock_released'] });
    assert.equal(events.length, 1);
    const { peers } = await obs.request('peers/list', { includeGone: true });
    assert.equal(peers.find((p) => p.name === 'doomed')?.status, 'gone');
  }));
});
