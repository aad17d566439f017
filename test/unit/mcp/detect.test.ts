import assert from 'node:assert/strict';
import { kindFromText } from '../../../src/mcp/detect';

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
