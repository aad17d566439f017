/**
 * Figure 7: what `peermesh hook` costs an agent on every tool call, with a broker running.
 * The hook is a new Node process each time, so its floor is a bare `node -e 0` started the
 * same way on the same machine, in turns with it (so both see the same load). Measured: a
 * Claude Code PreToolUse for an Edit of a free file, and of lines another peer claims (the
 * hook denies it); the hook's agent is this process, with a peer of its own, as under a
 * real client.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PeerClient } from '../../src/client/peer';
import { cliPath, repo } from '../integration/harness';
import { runProcess } from '../integration/run-process';
import { benchHome, removeDir, startBroker, stopProc, summarize, tempDir, type Summary } from './util';

export interface HookFigures {
  bare: Summary;
  free: Summary;
  claimed: Summary;
  runs: number;
}

/** The captured Claude Code PreToolUse input, editing `file`. */
function editInput(file: string, project: string): string {
  const captured = readFileSync(path.resolve(repo, '..', 'shared', 'fixtures', 'claude-code', 'pretooluse-edit.json'), 'utf8');
  const input = JSON.parse(captured.replaceAll('/home/dev/project', project)) as { tool_input: { file_path: string } };
  input.tool_input.file_path = file;
  return JSON.stringify(input);
}

function timed(args: string[], input: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ ms: number; stdout: string }> {
  return runProcess(process.execPath, args, { cwd, env, input });
}

export async function measureHooks(quick: boolean, log: (s: string) => void): Promise<HookFigures> {
  const h = benchHome();
  const project = tempDir('pm-bench-hooks-');
  execFileSync('git', ['init', '-q'], { cwd: project });
  const body = Array.from({ length: 40 }, (_, i) => (i === 11 ? 'export const greeting = "hello";' : `// line ${i + 1}`)).join('\n') + '\n';
  const free = path.join(project, 'free.ts');
  const claimed = path.join(project, 'claimed.ts');
  writeFileSync(free, body);
  writeFileSync(claimed, body);
  const broker = await startBroker(h);
  const holder = await PeerClient.connect({ home: h.home, canHost: false, intro: { name: 'holder', kind: 'codex', cwd: project } });
  // The agent whose hooks these are: this process, as a real client is its hooks' ancestor.
  const agent = await PeerClient.connect({ home: h.home, canHost: false, intro: { name: 'agent', kind: 'claude-code', pid: process.pid, cwd: project } });
  try {
    await holder.request('locks/acquire', { target: { path: claimed, startLine: 10, endLine: 14 }, reason: 'bench' });
    const hook = [cliPath, 'hook', 'PreToolUse', '--client', 'claude-code'];
    const runs = quick ? 15 : 60;
    const samples = { bare: [] as number[], free: [] as number[], claimed: [] as number[] };
    log(`hooks: ${runs} rounds of bare node, PreToolUse on a free file, on a claimed one`);
    for (let i = 0; i < runs + 2; i++) {
      const bare = await timed(['-e', '0'], '', h.env, project);
      const onFree = await timed(hook, editInput(free, project), h.env, project);
      const onClaimed = await timed(hook, editInput(claimed, project), h.env, project);
      if (onFree.stdout !== '') throw new Error(`the hook did not let a free edit pass: ${onFree.stdout}`);
      if (!onClaimed.stdout.includes('"permissionDecision":"deny"')) throw new Error(`the hook did not deny a claimed edit: ${onClaimed.stdout}`);
      if (i < 2) continue; // warm-up: the file cache
      samples.bare.push(bare.ms);
      samples.free.push(onFree.ms);
      samples.claimed.push(onClaimed.ms);
    }
    return { bare: summarize(samples.bare), free: summarize(samples.free), claimed: summarize(samples.claimed), runs };
  } finally {
    await Promise.all([holder.close(false), agent.close(false)].map((p) => p.catch(() => undefined)));
    await stopProc(broker.proc);
    removeDir(project);
    removeDir(h.dir);
  }
}
