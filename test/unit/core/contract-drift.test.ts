/**
 * Contract drift over a real mesh: an attributed edit of a plan contract's symbol (or file)
 * drafts a contract change for the editing peer, shown in its news; one draft per peer and
 * contract, refreshed by later edits; confirming pushes a real contract_change to the peers
 * the contract concerns; dismissing drops it; drafts are swept after a day or when their peer
 * leaves.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { draftKeepMs } from '../../../src/core/draft-store';
import { join, rejectsReason, type Harness } from './helpers';
import { eventsOf, loginPlan } from './plan-helpers';
import { peersInRepo } from './helpers';

const auth = `export class AuthService {
  constructor(private readonly store: Store) {}

  async refresh(user: User): Promise<Token> {
    return this.store.renew(user);
  }

  logout(): void {
    this.store.clear();
  }
}
`;

describe('core/contract-drift', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let repo: string;

  beforeEach(async () => {
    let ids: string[];
    ({ h, ids } = await peersInRepo('alice', 'bob'));
    [alice, bob] = ids;
    repo = (await h.mesh.peers.require(alice)).gitRoot!;
    fs.mkdirSync(path.join(repo, 'src'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'src', 'auth.ts'), auth);
    await h.mesh.plans.submit(alice, undefined, loginPlan((p) => {
      p.contracts.push({ id: 'auth-refresh', kind: 'api', name: 'AuthService.refresh', spec: '(user) -> Token', file: 'src/auth.ts', symbol: 'AuthService.refresh' } as typeof p.contracts[number]);
      p.phases[1].tasks[0].contracts.push('auth-refresh');
    }), 'agent');
    // bob codes against the contract: its form task uses it.
    await h.mesh.plans.claim(bob, undefined, 'form', 'the endpoint is mocked');
  });

  afterEach(() => h.mesh.dispose());

  const drafts = async (who: string) => (await h.mesh.deltas.mine(who, true)).drafts;
  const edit = (who: string, file: string, startLine: number, endLine = startLine) => h.mesh.edits.record(who, file, [{ startLine, endLine }], 'Edit');

  it('an edit inside a contract\'s symbol drafts a contract change for the editor alone, in its news once', async () => {
    await edit(alice, 'src/auth.ts', 5);
    const [d, ...rest] = await drafts(alice);
    assert.deepEqual(rest, []);
    assert.deepEqual(
      [d.project, d.contract, d.contractName, d.symbol, d.symbolLines, d.file, d.edits, d.peerName, d.status, d.delta],
      [repo, 'auth-refresh', 'AuthService.refresh', 'AuthService.refresh', { startLine: 4, endLine: 6 }, 'src/auth.ts', 1, 'alice', 'draft', null],
    );
    assert.deepEqual(await drafts(alice), [], 'shown once');
    assert.deepEqual(await drafts(bob), []);
    const [drafted] = await eventsOf(h.mesh, 'delta_drafted');
    assert.deepEqual([drafted.peer, drafted.data], [alice, { project: repo, draft: d.id, contract: 'auth-refresh', file: 'src/auth.ts', byName: 'alice' }]);
    const listed = await h.mesh.deltas.list(alice, undefined, {});
    assert.deepEqual(listed.drafts.map((x) => x.id), [d.id], 'listed while open');
  });

  it('an edit outside the symbol, or of a file no contract names, drafts nothing', async () => {
    await edit(alice, 'src/auth.ts', 9);
    await edit(alice, 'src/other.ts', 1);
    assert.deepEqual(await drafts(alice), []);
    assert.deepEqual(await eventsOf(h.mesh, 'delta_drafted'), []);
  });

  it('a contract with a file alone is touched by any edit of its file', async () => {
    await edit(bob, 'src/types.ts', 40);
    assert.deepEqual((await drafts(bob)).map((d) => [d.contract, d.symbolLines]), [['user-type', null]]);
  });

  it('a second touching edit refreshes the open draft rather than adding one, and shows it again', async () => {
    await edit(alice, 'src/auth.ts', 5);
    const [first] = await drafts(alice);
    h.clock.advance(1000);
    fs.writeFileSync(path.join(repo, 'src', 'auth.ts'), '// moved down\n\n' + auth);
    await edit(alice, 'src/auth.ts', 7);
    const [again, ...rest] = await drafts(alice);
    assert.deepEqual(rest, []);
    assert.deepEqual([again.id, again.edits, again.symbolLines, again.updatedAt - first.updatedAt], [first.id, 2, { startLine: 6, endLine: 8 }, 1000]);
  });

  it('confirming pushes a contract_change that bumps the contract and reaches the assignee of a task coding against it', async () => {
    await edit(alice, 'src/auth.ts', 5);
    const [d] = await drafts(alice);
    const delta = await h.mesh.deltas.confirm(alice, { id: d.id, severity: 'blocking', summary: 'refresh takes a force flag', spec: '(user, force?) -> Token' });
    assert.deepEqual([delta.kind, delta.severity, delta.summary, delta.affects.contracts, delta.contractVersions],
      ['contract_change', 'blocking', 'refresh takes a force flag', ['auth-refresh'], { 'auth-refresh': 2 }]);
    assert.deepEqual(delta.recipients.map((r) => [r.peerName, r.reason, r.via]), [['bob', 'task', 'form']]);
    assert.deepEqual((await h.mesh.deltas.mine(bob, true)).blocking.map((x) => x.id), [delta.id]);
    const contract = (await h.mesh.plans.get(alice, undefined)).plan!.contracts.find((c) => c.id === 'auth-refresh')!;
    assert.deepEqual([contract.version, contract.spec], [2, '(user, force?) -> Token']);
    const [settled] = (await h.mesh.deltas.list(alice, undefined, {})).drafts;
    assert.equal(settled, undefined, 'no longer open');
    await rejectsReason(h.mesh.deltas.confirm(alice, { id: d.id }), 'invalidInput');
    await edit(alice, 'src/auth.ts', 5);
    const [next] = await drafts(alice);
    assert.ok(next.id > d.id, 'a later edit drafts anew');
  });

  it('confirming without a summary says what was edited; the default severity is info', async () => {
    await edit(alice, 'src/auth.ts', 4, 5);
    const [d] = await drafts(alice);
    const delta = await h.mesh.deltas.confirm(alice, { id: d.id });
    assert.deepEqual([delta.severity, delta.summary], ['info', 'AuthService.refresh changed: AuthService.refresh edited (src/auth.ts:4-6)']);
    assert.deepEqual((await h.mesh.deltas.mine(bob, true)).fresh.map((x) => x.id), [delta.id]);
  });

  it('dismissing drops the draft; only the editor may confirm or dismiss its own', async () => {
    await edit(alice, 'src/auth.ts', 5);
    const [d] = await drafts(alice);
    await rejectsReason(h.mesh.deltas.dismiss(bob, [d.id]), 'notFound');
    await rejectsReason(h.mesh.deltas.confirm(bob, { id: d.id }), 'notFound');
    await rejectsReason(h.mesh.deltas.dismiss(alice, [d.id, 999]), 'notFound');
    assert.deepEqual(await h.mesh.deltas.dismiss(alice, [d.id]), [d.id]);
    assert.deepEqual(await h.mesh.deltas.dismiss(alice, [d.id]), [], 'already dismissed: skipped');
    assert.deepEqual((await h.mesh.deltas.list(alice, undefined, {})).drafts, []);
    assert.deepEqual((await h.mesh.deltas.list(alice, undefined, {})).deltas, [], 'nothing was pushed');
  });

  it('drafts are swept after a day, and when their peer leaves', async () => {
    const carol = (await join(h.mesh, 'carol', repo)).id;
    await edit(alice, 'src/auth.ts', 5);
    await edit(carol, 'src/auth.ts', 5);
    await h.mesh.peers.leave(carol);
    await h.mesh.sweep();
    const left = h.db.all<{ peer: string }>('SELECT peer FROM delta_drafts');
    assert.deepEqual(left.map((r) => r.peer), [alice]);
    h.clock.advance(draftKeepMs + 1);
    await h.mesh.sweep();
    assert.deepEqual(h.db.all('SELECT id FROM delta_drafts'), []);
  });

  it('bad input is refused in the caller\'s terms', async () => {
    await rejectsReason(h.mesh.deltas.confirm(alice, { id: 0 }), 'invalidInput');
    await rejectsReason(h.mesh.deltas.dismiss(alice, []), 'invalidInput');
    const e = await rejectsReason(h.mesh.deltas.confirm(alice, { id: 42 }), 'notFound');
    assert.match(e.message, /alice has no draft #42/);
  });
});
