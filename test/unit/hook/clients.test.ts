/**
 * The hook format layer against each client's documented input (test/fixtures/hooks, and the
 * captured Claude Code input in /work/shared/fixtures) and documented answers: every answer is
 * compared as the exact object the client's documentation shows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  HookInputError, honoured, isEditTool, noopAnswer, parseHookInput, renderAnswer,
  type HookClient, type HookDecision, type HookInput,
} from '../../../src/hook/clients';
import { hookEvent } from '../../../src/hook/events';

const fixtures = path.join(__dirname, '../../fixtures/hooks');
const claudeFixtures = '/work/shared/fixtures/claude-code';
const processCwd = '/tmp/elsewhere';

function fixture(client: HookClient | 'claude', name: string): unknown {
  const dir = client === 'claude' ? claudeFixtures : path.join(fixtures, client);
  return JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
}

function parsed(client: HookClient, event: string, file: string): HookInput {
  return parseHookInput(client, event, fixture(client === 'claude-code' ? 'claude' : client, file), processCwd);
}

/** The stdout of an answer as an object (undefined for an empty stdout). */
function stdoutOf(client: HookClient, event: string, decision: HookDecision): unknown {
  const { phase } = hookEvent(client, event);
  const answer = renderAnswer({ client, event, phase }, decision);
  assert.equal(answer.exitCode, 0);
  assert.equal(answer.stderr, '');
  return answer.stdout === '' ? undefined : JSON.parse(answer.stdout);
}

const deny = { decision: 'deny', reason: 'src/app.ts:3-5 is claimed by codex-1' } as const;
const ask = { decision: 'ask', reason: 'src/app.ts:3-5 is claimed by codex-1' } as const;
const warn = { decision: 'warn', reason: 'src/app.ts:3-5 is claimed by codex-1' } as const;
const news = 'gemini-2 released src/app.ts';

