/**
 * The MCP clients `peermesh setup` and `peermesh doctor` know: where each keeps its MCP server
 * list, in which shape, and how to read and write our `peermesh` entry without disturbing the
 * rest of the file. JSON files are edited with jsonc-parser (minimal edits that keep comments
 * and formatting); Codex's TOML with toml.ts (smol-toml reads and verifies the file; only our
 * table's text is edited). HOME (and XDG_CONFIG_HOME, APPDATA, CODEX_HOME) are honoured, so
 * tests can point everything at a temporary folder.
 */
import { accessSync, constants, existsSync, promises as fs, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MeshHome } from '../home/home';
import { defaultHomeDir } from '../home/location';
import { atomicWrite } from '../home/files';
import { isRecord, JsonDoc, parseJson, readText } from './json-edit';
import { readTable, removeTable, upsertTable } from './toml';

export const clientIds = ['claude-code', 'cursor', 'codex', 'gemini', 'opencode', 'windsurf', 'vscode', 'cline', 'cline-cli'] as const;
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

/** opencode reads opencode.json or opencode.jsonc in its config folder: the one that exists, else .json. */
function opencodeConfig(dir: string): string {
  const json = path.join(dir, 'opencode.json');
  const jsonc = path.join(dir, 'opencode.jsonc');
  return !existsSync(json) && existsSync(jsonc) ? jsonc : json;
}

export function clientTargets(env: NodeJS.ProcessEnv = process.env): Record<ClientId, ClientTarget> {
  const home = os.homedir();
  const vscode = vscodeUserDir(env, home);
  const codexHome = env.CODEX_HOME || path.join(home, '.codex');
  const clineDir = path.join(vscode, 'globalStorage', 'saoudrizwan.claude-dev');
  const opencodeDir = path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'opencode');
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
    gemini: {
      id: 'gemini', label: 'Gemini CLI', file: path.join(home, '.gemini', 'settings.json'), terminal: true,
      hint: 'or: gemini mcp add --scope user peermesh <command> <args…>', markers: [path.join(home, '.gemini')],
    },
    opencode: {
      id: 'opencode', label: 'opencode', file: opencodeConfig(opencodeDir), terminal: true,
      hint: 'or per project: opencode.json', markers: [opencodeDir, path.join(home, '.local', 'share', 'opencode')],
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
    'cline-cli': {
      id: 'cline-cli', label: 'Cline CLI', file: path.join(home, '.cline', 'data', 'settings', 'cline_mcp_settings.json'), terminal: true,
      hint: 'or: cline mcp', markers: [path.join(home, '.cline')],
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

/** Whether `home` is the default mesh home (`~/.peermesh`), which configs need not name. */
export function isDefaultHome(home: MeshHome): boolean {
  return realOr(defaultHomeDir()) === home.dir;
}

/** `~/…` for a path under the user's home folder, for people to read. */
export function tilde(p: string): string {
  const home = os.homedir();
  return p.startsWith(home + path.sep) ? '~' + p.slice(home.length) : p;
}

/** Every `peermesh` file on PATH, in PATH order, with its real path and whether it can be run. */
export function peermeshFilesOnPath(env: NodeJS.ProcessEnv = process.env): Array<{ file: string; real: string; executable: boolean }> {
  const names = process.platform === 'win32' ? ['peermesh.cmd', 'peermesh.exe'] : ['peermesh'];
  const found: Array<{ file: string; real: string; executable: boolean }> = [];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        if (!statSync(file).isFile()) continue;
      } catch {
        continue;
      }
      let executable = true;
      try {
        accessSync(file, constants.X_OK);
      } catch {
        executable = false;
      }
      found.push({ file, real: realOr(file), executable });
    }
  }
  return found;
}

/**
 * The real path of the `peermesh` a shell would run, if any: the first executable one on PATH
 * (a shell skips a `peermesh` it may not execute, so setup must not count on that one).
 */
function peermeshOnPath(env: NodeJS.ProcessEnv): string | undefined {
  return peermeshFilesOnPath(env).find((f) => f.executable)?.real;
}

/**
 * The command a client's config runs: `peermesh mcp` when the client starts from a terminal and
 * the `peermesh` on PATH is this very CLI; else the mesh home's launcher (launcher.ts), which
 * survives updates (editors started from a dock or menu often have a PATH without node or
 * peermesh). PEERMESH_HOME is passed only when it is not the default home.
 */
