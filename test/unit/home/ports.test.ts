/**
 * Derived broker ports stay out of the systems' ephemeral port ranges, where an outgoing
 * connection may hold the port, or a probe may connect to itself.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { candidatePorts, type MeshHome } from '../../../src/home/home';

/** A home at `dir`; the ports are derived from its path alone. */
const homeAt = (dir: string): MeshHome => ({ dir, secretFile: '', brokerFile: '', storeDir: '', logDir: '' });

describe('home: derived broker ports', () => {
  it('every candidate of a thousand homes lies below 32768 (Linux\'s first ephemeral port), five in a row', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const ports = candidatePorts(homeAt(path.join('/tmp', `peermesh-home-${i}`)));
      assert.equal(ports.length, 5);
      for (const port of ports) {
        assert.ok(port >= 20_000 && port < 32_768, `port ${port}`);
        seen.add(port);
      }
    }
    assert.ok(seen.size > 2000, `homes spread over the range (${seen.size} distinct ports)`);
  });
});
