/**
 * The agent-side checks of `peermesh doctor` beyond each MCP entry: whether the `peermesh` on
 * PATH can actually be run, whether each client's PeerMesh hooks are all there and run a
 * program that exists and may be executed, and Gemini CLI's folder-trust rule. Each says
 * exactly what is wrong (mode and target, like `ls -l`) and a fix that really fixes it.
 */
import { accessSync, constants, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launcherPath } from '../home/launcher';
import { defaultHomeDir } from '../home/location';
import { clientTargets, peermeshFilesOnPath, readConfigText, readEntry, realOr, serverCommand, tilde } from './clients';
import { isRecord, parseJson } from './json-edit';
import { hookClientIds, hookCommand, hooksSwitchedOff, hookTargets, readHooks, withoutMode, type HookClientId } from './hooks';
import type { CliContext } from './terminal-peer';

export type Mark = '✔' | '✘' | '!' | '·';
export interface Line {
  mark: Mark;
  text: string;
  fix?: string;
}


/** `-rw-r--r-- 0644 /usr/lib/node_modules/peermesh/dist/cli.js`, the way `ls -l` shows a mode. */
function modeString(mode: number): string {
  const bits = 'rwxrwxrwx';
  return [...bits].map((c, i) => (mode & (1 << (8 - i)) ? c : '-')).join('');
}

/** What `ls -l` would say of `file`: its mode, and where a symlink points (and what that target's mode is). */
export function describeFile(file: string): string {
  try {
    const link = lstatSync(file);
    if (!link.isSymbolicLink()) return `${link.isDirectory() ? 'd' : '-'}${modeString(link.mode & 0o777)} ${file}`;
    const real = realpathSync(file);
    const target = statSync(real);
    return `${file} -> ${readlinkSync(file)} (${real}: -${modeString(target.mode & 0o777)})`;
  } catch {
    return `${file} (missing)`;
  }
}

const canRun = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The `peermesh` a shell would run: the first file of that name on PATH, executable or not. */
export function checkPath(ctx: CliContext): Line {
  const found = peermeshFilesOnPath();
  if (found.length === 0) return { mark: '·', text: 'no `peermesh` on PATH (configs run the mesh home\'s launcher instead)' };
  const [first] = found;
  if (first.executable) return { mark: '✔', text: `\`peermesh\` on PATH: ${first.file}${first.real !== first.file ? ` -> ${first.real}` : ''}` };
  const next = found.find((f) => f.executable);
  // chmod follows the symlink to the file it names: the real target, which is what lacks the bit.
  const fix = `chmod +x ${first.real}`;
  if (next) return { mark: '!', text: `\`peermesh\` on PATH cannot be executed: ${describeFile(first.file)}; shells skip it and run ${next.file}`, fix };
  return { mark: '✘', text: `\`peermesh\` on PATH cannot be executed (agents whose config runs \`peermesh\` fail with EACCES): ${describeFile(first.file)}`, fix: `${fix}  (or: peermesh setup <client…>, which then writes the launcher ${tilde(launcherPath(ctx.home))} instead)` };
}

/** The program a hook command runs, and the PEERMESH_HOME it sets (our own commands' shape: `[PEERMESH_HOME=w ]program hook …`). */
function programOf(command: string): { program: string; home?: string } {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (let m = re.exec(command); m && words.length < 2; m = re.exec(command)) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, '\'') : m[2]);
  const env = /^PEERMESH_HOME=(.*)$/s.exec(words[0] ?? '');
  if (!env) return { program: words[0] ?? '' };
  const home = env[1].startsWith('\'') ? env[1].slice(1, -1) : env[1];
  return { program: words[1] ?? '', home };
}

function resolveProgram(program: string): string | undefined {
  if (program.includes('/')) return program;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, program);
    if (canRun(file)) return file;
  }
  return undefined;
}