export function serverCommand(home: MeshHome, target: Pick<ClientTarget, 'terminal'>, launcher: string, env: NodeJS.ProcessEnv = process.env): ServerCommand {
  const cli = realpathSync(process.argv[1]);
  const serverEnv: Record<string, string> = isDefaultHome(home) ? {} : { PEERMESH_HOME: home.dir };
  if (target.terminal && peermeshOnPath(env) === cli) return { command: 'peermesh', args: ['mcp'], env: serverEnv };
  return { command: launcher, args: ['mcp'], env: serverEnv };
}

/** Where in the file our entry lives, how it looks for this client, and which of its keys holds the environment. */
function jsonShape(id: Exclude<ClientId, 'codex'>, cmd: ServerCommand): { key: string; entry: Record<string, unknown>; envKey: string } {
  const env = Object.keys(cmd.env).length > 0 ? cmd.env : undefined;
  const base = { command: cmd.command, args: cmd.args, ...(env && { env }) };
  switch (id) {
    case 'claude-code':
      return { key: 'mcpServers', entry: { type: 'stdio', ...base }, envKey: 'env' };
    case 'vscode':
      return { key: 'servers', entry: { type: 'stdio', ...base }, envKey: 'env' };
    case 'cline':
    case 'cline-cli':
      return { key: 'mcpServers', entry: { ...base, disabled: false }, envKey: 'env' };
    case 'opencode':
      // https://opencode.ai/docs/mcp-servers: one command array, `environment`, `enabled`.
      return { key: 'mcp', entry: { type: 'local', command: [cmd.command, ...cmd.args], enabled: true, ...(env && { environment: env }) }, envKey: 'environment' };
    case 'cursor':
    case 'windsurf':
    case 'gemini':
      return { key: 'mcpServers', entry: base, envKey: 'env' };
  }
}

/** Ours over theirs: keys the user added to our entry (Cline's autoApprove, a timeout) stay. */
function mergeEntry(existing: unknown, ours: Record<string, unknown>, envKey = 'env'): Record<string, unknown> {
  if (!isRecord(existing)) return ours;
  const merged: Record<string, unknown> = { ...existing, ...ours };
  const theirs = existing[envKey];
  const mine = ours[envKey];
  const env = { ...(isRecord(theirs) ? theirs : {}), ...(isRecord(mine) ? mine : {}) };
  if (!isRecord(mine)) delete env.PEERMESH_HOME;
  if (Object.keys(env).length > 0) merged[envKey] = env;
  else delete merged[envKey];
  return merged;
}

/** Our table in Codex's config.toml. */
const codexTable = ['mcp_servers', serverName];
const codexEdit = (file: string) => ({ file, owned: ['command', 'args', 'env'], fallback: 'add the entry by hand (peermesh setup codex --print)' });

/** The new text of the client's config with our entry in it (unchanged text if it already was). */
export function withEntry(id: ClientId, file: string, text: string | undefined, cmd: ServerCommand): string {
  if (id === 'codex') {
    const existing = readTable(text ?? '', codexTable, file);
    const merged = mergeEntry(existing, { command: cmd.command, args: cmd.args, ...(Object.keys(cmd.env).length > 0 && { env: cmd.env }) });
    const env = isRecord(merged.env) ? (merged.env as Record<string, string>) : undefined;
    return upsertTable(text ?? '', codexTable, { command: cmd.command, args: cmd.args, ...(env && { env }) }, codexEdit(file));
  }
  const doc = new JsonDoc(file, text);
  const { key, entry, envKey } = jsonShape(id, cmd);
  doc.set([key, serverName], mergeEntry(doc.at([key, serverName]), entry, envKey));
  return doc.text;
}

/**
 * The client's config without our entry (unchanged text if there was none). A server list that
 * only held ours is removed with it; everything else stays.
 */
export function withoutEntry(id: ClientId, file: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (id === 'codex') return removeTable(text, codexTable, codexEdit(file));
  const doc = new JsonDoc(file, text);
  const { key } = jsonShape(id, { command: '', args: [], env: {} });
  doc.remove([key, serverName]);
  const rest = doc.at([key]);
  if (isRecord(rest) && Object.keys(rest).length === 0 && doc.text !== text) doc.remove([key]);
  return doc.text;
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
  const { key, envKey } = jsonShape(target.id, { command: '', args: [], env: {} });
  const e = isRecord(root[key]) ? root[key][serverName] : undefined;
  if (!isRecord(e)) return undefined;
  const env = e[envKey];
  // opencode keeps the command and its arguments in one array.
  const argv = Array.isArray(e.command) ? e.command.map(String) : undefined;
  return {
    command: argv ? argv[0] : typeof e.command === 'string' ? e.command : undefined,
    args: argv ? argv.slice(1) : Array.isArray(e.args) ? e.args.map(String) : undefined,
    env: isRecord(env) ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) : undefined,
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
