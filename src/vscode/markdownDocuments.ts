/**
 * Read-only Markdown documents under a URI scheme of their own (a proposal's changes, a
 * debate round by round). A content provider rather than an untitled document: nothing to
 * save, nothing that asks to be saved when the window closes, and the same URI shows the
 * latest text when it is opened again.
 */
import * as vscode from 'vscode';
import { Disposable } from './dispose';

export class MarkdownDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changeEmitter.event;

  /** `missing`: the text of a URI whose document is no longer kept (a window reloaded). */
  constructor(private readonly scheme: string, private readonly missing: string) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(scheme, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? this.missing;
  }

  /** Sets the text of the document at `path` (an open one shows it at once); its URI. */
  protected put(path: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: this.scheme, path });
    this.texts.set(uri.toString(), text);
    this.changeEmitter.fire(uri);
    return uri;
  }

  text(uri: vscode.Uri): string | undefined {
    return this.texts.get(uri.toString());
  }

  /** Shows the document rendered (Markdown preview) beside the active editor; as text if the preview is not there. */
  async show(uri: vscode.Uri): Promise<void> {
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }
  }
}
