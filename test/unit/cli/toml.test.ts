/**
 * `peermesh setup codex` edits one table, `[mcp_servers.peermesh]`, in the user's
 * ~/.codex/config.toml: every other byte stays, the result is valid TOML that means the same
 * outside our table, a second run changes nothing, and a file it cannot edit safely is refused.
 */
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { withEntry, type ServerCommand } from '../../../src/cli/clients';
import { readTable } from '../../../src/cli/toml';

const file = '/home/me/.codex/config.toml';
const cmd: ServerCommand = { command: '/home/me/.peermesh/bin/peermesh', args: ['mcp'], env: { PEERMESH_HOME: '/tmp/mesh' } };
const ours = ['mcp_servers', 'peermesh'];

// A config as Codex users write it; keys from https://github.com/openai/codex/blob/main/docs/config.md
// and the inline [hooks] tables of https://developers.openai.com/codex/hooks.
const head = `# ~/.codex/config.toml
model = "gpt-5-codex"
model_reasoning_effort = "high"
approval_policy = "on-request"
sandbox_mode = "workspace-write"
notify = ["python3", "/home/me/.codex/notify.py"]
developer_instructions = """
Lines in brackets below are text, not tables:
[fake]
[[fake.too]]
"""

[sandbox_workspace_write]
network_access = false # keep offline
writable_roots = [
  "/home/me/scratch",
  # [not.a.table]
]

[mcp_servers.docs]
command = "docs-mcp"
args = ["--stdio"]
env = { DOCS_TOKEN = "t0k", "QUOTED.KEY" = "x" }

`;

/** A stale entry of ours, from an older install, with a key of the user's (the timeout). */
const stale = `[mcp_servers.peermesh]
command = "/usr/local/bin/node"
args = ["/old/peermesh/dist/cli.js", "mcp"]
startup_timeout_sec = 20
`;

const tail = `
[[hooks.PreToolUse]]
matcher = "Bash"
command = "/home/me/.codex/hooks/check-bash.sh"

[[hooks.PreToolUse]]
matcher = "apply_patch"
  [[hooks.PreToolUse.hooks]]
  type = "command"
  command = "python3 ~/.codex/hooks/lint.py"   # before every patch
  timeout = 30

[mcp_servers."figma desktop"]
url = "http://127.0.0.1:3845/mcp"

[profiles.fast]
model = "gpt-5-codex-mini"
tui.notifications = true
`;

const wanted = { command: cmd.command, args: cmd.args, env: cmd.env };

/** The parsed document without our table (and without an `mcp_servers` left empty by its removal). */
function others(text: string): Record<string, unknown> {
  const doc = parse(text) as { mcp_servers?: Record<string, unknown> };
  delete doc.mcp_servers?.peermesh;
  if (doc.mcp_servers && Object.keys(doc.mcp_servers).length === 0) delete doc.mcp_servers;
  return doc;
}

/** Runs setup on `before`, checks it kept everything else, and that a second run changes nothing. */
function setup(before: string): string {
  const after = withEntry('codex', file, before, cmd);
  assert.deepEqual(others(after), others(before), 'every other table and key means the same');
  assert.equal(withEntry('codex', file, after, cmd), after, 'a second run changes nothing');
  return after;
}

