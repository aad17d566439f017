/**
 * Contract drift through real MCP clients over a real broker: an edit the agent's hook records
 * on a contract's symbol puts a draft contract change in that agent's next result, with the
 * calls that settle it; mesh_delta lists, confirms (a real contract_change reaches the peer
 * coding against the contract) and dismisses drafts, and refuses bad ids in its own words.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { twoAgents, until, type Agent, type TwoAgents } from './in-memory-agent';
import { signIn } from './plan-fixture';

const route = `import { send } from './mail';

export function loginRoute(req: Request): Response {
  send(req.body.email);
  return new Response(null, { status: 204 });
}

export const other = 1;
`;

type Drafts = { coordination?: { drafts?: Array<{ id: number; contract: string; lines?: string }> } };
const draftsIn = (r: { data: Record<string, unknown> }) => (r.data.pending as Drafts).coordination?.drafts ?? [];

describe('mcp: mesh_delta confirm and dismiss (contract drift)', function () {
  this.timeout(30_000);
  let mesh: TwoAgents;
  let alice: Agent;
  let bob: Agent;
  let file: string;

  before(async () => {
    mesh = await twoAgents('pm-drift-');
    ({ alice, bob } = mesh);
    file = path.join(mesh.dir, 'src', 'server', 'login.ts');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, route);
    await alice.ok('mesh_plan', { action: 'submit', plan: signIn });
    await bob.ok('mesh_task', { action: 'claim', task: 'login-form' });
  });

  after(async () => {
    await mesh?.close();
  });

  /** Alice's hook records an edit of `line` of the route file, as her agent's hook would. */
  const edit = (line: number) => alice.peer.request('edits/record', { path: file, ranges: [{ startLine: line, endLine: line }], tool: 'Edit' });

  /** Alice's next result that carries a draft in its news. */
  const nextDraft = () => until(async () => {
    const r = await alice.ok('mesh_status');
    return draftsIn(r).length > 0 ? r : undefined;
  }, 'a draft in alice\'s news');

  it('an edit of the contract\'s symbol puts a draft in the editor\'s next result, with the calls that settle it', async () => {
    await edit(4);
    const r = await nextDraft();
    assert.deepEqual(draftsIn(r), [{ id: 1, contract: 'login-api', what: 'loginRoute', file: 'src/server/login.ts', lines: '3-6' }]);
    assert.match(r.text, /Your edit of src\/server\/login\.ts:3-6 touched contract login-api \("loginRoute"\): .* mesh_delta action="confirm" ids=\[1\] .* mesh_delta action="dismiss" ids=\[1\]/);
    const listed = await alice.ok('mesh_delta');
    assert.match(listed.text, /^No deltas\.\ndraft #1: your edit of src\/server\/login\.ts:3-6 touched contract login-api → mesh_delta action="confirm" ids=\[1\]/);
    assert.deepEqual(listed.data.drafts, [{ draft: 1, contract: 'login-api', file: 'src/server/login.ts', lines: '3-6' }]);
  });

  it('confirm pushes a contract_change to the peer coding against the contract', async () => {
    const r = await alice.ok('mesh_delta', { action: 'confirm', ids: [1], summary: 'login answers 202', spec: 'Body {"email": string}. 202 when sent.', blocking: true });
    assert.match(r.text, /^Confirmed draft #1\. Pushed delta #1\. Sent to bob \(task login-form\); each must ack it\.\nContract login-api is v2 now/);
    const news = await until(async () => {
      const b = await bob.ok('mesh_status');
      return ((b.data.pending as { coordination?: { blocking?: Array<{ id: number; kind: string; summary: string }> } }).coordination?.blocking ?? [])[0];
    }, 'the contract change in bob\'s news');
    assert.deepEqual([news.id, news.kind, news.summary], [1, 'contract_change', 'login answers 202']);
    const again = await alice.call('mesh_delta', { action: 'confirm', ids: [1] });
    assert.ok(again.isError);
    assert.match(again.text, /draft #1 was confirmed already \(delta #1\)/);
  });

  it('dismiss drops a draft; an edit outside the symbol drafts nothing', async () => {
    await edit(8);
    await edit(5);
    const r = await nextDraft();
    const [d] = draftsIn(r);
    assert.equal(d.id, 2, 'the edit of line 8 (outside loginRoute) drafted nothing');
    const gone = await alice.ok('mesh_delta', { action: 'dismiss', ids: [d.id] });
    assert.equal(gone.text.split('\n')[0], 'Dismissed draft #2: nothing was sent.');
    assert.equal((await alice.ok('mesh_delta')).data.drafts, undefined);
  });

  it('refuses a confirm without one id, and drafts that are not the caller\'s', async () => {
    const none = await alice.call('mesh_delta', { action: 'confirm' });
    assert.ok(none.isError);
    assert.match(none.text, /confirm takes one draft id/);
    const theirs = await bob.call('mesh_delta', { action: 'dismiss', ids: [2] });
    assert.ok(theirs.isError);
    assert.match(theirs.text, /bob has no draft #2/);
  });
});
