/**
 * The per-client format layer of `peermesh hook <event> --client <client>`: reads one client's hook
 * JSON into a {@link HookInput} (what the event means for PeerMesh, and which files an edit tool
 * writes and how). The answers live in ./answers, the event names in ./events, the Codex patch
 * grammar in ./patch. Loaded by the thin hook bundle, so it imports only node builtins.
 */
import path from 'node:path';
import { hookEvent, type HookClient, type HookPhase } from './events';
import { parseApplyPatch } from './patch';

export { hookClients, type HookClient, type HookPhase } from './events';
export { honoured, noopAnswer, renderAnswer, type HookAnswer, type HookDecision } from './answers';

export interface HookInput {
  client: HookClient;
  /** The client's own event name as given on the command line (e.g. PreToolUse, BeforeTool, preToolUse). */
  event: string;
  phase: HookPhase;
  sessionId?: string;
  /** From the input (cwd, workspace_roots[0], …), else the process cwd passed in. */
  cwd: string;
  toolName?: string;
  /** For preTool/postTool of a file-editing tool: each file it writes, and how. Empty otherwise. */
  edits: FileEdit[];
}

export type FileEdit =
  | { path: string; kind: 'replace'; oldText: string; newText: string; all: boolean }
  | { path: string; kind: 'write'; content: string }
  | { path: string; kind: 'patch'; op: 'update' | 'add' | 'delete'; hunks: PatchHunk[]; moveTo?: string }
  | { path: string; kind: 'whole' };

export interface PatchHunk {
  /** Lines of the hunk before the change: context and removed, in order. */
  before: string[];
  /** After: context and added. */
  after: string[];
  /** The @@ header text, if any (Codex uses it as a locating hint). */
  anchor?: string;
  /** The hunk ends with `*** End of File`: Codex matches it at the end of the file. */
  eof?: boolean;
}

/** Input that is not the client's hook JSON; the message names the client and the field. */
export class HookInputError extends Error {
  override name = 'HookInputError';
}

/** Paths, ids and tool names longer than this are not real hook input. */
const maxShortText = 4096;
/** File contents and patches: generous, but bounded so garbage cannot exhaust the hook. */
const maxLongText = 16 * 1024 * 1024;

type Json = Record<string, unknown>;

/** Reads fields of one client's input, naming the client and the field in every error. */
class Reader {
  constructor(readonly client: HookClient) {}

  fail(message: string): never {
    throw new HookInputError(`${this.client} hook input: ${message}`);
  }

  obj(value: unknown, field: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(`${field} must be an object, got ${describe(value)}`);
    }
    return value as Json;
  }

  str(value: unknown, field: string, max = maxShortText): string {
    if (typeof value !== 'string') this.fail(`${field} must be a string, got ${describe(value)}`);
    if (value.length > max) this.fail(`${field} is ${value.length} characters long, more than the ${max} allowed`);
    return value;
  }

  optStr(value: unknown, field: string): string | undefined {
    return value === undefined || value === null ? undefined : this.str(value, field);
  }

  optBool(value: unknown, field: string): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') this.fail(`${field} must be true or false, got ${describe(value)}`);
    return value;
  }

  arr(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(`${field} must be an array, got ${describe(value)}`);
    return value;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `${typeof value}`;
}

/**
 * Reads `raw` (the parsed stdin) as `client`'s hook input for `event`. Paths are made absolute
 * against the input's working directory. Throws {@link HookInputError} on input that is not that
 * client's hook JSON.
 */
export function parseHookInput(client: HookClient, event: string, raw: unknown, cwd: string): HookInput {
  const read = new Reader(client);
  const input = read.obj(raw, 'the input');
  const { phase } = hookEvent(client, event);
  const base: HookInput = { client, event, phase, sessionId: sessionIdOf(read, input), cwd: cwdOf(read, input, cwd), edits: [] };
  if (phase !== 'preTool' && phase !== 'postTool') return base;
  if (client === 'cursor' && hookEvent(client, event).name === 'afterFileEdit') return cursorFileEdit(read, input, base);
  const toolName = read.str(input.tool_name, 'tool_name');
  const toolInput = read.obj(input.tool_input, 'tool_input');
  const edits = isEditTool(client, toolName) ? editsOf(read, toolName, toolInput, base.cwd) : [];
  return { ...base, toolName, edits };
}

function sessionIdOf(read: Reader, input: Json): string | undefined {
  switch (read.client) {
    case 'copilot': return read.optStr(input.sessionId ?? input.session_id, 'sessionId');
    case 'cursor': return read.optStr(input.conversation_id ?? input.session_id, 'conversation_id');
    default: return read.optStr(input.session_id, 'session_id');
  }
}

function cwdOf(read: Reader, input: Json, fallback: string): string {
  const cwd = read.optStr(input.cwd, 'cwd');
  if (cwd) return cwd;
  if (read.client === 'cursor' && input.workspace_roots !== undefined) {
    const [root] = read.arr(input.workspace_roots, 'workspace_roots');
    if (root !== undefined) return read.str(root, 'workspace_roots[0]');
  }
  return fallback;
}

