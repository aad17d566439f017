import assert from 'node:assert/strict';
import { hasHiddenCharacters } from '../../../src/core/printable';
import { identifyAgent, kindFromText } from '../../../src/mcp/detect';

describe('mcp/detect: the kind of agent from its MCP client name or command line', () => {
  // clientInfo.name as each program sends it in `initialize`, and command lines that run them.
  const cases: Array<[string, string | undefined]> = [
    ['claude-code', 'claude-code'],
    ['/usr/bin/node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js', 'claude-code'],
    ['codex-mcp-client', 'codex'],
    ['gemini-cli-mcp-client', 'gemini'],
    ['node /usr/lib/node_modules/@google/gemini-cli/dist/index.js', 'gemini'],
    ['opencode', 'opencode'],
    ['cursor-vscode', 'cursor'],
    ['Visual Studio Code', 'copilot'],
    ['aider', 'aider'],
    ['some-other-client', undefined],
    ['', undefined],
  ];
  for (const [text, kind] of cases) {
    it(`${JSON.stringify(text)} → ${kind ?? 'unknown'}`, () => {
      assert.equal(kindFromText(text), kind);
    });
  }
});

describe('mcp/detect: the client\'s own name, carried beside the kind', () => {
  /** A process id no process has: only the client name counts. */
  const noProcess = 0x3fffffff;

  it('keeps clientInfo.name for a client of no known kind (the MCP Inspector), and for known kinds too', () => {
    assert.deepEqual(identifyAgent('mcp-inspector', noProcess), { kind: 'unknown', name: 'mcp-inspector', client: 'mcp-inspector' });
    assert.deepEqual(identifyAgent('mcp-inspector', noProcess, 'tab-1'), { kind: 'unknown', name: 'tab-1', client: 'mcp-inspector' });
    assert.deepEqual(identifyAgent('claude-code', noProcess), { kind: 'claude-code', name: 'claude-code', client: 'claude-code' });
    assert.equal(identifyAgent(undefined, noProcess).client, null);
    assert.equal(identifyAgent('   ', noProcess).client, null);
  });

  it('makes any clientInfo.name fit to show: escapes shown, line kept short', () => {
    assert.equal(identifyAgent('evil\x1b[2K\u202Eclient', noProcess).client, 'evil␛[2K\\u202eclient');
    const long = identifyAgent('x'.repeat(500), noProcess).client ?? '';
    assert.equal(long.length, 64);
    assert.ok(long.endsWith('…'));
  });

  it('escapes characters that draw nothing in clientInfo.name, so the broker takes the name it is given', () => {
    for (const [given, shown] of [['My\u3164Agent', 'My\\u3164Agent'], ['co\u034Fdex', 'co\\u034fdex'], ['x\uFE01y', 'x\\ufe01y']]) {
      const { client } = identifyAgent(given, noProcess);
      assert.equal(client, shown);
      assert.equal(hasHiddenCharacters(client ?? ''), false, `${shown} passes the broker's check`);
    }
  });
});
