/**
 * The agents' own hooks that run `peermesh hook <Event> --client <client>`: which file each
 * client reads them from, its event names, matchers and entry shape, and how to put ours in,
 * update them and take them out again without touching anyone else's. Every format is the one
 * the client documents (the README lists the pages); each entry runs the same command
 * `serverCommand` chose for the client's MCP entry.
 */
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { isRecord, JsonDoc, parseJson, readText, type JsonRecord } from './json-edit';
import type { ServerCommand } from './clients';
import { shellWord } from '../home/launcher';

export const hookClientIds = ['claude-code', 'codex', 'cursor', 'gemini'] as const;
export type HookClientId = (typeof hookClientIds)[number];

export const hookModes = ['deny', 'ask', 'warn'] as const;
/** What the edit guard (the PreToolUse-type hook) does when the file is claimed by another peer. */
export type HookMode = (typeof hookModes)[number];

export const isHookClientId = (s: string): s is HookClientId => (hookClientIds as readonly string[]).includes(s);

/** One event we hook, in the client's own name. */
interface HookEvent {
  name: string;
  /** The client's tool-name matcher; none where the event takes none, or all tools are wanted. */
  matcher?: string;
  /** The edit guard: takes `--mode` when not `deny`. */
  guard?: true;
}

export interface HookTarget {
  id: HookClientId;
  file: string;
  /** `grouped`: `{matcher, hooks: [entry]}` groups (Claude Code, Codex, Gemini); `flat`: entries directly (Cursor). */
  shape: 'grouped' | 'flat';
  events: readonly HookEvent[];
  /** Our hook entry for a command. */
  entry(command: string): JsonRecord;
  /** Said after a change: what the client still needs before it runs them. */
  afterChange?: string;
}

const seconds = 10;

export function hookTargets(env: NodeJS.ProcessEnv = process.env): Record<HookClientId, HookTarget> {
  const home = os.homedir();
  const codexHome = env.CODEX_HOME || path.join(home, '.codex');
  const claudeShape = (command: string) => ({ type: 'command', command, timeout: seconds });
  return {
    // https://docs.claude.com/en/docs/claude-code/hooks (timeout in seconds)
    'claude-code': {
      id: 'claude-code', file: path.join(home, '.claude', 'settings.json'), shape: 'grouped', entry: claudeShape,
      events: [
        { name: 'SessionStart' },
        { name: 'UserPromptSubmit' },
        { name: 'PreToolUse', matcher: 'Edit|Write|MultiEdit|NotebookEdit', guard: true },
        { name: 'PostToolUse', matcher: '*' },
        { name: 'Stop' },
      ],
    },
    // https://developers.openai.com/codex/hooks: hooks.json beside config.toml, Claude Code's
    // shape; edits go through apply_patch (Edit and Write are its aliases); no matcher = every tool.
    codex: {
      id: 'codex', file: path.join(codexHome, 'hooks.json'), shape: 'grouped', entry: claudeShape,
      events: [
        { name: 'SessionStart' },
        { name: 'UserPromptSubmit' },
        { name: 'PreToolUse', matcher: 'apply_patch|Edit|Write', guard: true },
        { name: 'PostToolUse' },
        { name: 'Stop' },
      ],
      afterChange: 'Codex runs new or changed hooks only once you trust them: open /hooks in Codex',
    },
    // https://cursor.com/docs/agent/hooks: {"version": 1, "hooks": {event: [{command, matcher, timeout}]}}
    cursor: {
      id: 'cursor', file: path.join(home, '.cursor', 'hooks.json'), shape: 'flat',
      entry: (command) => ({ command, timeout: seconds }),
      events: [
        { name: 'sessionStart' },
        { name: 'beforeSubmitPrompt' },
        { name: 'preToolUse', matcher: 'Write|Edit|StrReplace|Delete', guard: true },
        { name: 'postToolUse' },
        { name: 'stop' },
      ],
    },
    // https://geminicli.com/docs/hooks/reference (timeout in milliseconds)
    gemini: {
      id: 'gemini', file: path.join(home, '.gemini', 'settings.json'), shape: 'grouped',
      entry: (command) => ({ name: 'peermesh', type: 'command', command, timeout: seconds * 1000 }),
      events: [
        { name: 'SessionStart' },
        { name: 'BeforeAgent' },
        { name: 'BeforeTool', matcher: 'replace|write_file', guard: true },
        { name: 'AfterTool', matcher: '*' },
        { name: 'AfterAgent' },
      ],
    },
  };
}