async function checkHooksOf(ctx: CliContext, id: HookClientId): Promise<Line | undefined> {
  const client = clientTargets()[id];
  const target = hookTargets()[id];
  const fix = `peermesh setup ${id} --hooks`;
  let found: Map<string, string[]>;
  try {
    found = await readHooks(target);
  } catch (e) {
    return { mark: '✘', text: `${client.label} hooks: ${(e as Error).message}` };
  }
  if (found.size === 0) {
    const mcp = await readEntry(client).catch(() => undefined);
    return mcp ? { mark: '·', text: `${client.label}: no PeerMesh hooks in ${tilde(target.file)} (optional: they claim files before edits and deliver news on every tool call)`, fix } : undefined;
  }
  const missing = target.events.filter((e) => !found.has(e.name)).map((e) => e.name);
  const off = await hooksSwitchedOff(target, id === 'codex' ? await readConfigText(client.file).catch(() => undefined) : undefined);
  if (off) return { mark: '✘', text: `${client.label}: PeerMesh hooks are installed but switched off: ${off}`, fix: 'remove that setting' };
  if (missing.length > 0) return { mark: '✘', text: `${client.label}: PeerMesh hooks missing for ${missing.join(', ')} in ${tilde(target.file)}`, fix };
  // Each event's command: the program must run, and be the one setup would write now.
  const wanted = serverCommand(ctx.home, client, launcherPath(ctx.home));
  for (const event of target.events) {
    for (const command of found.get(event.name) ?? []) {
      const { program, home } = programOf(command);
      const file = resolveProgram(program);
      if (!file) return { mark: '✘', text: `${client.label}: the ${event.name} hook runs \`${program}\`, which is not on PATH`, fix };
      if (!canRun(file)) return { mark: '✘', text: `${client.label}: the ${event.name} hook runs a file that cannot be executed: ${describeFile(file)}`, fix: program === 'peermesh' ? `chmod +x ${realpathSync(file)}` : fix };
      const theirs = realOr(home ?? defaultHomeDir());
      if (theirs !== ctx.home.dir) {
        return { mark: '✘', text: `${client.label}: the hooks join the mesh in ${theirs}, not this one (${ctx.home.dir})`, fix };
      }
      if (withoutMode(command) !== withoutMode(hookCommand(wanted, id, event))) {
        return { mark: '!', text: `${client.label}: the ${event.name} hook runs \`${command}\`; setup now writes \`${withoutMode(hookCommand(wanted, id, event))}\``, fix };
      }
    }
  }
  const extra = [...found.values()].some((c) => c.length > 1) ? ' (some events twice: re-run setup to tidy)' : '';
  return { mark: '✔', text: `${client.label}: PeerMesh hooks for ${target.events.length} events in ${tilde(target.file)}${extra}` };
}

export async function checkHooks(ctx: CliContext): Promise<Line[]> {
  const lines = await Promise.all(hookClientIds.map((id) => checkHooksOf(ctx, id)));
  return lines.filter((l): l is Line => l !== undefined);
}

/**
 * Gemini CLI connects no MCP server (not even user-level ones) and runs in "safe mode" in a
 * folder it does not trust, unless folder trust is off. Said when Gemini has PeerMesh set up.
 */
export async function checkGeminiTrust(): Promise<Line | undefined> {
  const gemini = clientTargets().gemini;
  const entry = await readEntry(gemini).catch(() => undefined);
  if (!entry) return undefined;
  const settingsText = await readConfigText(gemini.file);
  const settings = settingsText ? parseJson(gemini.file, settingsText) : {};
  const security = isRecord(settings.security) ? settings.security : {};
  const folderTrust = isRecord(security.folderTrust) ? security.folderTrust : {};
  if (folderTrust.enabled === false) return undefined;
  const trustFile = process.env.GEMINI_CLI_TRUSTED_FOLDERS_PATH || path.join(os.homedir(), '.gemini', 'trustedFolders.json');
  const trustText = await readConfigText(trustFile).catch(() => undefined);
  let rules: Record<string, unknown> = {};
  try {
    rules = trustText ? parseJson(trustFile, trustText) : {};
  } catch {
    /* unreadable: as if empty */
  }
  const cwd = process.cwd();
  const trusted = Object.entries(rules).some(([dir, level]) => {
    const base = level === 'TRUST_PARENT' ? path.dirname(dir) : dir;
    return (level === 'TRUST_FOLDER' || level === 'TRUST_PARENT') && (cwd === base || cwd.startsWith(base + path.sep));
  });
  const rule = 'Gemini CLI shows MCP servers as "Disabled" and connects none (not even user-level ones) in a folder it does not trust';
  if (trusted) return { mark: '✔', text: `Gemini CLI trusts ${cwd}, so it connects PeerMesh here` };
  return {
    mark: '!',
    text: `${rule}; ${cwd} is not trusted in ${tilde(trustFile)}`,
    fix: 'run gemini in the project and choose "Trust folder" (or /permissions), or start it with --skip-trust / GEMINI_CLI_TRUST_WORKSPACE=true',
  };
}