describe('setup codex: editing config.toml', () => {
  it('keeps the arrays of tables ([[hooks.PreToolUse]]) after our table', () => {
    const after = setup(head + stale + tail);
    const hooks = (parse(after) as { hooks: { PreToolUse: Array<Record<string, unknown>> } }).hooks.PreToolUse;
    assert.equal(hooks[0].command, '/home/me/.codex/hooks/check-bash.sh');
    assert.ok(after.startsWith(head), 'the text before our table is byte-for-byte the same');
    assert.ok(after.endsWith(tail), 'the text after our table is byte-for-byte the same');
    assert.deepEqual(readTable(after, ours), wanted);
    assert.equal((parse(after) as { mcp_servers: { peermesh: { startup_timeout_sec: number } } }).mcp_servers.peermesh.startup_timeout_sec, 20, 'the user\'s own key in our table is kept');
  });

  it('replaces a stale entry at the end of the file, after an array of tables', () => {
    const before = head + tail + '\n' + stale;
    const after = setup(before);
    assert.ok(after.startsWith(head + tail + '\n[mcp_servers.peermesh]\n'), after);
    assert.deepEqual(readTable(after, ours), wanted);
    assert.match(after, /\nstartup_timeout_sec = 20\n$/);
  });

  it('appends the table when there is none, leaving the file as it was above it', () => {
    const before = head + tail;
    const after = setup(before);
    assert.equal(after, `${before}\n[mcp_servers.peermesh]\ncommand = "${cmd.command}"\nargs = ["mcp"]\nenv = { PEERMESH_HOME = "/tmp/mesh" }\n`);
  });

  it('does not take a header-like line inside a multi-line string or array for a table', () => {
    const before = 'developer_instructions = """\n[mcp_servers.peermesh]\ncommand = "not a key"\n"""\nnotify = [\n  "x",\n  # [mcp_servers.peermesh]\n]\n';
    const after = setup(before);
    assert.ok(after.startsWith(before));
    assert.equal((parse(after) as { developer_instructions: string }).developer_instructions, '[mcp_servers.peermesh]\ncommand = "not a key"\n');
    assert.deepEqual(readTable(after, ours), wanted);
  });

  it('replaces a multi-line value and a sub-table of ours, keeping the user\'s env entries', () => {
    const before = `model = "o3"\n\n[mcp_servers.peermesh] # ours\ncommand = "stale"\nargs = [\n  "/old/cli.js",\n  "mcp",\n]\nstartup_timeout_sec = 20\n\n[mcp_servers.peermesh.env]\nTRACE = "1"\n\n[[hooks.PreToolUse]]\nmatcher = "Bash"\ncommand = "check.sh"\n`;
    const after = setup(before);
    assert.equal(after, `model = "o3"\n\n[mcp_servers.peermesh] # ours\ncommand = "${cmd.command}"\nargs = ["mcp"]\nenv = { TRACE = "1", PEERMESH_HOME = "/tmp/mesh" }\nstartup_timeout_sec = 20\n\n[[hooks.PreToolUse]]\nmatcher = "Bash"\ncommand = "check.sh"\n`);
  });

  it('keeps CRLF line endings', () => {
    const before = (head + stale + tail).replace(/\n/g, '\r\n');
    const after = setup(before);
    assert.ok(!/[^\r]\n/.test(after), 'every line ends in CRLF');
    assert.ok(after.startsWith(head.replace(/\n/g, '\r\n')) && after.endsWith(tail.replace(/\n/g, '\r\n')));
  });

  it('leaves a file that already has our entry exactly as it is', () => {
    const current = `[mcp_servers.peermesh]\ncommand = "${cmd.command}"\nargs = [ "mcp" ]   # spaced by hand\n\n[mcp_servers.peermesh.env]\nPEERMESH_HOME = '/tmp/mesh'\n`;
    assert.equal(withEntry('codex', file, current, cmd), current);
  });

  it('refuses a file that is not valid TOML, naming the file and the line', () => {
    const broken = 'model = "o3"\n\n[mcp_servers.docs]\ncommand = "docs-mcp\n' + stale;
    assert.throws(() => withEntry('codex', file, broken, cmd), (e: Error) => {
      assert.match(e.message, /^\/home\/me\/\.codex\/config\.toml is not valid TOML \(line 4: [^)]+\)/);
      assert.ok(!e.message.includes('\n'), 'one line');
      return true;
    });
    assert.throws(() => readTable(broken, ours, file), /config\.toml is not valid TOML \(line 4/);
  });

  it('refuses, with a clear message, an entry it cannot edit without changing something else', () => {
    for (const before of [
      'mcp_servers = { docs = { command = "docs-mcp" } }\n',
      '[mcp_servers]\npeermesh = { command = "stale", args = [] }\n',
      'mcp_servers.peermesh.command = "stale"\n',
      '[[mcp_servers.peermesh]]\ncommand = "stale"\n',
    ]) {
      assert.throws(() => withEntry('codex', file, before, cmd), (e: Error) => {
        assert.match(e.message, /^\/home\/me\/\.codex\/config\.toml: .*peermesh setup codex --print/, before);
        assert.ok(!e.message.includes('\n'), 'one line');
        return true;
      });
    }
  });

  it('reads back only the simple values of our table', () => {
    const text = '[mcp_servers.peermesh]\ncommand = \'c\'\nargs = ["a", "b"]\nstartup_timeout_sec = 20\nenv = { A = "1" }\n';
    assert.deepEqual(readTable(text, ours), { command: 'c', args: ['a', 'b'], env: { A: '1' } });
    assert.equal(readTable('model = "o3"\n', ours), undefined);
  });
});
