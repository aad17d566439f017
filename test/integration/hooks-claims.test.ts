/**
 * The holder of a claim is told when the claim's code is gone, through everything that puts
 * the mesh in front of its model: a real agent process (its own `peermesh mcp`, its hooks run
 * as its children) claims lines, the lines are deleted on disk, and its next hook context and
 * tool result name the claim, until it releases it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import { noopAnswer } from '../../src/hook/clients';
import { HookedAgent, type HookRun } from './hooked-agent';
import { observer, repo, sleep, spawnCli, tempHome, type Proc } from './harness';

const numbered = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `const line${from + i} = ${from + i};`);

/** A Claude Code fixture with its placeholder project folder replaced by `project`. */
const fixture = (file: string, project: string) =>
  readFileSync(path.join(repo, 'test', 'fixtures', 'hooks', 'claude-code', file), 'utf8').replaceAll('/home/dev/project', project);

const contextOf = (r: HookRun) => {
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as { hookSpecificOutput?: { additionalContext?: string } }) : {};
  return out.hookSpecificOutput?.additionalContext ?? '';
};

describe('peermesh hook and mcp: a claim whose code is gone is named to its holder', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  let project: string;
  let agent: HookedAgent;
  let looker: PeerClient;

  before(async () => {
    t = tempHome();
    project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-hookclaims-')));
    execFileSync('git', ['init', '-q'], { cwd: project });
    writeFileSync(path.join(project, 'lib.ts'), numbered(30).join('\n') + '\n');
    writeFileSync(path.join(project, 'app.ts'), 'export const greeting = "hello";\n');
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
    agent = await HookedAgent.start('claude-code', t.env, project);
    looker = await observer(t.home, 'looker');
  });

  after(async () => {
    await agent?.close();
    await looker?.close();
    broker?.kill('SIGKILL');
    await broker?.exited;
    t?.cleanup();
    rmSync(project, { recursive: true, force: true });
  });

  it('says so in the hook context of a prompt and after a tool, and in the tool results, until the claim is released', async () => {
    const { id } = (await agent.ok('mesh_lock', { action: 'acquire', path: 'lib.ts', startLine: 10, endLine: 20, reason: 'rewriting' })).data.lock as { id: number };
    const prompt = fixture('userpromptsubmit.json', project);
    assert.equal((await agent.hook(['UserPromptSubmit', '--client', 'claude-code'], prompt, project)).stdout, noopAnswer('claude-code', 'UserPromptSubmit').stdout, 'nothing to say yet');

    // Lines 10-20 deleted, saved as editors save: a temporary file renamed over it.
    const file = path.join(project, 'lib.ts');
    writeFileSync(`${file}.tmp`, [...numbered(9), ...numbered(10, 21)].join('\n') + '\n');
    renameSync(`${file}.tmp`, file);
    for (let i = 0; ; i++) {
      const claim = (await looker.request('locks/list', { holder: agent.peer.id })).locks.find((l) => l.id === id);
      if (claim?.anchorLost) break;
      if (i > 300) assert.fail(`the claim never lost its code: ${JSON.stringify(claim)}`);
      await sleep(50);
    }

    const line = `Your claim #${id} on lib.ts:10-20 lost its code (its lines are no longer in the file): release it (mesh_lock action="release" lockId=${id}), or claim the lines you need again.`;
    const ownClaims = `PeerMesh (${agent.peer.name}), your claims:\n- ${line}`;
    assert.equal(contextOf(await agent.hook(['UserPromptSubmit', '--client', 'claude-code'], prompt, project)), ownClaims);
    assert.equal(contextOf(await agent.hook(['PostToolUse', '--client', 'claude-code'], fixture('posttooluse-edit.json', project), project)), ownClaims, 'after a tool too');
    assert.equal(contextOf(await agent.hook(['UserPromptSubmit', '--client', 'claude-code'], prompt, project)), ownClaims, 'every time, until settled');
    const result = await agent.ok('mesh_whoami');
    assert.match(result.text, new RegExp(`\n${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\npending: none$`));

    await agent.ok('mesh_lock', { action: 'release', lockId: id });
    assert.equal((await agent.hook(['UserPromptSubmit', '--client', 'claude-code'], prompt, project)).stdout, noopAnswer('claude-code', 'UserPromptSubmit').stdout, 'released: nothing to say');
    assert.match((await agent.ok('mesh_whoami')).text, /\npending: none$/);
  });
});
