/**
 * Read-only Markdown documents (`peermesh-debate:/debate-<id>.md`) that show a debate round by
 * round: each participant's position, constraints, alternatives and proposals, and the ruling.
 */
import * as vscode from 'vscode';
import type { Debate } from '../../protocol/coordination';
import { debateScheme } from '../ids';
import { MarkdownDocuments } from '../markdownDocuments';
import { debateMarkdown } from './debateText';

export class DebateDocuments extends MarkdownDocuments {
  /** The debates written, by id: those still open in an editor follow the debate. */
  private readonly written = new Map<number, vscode.Uri>();

  constructor() {
    super(debateScheme, '# This debate is no longer shown\n\nOpen it again from the Debates view.\n');
  }

  /** The debate as a document (an open one shows the new text at once): its URI. */
  write(debate: Debate): vscode.Uri {
    const uri = this.put(`/debate-${debate.id}.md`, debateMarkdown(debate));
    this.written.set(debate.id, uri);
    return uri;
  }

  /** Rewrites the debate documents still open from `fetch` (the debates moved on: a turn, an escalation, a ruling). */
  async follow(fetch: (id: number) => Promise<Debate>): Promise<void> {
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const [id, uri] of this.written) {
      if (open.has(uri.toString())) this.write(await fetch(id));
      else this.written.delete(id);
    }
  }
}