describe('hook input, per client', () => {
  it('reads the captured Claude Code Edit and Write', () => {
    const edit = parsed('claude-code', 'PreToolUse', 'pretooluse-edit.json');
    assert.deepEqual(edit, {
      client: 'claude-code', event: 'PreToolUse', phase: 'preTool', sessionId: 'ceefa49e-0f81-4397-ba7a-45f291bc1591',
      cwd: '/home/dev/project', toolName: 'Edit',
      edits: [{ path: '/home/dev/project/app.ts', kind: 'replace', oldText: '"hello"', newText: '"hello from claude"', all: false }],
    });
    assert.deepEqual(parsed('claude-code', 'pretooluse', 'pretooluse-write.json').edits,
      [{ path: '/home/dev/project/new-file.txt', kind: 'write', content: 'written by claude\n' }]);
  });

  it('reads a Codex apply_patch into one patch edit per file, with moves, adds and deletes', () => {
    const input = parsed('codex', 'PreToolUse', 'pretooluse-apply-patch.json');
    assert.equal(input.phase, 'preTool');
    assert.equal(input.toolName, 'apply_patch');
    assert.equal(input.sessionId, '019a0e2c-5b7e-7c10-a1f3-2f6f1f0c9d41');
    assert.deepEqual(input.edits, [
      { path: '/home/dev/project/src/app.ts', kind: 'patch', op: 'update',
        hunks: [{ anchor: 'function greet', before: ['  return "hello";'], after: ['  return "hello from codex";'] }] },
      { path: '/home/dev/project/notes.md', kind: 'patch', op: 'add', hunks: [{ before: [], after: ['# Notes', 'written by codex'] }] },
      { path: '/home/dev/project/old.txt', kind: 'patch', op: 'delete', hunks: [] },
      { path: '/home/dev/project/src/util.ts', kind: 'patch', op: 'update', moveTo: '/home/dev/project/src/helpers.ts',
        hunks: [{ before: ['export const one = 1;', 'export const two = 3;'], after: ['export const one = 1;', 'export const two = 2;'] }] },
    ]);
    assert.deepEqual(parsed('codex', 'PostToolUse', 'posttooluse-apply-patch.json').edits, input.edits);
  });

  it('reads the Codex lifecycle events', () => {
    for (const [event, file, phase] of [['SessionStart', 'sessionstart.json', 'session'], ['UserPromptSubmit', 'userpromptsubmit.json', 'prompt'], ['Stop', 'stop.json', 'stop']] as const) {
      const input = parsed('codex', event, file);
      assert.equal(input.phase, phase, event);
      assert.equal(input.cwd, '/home/dev/project');
      assert.deepEqual(input.edits, []);
    }
  });

  it('reads Cursor input, with paths relative to the workspace root', () => {
    const pre = parsed('cursor', 'preToolUse', 'pretooluse-write.json');
    assert.equal(pre.sessionId, '668320d2-2fd8-4888-b33c-2a466fec86e7');
    assert.deepEqual(pre.edits, [{ path: '/home/dev/project/src/app.ts', kind: 'write', content: 'export const greeting = "hello from cursor";\n' }]);
    assert.equal(parsed('cursor', 'postToolUse', 'posttooluse-write.json').phase, 'postTool');
    const after = parsed('cursor', 'afterFileEdit', 'afterfileedit.json');
    assert.equal(after.phase, 'postTool');
    assert.equal(after.cwd, '/home/dev/project');
    assert.deepEqual(after.edits, [{ path: '/home/dev/project/src/app.ts', kind: 'replace', oldText: '"hello"', newText: '"hello from cursor"', all: false }]);
    assert.equal(parsed('cursor', 'sessionStart', 'sessionstart.json').phase, 'session');
    const { workspace_roots: _roots, cwd: _cwd, ...noRoots } = fixture('cursor', 'pretooluse-write.json') as Record<string, unknown>;
    assert.equal(parseHookInput('cursor', 'preToolUse', noRoots, processCwd).edits[0].path, '/tmp/elsewhere/src/app.ts');
    const rootsOnly = { ...(fixture('cursor', 'pretooluse-write.json') as Record<string, unknown>), cwd: undefined };
    assert.equal(parseHookInput('cursor', 'preToolUse', rootsOnly, processCwd).cwd, '/home/dev/project');
  });

  it('reads Gemini CLI replace, write_file and lifecycle input', () => {
    assert.deepEqual(parsed('gemini', 'BeforeTool', 'beforetool-replace.json').edits,
      [{ path: '/home/dev/project/src/app.ts', kind: 'replace', oldText: '  return "hello";', newText: '  return "hello from gemini";', all: false }]);
    assert.deepEqual(parsed('gemini', 'BeforeTool', 'beforetool-write-file.json').edits,
      [{ path: '/home/dev/project/notes.md', kind: 'write', content: '# Notes\nwritten by gemini\n' }]);
    const after = parsed('gemini', 'AfterTool', 'aftertool.json');
    assert.equal(after.phase, 'postTool');
    assert.equal(after.edits.length, 1);
    assert.equal(parsed('gemini', 'SessionStart', 'sessionstart.json').phase, 'session');
    assert.equal(parsed('gemini', 'BeforeAgent', 'beforeagent.json').phase, 'prompt');
    assert.equal(parseHookInput('gemini', 'AfterAgent', {}, processCwd).phase, 'stop');
    assert.equal(parseHookInput('gemini', 'SessionEnd', {}, processCwd).phase, 'other');
  });

  it('reads VS Code editFiles as whole-file edits of the named files', () => {
    const input = parsed('copilot', 'PreToolUse', 'pretooluse-editfiles.json');
    assert.equal(input.sessionId, 'session-7f3c2b1a');
    assert.deepEqual(input.edits, [{ path: '/home/dev/project/src/main.ts', kind: 'whole' }]);
  });

  it('matches event names case-insensitively; unknown events are other', () => {
    assert.equal(parseHookInput('gemini', 'beforetool', { tool_name: 'read_file', tool_input: {} }, processCwd).phase, 'preTool');
    assert.equal(parseHookInput('claude-code', 'subagentstop', {}, processCwd).phase, 'stop');
    assert.equal(parseHookInput('claude-code', 'Notification', {}, processCwd).phase, 'other');
  });

  it('knows each client\'s edit tools and nothing else', () => {
    assert.ok(['Edit', 'Write', 'MultiEdit', 'NotebookEdit'].every((t) => isEditTool('claude-code', t)));
    assert.ok(isEditTool('codex', 'apply_patch') && isEditTool('gemini', 'replace') && isEditTool('gemini', 'write_file'));
    assert.ok(isEditTool('copilot', 'editFiles') && isEditTool('copilot', 'createFile'));
    // Every tool setup's Cursor matcher names is guarded (Write|Edit|StrReplace|Delete).
    assert.ok(['Write', 'Edit', 'StrReplace', 'Delete'].every((t) => isEditTool('cursor', t)));
    const strReplace = { ...(fixture('cursor', 'pretooluse-write.json') as Record<string, unknown>), tool_name: 'StrReplace', tool_input: { file_path: 'src/app.ts', old_string: 'a', new_string: 'b' } };
    assert.deepEqual(parseHookInput('cursor', 'preToolUse', strReplace, processCwd).edits, [{ path: '/home/dev/project/src/app.ts', kind: 'replace', oldText: 'a', newText: 'b', all: false }]);
    const deleted = { ...strReplace, tool_name: 'Delete', tool_input: { path: 'src/app.ts' } };
    assert.deepEqual(parseHookInput('cursor', 'preToolUse', deleted, processCwd).edits, [{ path: '/home/dev/project/src/app.ts', kind: 'whole' }]);
    assert.ok(!isEditTool('claude-code', 'Bash') && !isEditTool('codex', 'Bash') && !isEditTool('gemini', 'read_file') && !isEditTool('claude-code', 'edit'));
    assert.deepEqual(parseHookInput('claude-code', 'PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' } }, processCwd).edits, []);
  });

  it('reads MultiEdit and NotebookEdit', () => {
    const multi = parseHookInput('claude-code', 'PreToolUse', { cwd: '/p', tool_name: 'MultiEdit', tool_input: { file_path: 'a.ts', edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'd', replace_all: true }] } }, processCwd);
    assert.deepEqual(multi.edits, [
      { path: '/p/a.ts', kind: 'replace', oldText: 'a', newText: 'b', all: false },
      { path: '/p/a.ts', kind: 'replace', oldText: 'c', newText: 'd', all: true },
    ]);
    assert.deepEqual(parseHookInput('claude-code', 'PreToolUse', { cwd: '/p', tool_name: 'NotebookEdit', tool_input: { notebook_path: '/p/n.ipynb', new_source: 'x' } }, processCwd).edits,
      [{ path: '/p/n.ipynb', kind: 'whole' }]);
  });
});