/** Cursor's afterFileEdit names the file and its replacements at the top level. */
function cursorFileEdit(read: Reader, input: Json, base: HookInput): HookInput {
  const file = path.resolve(base.cwd, read.str(input.file_path, 'file_path'));
  const edits = read.arr(input.edits ?? [], 'edits').map((item, i) => {
    const edit = read.obj(item, `edits[${i}]`);
    return replaceEdit(read, file, edit, `edits[${i}]`, false);
  });
  return { ...base, toolName: read.optStr(input.tool_name, 'tool_name'), edits: edits.length ? edits : [{ path: file, kind: 'whole' }] };
}

/** Each client's file-editing tools, as its documentation names them. */
const editTools: Record<HookClient, readonly string[]> = {
  'claude-code': ['Edit', 'Write', 'MultiEdit', 'NotebookEdit'],
  codex: ['apply_patch'],
  gemini: ['replace', 'write_file'],
  copilot: ['editFiles', 'createFile', 'editNotebook'],
  // StrReplace reads as a replacement by its shape, Delete as the whole file (cursorEdits).
  cursor: ['Write', 'Edit', 'StrReplace', 'Delete'],
};

/** Whether `toolName` is one of the client's file-editing tools. */
export function isEditTool(client: HookClient, toolName: string): boolean {
  return editTools[client].includes(toolName);
}

function editsOf(read: Reader, toolName: string, toolInput: Json, cwd: string): FileEdit[] {
  switch (read.client) {
    case 'claude-code': return claudeEdits(read, toolName, toolInput, cwd);
    case 'codex': return parseApplyPatch(read.str(toolInput.command, 'tool_input.command', maxLongText), cwd, (m) => read.fail(`tool_input.command: ${m}`));
    case 'gemini': return geminiEdits(read, toolName, toolInput, cwd);
    case 'copilot': return namedFiles(read, toolInput, cwd);
    case 'cursor': return cursorEdits(read, toolInput, cwd);
  }
}

function filePath(read: Reader, toolInput: Json, cwd: string, field = 'file_path'): string {
  return path.resolve(cwd, read.str(toolInput[field], `tool_input.${field}`));
}

function replaceEdit(read: Reader, file: string, edit: Json, field: string, all: boolean): FileEdit {
  return {
    path: file, kind: 'replace', all,
    oldText: read.str(edit.old_string, `${field}.old_string`, maxLongText),
    newText: read.str(edit.new_string, `${field}.new_string`, maxLongText),
  };
}

function writeEdit(read: Reader, file: string, toolInput: Json): FileEdit {
  return { path: file, kind: 'write', content: read.str(toolInput.content, 'tool_input.content', maxLongText) };
}

function claudeEdits(read: Reader, toolName: string, toolInput: Json, cwd: string): FileEdit[] {
  if (toolName === 'NotebookEdit') return [{ path: filePath(read, toolInput, cwd, 'notebook_path'), kind: 'whole' }];
  const file = filePath(read, toolInput, cwd);
  if (toolName === 'Write') return [writeEdit(read, file, toolInput)];
  if (toolName === 'Edit') return [replaceEdit(read, file, toolInput, 'tool_input', read.optBool(toolInput.replace_all, 'tool_input.replace_all'))];
  return read.arr(toolInput.edits, 'tool_input.edits').map((item, i) => {
    const field = `tool_input.edits[${i}]`;
    const edit = read.obj(item, field);
    return replaceEdit(read, file, edit, field, read.optBool(edit.replace_all, `${field}.replace_all`));
  });
}

function geminiEdits(read: Reader, toolName: string, toolInput: Json, cwd: string): FileEdit[] {
  const file = filePath(read, toolInput, cwd);
  if (toolName === 'write_file') return [writeEdit(read, file, toolInput)];
  return [replaceEdit(read, file, toolInput, 'tool_input', read.optBool(toolInput.allow_multiple, 'tool_input.allow_multiple'))];
}

/**
 * VS Code's edit tools name their files (`files`, or one path) but not the change, so each file
 * is a `whole` edit.
 */
function namedFiles(read: Reader, toolInput: Json, cwd: string): FileEdit[] {
  const named = toolInput.files === undefined ? [] : read.arr(toolInput.files, 'tool_input.files')
    .map((file, i) => read.str(file, `tool_input.files[${i}]`));
  for (const field of ['filePath', 'path', 'file_path']) {
    if (toolInput[field] !== undefined) named.push(read.str(toolInput[field], `tool_input.${field}`));
  }
  return named.map((file) => ({ path: path.resolve(cwd, file), kind: 'whole' }));
}

/** Cursor's tool input is read by its shape: a replacement, a whole content, a list of edits. */
function cursorEdits(read: Reader, toolInput: Json, cwd: string): FileEdit[] {
  const file = filePath(read, toolInput, cwd, toolInput.file_path === undefined ? 'path' : 'file_path');
  if (toolInput.old_string !== undefined) return [replaceEdit(read, file, toolInput, 'tool_input', read.optBool(toolInput.replace_all, 'tool_input.replace_all'))];
  if (toolInput.content !== undefined) return [writeEdit(read, file, toolInput)];
  if (toolInput.edits !== undefined) {
    return read.arr(toolInput.edits, 'tool_input.edits').map((item, i) => replaceEdit(read, file, read.obj(item, `tool_input.edits[${i}]`), `tool_input.edits[${i}]`, false));
  }
  return [{ path: file, kind: 'whole' }];
}
