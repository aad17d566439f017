/**
 * `peermesh hook` run exactly as each client runs it (its hook JSON on stdin, from a process
 * that is the agent's child) against a real broker and real `peermesh mcp` peers: edits to
 * lines another agent claims are denied, news reaches the model once, edits are recorded,
 * the hook and the bridge are one peer, and without a broker every hook is a quick no-op.
 * Inputs are the captured Claude Code fixtures and the documented ones of the other clients
 * (test/fixtures/hooks/<client>/README.md says where each comes from).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noopAnswer, type HookClient } from '../../src/hook/clients';
import { HookedAgent, type HookRun } from './hooked-agent';
import { runProcess } from './run-process';
import { cliPath, repo, runCli, spawnCli, tempHome, type Proc } from './harness';

const sharedFixtures = path.resolve(repo, '..', 'shared', 'fixtures', 'claude-code');
const ownFixtures = path.join(repo, 'test', 'fixtures', 'hooks');

/** A fixture with its placeholder project folder replaced by `project`. */
function fixture(file: string, project: string): string {
  const full = file.startsWith('shared:') ? path.join(sharedFixtures, file.slice(7)) : path.join(ownFixtures, file);
  return readFileSync(full, 'utf8').replaceAll('/home/dev/project', project);
}

const lines = (n: number, at: Record<number, string>) => Array.from({ length: n }, (_, i) => at[i + 1] ?? `// line ${i + 1}`).join('\n') + '\n';

/** A git repository with the files the fixtures edit. */
function makeProject(): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-hooks-')));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  writeFileSync(path.join(dir, 'app.ts'), lines(30, { 12: 'export const greeting = "hello";' }));
  mkdirSync(path.join(dir, 'src'));
  // Line 10 is the context line the Codex fixture's hunk names (`@@ function greet`): Codex
  // finds a hunk by whole lines, so the file has that line as it is.
  writeFileSync(path.join(dir, 'src', 'app.ts'), lines(30, { 10: 'function greet', 11: '  return "hello";', 12: '}' }));
  writeFileSync(path.join(dir, 'src', 'util.ts'), 'export const one = 1;\nexport const two = 3;\n');
  writeFileSync(path.join(dir, 'old.txt'), 'old\n');
  return dir;
}

const json = (r: HookRun) => (r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {});

/** Runs a hook from the test process itself: an ancestor of no peer. */
function orphanHook(argv: string[], input: string, env: NodeJS.ProcessEnv, cwd: string): Promise<HookRun> {
  return runProcess(process.execPath, [cliPath, 'hook', ...argv], { cwd, env, input });
}

