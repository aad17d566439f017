/**
 * Two agents at work in one repository: a git repository in a temporary folder holding the given
 * files, with alice and bob (real MCP clients on `peermesh mcp`) joined to the fixture's broker;
 * and the edits another program makes on disk, which the broker follows on its own time.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import type { Lock } from '../../src/protocol/entities';
import { sleep } from './harness';
import { Agent, type ToolResult } from './mcp-agent';
import { runProcess } from './run-process';
import type { ProcessBrokerFixture } from './with-broker';

export interface AgentsInRepo {
  project: string;
  alice: Agent;
  bob: Agent;
}

/** A repository holding `files` (relative path → text), removed when the fixture ends, with alice and bob joined in it. */
export async function agentsInRepo(m: ProcessBrokerFixture, files: Record<string, string>): Promise<AgentsInRepo> {
  const project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-agents-')));
  m.defer(() => rmSync(project, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q', '-b', 'main', project]);
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(project, file), text);
  const join = async (name: string) => {
    const agent = await Agent.start('claude-code', { ...m.env, PEERMESH_NAME: name }, project);
    m.defer(() => agent.close());
    return agent;
  };
  const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
  return { project, alice, bob };
}

/**
 * Rewrites `file` the way an agent's edit tool does, from a separate Node process that never
 * talks to PeerMesh: `transform` (the source of a function `(lines, ...args) => lines`, the
 * file's lines without the final line break) makes the new text, written to a temporary file
 * renamed over the old one.
 */
export async function rewriteOnDisk(file: string, transform: string, ...args: Array<string | number>): Promise<void> {
  const script = `
    const fs = require('node:fs');
    const [file, ...args] = process.argv.slice(1);
    const lines = fs.readFileSync(file, 'utf8').replace(/\\n$/, '').split('\\n');
    fs.writeFileSync(file + '.tmp', (${transform})(lines, ...args.map(Number)).join('\\n') + '\\n');
    fs.renameSync(file + '.tmp', file);`;
  const r = await runProcess(process.execPath, ['-e', script, file, ...args.map(String)], { cwd: path.dirname(file), env: process.env });
  assert.equal(r.code, 0, r.stderr);
}

/** Asks `obs`'s broker until the claim `which` picks is at `range` (the broker follows the disk on its own time). */
export async function claimAt(obs: PeerClient, range: [number, number], which: (lock: Lock) => boolean = () => true): Promise<Lock> {
  for (;;) {
    const lock = (await obs.request('locks/list', {})).locks.find(which);
    if (lock && lock.startLine === range[0] && lock.endLine === range[1]) return lock;
    await sleep(50);
  }
}

/** Calls `mesh_whoami` as `agent` until its result's text holds `text` (news arrives on its own time). */
export async function newsWith(agent: Agent, text: string): Promise<ToolResult> {
  for (let tries = 0; ; tries++) {
    const r = await agent.ok('mesh_whoami');
    if (r.text.includes(text)) return r;
    if (tries === 100) throw new Error(`no ${JSON.stringify(text)} in the news: ${r.text}`);
    await sleep(50);
  }
}
