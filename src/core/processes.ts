/**
 * The process tree, read cheaply (Linux /proc, else one `ps`): who started whom. An agent's
 * MCP bridge registers the agent's process, and its hooks name that same process (their parent,
 * past a shell), so both speak for one peer. Node built-ins only: the hook entry loads this.
 */
import type * as childProcess from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * `ps`, where there is no /proc. child_process is loaded only then: on Linux the hook never
 * pays for it.
 */
function ps(args: string[]): string {
  const { execFileSync } = createRequire(__filename)('node:child_process') as typeof childProcess;
  return execFileSync('ps', args, { encoding: 'utf8', timeout: 1000 });
}

export function parentOf(pid: number): number | undefined {
  try {
    if (process.platform === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid > 1 ? ppid : undefined;
    }
    if (process.platform === 'win32') return undefined;
    const ppid = Number(ps(['-o', 'ppid=', '-p', String(pid)]).trim());
    return ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** The command of a process: its name, then the base names of its program and first argument; undefined if unknown. */
export function commandLine(pid: number): string | undefined {
  try {
    if (process.platform === 'linux') {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      // Only the program and its first argument: later ones are often paths that mention anything.
      return [comm, ...cmd.slice(0, 2).map((a) => path.basename(a))].join(' ');
    }
    if (process.platform === 'win32') return undefined;
    return ps(['-o', 'command=', '-p', String(pid)]).trim().split(/\s+/).slice(0, 2).map((a) => path.basename(a)).join(' ');
  } catch {
    return undefined;
  }
}

/** Programs that only start another: a shell, `env`, npm or npx. */
const wrapper = /^(sh|bash|dash|zsh|fish|env|timeout|npm|npx|node (node )?(npm-cli|npx-cli)\.js)(\s|$)/;

/**
 * The agent behind a process started by `ppid`: `ppid` itself, or, when that is a wrapper
 * (the shell a client runs commands in, `npx peermesh mcp`, or what `also` matches, say git
 * for a commit hook), the first ancestor that is not.
 */
export function agentProcess(ppid: number, also?: RegExp): number {
  let pid = ppid;
  for (let depth = 0; depth < 5; depth++) {
    const cmd = commandLine(pid);
    const parent = parentOf(pid);
    if (cmd === undefined || parent === undefined || !(wrapper.test(cmd) || also?.test(cmd))) return pid;
    pid = parent;
  }
  return pid;
}
