/**
 * The plan in what hooks put in front of the model, through the hook's own link to a real
 * broker: a task newly assigned to the agent on the next hook that carries context (once), the
 * task it holds at a session start and on every prompt, and after a tool only along with other
 * news (not on every tool call). Rendered as Claude Code reads it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../../src/broker/broker';
import { PeerClient } from '../../../src/client/peer';
import { resolveHome } from '../../../src/home/home';
import type { HookInput } from '../../../src/hook/clients';
import { openLink } from '../../../src/hook/link';
import { decide } from '../../../src/hook/main';
import { renderAnswer } from '../../../src/hook/answers';
import { startBroker } from '../../start-broker';

const agentPid = 424_243;

describe('hook: the plan in the model\'s context', function () {
  this.timeout(20_000);
  let dir: string;
  let broker: Broker;
  let agent: PeerClient;
  let alice: PeerClient;

  /** One hook call of the agent, as `peermesh hook` makes it: a fresh link, a decision, the answer. */
  const hook = async (phase: HookInput['phase'], event: string): Promise<string | undefined> => {
    const link = await openLink(dir, [agentPid], 5000);
    assert.ok(link?.peer, 'the hook joined the agent\'s peer');
    try {
      const input: HookInput = { client: 'claude-code', event, phase, cwd: dir, edits: [] };
      const answer = renderAnswer(input, await decide(input, link, { event, client: 'claude-code', mode: 'deny', claimSeconds: 0 }));
      assert.equal(answer.exitCode, 0);
      if (answer.stdout === '') return undefined;
      return (JSON.parse(answer.stdout) as { hookSpecificOutput: { additionalContext?: string } }).hookSpecificOutput.additionalContext;
    } finally {
      link.close();
    }
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pm-hookplan-'));
    const home = resolveHome({ PEERMESH_HOME: dir });
    broker = await startBroker({ home });
    const intro = (name: string, pid: number) => ({ home, canHost: false, connectTimeoutMs: 5000, intro: { name, kind: 'claude-code' as const, pid, cwd: dir } });
    agent = await PeerClient.connect(intro('agent', agentPid));
    alice = await PeerClient.connect(intro('alice', 424_244));
    await alice.request('plan/submit', {
      plan: { title: 'P', phases: [{ id: 'p', title: 'P', tasks: [{ id: 'api', title: 'The API' }, { id: 'ui', title: 'The UI' }] }] },
    });
  });

  after(async () => {
    await agent?.close();
    await alice?.close();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says nothing when the agent holds no task and none is new', async () => {
    assert.equal(await hook('prompt', 'UserPromptSubmit'), undefined);
  });

  it('a task given to the agent: on the next hook that carries context, once', async () => {
    await alice.request('plan/update', { task: 'api', assignee: 'agent' });
    assert.equal(await hook('postTool', 'PostToolUse'),
      'PeerMesh (agent), the shared plan: new task for you: api "The API" (todo) → mesh_task action="claim" task="api"');
    assert.equal(await hook('postTool', 'PostToolUse'), undefined, 'shown once');
  });

  it('the task it holds: at a session start and on a prompt, not after every tool', async () => {
    await agent.request('plan/claim', { task: 'api' });
    assert.equal(await hook('session', 'SessionStart'), 'PeerMesh (agent), the shared plan: your task: api (in_progress)');
    assert.equal(await hook('prompt', 'UserPromptSubmit'), 'PeerMesh (agent), the shared plan: your task: api (in_progress)');
    assert.equal(await hook('postTool', 'PostToolUse'), undefined);
  });

  it('after a tool, the held task comes along with a message', async () => {
    await alice.request('messages/send', { to: { peer: 'agent' }, kind: 'text', body: 'api done soon?' });
    const context = await hook('postTool', 'PostToolUse');
    assert.match(context ?? '', /^PeerMesh: new messages for you \(agent\) from the other agents on this machine:\n- #\d+ from alice: "api done soon\?"\nAnswer with the mesh_send tool/);
    assert.match(context ?? '', /\nPeerMesh, the shared plan: your task: api \(in_progress\)$/);
  });
});