describe('hook input that is not hook JSON', () => {
  const rejects = (client: HookClient, event: string, raw: unknown, message: RegExp) =>
    assert.throws(() => parseHookInput(client, event, raw, processCwd), (e: unknown) => e instanceof HookInputError && message.test(e.message));

  it('throws a HookInputError naming the client and the field', () => {
    rejects('claude-code', 'PreToolUse', 'not json', /^claude-code hook input: the input must be an object, got a string$/);
    rejects('codex', 'PreToolUse', [1, 2], /^codex hook input: the input must be an object, got an array$/);
    rejects('gemini', 'BeforeTool', null, /the input must be an object, got null/);
    rejects('claude-code', 'PreToolUse', { tool_name: 'Edit' }, /^claude-code hook input: tool_input must be an object, got undefined$/);
    rejects('claude-code', 'PreToolUse', { tool_input: {} }, /tool_name must be a string, got undefined/);
    rejects('claude-code', 'PreToolUse', { tool_name: 'Edit', tool_input: { file_path: 7, old_string: 'a', new_string: 'b' } }, /tool_input\.file_path must be a string, got number/);
    rejects('claude-code', 'PreToolUse', { tool_name: 'Edit', tool_input: { file_path: '/a', old_string: 'a', new_string: 'b', replace_all: 'yes' } }, /tool_input\.replace_all must be true or false/);
    rejects('claude-code', 'PreToolUse', { tool_name: 'MultiEdit', tool_input: { file_path: '/a', edits: [{ old_string: 'a' }] } }, /tool_input\.edits\[0\]\.new_string must be a string/);
    rejects('codex', 'PreToolUse', { tool_name: 'apply_patch', tool_input: { command: 'rm -rf /' } }, /^codex hook input: tool_input\.command: no "\*\*\* Begin Patch" line$/);
    rejects('codex', 'PreToolUse', { tool_name: 'apply_patch', tool_input: { command: '*** Begin Patch\n*** Update File: a\n@@\n-x\n' } }, /no "\*\*\* End Patch" line/);
    rejects('codex', 'PreToolUse', { tool_name: 'apply_patch', tool_input: { command: '*** Begin Patch\n*** Frobnicate: a\n*** End Patch' } }, /line 2 is not a patch header/);
    rejects('cursor', 'preToolUse', { workspace_roots: 'nope', tool_name: 'Write', tool_input: {} }, /^cursor hook input: workspace_roots must be an array/);
    rejects('copilot', 'PreToolUse', { tool_name: 'editFiles', tool_input: { files: [1] } }, /tool_input\.files\[0\] must be a string, got number/);
    rejects('gemini', 'SessionStart', { session_id: 42 }, /session_id must be a string, got number/);
  });

  it('refuses huge strings instead of carrying them on', () => {
    rejects('claude-code', 'PreToolUse', { tool_name: 'Write', tool_input: { file_path: 'x'.repeat(100_000), content: '' } }, /tool_input\.file_path is 100000 characters long, more than the 4096 allowed/);
    rejects('gemini', 'BeforeTool', { tool_name: 'write_file', tool_input: { file_path: '/a', content: 'x'.repeat(16 * 1024 * 1024 + 1) } }, /tool_input\.content is 16777217 characters long/);
  });
});