describe('peermesh hook: every client\'s hooks against a real broker and real peers', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  let project: string;
  let holder: HookedAgent;
  let claude: HookedAgent;
  let codex: HookedAgent;
  let gemini: HookedAgent;

  before(async () => {
    t = tempHome();
    project = makeProject();
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
    [holder, claude, codex, gemini] = await Promise.all([
      HookedAgent.start('claude-code', t.env, project),
      HookedAgent.start('claude-code', t.env, project),
      HookedAgent.start('codex-mcp-client', t.env, project),
      HookedAgent.start('gemini-cli-mcp-client', t.env, project),
    ]);
  });

  after(async () => {
    await Promise.all([holder, claude, codex, gemini].map((a) => a?.close()));
    broker?.kill('SIGKILL');
    await broker?.exited;
    t?.cleanup();
    rmSync(project, { recursive: true, force: true });
  });

  const claim = (file: string, startLine: number, endLine: number, reason: string) =>
    holder.ok('mesh_lock', { action: 'acquire', path: file, startLine, endLine, reason });
  const releaseAll = () => holder.ok('mesh_lock', { action: 'release' });

  it('denies an overlapping Claude Code Edit, Codex apply_patch and Gemini replace with who, why, how long and what to do; the same edits pass once the claims move', async () => {
    await claim('app.ts', 10, 14, 'renaming greeting');
    await claim('src/app.ts', 9, 13, 'refactoring greet');
    const edit = fixture('shared:pretooluse-edit.json', project);
    const patch = fixture('codex/pretooluse-apply-patch.json', project);
    const replace = fixture('gemini/beforetool-replace.json', project);

    const byClaude = await claude.hook(['PreToolUse', '--client', 'claude-code'], edit, project);
    assert.equal(byClaude.code, 0, byClaude.stderr);
    const denied = json(byClaude).hookSpecificOutput as Record<string, string>;
    assert.equal(denied.permissionDecision, 'deny');
    const who = holder.peer.name;
    assert.match(denied.permissionDecisionReason, new RegExp(`app\\.ts:10-14 is claimed by ${who} \\("renaming greeting"\\), (9m \\d+s|10m 0s) left`));
    assert.match(denied.permissionDecisionReason, new RegExp(`message ${who} \\(mesh_send\\), or wait for the claim with mesh_lock acquire and waitSeconds`));

    const byCodex = json(await codex.hook(['PreToolUse', '--client', 'codex'], patch, project));
    assert.deepEqual(Object.keys(byCodex), ['hookSpecificOutput'], 'Codex gets exactly its own fields');
    const codexOut = byCodex.hookSpecificOutput as Record<string, string>;
    assert.deepEqual(Object.keys(codexOut).sort(), ['hookEventName', 'permissionDecision', 'permissionDecisionReason']);
    assert.equal(codexOut.permissionDecision, 'deny');
    assert.match(codexOut.permissionDecisionReason, new RegExp(`src/app\\.ts:9-13 is claimed by ${who} \\("refactoring greet"\\)`));

    const byGemini = json(await gemini.hook(['BeforeTool', '--client', 'gemini'], replace, project));
    assert.equal(byGemini.decision, 'deny');
    assert.match(byGemini.reason as string, new RegExp(`src/app\\.ts:9-13 is claimed by ${who}`));

    // ask where the client honours it, deny where it does not (Codex runs the tool on "ask").
    const asked = json(await claude.hook(['PreToolUse', '--client', 'claude-code', '--mode', 'ask'], edit, project));
    assert.equal((asked.hookSpecificOutput as Record<string, string>).permissionDecision, 'ask');
    const codexAsked = json(await codex.hook(['PreToolUse', '--client', 'codex', '--mode', 'ask'], patch, project));
    assert.equal((codexAsked.hookSpecificOutput as Record<string, string>).permissionDecision, 'deny');
    const warned = json(await claude.hook(['PreToolUse', '--client', 'claude-code', '--mode', 'warn'], edit, project));
    assert.equal((warned.hookSpecificOutput as Record<string, string>).permissionDecision, undefined, 'warn lets it run');
    assert.match((warned.hookSpecificOutput as Record<string, string>).additionalContext, /^PeerMesh warning: .*renaming greeting/);

    // The claims move to other lines of the same files: the same edits are free.
    await releaseAll();
    await claim('app.ts', 25, 28, 'later');
    await claim('src/app.ts', 25, 28, 'later');
    const free: Array<[HookAgentName, string[], string, HookClient, string]> = [
      ['claude', ['PreToolUse', '--client', 'claude-code'], edit, 'claude-code', 'PreToolUse'],
      ['codex', ['PreToolUse', '--client', 'codex'], patch, 'codex', 'PreToolUse'],
      ['gemini', ['BeforeTool', '--client', 'gemini'], replace, 'gemini', 'BeforeTool'],
    ];
    for (const [who, argv, input, client, event] of free) {
      const r = await { claude, codex, gemini }[who].hook(argv, input, project);
      assert.equal(r.stdout, noopAnswer(client, event).stdout, `${client}: ${r.stdout} ${r.stderr}`);
      assert.equal(r.code, 0);
    }
    await releaseAll();
  });

  it('a hook whose agent has no peer still keeps it off claimed lines', async () => {
    await claim('app.ts', 12, 12, 'one line');
    const r = await orphanHook(['PreToolUse', '--client', 'claude-code'], fixture('shared:pretooluse-edit.json', project), t.env, project);
    assert.equal((json(r).hookSpecificOutput as Record<string, string>).permissionDecision, 'deny');
    await releaseAll();
  });

  it('with --claim, an edit to free lines claims them for its agent', async () => {
    await claude.hook(['PreToolUse', '--client', 'claude-code', '--claim', '120'], fixture('shared:pretooluse-edit.json', project), project);
    const { data } = await holder.ok('mesh_lock', { action: 'list' });
    const locks = data.locks as Array<{ target: string; holder: string; reason?: string; expiresInSec: number }>;
    assert.deepEqual(locks.map((l) => [l.target, l.holder, l.reason]), [['app.ts:12', claude.peer.name, 'editing (claimed by its Edit hook)']]);
    assert.ok(locks[0].expiresInSec <= 120);
    await claude.ok('mesh_lock', { action: 'release' });
  });

  it('delivers a message into the model\'s context once, on the events that reach it; the sender then sees it delivered', async () => {
    const sent = await holder.ok('mesh_send', { to: claude.peer.name, body: 'please rebase before you push' });
    const [id] = sent.data.ids as number[];
    const prompt = fixture('claude-code/userpromptsubmit.json', project);
    const first = json(await claude.hook(['UserPromptSubmit', '--client', 'claude-code'], prompt, project));
    const context = (first.hookSpecificOutput as Record<string, string>).additionalContext;
    assert.match(context, new RegExp(`#${id} from ${holder.peer.name}: "please rebase before you push"`));
    assert.match(context, new RegExp(`^PeerMesh: new messages for you \\(${claude.peer.name}\\)`));
    const again = await claude.hook(['UserPromptSubmit', '--client', 'claude-code'], prompt, project);
    assert.equal(again.stdout, noopAnswer('claude-code', 'UserPromptSubmit').stdout, 'never twice');
    const states = (await holder.ok('mesh_inbox', { action: 'sent' })).data.messages as Array<{ id: number; state: string }>;
    assert.equal(states.find((m) => m.id === id)?.state, 'delivered');
    // The model saw it in the hook: the agent's next tool result does not repeat it.
    assert.deepEqual(((await claude.ok('mesh_whoami')).data.pending as { messages: unknown[] }).messages, []);

    // Codex and Gemini CLI, on their own events.
    await holder.ok('mesh_send', { to: codex.peer.name, body: 'codex: the API moved to v2' });
    const byCodex = json(await codex.hook(['UserPromptSubmit', '--client', 'codex'], fixture('codex/userpromptsubmit.json', project), project));
    assert.match((byCodex.hookSpecificOutput as Record<string, string>).additionalContext, /"codex: the API moved to v2"/);
    await holder.ok('mesh_send', { to: gemini.peer.name, body: 'gemini: tests are red on main', kind: 'alert' });
    const byGemini = json(await gemini.hook(['AfterTool', '--client', 'gemini'], fixture('gemini/aftertool.json', project), project));
    assert.match((byGemini.hookSpecificOutput as Record<string, string>).additionalContext, new RegExp(`alert from ${holder.peer.name}: "gemini: tests are red on main"`));
  });

  it('leads every hook\'s context with a blocking delta on the agent\'s claimed file until the agent acks it', async () => {
    await claude.ok('mesh_lock', { action: 'acquire', path: 'src/util.ts', reason: 'fixing two' });
    const pushed = await holder.ok('mesh_delta', { action: 'push', kind: 'discovery', summary: 'two is 3 on purpose: the parser counts from one', files: ['src/util.ts'], blocking: true });
    const id = (pushed.data.delta as { id: number }).id;
    const prompt = fixture('claude-code/userpromptsubmit.json', project);
    const contextOf = async () => {
      const out = json(await claude.hook(['UserPromptSubmit', '--client', 'claude-code'], prompt, project));
      return (out.hookSpecificOutput as Record<string, string> | undefined)?.additionalContext ?? '';
    };
    const blocking = new RegExp(`^PeerMesh \\(${claude.peer.name}\\), from the other agents:\n- BLOCKING delta #${id} discovery from ${holder.peer.name}: "two is 3 on purpose: the parser counts from one"`);
    assert.match(await contextOf(), blocking);
    assert.match(await contextOf(), blocking, 'still there: not acked yet');
    await claude.ok('mesh_delta', { action: 'ack', ids: [id] });
    assert.doesNotMatch(await contextOf(), /BLOCKING/, 'gone once acked');
    await claude.ok('mesh_lock', { action: 'release', path: 'src/util.ts' });
  });

  it('refuses `peermesh decide` run by an agent: only the person rules on a debate', async () => {
    const started = await claude.ok('mesh_debate', { action: 'start', topic: 'tabs or spaces', with: [codex.peer.name], position: 'spaces read the same everywhere', proposal: 'two spaces' });
    const id = String((started.data.debate as { id: number }).id);
    const r = await codex.exec(process.execPath, [cliPath, 'decide', id, '--pick', '1'], project, { PEERMESH_HOME: t.env.PEERMESH_HOME! });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^peermesh: ${codex.peer.name} is an agent: only the person rules on a debate`));
    const after = await claude.ok('mesh_debate', { action: 'get', id: Number(id) });
    assert.match(after.text, /\[open, round 1 of 5/, 'nobody ruled');
  });

  it('records which lines of which file an agent changed, after the edit', async () => {
    const file = path.join(project, 'app.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"hello"', '"hello from claude"'));
    const r = await claude.hook(['PostToolUse', '--client', 'claude-code'], fixture('claude-code/posttooluse-edit.json', project), project);
    assert.equal(r.code, 0, r.stderr);
    const listed = await runCli(['edits', path.join(project, 'app.ts'), '--json'], t.env);
    const edits = JSON.parse(listed.stdout) as Array<{ peerName: string; tool: string; relPath: string; ranges: unknown }>;
    assert.deepEqual(edits.map((e) => [e.peerName, e.tool, e.relPath, e.ranges]), [[claude.peer.name, 'Edit', 'app.ts', [{ startLine: 12, endLine: 12 }]]]);
    const byLine = await runCli(['edits', `${path.join(project, 'app.ts')}:11`, '--json'], t.env);
    assert.deepEqual(JSON.parse(byLine.stdout), [], 'line 11 was not changed');
  });

  it('the hook and the bridge of one agent are one peer: its Stop makes it idle, its next hook makes it working', async () => {
    const peersNow = async () => (await holder.ok('mesh_peers')).data.peers as Array<{ id: string; name: string; status: string }>;
    const before = await peersNow();
    await gemini.hook(['AfterAgent', '--client', 'gemini'], fixture('gemini/beforeagent.json', project).replace('"BeforeAgent"', '"AfterAgent"'), project);
    await claude.hook(['Stop', '--client', 'claude-code'], fixture('claude-code/stop.json', project), project);
    const stopped = await peersNow();
    assert.equal(stopped.length, before.length, 'no hook registered a peer of its own');
    assert.equal(stopped.find((p) => p.id === claude.peer.id)?.status, 'idle');
    await claude.hook(['PreToolUse', '--client', 'claude-code'], fixture('shared:pretooluse-edit.json', project), project);
    assert.equal((await peersNow()).find((p) => p.id === claude.peer.id)?.status, 'working', 'a hook call is the agent at work');
  });

  it('without a broker (or a mesh home) every hook gives its client\'s no-op at once and exits 0', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'pm-nohome-'));
    const stale = tempHome();
    try {
      // A home whose broker has gone: its secret and broker.json remain, nothing listens.
      writeFileSync(path.join(stale.dir, 'secret'), 'x'.repeat(64));
      writeFileSync(path.join(stale.dir, 'broker.json'), JSON.stringify({ pid: 1, port: await freePort(), version: '0', startedAt: 0 }));
      const cases: Array<[HookClient, string, string]> = [
        ['claude-code', 'PreToolUse', 'shared:pretooluse-edit.json'],
        ['claude-code', 'UserPromptSubmit', 'claude-code/userpromptsubmit.json'],
        ['codex', 'PreToolUse', 'codex/pretooluse-apply-patch.json'],
        ['codex', 'SessionStart', 'codex/sessionstart.json'],
        ['gemini', 'BeforeTool', 'gemini/beforetool-replace.json'],
        ['gemini', 'SessionStart', 'gemini/sessionstart.json'],
        ['cursor', 'preToolUse', 'cursor/pretooluse-write.json'],
        ['copilot', 'PreToolUse', 'copilot/pretooluse-editfiles.json'],
      ];
      for (const env of [{ ...t.env, PEERMESH_HOME: empty }, stale.env]) {
        for (const [client, event, file] of cases) {
          const r = await orphanHook([event, '--client', client], fixture(file, project), env, project);
          // No stderr: a hook that waited for a broker would have met its deadline and said so there.
          assert.deepEqual([r.code, r.stdout, r.stderr], [0, noopAnswer(client, event).stdout, ''], `${client} ${event}`);
        }
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
      stale.cleanup();
    }
  });
});

type HookAgentName = 'claude' | 'codex' | 'gemini';

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
