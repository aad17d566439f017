/**
 * How the command line shows context deltas: the head line, what each affects, its detail cut
 * short, and who has and has not acked it. `peermesh deltas` runs end to end in
 * test/integration/cli-deltas.test.ts.
 */
import assert from 'node:assert/strict';
import { formatDelta, formatDeltas } from '../../../src/cli/delta-format';
import type { Delta, DeltaRecipient } from '../../../src/protocol/coordination';

const at = 1_700_000_000_000;

function recipient(peerName: string, ackedAt: number | null): DeltaRecipient {
  return { peer: `p-${peerName}`, peerName, reason: 'task', via: 'form', shownAt: null, ackedAt };
}

function delta(fields: Partial<Delta> = {}): Delta {
  return {
    id: 3, project: '/work/app', author: 'p-alice', authorName: 'alice', kind: 'discovery', severity: 'info', summary: 'tokens expire',
    detail: '', affects: { contracts: [], files: [], tasks: [] }, contractVersions: {}, debate: null, createdAt: at, recipients: [], ...fields,
  };
}

describe('cli: deltas', () => {
  it('a delta that went to nobody: its head line and that', () => {
    assert.equal(formatDelta(delta(), at + 90_000),
      '#3 info discovery by alice, 1m 30s ago: "tokens expire"\n    sent to nobody (no peer\'s task, claim or recent edit touched it)');
  });

  it('a contract change: what it affects (contracts with their new versions), its detail on one line, who acked and who not', () => {
    const text = formatDelta(delta({
      kind: 'contract_change', severity: 'blocking', summary: 'login answers 202', detail: 'Clients must\nnot wait for the mail.',
      affects: { contracts: ['login-api', 'user'], files: ['src/api/**'], tasks: ['form'] }, contractVersions: { 'login-api': 2, user: 5 },
      recipients: [recipient('bob', at), recipient('carol', null), recipient('dave', null)],
    }), at + 5_000);
    assert.deepEqual(text.split('\n'), [
      '#3 blocking contract_change by alice, 5s ago: "login answers 202"',
      '    contracts login-api v2, user v5; files src/api/**; tasks form',
      '    Clients must not wait for the mail.',
      '    acked: bob; not acked: carol, dave',
    ]);
  });

  it('cuts a long detail, shows other peers\' words printable, and separates deltas by a blank line', () => {
    const long = delta({ detail: 'x'.repeat(500), authorName: 'eve\u001b[31m', recipients: [recipient('bob', at)] });
    const [head, detail, acks] = formatDelta(long, at).split('\n');
    assert.equal(head, '#3 info discovery by eve␛[31m, 0s ago: "tokens expire"');
    assert.equal(detail, `    ${'x'.repeat(199)}…`);
    assert.equal(acks, '    acked: bob');
    assert.equal(formatDeltas([delta(), delta({ id: 4 })], at).split('\n\n').length, 2);
  });
});