describe('hook answers, per client', () => {
  it('prints nothing or the documented empty answer for no decision', () => {
    assert.deepEqual(noopAnswer('claude-code', 'PreToolUse'), { stdout: '', stderr: '', exitCode: 0 });
    assert.deepEqual(noopAnswer('codex', 'Stop'), { stdout: '', stderr: '', exitCode: 0 });
    assert.deepEqual(noopAnswer('gemini', 'BeforeTool'), { stdout: '{}\n', stderr: '', exitCode: 0 });
    assert.deepEqual(noopAnswer('cursor', 'preToolUse'), { stdout: '{}\n', stderr: '', exitCode: 0 });
    assert.deepEqual(noopAnswer('cursor', 'beforesubmitprompt'), { stdout: '{"continue":true}\n', stderr: '', exitCode: 0 });
    assert.deepEqual(noopAnswer('copilot', 'PreToolUse'), { stdout: '{"continue":true}\n', stderr: '', exitCode: 0 });
    assert.equal(stdoutOf('claude-code', 'PreToolUse', {}), undefined);
    assert.equal(stdoutOf('claude-code', 'Notification', { context: news }), undefined);
  });

  it('Claude Code', () => {
    assert.deepEqual(stdoutOf('claude-code', 'PreToolUse', { permission: deny }),
      { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: deny.reason } });
    assert.deepEqual(stdoutOf('claude-code', 'pretooluse', { permission: deny, context: news }),
      { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: deny.reason, additionalContext: news } });
    assert.deepEqual(stdoutOf('claude-code', 'PreToolUse', { permission: ask }),
      { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: ask.reason, additionalContext: ask.reason } });
    assert.deepEqual(stdoutOf('claude-code', 'PreToolUse', { permission: warn, context: news }),
      { hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: `${warn.reason}\n\n${news}` } });
    for (const event of ['SessionStart', 'UserPromptSubmit', 'PostToolUse', 'Stop', 'SubagentStop']) {
      assert.deepEqual(stdoutOf('claude-code', event, { context: news }), { hookSpecificOutput: { hookEventName: event, additionalContext: news } }, event);
    }
  });

  it('VS Code agent hooks', () => {
    assert.deepEqual(stdoutOf('copilot', 'PreToolUse', { permission: deny }),
      { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: deny.reason } });
    assert.deepEqual(stdoutOf('copilot', 'PreToolUse', { permission: ask }),
      { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: ask.reason, additionalContext: ask.reason } });
    assert.deepEqual(stdoutOf('copilot', 'PreToolUse', { permission: warn }), { hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: warn.reason } });
    assert.deepEqual(stdoutOf('copilot', 'SessionStart', { context: news }), { hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: news } });
    assert.deepEqual(stdoutOf('copilot', 'PostToolUse', { context: news }), { hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: news } });
    assert.deepEqual(stdoutOf('copilot', 'UserPromptSubmit', { context: news }), { continue: true });
    assert.deepEqual(stdoutOf('copilot', 'Stop', { context: news }), { hookSpecificOutput: { hookEventName: 'Stop', decision: 'block', reason: news } });
    assert.deepEqual(stdoutOf('copilot', 'SubagentStop', { context: news }), { decision: 'block', reason: news });
  });

  it('Codex, with an ask turned into a deny', () => {
    assert.equal(honoured('codex', 'ask'), 'deny');
    assert.equal(honoured('codex', 'warn'), 'warn');
    const denied = { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: deny.reason } };
    assert.deepEqual(stdoutOf('codex', 'PreToolUse', { permission: deny }), denied);
    assert.deepEqual(stdoutOf('codex', 'PreToolUse', { permission: ask }), denied);
    assert.deepEqual(stdoutOf('codex', 'PreToolUse', { permission: deny, context: news }),
      { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: `${deny.reason}\n\n${news}` } });
    assert.deepEqual(stdoutOf('codex', 'PreToolUse', { permission: warn }), { hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: warn.reason } });
    for (const event of ['SessionStart', 'UserPromptSubmit', 'PostToolUse']) {
      assert.deepEqual(stdoutOf('codex', event, { context: news }), { hookSpecificOutput: { hookEventName: event, additionalContext: news } }, event);
    }
    assert.deepEqual(stdoutOf('codex', 'Stop', { context: news }), { decision: 'block', reason: news });
  });

  it('Codex output has only the fields its output schemas allow', () => {
    // From codex-rs/hooks/schema/generated/<event>.command.output.schema.json (additionalProperties: false).
    const allowed: Record<string, { top: string[]; specific: string[] }> = {
      PreToolUse: { top: ['continue', 'decision', 'reason', 'hookSpecificOutput', 'stopReason', 'suppressOutput', 'systemMessage'], specific: ['hookEventName', 'permissionDecision', 'permissionDecisionReason', 'updatedInput', 'additionalContext'] },
      PostToolUse: { top: ['continue', 'decision', 'reason', 'hookSpecificOutput', 'stopReason', 'suppressOutput', 'systemMessage'], specific: ['hookEventName', 'additionalContext', 'updatedToolOutput', 'updatedMCPToolOutput'] },
      SessionStart: { top: ['continue', 'hookSpecificOutput', 'stopReason', 'suppressOutput', 'systemMessage'], specific: ['hookEventName', 'additionalContext'] },
      UserPromptSubmit: { top: ['continue', 'decision', 'reason', 'hookSpecificOutput', 'stopReason', 'suppressOutput', 'systemMessage'], specific: ['hookEventName', 'additionalContext'] },
      Stop: { top: ['continue', 'decision', 'reason', 'stopReason', 'suppressOutput', 'systemMessage'], specific: [] },
    };
    const decisions: HookDecision[] = [{ context: news }, { permission: deny }, { permission: ask, context: news }, { permission: warn, context: news }];
    for (const [event, fields] of Object.entries(allowed)) {
      for (const decision of decisions) {
        const out = stdoutOf('codex', event, decision) as Record<string, unknown> | undefined;
        if (out === undefined) continue;
        assert.deepEqual(Object.keys(out).filter((k) => !fields.top.includes(k)), [], `${event} ${JSON.stringify(decision)}`);
        const specific = (out.hookSpecificOutput ?? {}) as Record<string, unknown>;
        assert.deepEqual(Object.keys(specific).filter((k) => !fields.specific.includes(k)), [], `${event} ${JSON.stringify(decision)}`);
        if (out.hookSpecificOutput) assert.equal(specific.hookEventName, event);
        assert.notEqual(specific.permissionDecision, 'ask');
        assert.notEqual(specific.permissionDecision, 'allow');
      }
    }
  });

  it('Cursor', () => {
    assert.deepEqual(stdoutOf('cursor', 'preToolUse', { permission: deny, context: news }),
      { permission: 'deny', user_message: deny.reason, agent_message: `${deny.reason}\n\n${news}` });
    assert.deepEqual(stdoutOf('cursor', 'preToolUse', { permission: ask }), { permission: 'ask', user_message: ask.reason, agent_message: ask.reason });
    assert.deepEqual(stdoutOf('cursor', 'preToolUse', { permission: warn }), { agent_message: warn.reason });
    assert.deepEqual(stdoutOf('cursor', 'sessionStart', { context: news }), { additional_context: news });
    assert.deepEqual(stdoutOf('cursor', 'postToolUse', { context: news }), { additional_context: news });
    assert.deepEqual(stdoutOf('cursor', 'afterFileEdit', { context: news }), {});
    assert.deepEqual(stdoutOf('cursor', 'beforeSubmitPrompt', { context: news }), { continue: true });
    assert.deepEqual(stdoutOf('cursor', 'stop', { context: news }), { followup_message: news });
  });

  it('Gemini CLI, with an ask turned into a deny', () => {
    assert.equal(honoured('gemini', 'ask'), 'deny');
    assert.equal(honoured('claude-code', 'ask'), 'ask');
    assert.deepEqual(stdoutOf('gemini', 'BeforeTool', { permission: deny }), { decision: 'deny', reason: deny.reason });
    assert.deepEqual(stdoutOf('gemini', 'BeforeTool', { permission: ask, context: news }), { decision: 'deny', reason: `${ask.reason}\n\n${news}` });
    assert.deepEqual(stdoutOf('gemini', 'BeforeTool', { permission: warn }), { systemMessage: warn.reason });
    assert.deepEqual(stdoutOf('gemini', 'BeforeTool', { context: news }), {});
    for (const event of ['SessionStart', 'BeforeAgent', 'AfterTool']) {
      assert.deepEqual(stdoutOf('gemini', event, { context: news }), { hookSpecificOutput: { hookEventName: event, additionalContext: news } }, event);
    }
    assert.deepEqual(stdoutOf('gemini', 'AfterAgent', { context: news }), { decision: 'deny', reason: news });
    assert.deepEqual(stdoutOf('gemini', 'SessionEnd', { context: news }), {});
  });

  it('ignores a permission outside preTool', () => {
    assert.equal(stdoutOf('claude-code', 'PostToolUse', { permission: deny }), undefined);
  });
});
