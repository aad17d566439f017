/**
 * The Plan view: the window's project plan as phases and their tasks (an icon per status, the
 * assignee and status beside the title, detail, files, dependencies and contracts on hover),
 * its interface contracts, and the proposals waiting to change it. A task row claims, moves
 * and opens its files; a proposal row opens its review. Without a plan the view shows its
 * welcome content (package.json `viewsWelcome`): make one from a description, or import one.
 */
import * as vscode from 'vscode';
import { plural } from '../../core/plural';
import { printable } from '../../core/printable';
import type { Contract, ContractStatus, Phase, Task, TaskStatus } from '../../protocol/plan';
import { Disposable } from '../dispose';
import { commandIds, viewIds } from '../ids';
import type { PlanModel, ProposalSummary } from '../mesh/planModel';
import { statusLabels } from '../plan/planText';
import { statusOf, waitingOn, type StatusOf } from '../../core/readiness';
import { createTree, formatAge, SafeTooltip, type MeshTree, type TreeNode } from './tree';

const icon = (id: string, color?: string) => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

const taskIcons: Record<TaskStatus, vscode.ThemeIcon> = {
  todo: icon('circle-large-outline'),
  in_progress: icon('play-circle', 'charts.blue'),
  review: icon('eye', 'charts.purple'),
  blocked: icon('error', 'problemsErrorIcon.foreground'),
  done: icon('pass-filled', 'testing.iconPassed'),
};

const contractIcons: Record<ContractStatus, vscode.ThemeIcon> = {
  proposed: icon('question', 'charts.yellow'),
  approved: icon('verified-filled', 'charts.green'),
  superseded: icon('history', 'disabledForeground'),
};

export class TaskNode implements TreeNode {
  constructor(
    readonly task: Task,
    readonly parent: PhaseNode,
    /** Whether this window's peer is its assignee. */
    readonly mine: boolean,
    /** The ids of its dependencies that are not done. */
    readonly waitsFor: readonly string[],
    private readonly contracts: ReadonlyMap<string, Contract>,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const { task } = this;
    const item = new vscode.TreeItem(printable(task.title), vscode.TreeItemCollapsibleState.None);
    item.id = `task-${task.id}`;
    item.iconPath = taskIcons[task.status];
    const who = this.mine ? 'you' : task.assigneeName && printable(task.assigneeName);
    const waiting = task.status === 'todo' && this.waitsFor.length > 0 ? `waits for ${this.waitsFor.join(', ')}` : '';
    item.description = [who, statusLabels[task.status], waiting].filter(Boolean).join(' · ');
    item.contextValue = `task.${task.status}${this.mine ? '.mine' : ''}${task.files.length > 0 ? '.files' : ''}`;
    item.tooltip = this.tooltip(who);
    return item;
  }

  private tooltip(who: string | null): vscode.MarkdownString {
    const { task } = this;
    const tip = new SafeTooltip().bold(task.title).text(` (${task.id}): ${statusLabels[task.status]}`);
    if (who) tip.text(`, ${who}`);
    if (task.note) tip.paragraph().icon(task.status === 'blocked' ? 'error' : 'info').text(task.note);
    if (task.detail) tip.paragraph().text(task.detail);
    if (task.files.length > 0) tip.paragraph().bold('Files:').text(` ${task.files.join(', ')}`);
    if (task.dependsOn.length > 0) {
      const open = new Set(this.waitsFor);
      tip.paragraph().bold('Depends on:').text(` ${task.dependsOn.map((id) => (open.has(id) ? `${id} (not done)` : `${id} (done)`)).join(', ')}`);
    }
    if (task.contracts.length > 0) {
      tip.paragraph().bold('Contracts:').text(` ${task.contracts.map((id) => {
        const c = this.contracts.get(id);
        return c ? `${c.name} (${c.kind}, v${c.version}, ${c.status})` : id;
      }).join(', ')}`);
    }
    if (task.changedContracts?.length) {
      tip.paragraph().icon('warning').bold('Contract changed, not yet acknowledged by its agent:')
        .text(` ${task.changedContracts.map((c) => `${c.contract} v${c.version} (delta ${c.delta})`).join(', ')}`);
    }
    for (const d of task.decisions ?? []) tip.paragraph().icon('law').bold(`Ruling (debate ${d.debate}, ${d.byName}):`).text(` ${d.text}`);
    tip.paragraph().text(`Changed ${formatAge(task.updatedAt)}`);
    return tip.md;
  }
}

export class PhaseNode implements TreeNode {
  private readonly children: TaskNode[];

