/**
 * The MCP clients `peermesh setup` and `peermesh doctor` know: where each keeps its MCP server
 * list, in which shape, and how to read and write our `peermesh` entry without disturbing the
 * rest of the file. JSON files are edited with jsonc-parser (minimal edits that keep comments
 * and formatting); Codex's TOML with toml.ts (smol-toml reads and verifies the file; only our
 * table's text is edited). HOME (and XDG_CONFIG_HOME, APPDATA, CODEX_HOME) are honoured, so
 * tests can point everything at a temporary folder.
 */
import { promises as fs, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import type { MeshHome } from '../home/home';
import { atomicWrite } from '../home/files';
import { readTable, upsertTable } from './toml';

export const clientIds = ['claude-code', 'cursor', 'codex', 'windsurf', 'vscode', 'cline'] as const;
export type ClientId = (typeof clientIds)[number];

/** The server entry name in every client's config. */
export const serverName = 'peermesh';

/** How to start `peermesh mcp`. */
export interface ServerCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface ClientTarget {
  id: ClientId;
  label: string;
  /** The user-level config file. */
  file: string;
  /** Started from a terminal, so a `peermesh` on PATH is found; editors started from a dock may not see it. */
  terminal: boolean;
  /** Shown with --print: where else the user could put it. */
  hint: string;
  /** Paths of which one exists when the client is installed (for `setup all` and doctor). */
  markers: string[];
}

function vscodeUserDir(env: NodeJS.ProcessEnv, home: string): string {
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Code', 'User');
  if (process.platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Code', 'User');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Code', 'User');
}

export function clientTargets(env: NodeJS.ProcessEnv = process.env): Record<ClientId, ClientTarget> {
  const home = os.homedir();
  const vscode = vscodeUserDir(env, home);
  const codexHome = env.CODEX_HOME || path.join(home, '.codex');
  const clineDir = path.join(vscode, 'globalStorage', 'saoudrizwan.claude-dev');
  return {
    'claude-code': {
      id: 'claude-code', label: 'Claude Code', file: path.join(home, '.claude.json'), terminal: true,
      hint: 'or: claude mcp add --scope user peermesh -- <command> <args…>', markers: [path.join(home, '.claude'), path.join(home, '.claude.json')],
    },
    cursor: {
      id: 'cursor', label: 'Cursor', file: path.join(home, '.cursor', 'mcp.json'), terminal: false,
      hint: 'or per project: .cursor/mcp.json', markers: [path.join(home, '.cursor')],
    },
    codex: {
      id: 'codex', label: 'Codex', file: path.join(codexHome, 'config.toml'), terminal: true,
      hint: 'or: codex mcp add peermesh -- <command> <args…>', markers: [codexHome],
    },
    windsurf: {
      id: 'windsurf', label: 'Windsurf', file: path.join(home, '.codeium', 'windsurf', 'mcp_config.json'), terminal: false,
      hint: 'then refresh the MCP list in Cascade', markers: [path.join(home, '.codeium', 'windsurf')],
    },
    vscode: {
      id: 'vscode', label: 'VS Code (agent mode)', file: path.join(vscode, 'mcp.json'), terminal: false,
      hint: 'or per workspace: .vscode/mcp.json', markers: [vscode],
    },
    cline: {
      id: 'cline', label: 'Cline', file: path.join(clineDir, 'settings', 'cline_mcp_settings.json'), terminal: false,
      hint: 'or paste it in Cline → MCP Servers → Configure', markers: [clineDir],
    },
  };
}

/** Whether the client seems installed for this user (its folder exists). */
export function isInstalled(target: ClientTarget): boolean {
  return target.markers.some((m) => {
    try {
      statSync(m);
      return true;
    } catch {
      return false;
    }
  });
}

export function isClientId(s: string): s is ClientId {
  return (clientIds as readonly string[]).includes(s);
}

/** The real path of `p`, or `p` resolved if it does not exist. */
export function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** The real path of a `peermesh` executable on PATH, if any. */
function peermeshOnPath(env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === 'win32' ? ['peermesh.cmd', 'peermesh.exe'] : ['peermesh'];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      try {
        const p = path.join(dir, name);
        if (statSync(p).isFile()) return realpathSync(p);
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

/**
 * The command a client's config runs: `peermesh mcp` when the client starts from a terminal and
 * the `peermesh` on PATH is this very CLI; else the mesh home's launcher (launcher.ts), which
 * survives updates (editors started from a dock or menu often have a PATH without node or
 * peermesh). PEERMESH_HOME is passed only when it is not the default home.
 */
export function serverCommand(home: MeshHome, target: Pick<ClientTarget, 'terminal'>, launcher: string, env: NodeJS.ProcessEnv = process.env): ServerCommand {
  const cli = realpathSync(process.argv[1]);
  const isDefault = realOr(path.join(os.homedir(), '.peermesh')) === home.dir;
  const serverEnv: Record<string, string> = isDefault ? {} : { PEERMESH_HOME: home.dir };
  if (target.terminal && peermeshOnPath(env) === cli) return { command: 'peermesh', args: ['mcp'], env: serverEnv };
  return { command: launcher, args: ['mcp'], env: serverEnv };
}

/** Where in the file our entry lives, and how it looks for this client. */
function jsonShape(id: Exclude<ClientId, 'codex'>, cmd: ServerCommand): { key: string; entry: Record<string, unknown> } {
  const base = { command: cmd.command, args: cmd.args, ...(Object.keys(cmd.env).length > 0 && { env: cmd.env }) };
  switch (id) {
    case 'claude-code':
      return { key: 'mcpServers', entry: { type: 'stdio', ...base } };
    case 'vscode':
      return { key: 'servers', entry: { type: 'stdio', ...base } };
    case 'cline':
      return { key: 'mcpServers', entry: { ...base, disabled: false } };
    case 'cursor':
    case 'windsurf':
      return { key: 'mcpServers', entry: base };
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function parseJson(file: string, text: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    throw new Error(`${file} is not valid JSON (${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}); fix it, or add the entry by hand (peermesh setup --print)`);
  }
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) throw new Error(`${file} does not hold a JSON object`);
  return (value ?? {}) as Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Ours over theirs: keys the user added to our entry (Cline's autoApprove, a timeout) stay. */
function mergeEntry(existing: unknown, ours: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(existing)) return ours;
  const merged: Record<string, unknown> = { ...existing, ...ours };
  const env = { ...(isRecord(existing.env) ? existing.env : {}), ...(isRecord(ours.env) ? ours.env : {}) };
  if (!isRecord(ours.env)) delete env.PEERMESH_HOME;
  if (Object.keys(env).length > 0) merged.env = env;
  else delete merged.env;
  return merged;
}

function indentOf(text: string): { insertSpaces: boolean; tabSize: number } {
  const m = /\n([ \t]+)"/.exec(text);
  if (!m) return { insertSpaces: true, tabSize: 2 };
  return m[1].startsWith('\t') ? { insertSpaces: false, tabSize: 1 } : { insertSpaces: true, tabSize: m[1].length };
}

/** Our table in Codex's config.toml. */
const codexTable = ['mcp_servers', serverName];

/** The new text of the client's config with our entry in it (unchanged text if it already was). */
export function withEntry(id: ClientId, file: string, text: string | undefined, cmd: ServerCommand): string {
  if (id === 'codex') {
    const existing = readTable(text ?? '', codexTable, file);
    const merged = mergeEntry(existing, { command: cmd.command, args: cmd.args, ...(Object.keys(cmd.env).length > 0 && { env: cmd.env }) });
    const env = isRecord(merged.env) ? (merged.env as Record<string, string>) : undefined;
    return upsertTable(text ?? '', codexTable, { command: cmd.command, args: cmd.args, ...(env && { env }) }, {
      file,
      owned: ['command', 'args', 'env'],
      fallback: 'add the entry by hand (peermesh setup codex --print)',
    });
  }
  const source = text?.trim() ? text : '{}\n';
  const root = parseJson(file, source);
  const { key, entry } = jsonShape(id, cmd);
  const existing = isRecord(root[key]) ? root[key][serverName] : undefined;
  const wanted = mergeEntry(existing, entry);
  if (JSON.stringify(existing) === JSON.stringify(wanted) && text !== undefined) return text;
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const edits = modify(source, [key, serverName], wanted, { formattingOptions: { ...indentOf(source), eol } });
  const out = applyEdits(source, edits);
  return out.endsWith(eol) ? out : out + eol;
}

/** Just our entry, as the user would paste it into the file. */
export function snippet(id: ClientId, cmd: ServerCommand): string {
  if (id === 'codex') return withEntry('codex', '', '', cmd).trimEnd();
  const { key, entry } = jsonShape(id, cmd);
  return JSON.stringify({ [key]: { [serverName]: entry } }, null, 2);
}

/** Our entry as the client's config has it now, or undefined when there is none. */
export async function readEntry(target: ClientTarget): Promise<{ command?: string; args?: string[]; env?: Record<string, string> } | undefined> {
  const text = await readText(target.file);
  if (text === undefined) return undefined;
  if (target.id === 'codex') {
    const t = readTable(text, codexTable, target.file);
    if (!t) return undefined;
    return {
      command: typeof t.command === 'string' ? t.command : undefined,
      args: Array.isArray(t.args) ? t.args : undefined,
      env: isRecord(t.env) ? (t.env as Record<string, string>) : undefined,
    };
  }
  const root = parseJson(target.file, text);
  const { key } = jsonShape(target.id, { command: '', args: [], env: {} });
  const e = isRecord(root[key]) ? root[key][serverName] : undefined;
  if (!isRecord(e)) return undefined;
  return {
    command: typeof e.command === 'string' ? e.command : undefined,
    args: Array.isArray(e.args) ? e.args.map(String) : undefined,
    env: isRecord(e.env) ? Object.fromEntries(Object.entries(e.env).map(([k, v]) => [k, String(v)])) : undefined,
  };
}

/**
 * Writes `text` to `file` atomically, creating folders, keeping the file's mode if it exists;
 * a config kept as a symlink (dotfiles) is written where it points, and stays a symlink.
 */
export async function writeConfig(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const target = await fs.realpath(file).catch(() => file);
  const mode = await fs.stat(target).then((s) => s.mode & 0o777, () => 0o600);
  await atomicWrite(target, text, { mode });
}

export { readText as readConfigText };
