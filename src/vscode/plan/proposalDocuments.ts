/**
 * Read-only Markdown documents (`peermesh-proposal:/proposal-<id>.md`) that show what accepting
 * a proposal would change; reviewing it again shows the latest text at the same URI.
 */
import type * as vscode from 'vscode';
import type { PlanView, Proposal } from '../../protocol/plan';
import { proposalScheme } from '../ids';
import { MarkdownDocuments } from '../markdownDocuments';
import { proposalMarkdown } from './planText';

export class ProposalDocuments extends MarkdownDocuments {
  constructor() {
    super(proposalScheme, '# This proposal is no longer shown\n\nReview it again from the Plan view.\n');
  }

  /** The proposal's changes as a document: its URI (the document text is in {@link text}). */
  write(proposal: Proposal, current: PlanView | null): vscode.Uri {
    return this.put(`/proposal-${proposal.id}.md`, proposalMarkdown(proposal, current));
  }
}
