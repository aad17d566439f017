/**
 * Lock Symbol at Cursor: the editor's document symbols name the symbol the cursor is in; the
 * broker (the packaged one, with its tree-sitter files) resolves the name, and an agent sees the
 * claim by name. In a file the broker has no grammar for, the claim falls back to the symbol's
 * lines. The document symbols come from a provider registered here, so the test does not hang
 * on a language server.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Lock } from '../../../src/protocol/entities';
import { joinedMesh, waitFor, withAnswers, workspaceFolder } from './helpers';
import { startMcpAgent, type McpAgent } from './mcpAgent';

/** A document symbol on 0-based lines `start`..`end`. */
function symbol(name: string, start: number, end: number, children: vscode.DocumentSymbol[] = []): vscode.DocumentSymbol {
  const range = new vscode.Range(start, 0, end, 1);
  const s = new vscode.DocumentSymbol(name, '', vscode.SymbolKind.Method, range, range);
  s.children = children;
  return s;
}

async function cursorAt(file: string, line: number): Promise<void> {
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
  editor.selection = new vscode.Selection(line - 1, 2, line - 1, 2);
}

describe('Lock Symbol at Cursor', () => {
  let agent: McpAgent;
  let ts: string;
  let notes: string;
  const providers: vscode.Disposable[] = [];

  before(async function () {
    this.timeout(120_000);
    await joinedMesh();
    agent = await startMcpAgent('symbol-agent');
    ts = path.join(workspaceFolder(), 'symbol-auth.ts');
    copyFileSync(path.join(__dirname, '../../../../test/fixtures/symbols/auth.ts'), ts);
    notes = path.join(workspaceFolder(), 'symbol-notes.pmnotes');
    writeFileSync(notes, ['Guide', '  Install', '  npm install', '  Run', '  npm start', ''].join('\n'));
    // AuthService spans lines 16-39 of the fixture, refresh 29-33 (1-based).
    providers.push(vscode.languages.registerDocumentSymbolProvider({ scheme: 'file', pattern: '**/symbol-auth.ts' }, {
      provideDocumentSymbols: () => [symbol('AuthService', 15, 38, [symbol('login', 21, 26), symbol('refresh', 28, 32)])],
    }));
    providers.push(vscode.languages.registerDocumentSymbolProvider({ scheme: 'file', pattern: '**/*.pmnotes' }, {
      provideDocumentSymbols: () => [symbol('Guide', 0, 4, [symbol('Install', 1, 2), symbol('Run', 3, 4)])],
    }));
  });
  after(async () => {
    for (const p of providers) p.dispose();
    await agent?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('claims the method the cursor is in by name; the agent sees it by name', async () => {
    const api = await joinedMesh();
    await cursorAt(ts, 31);
    await withAnswers({ input: () => 'token expiry' }, async (asked) => {
      const lock = await vscode.commands.executeCommand<Lock>('peermesh.lockSymbolAtCursor');
      assert.deepEqual([lock.symbol, lock.startLine, lock.endLine, lock.reason], ['AuthService.refresh', 29, 33, 'token expiry']);
      assert.match(asked[0].text, /^Lock symbol-auth\.ts#AuthService\.refresh$/);
    });
    const held = await agent.call('mesh_lock', { action: 'check', path: 'symbol-auth.ts', symbol: 'AuthService' });
    assert.equal(held.free, false);
    assert.deepEqual(held.locks?.map((l) => l.target), ['symbol-auth.ts#AuthService.refresh (lines 29-33)']);
    assert.equal((await agent.call('mesh_lock', { action: 'check', path: 'symbol-auth.ts', symbol: 'AuthService.login' })).free, true);
    const inModel = await waitFor('the claim in the model', () => api.model.locks.items.find((l) => l.path === ts) ?? undefined);
    assert.equal(inModel.symbol, 'AuthService.refresh');
    await vscode.commands.executeCommand('peermesh.unlockAllMine');
  });

  it('in a file the broker has no grammar for, claims the symbol\'s lines', async () => {
    await cursorAt(notes, 3);
    await withAnswers({ input: () => '' }, async () => {
      const lock = await vscode.commands.executeCommand<Lock>('peermesh.lockSymbolAtCursor');
      assert.deepEqual([lock.symbol, lock.startLine, lock.endLine], [undefined, 2, 3]);
    });
    await vscode.commands.executeCommand('peermesh.unlockAllMine');
  });
});