/**
 * The command a hook runs: the MCP entry's program (`peermesh` on PATH, or the launcher), with
 * PEERMESH_HOME set in front when the mesh home is not the default one (no client's hook entry
 * takes an environment of its own).
 */
export function hookCommand(cmd: ServerCommand, client: HookClientId, event: HookEvent, mode: HookMode = 'deny'): string {
  const home = cmd.env.PEERMESH_HOME;
  const prefix = home ? `PEERMESH_HOME=${shellWord(home)} ` : '';
  const modeFlag = event.guard && mode !== 'deny' ? ` --mode ${mode}` : '';
  return `${prefix}${shellWord(cmd.command)} hook ${event.name} --client ${client}${modeFlag}`;
}

/** Ours: a `… hook <Event> … --client <this client>` command, wherever the program lives. */
export function isOurHook(command: unknown, client: HookClientId): command is string {
  return typeof command === 'string' && /(^|\s)hook\s/.test(command) && new RegExp(`\\s--client\\s+${client}(\\s|$)`).test(command);
}

/** The positions of our entries in one event's list: whole groups that hold only ours, and single entries among the user's. */
function ourPlaces(list: unknown[], target: HookTarget): { whole: number[]; inside: Array<[number, number]> } {
  const whole: number[] = [];
  const inside: Array<[number, number]> = [];
  list.forEach((item, i) => {
    if (target.shape === 'flat') {
      if (isRecord(item) && isOurHook(item.command, target.id)) whole.push(i);
      return;
    }
    if (!isRecord(item) || !Array.isArray(item.hooks)) return;
    const mine = item.hooks.flatMap((h, j) => (isRecord(h) && isOurHook(h.command, target.id) ? [j] : []));
    if (mine.length > 0 && mine.length === item.hooks.length) whole.push(i);
    else for (const j of mine) inside.push([i, j]);
  });
  return { whole, inside };
}

function eventList(doc: JsonDoc, target: HookTarget, event: string): unknown[] | undefined {
  const hooks = doc.at(['hooks']);
  if (hooks !== undefined && !isRecord(hooks)) throw new Error(`${doc.file}: "hooks" is not an object; fix it, or add the hooks by hand (peermesh setup ${target.id} --hooks --print)`);
  const list = doc.at(['hooks', event]);
  if (list !== undefined && !Array.isArray(list)) throw new Error(`${doc.file}: hooks.${event} is not a list; fix it, or add the hooks by hand (peermesh setup ${target.id} --hooks --print)`);
  return list;
}

/** Removes our entries from one event's list, keeping (and returning) the first group that was all ours. */
function removeOurs(doc: JsonDoc, target: HookTarget, event: string, keepFirst: boolean): number {
  const list = eventList(doc, target, event);
  if (!list) return -1;
  const { whole, inside } = ourPlaces(list, target);
  const keeper = keepFirst && whole.length > 0 ? whole[0] : -1;
  // From the end backwards, so the positions still to visit do not move.
  const doomed: Array<Array<string | number>> = [
    ...whole.filter((i) => i !== keeper).map((i) => ['hooks', event, i]),
    ...inside.map(([i, j]) => ['hooks', event, i, 'hooks', j]),
  ].sort((a, b) => (b[2] as number) - (a[2] as number) || ((b[4] as number) ?? 0) - ((a[4] as number) ?? 0));
  for (const p of doomed) doc.remove(p);
  return keeper;
}

function wantedItem(target: HookTarget, event: HookEvent, command: string): JsonRecord {
  if (target.shape === 'flat') return { ...target.entry(command), ...(event.matcher && { matcher: event.matcher }) };
  return { ...(event.matcher && { matcher: event.matcher }), hooks: [target.entry(command)] };
}

