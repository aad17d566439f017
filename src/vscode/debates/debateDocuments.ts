/**
 * Read-only Markdown documents (`peermesh-debate:/debate-<id>.md`) that show a debate round by
 * round: each participant's position, constraints, alternatives and proposals, and the ruling.
 */
import type * as vscode from 'vscode';
import type { Debate } from '../../protocol/coordination';
import { debateScheme } from '../ids';
import { MarkdownDocuments } from '../markdownDocuments';
import { debateMarkdown } from './debateText';

/** How many of the debates shown lately follow their debate. */
const followed = 5;

export class DebateDocuments extends MarkdownDocuments {
  /**
   * The debates shown lately, by id, oldest first: their documents follow the debate. (A
   * Markdown preview need not keep its document among the open ones, so which are still shown
   * cannot be told; the last few are followed.)
   */
  private readonly written = new Set<number>();

  constructor() {
    super(debateScheme, '# This debate is no longer shown\n\nOpen it again from the Debates view.\n');
  }

  /** The debate as a document (an open one shows the new text at once): its URI. */
  write(debate: Debate): vscode.Uri {
    this.written.delete(debate.id);
    this.written.add(debate.id);
    if (this.written.size > followed) this.written.delete(this.written.values().next().value!);
    return this.put(`/debate-${debate.id}.md`, debateMarkdown(debate));
  }

  /** Rewrites the documents of the debates shown lately from `fetch` (the debates moved on: a turn, an escalation, a ruling). */
  async follow(fetch: (id: number) => Promise<Debate>): Promise<void> {
    for (const id of [...this.written]) this.write(await fetch(id));
  }
}
