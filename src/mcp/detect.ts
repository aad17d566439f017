/**
 * Which agent is on the other end of the bridge: from the MCP client's `clientInfo.name`
 * first (what it says it is), else from the processes that started the bridge (what runs it).
 */
import type { PeerKind } from '../protocol/entities';
import { printable } from '../core/printable';
import { commandLine, parentOf } from '../core/processes';

/** How much of the client's own name is kept: enough to tell what it is, short enough for a table. */
const clientNameChars = 64;

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
  /**
   * The client's own name as it said it, printable and at most {@link clientNameChars}
   * characters; null when it gave none. Shown beside the kind, which says little when `unknown`.
   */
  client: string | null;
}

/** Kind and display name of the agent: clientInfo first, then the process tree. */
export function identifyAgent(clientName: string | undefined, ppid: number, nameOverride?: string): AgentIdentity {
  const kind = kindFromText(clientName) ?? kindFromProcesses(ppid) ?? 'unknown';
  const fallback = clientName?.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  const name = nameOverride?.trim() || (kind !== 'unknown' ? kind : fallback || 'agent');
  return { kind, name, client: clientLabel(clientName) };
}

/** `clientInfo.name` fit to show: any client may send any string there. */
function clientLabel(clientName: string | undefined): string | null {
  // By code points: cutting between the halves of a surrogate pair would leave a character the broker refuses.
  const shown = [...printable(clientName ?? '').trim()];
  if (shown.length === 0) return null;
  return shown.length > clientNameChars ? `${shown.slice(0, clientNameChars - 1).join('')}…` : shown.join('');
}
