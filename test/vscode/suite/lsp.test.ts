/**
 * The lock language server as the window runs it (`peermesh lsp` through vscode-languageclient):
 * an agent (a real MCP client in its own process) claims lines of an open file; the server's
 * diagnostic reaches VS Code's diagnostics on exactly those lines; its code action, run as the
 * window, asks the agent to release them, and the agent reads the request in its own results.
 * The person's typing reaches the broker through the same server (following.test.ts).
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { joinedMesh, waitFor, withAnswers, workspaceFolder } from './helpers';
import { startMcpAgent, type McpAgent } from './mcpAgent';

/** The diagnostics the language server put on `uri`, as VS Code has them. */
function peermeshDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'peermesh');
}

describe('The lock language server in VS Code', function () {
  this.timeout(120_000);
  let agent: McpAgent;
  let file: string;

  before(async () => {
    const api = await joinedMesh();
    await waitFor('the language server to run', async () => {
      await api.lsp.ready;
      return api.lsp.languageClient?.isRunning() ? true : undefined;
    }, 60_000);
    agent = await startMcpAgent('lsp-agent', { client: 'claude-code' });
    file = path.join(workspaceFolder(), 'served.ts');
    writeFileSync(file, `${Array.from({ length: 12 }, (_, i) => `export const s${i + 1} = ${i + 1};`).join('\n')}\n`);
  });

  after(async () => {
    await agent?.unlock({ path: 'served.ts' }).catch(() => 0);
    await agent?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(file, { force: true });
  });

  it('puts an agent\'s claim in VS Code\'s diagnostics, and its code action asks the agent to release it', async () => {
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const { id: lockId } = await agent.lock({ path: 'served.ts', startLine: 4, endLine: 7, reason: 'renaming the constants' });

    const [held] = await waitFor('the claim among VS Code\'s diagnostics', () => {
      const found = peermeshDiagnostics(uri);
      return found.length > 0 ? found : undefined;
    }, 30_000);
    assert.deepEqual([held.range.start.line + 1, held.range.end.line + 1], [4, 7]);
    assert.equal(held.severity, vscode.DiagnosticSeverity.Information);
    assert.match(held.message, /served\.ts:4-7 held by lsp-agent: renaming the constants · \d+m left/);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(5, 0, 5, 0));
    const ask = actions.find((a) => a.title === 'Ask lsp-agent to release served.ts:4-7');
    assert.ok(ask?.command, `no Request release among ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(actions.some((a) => a.title.startsWith('Wait for served.ts:4-7')));

    // Run as the window: the person says why, and the agent reads it in its next result.
    await withAnswers({ input: () => 'the person fixes s5' }, async (asked) => {
      await vscode.commands.executeCommand(ask.command!.command, ...(ask.command!.arguments ?? []));
      assert.deepEqual(asked.map((a) => a.kind), ['input']);
    });
    await waitFor('the agent to read the request', async () => {
      const text = await agent.text('mesh_whoami', {});
      return text.includes(`for your claim #${lockId} on served.ts:4-7: "the person fixes s5"`) ? text : undefined;
    }, 20_000);

    await agent.unlock(lockId);
    await waitFor('the diagnostic to clear', () => (peermeshDiagnostics(uri).length === 0 ? true : undefined), 30_000);
  });
});
