/**
 * The git guard, for every tool that edits without hooks: `peermesh setup git-hook` installs a
 * pre-commit hook that runs `peermesh commit-guard`, which refuses a commit whose staged hunks
 * touch lines someone other than the committer claims. The committer is the agent whose
 * process is an ancestor of the commit (its own claims never block it), or the person when no
 * agent is (then the claims of the person's editor windows and terminal are its own).
 * `PEERMESH_GUARD=warn` lets such a commit through with the same message; `git commit
 * --no-verify` skips the hook. Staged line numbers are those of the new file, which match the
 * working tree the claims were made on unless unstaged changes moved lines above them.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parsePatch } from 'diff';
import { agentProcess } from '../core/processes';
import { personKinds, type LineSpan, type Lock } from '../protocol/entities';
import { BrokerError } from '../protocol/errors';
import { homeDirOf } from '../home/location';
import { openLink } from '../hook/link';
import { conflictReason } from '../hook/reason';
import type { MeshHome } from '../home/home';
import { shellWord, writeLauncher } from '../home/launcher';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    return (await run('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BrokerError('invalidInput', `git ${args[0]}: ${(err.stderr || err.message).trim().split('\n')[0]}`);
  }
}

/** Each staged file (absolute) and the lines of its new version the commit changes; [] = the whole file. */
export async function stagedChanges(cwd: string): Promise<Array<{ path: string; ranges: LineSpan[] }>> {
  const root = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  const names = (await git(root, ['diff', '--cached', '--name-only', '-z', '--no-renames'])).split('\0').filter(Boolean);
  const patches = parsePatch(await git(root, ['diff', '--cached', '-U0', '--no-color', '--no-ext-diff', '--no-renames']));
  const byName = new Map<string, LineSpan[]>();
  for (const p of patches) {
    const deleted = p.newFileName === '/dev/null';
    const name = (deleted ? p.oldFileName : p.newFileName)?.replace(/^[ab]\//, '');
    if (!name) continue;
    // A deleted file changes all of it; otherwise each hunk's new lines, or, where it only
    // removed lines, the two lines around the gap.
    byName.set(name, deleted ? [] : p.hunks.map((h) => {
      if (h.newLines > 0) return { startLine: h.newStart, endLine: h.newStart + h.newLines - 1 };
      // Only removed lines: jsdiff gives the line after the gap as newStart (git's "+4,0" is
      // the line before it), so the gap lies between newStart - 1 and newStart.
      const before = h.newStart - 1;
      return { startLine: Math.max(1, before), endLine: Math.max(1, h.newStart) };
    }));
  }
  // Binary files have no hunks: the whole file.
  return names.map((name) => ({ path: path.join(root, name), ranges: byName.get(name) ?? [] }));
}

/** `peermesh commit-guard`: 0 lets the commit go, 1 refuses it; the reason goes to stderr. */
export async function commitGuard(cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const staged = await stagedChanges(cwd);
  if (staged.length === 0) return 0;
  // The committer: past git and the shell that ran it, the agent (or the person's terminal).
  const link = await openLink(homeDirOf(env), [agentProcess(process.ppid, /^git(\s|$)/)], 3000);
  if (!link) return 0; // no broker: nobody holds anything
  try {
    const asPerson = !link.peer || personKinds.includes(link.peer.kind);
    const conflicts = new Map<number, Lock>();
    for (const change of staged) {
      const r = await link.request<{ conflicts: Lock[] }>('locks/guardEdit', { path: change.path, ranges: change.ranges, asPerson });
      for (const lock of r.conflicts) conflicts.set(lock.id, lock);
    }
    if (conflicts.size === 0) return 0;
    const warn = env.PEERMESH_GUARD === 'warn';
    const reason = conflictReason([...conflicts.values()], cwd, warn ? 'warn' : 'deny', 'person');
    const how = warn ? 'committing anyway (PEERMESH_GUARD=warn).' : 'Commit refused. PEERMESH_GUARD=warn git commit … lets it through with this warning; git commit --no-verify skips the check.';
    process.stderr.write(`peermesh: this commit changes lines another agent claims.\n${reason}\n${how}\n`);
    return warn ? 0 : 1;
  } finally {
    link.close();
  }
}

const marker = '# PeerMesh commit guard';

function hookText(launcher: string, home: MeshHome, defaultHome: boolean): string {
  const q = shellWord;
  return [
    '#!/bin/sh',
    `${marker} (peermesh setup git-hook; remove it with peermesh setup git-hook --remove).`,
    '# Refuses a commit whose staged changes touch lines another agent has claimed.',
    '# PEERMESH_GUARD=warn git commit … lets it through with a warning; git commit --no-verify skips it.',
    ...(defaultHome ? [] : [`PEERMESH_HOME=${q(home.dir)}; export PEERMESH_HOME`]),
    `exec ${q(launcher)} commit-guard`,
    '',
  ].join('\n');
}

/** Installs (or with `remove`, takes out) the pre-commit hook of the repository at `cwd`; returns what it did. */
export async function gitHook(home: MeshHome, cwd: string, opts: { remove?: boolean; defaultHome: boolean }): Promise<string> {
  const hooks = path.resolve(cwd, (await git(cwd, ['rev-parse', '--git-path', 'hooks'])).trim());
  const file = path.join(hooks, 'pre-commit');
  const current = await fs.readFile(file, 'utf8').catch(() => undefined);
  const ours = current?.includes(marker) === true;
  if (opts.remove) {
    if (!ours) return `✔ no PeerMesh pre-commit hook in ${hooks}`;
    await fs.rm(file);
    return `✔ removed the PeerMesh pre-commit hook from ${hooks}`;
  }
  const launcher = await writeLauncher(home);
  if (current !== undefined && !ours) {
    throw new BrokerError('invalidInput', `${file} already exists and is not PeerMesh's; add this line to it to guard commits: ${launcher} commit-guard || exit 1`);
  }
  const text = hookText(launcher, home, opts.defaultHome);
  if (current === text) return `✔ ${file} already guards commits`;
  await fs.mkdir(hooks, { recursive: true });
  await fs.writeFile(file, text, { mode: 0o755 });
  await fs.chmod(file, 0o755);
  return `✔ ${current === undefined ? 'installed' : 'updated'} ${file}: commits touching lines other agents claim are refused`;
}
