/**
 * Read-only Markdown documents (`peermesh-proposal:/proposal-<id>.md`) that show what accepting
 * a proposal would change. A content provider rather than an untitled document: nothing to
 * save, nothing that asks to be saved when the window closes, and the same URI shows the
 * latest text when the proposal is reviewed again.
 */
import * as vscode from 'vscode';
import type { PlanView, Proposal } from '../../protocol/plan';
import { Disposable } from '../dispose';
import { proposalScheme } from '../ids';
import { proposalMarkdown } from './planText';

export class ProposalDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changeEmitter.event;

  constructor() {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(proposalScheme, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '# This proposal is no longer shown\n\nReview it again from the Plan view.\n';
  }

  /** The proposal's changes as a document: its URI (the document text is in {@link text}). */
  write(proposal: Proposal, current: PlanView | null): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: proposalScheme, path: `/proposal-${proposal.id}.md` });
    this.texts.set(uri.toString(), proposalMarkdown(proposal, current));
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
