/**
 * Which agent is on the other end of the bridge: from the MCP client's `clientInfo.name`
 * first (what it says it is), else from the processes that started the bridge (what runs it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PeerKind } from '../protocol/entities';

/** Patterns on a lower-cased client name or command line, first match wins. */
const patterns: Array<[RegExp, PeerKind]> = [
  [/cursor/, 'cursor'], // before vscode: Cursor says "cursor-vscode"
  [/windsurf|codeium|cascade/, 'windsurf'],
  [/claude[-_ ]?code|@anthropic-ai\/claude|(^|\/)claude(\s|$)/, 'claude-code'],
  [/codex/, 'codex'],
  [/gemini/, 'gemini'],
  [/opencode/, 'opencode'],
  [/cline|claude-dev/, 'cline'],
  [/aider/, 'aider'],
  [/copilot|visual[- ]studio[- ]code|vscode|(^|\/)code(-insiders)?(\s|$)/, 'copilot'],
];

export function kindFromText(text: string | undefined): PeerKind | undefined {
  if (!text) return undefined;
  const t = text.toLowerCase();
  return patterns.find(([re]) => re.test(t))?.[1];
}

/** The command line of a process (Linux /proc, else `ps`), or undefined. */
function commandLine(pid: number): string | undefined {
  try {
    if (process.platform === 'linux') {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      // Only the program and its first argument: later ones are often paths that mention anything.
      return [comm, ...cmd.slice(0, 2).map((a) => path.basename(a))].join(' ');
    }
    if (process.platform === 'win32') return undefined;
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', timeout: 1000 }).trim().split(/\s+/).slice(0, 2).map((a) => path.basename(a)).join(' ');
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    if (process.platform === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid > 1 ? ppid : undefined;
    }
    if (process.platform === 'win32') return undefined;
    const ppid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', timeout: 1000 }).trim());
    return ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Looks at the parent process and up to two more ancestors (npx, shells and wrappers in between). */
export function kindFromProcesses(ppid: number): PeerKind | undefined {
  let pid: number | undefined = ppid;
  for (let depth = 0; pid !== undefined && depth < 3; depth++) {
    const kind = kindFromText(commandLine(pid));
    if (kind) return kind;
    pid = parentOf(pid);
  }
  return undefined;
}

export interface AgentIdentity {
  kind: PeerKind;
  /** Display name to register with; the broker adds `-2`, `-3`… on clashes. */
  name: string;
}

/** Kind and display name of the agent: clientInfo first, then the process tree. */
export function identifyAgent(clientName: string | undefined, ppid: number, nameOverride?: string): AgentIdentity {
  const kind = kindFromText(clientName) ?? kindFromProcesses(ppid) ?? 'unknown';
  const fallback = clientName?.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  const name = nameOverride?.trim() || (kind !== 'unknown' ? kind : fallback || 'agent');
  return { kind, name };
}