/** The config text with our hooks in it: one entry per event, updated in place; unchanged text if they already were. */
export function withHooks(target: HookTarget, text: string | undefined, cmd: ServerCommand, mode: HookMode = 'deny'): string {
  const doc = new JsonDoc(target.file, text);
  if (target.id === 'cursor' && doc.at(['version']) === undefined) doc.set(['version'], 1);
  for (const event of target.events) {
    const item = wantedItem(target, event, hookCommand(cmd, target.id, event, mode));
    const keeper = removeOurs(doc, target, event.name, true);
    if (keeper >= 0) doc.set(['hooks', event.name, keeper], item);
    else doc.append(['hooks', event.name], item);
  }
  return doc.text;
}

/**
 * The config text without our hooks. An event list, or the whole `hooks` object, that our
 * removal leaves empty goes too (an empty list means nothing to any client); the file stays.
 */
export function withoutHooks(target: HookTarget, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const doc = new JsonDoc(target.file, text);
  for (const event of target.events) {
    const before = eventList(doc, target, event.name);
    removeOurs(doc, target, event.name, false);
    const after = eventList(doc, target, event.name);
    if (before && after && after.length === 0 && before.length > 0) doc.remove(['hooks', event.name]);
  }
  const hooks = doc.at(['hooks']);
  if (isRecord(hooks) && Object.keys(hooks).length === 0 && doc.text !== text) doc.remove(['hooks']);
  return doc.text;
}

/** Just our hooks, as the user would paste them into the file. */
export function hooksSnippet(target: HookTarget, cmd: ServerCommand, mode: HookMode = 'deny'): string {
  const hooks = Object.fromEntries(target.events.map((e) => [e.name, [wantedItem(target, e, hookCommand(cmd, target.id, e, mode))]]));
  return JSON.stringify(target.id === 'cursor' ? { version: 1, hooks } : { hooks }, null, 2);
}

/** Our hook commands per event as the file has them now (an event without ours is left out). */
export async function readHooks(target: HookTarget): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const text = await readText(target.file);
  if (text === undefined) return found;
  const root = parseJson(target.file, text);
  const hooks = isRecord(root.hooks) ? root.hooks : {};
  for (const event of target.events) {
    const list = hooks[event.name];
    if (!Array.isArray(list)) continue;
    const entries = target.shape === 'flat' ? list : list.flatMap((g) => (isRecord(g) && Array.isArray(g.hooks) ? g.hooks : []));
    const ours = entries.flatMap((h) => (isRecord(h) && isOurHook(h.command, target.id) ? [h.command] : []));
    if (ours.length > 0) found.set(event.name, ours);
  }
  return found;
}

/** The same command without its `--mode` (the mode is the user's choice, not a sign of staleness). */
export const withoutMode = (command: string) => command.replace(/\s--mode\s+\S+/, '');

/** What stops a client from running hooks at all, said by its own settings; undefined when nothing does. */
export async function hooksSwitchedOff(target: HookTarget, codexConfig?: string): Promise<string | undefined> {
  const text = await readText(target.file).catch(() => undefined);
  const root = text === undefined ? {} : (() => {
    try {
      return parseJson(target.file, text);
    } catch {
      return {};
    }
  })();
  switch (target.id) {
    case 'claude-code':
      return root.disableAllHooks === true ? '"disableAllHooks": true in ~/.claude/settings.json turns every hook off' : undefined;
    case 'gemini': {
      const cfg = isRecord(root.hooksConfig) ? root.hooksConfig : {};
      if (cfg.enabled === false) return '"hooksConfig": {"enabled": false} in ~/.gemini/settings.json turns every hook off';
      if (Array.isArray(cfg.disabled) && cfg.disabled.includes('peermesh')) return '"peermesh" is listed in hooksConfig.disabled in ~/.gemini/settings.json';
      return undefined;
    }
    case 'codex': {
      let features: unknown;
      try {
        features = codexConfig === undefined ? undefined : parseToml(codexConfig).features;
      } catch {
        return undefined; // the MCP check already says the file does not read
      }
      const off = isRecord(features) && (features.hooks === false || features.codex_hooks === false);
      return off ? '[features] in config.toml turns hooks off (hooks = false)' : undefined;
    }
    case 'cursor':
      return undefined;
  }
}
