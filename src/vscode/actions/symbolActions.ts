/**
 * Lock Symbol at Cursor: claims the symbol the cursor is in, by name, so the claim follows the
 * symbol through edits (the broker re-resolves it). The symbol is found with the editor's own
 * document symbols; the broker resolves the name with its parser, and in a language it has no
 * grammar for (or a name its parser does not give the symbol) the claim falls back to the
 * symbol's lines.
 */
import * as vscode from 'vscode';
import type { Lock } from '../../protocol/entities';
import { BrokerError } from '../../protocol/errors';
import { realPathOf } from '../decorations/lockedPaths';
import { symbolAt, type OutlineSymbol } from '../symbolAtCursor';
import { acquire, askReason, linesToClaim } from './lockActions';
import type { ActionContext } from './context';

export async function lockSymbolAtCursor(ctx: ActionContext): Promise<Lock | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new Error('open a file and put the cursor in the symbol to lock');
  if (editor.document.uri.scheme !== 'file') throw new Error('only files on disk can be locked');
  const symbols = await vscode.commands.executeCommand<Array<vscode.DocumentSymbol | vscode.SymbolInformation> | undefined>(
    'vscode.executeDocumentSymbolProvider', editor.document.uri);
  // Providers that give flat SymbolInformation have no nesting to name a symbol by.
  const outline = (symbols ?? []).filter((s): s is vscode.DocumentSymbol => 'children' in s) as OutlineSymbol[];
  const found = symbolAt(outline, editor.selection.active.line);
  if (!found) throw new Error(outline.length === 0 ? 'this editor offers no symbols for the file: use Lock Selection' : 'the cursor is in no symbol: use Lock Selection or Lock File');
  const path = realPathOf(editor.document.uri.fsPath);
  const reason = await askReason(ctx, `${vscode.workspace.asRelativePath(path)}#${found.name}`);
  try {
    return await acquire(ctx, { path, symbol: found.name }, reason);
  } catch (e) {
    if (!BrokerError.is(e, 'invalidInput') && !BrokerError.is(e, 'notFound')) throw e;
    ctx.log.info(`[locks] ${found.name} cannot be claimed by name (${e.message}); claiming its lines`);
    return acquire(ctx, { path, ...await linesToClaim(ctx, editor.document, path, found) }, reason);
  }
}