  constructor(readonly phase: Phase, self: string | undefined, status: StatusOf, contracts: ReadonlyMap<string, Contract>) {
    this.children = phase.tasks.map((task) => new TaskNode(task, this, task.assignee !== null && task.assignee === self, waitingOn(task, status), contracts));
  }

  toTreeItem(): vscode.TreeItem {
    const { phase } = this;
    const item = new vscode.TreeItem(printable(phase.title), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `phase-${phase.id}`;
    const done = phase.tasks.filter((t) => t.status === 'done').length;
    item.description = `${done}/${plural(phase.tasks.length, 'task')} done`;
    item.iconPath = icon(done === phase.tasks.length && done > 0 ? 'pass' : 'milestone');
    item.contextValue = 'phase';
    const tip = new SafeTooltip().bold(phase.title).text(` (${phase.id})`);
    if (phase.detail) tip.paragraph().text(phase.detail);
    item.tooltip = tip.md;
    return item;
  }

  getChildren(): TreeNode[] {
    return this.children;
  }
}

export class ContractNode implements TreeNode {
  constructor(readonly contract: Contract, readonly parent: ContractsNode) {}

  toTreeItem(): vscode.TreeItem {
    const { contract } = this;
    const item = new vscode.TreeItem(printable(contract.name), vscode.TreeItemCollapsibleState.None);
    item.id = `contract-${contract.id}`;
    item.description = `${contract.kind} · v${contract.version} · ${contract.status}`;
    item.iconPath = contractIcons[contract.status];
    item.contextValue = `contract.${contract.status}`;
    const tip = new SafeTooltip().bold(contract.name).text(` (${contract.id}): ${contract.kind}, version ${contract.version}, ${contract.status}`);
    if (contract.file) tip.paragraph().text(contract.symbol ? `${contract.file} → ${contract.symbol}` : contract.file);
    item.tooltip = tip.paragraph().text(contract.spec).md;
    return item;
  }
}

export class ContractsNode implements TreeNode {
  private readonly children: ContractNode[];

  constructor(contracts: readonly Contract[]) {
    this.children = contracts.map((c) => new ContractNode(c, this));
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Contracts', vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'contracts';
    item.description = String(this.children.length);
    item.iconPath = icon('symbol-interface');
    item.contextValue = 'contracts';
    item.tooltip = 'Interface contracts: what tasks code against, so they can run at once';
    return item;
  }

  getChildren(): TreeNode[] {
    return this.children;
  }
}

export class ProposalNode implements TreeNode {
  constructor(readonly proposal: ProposalSummary) {}

  toTreeItem(): vscode.TreeItem {
    const { proposal } = this;
    const item = new vscode.TreeItem(`Proposal ${proposal.id} waits for review`, vscode.TreeItemCollapsibleState.None);
    item.id = `proposal-${proposal.id}`;
    item.description = `${printable(proposal.authorName)} · ${plural(proposal.changes.length, 'change')} · ${formatAge(proposal.createdAt)}`;
    item.iconPath = icon('git-pull-request', 'charts.orange');
    item.contextValue = 'proposal';
    item.tooltip = new SafeTooltip().text(`A new plan from ${proposal.authorName}; nothing changes until it is accepted. Click to review it.`).md;
    item.command = { command: commandIds.reviewProposal, title: 'Review Proposal…', arguments: [this] };
    return item;
  }
}

export class PlanTree extends Disposable {
  readonly tree: MeshTree;

  constructor(private readonly plan: PlanModel, private readonly selfId: () => string | undefined) {
    super();
    this.tree = this.register(createTree(viewIds.plan, {
      roots: () => this.roots(),
      changes: [plan.onDidChange],
      // Without a plan (or a folder) the welcome content says what to do; before the first answer, this.
      emptyMessage: () => (plan.state === 'unknown' ? 'Waiting for the mesh…' : ''),
    }));
    plan.onDidChange(() => {
      const current = plan.plan;
      this.tree.view.description = current ? `${printable(current.title)} · v${current.version}` : undefined;
    }, undefined, this.subscriptions);
  }

  private roots(): TreeNode[] {
    const current = this.plan.plan;
    if (!current) return [];
    const status = statusOf(current.phases.flatMap((p) => p.tasks));
    const contracts = new Map(current.contracts.map((c) => [c.id, c]));
    const self = this.selfId();
    return [
      ...this.plan.proposals.map((p) => new ProposalNode(p)),
      ...current.phases.map((phase) => new PhaseNode(phase, self, status, contracts)),
      ...(current.contracts.length > 0 ? [new ContractsNode(current.contracts)] : []),
    ];
  }
}
