/**
 * Read-only Markdown documents (`peermesh-debate:/debate-<id>.md`) that show a debate round by
 * round: each participant's position, constraints, alternatives and proposals, and the ruling.
 */
import type * as vscode from 'vscode';
import type { Debate } from '../../protocol/coordination';
import { debateScheme } from '../ids';
import { MarkdownDocuments } from '../markdownDocuments';
import { debateMarkdown } from './debateText';

export class DebateDocuments extends MarkdownDocuments {
  constructor() {
    super(debateScheme, '# This debate is no longer shown\n\nOpen it again from the Debates view.\n');
  }

  /** The debate as a document (an open one shows the new text at once): its URI. */
  write(debate: Debate): vscode.Uri {
    return this.put(`/debate-${debate.id}.md`, debateMarkdown(debate));
  }
}
