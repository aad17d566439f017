/**
 * The drift test: a real agent process (its own `peermesh mcp`, its hooks run as its children)
 * edits the function a plan contract names; its PostToolUse hook records the edit and, in the
 * same answer, asks it to confirm a `contract_change`; confirming with mesh_delta delivers the
 * change to the other agent, whose task codes against the contract, in its tool results and
 * its hooks.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HookedAgent, type HookRun } from './hooked-agent';
import { spawnCli, tempHome, type Proc } from './harness';

const original = `export class AuthService {
  constructor(private readonly store: Store) {}

  async refresh(user: User): Promise<Token> {
    return this.store.renew(user);
  }
}
`;

const plan = {
  title: 'Sessions',
  contracts: [{ id: 'auth-refresh', kind: 'api', name: 'Token refresh', file: 'src/auth.ts', symbol: 'AuthService.refresh', spec: 'refresh(user) -> Token' }],
  phases: [{
    id: 'all', title: 'All',
    tasks: [
      { id: 'auth', title: 'Token refresh', files: ['src/auth.ts'], contracts: ['auth-refresh'] },
      { id: 'client', title: 'Client renews tokens', files: ['web/**'], contracts: ['auth-refresh'] },
    ],
  }],
};

const contextOf = (r: HookRun) => {
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as { hookSpecificOutput?: { additionalContext?: string } }) : {};
  return out.hookSpecificOutput?.additionalContext ?? '';
};

describe('contract drift: an agent edits a contract\'s function and is asked to confirm the change', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  let project: string;
  let alice: HookedAgent;
  let bob: HookedAgent;

  before(async () => {
    t = tempHome();
    project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-drift-')));
    execFileSync('git', ['init', '-q'], { cwd: project });
    mkdirSync(path.join(project, 'src'));
    writeFileSync(path.join(project, 'src', 'auth.ts'), original);
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
    alice = await HookedAgent.start('claude-code', t.env, project);
    bob = await HookedAgent.start('claude-code', t.env, project);
    await alice.ok('mesh_plan', { action: 'submit', plan });
    await alice.ok('mesh_task', { action: 'claim', task: 'auth' });
    await bob.ok('mesh_task', { action: 'claim', task: 'client' });
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    broker?.kill('SIGKILL');
    await broker?.exited;
    t?.cleanup();
    rmSync(project, { recursive: true, force: true });
  });

  it('the hook after the edit asks for a contract_change; confirming delivers it to the peer coding against the contract', async () => {
    const file = path.join(project, 'src', 'auth.ts');
    const oldString = '  async refresh(user: User): Promise<Token> {';
    const newString = '  async refresh(user: User, force = false): Promise<Token> {';
    writeFileSync(file, original.replace(oldString, newString));
    const input = JSON.stringify({
      session_id: 's-1', cwd: project, hook_event_name: 'PostToolUse', tool_name: 'Edit',
      tool_input: { file_path: file, old_string: oldString, new_string: newString, replace_all: false },
      tool_response: { filePath: file, success: true },
    });
    const context = contextOf(await alice.hook(['PostToolUse', '--client', 'claude-code'], input, project));
    const [draftId] = /ids=\[(\d+)\]/.exec(context)!.slice(1).map(Number);
    assert.equal(context, [
      `PeerMesh (${alice.peer.name}), your edits:`,
      `- Your edit of src/auth.ts:4-6 touched contract auth-refresh ("AuthService.refresh"): if its interface changed, tell the peers coding against it → `
        + `mesh_delta action="confirm" ids=[${draftId}] summary="<what changed>" (spec="<its new spec>" if it has one); if not → mesh_delta action="dismiss" ids=[${draftId}]`,
      `PeerMesh (${alice.peer.name}), the shared plan: your task: auth (in_progress)`,
    ].join('\n'));

    const open = [{ draft: draftId, contract: 'auth-refresh', file: 'src/auth.ts', lines: '4-6' }];
    assert.deepEqual((await alice.ok('mesh_delta')).data.drafts, open, 'open until settled');
    const confirmed = await alice.ok('mesh_delta', {
      action: 'confirm', ids: [draftId], summary: 'refresh takes a force flag', spec: 'refresh(user, force?) -> Token', blocking: true,
    });
    const delta = (confirmed.data.delta as { id: number }).id;
    assert.equal(confirmed.text.split('\n').slice(0, 2).join('\n'),
      `Confirmed draft #${draftId}. Pushed delta #${delta}. Sent to ${bob.peer.name} (task client); each must ack it.\nContract auth-refresh is v2 now (proposed again).`);

    const result = await bob.ok('mesh_whoami');
    const line = `BLOCKING delta #${delta} contract change from ${alice.peer.name}: "refresh takes a force flag" → take it into account, then mesh_delta action="ack" ids=[${delta}]`;
    assert.ok(result.text.includes(`\n${line}\n`), result.text);
    const prompt = JSON.stringify({ session_id: 's-2', cwd: project, hook_event_name: 'UserPromptSubmit', prompt: 'go on' });
    assert.ok(contextOf(await bob.hook(['UserPromptSubmit', '--client', 'claude-code'], prompt, project))
      .startsWith(`PeerMesh (${bob.peer.name}), from the other agents:\n- ${line}`), 'and in its hooks');
    assert.equal((await alice.ok('mesh_delta')).data.drafts, undefined, 'the draft is settled');
  });
});
