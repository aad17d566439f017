/**
 * The Messages view: what peers said to the person (this window's peer, directly or by
 * broadcast), newest first, unread ones marked, with the count of unread ones as the view's
 * badge. Behind its filter the person reads the traffic between agents too ("All traffic", or
 * from/to one peer). A row expands to its whole text; clicking one of the person's messages
 * opens it (marks it read); Reply answers in its thread.
 *
 * Newest first rather than by thread: most messages to the person stand alone (a question, an
 * alert, a broadcast), and a reply says what it answers in its tooltip.
 */
import * as vscode from 'vscode';
import { printable } from '../../core/printable';
import type { Message } from '../../protocol/entities';
import { Disposable } from '../dispose';
import { commandIds, viewIds } from '../ids';
import { firstLine, messageKindIconId, messageKindWord, sendings, wrap } from '../messageText';
import type { MeshModel } from '../mesh/meshModel';
import { toMe, type MessageFilter, type MessageTraffic } from '../mesh/traffic';
import { createTree, formatAge, SafeTooltip, type MeshTree, type TreeNode } from './tree';

/** How long the first line in a row's label may be; a longer body expands to its full text. */
const labelLine = 100;
/** Width of the body's lines when a row is expanded, and how many of them it shows. */
const bodyWidth = 120;
const bodyRows = 60;
/** How often the rows' ages are redrawn. */
const redrawEveryMs = 60_000;

/** What a message row shows besides the message. */
export interface MessageFacts {
  /** "alice" for the person's own messages; "alice → bob", "alice → 3 peers" in the traffic. */
  readonly route: string;
  /** Sent to this window's peer: the person may reply to it and mark it read. */
  readonly toSelf: boolean;
  readonly unread: boolean;
  /** The ids of the rows it stands for (several for a broadcast in the traffic). */
  readonly ids: readonly number[];
  /** What the message replies to, in a few words, if the window knows it. */
  readonly inReplyTo?: string;
}

export class MessageNode implements TreeNode {
  constructor(readonly message: Message, readonly facts: MessageFacts, private readonly now = Date.now()) {}

  toTreeItem(): vscode.TreeItem {
    const { message, facts } = this;
    const expandable = firstLine(message.body, labelLine) !== message.body.trim();
    // Labels and descriptions are plain text: other peers' words go in printable.
    const line = printable(firstLine(message.body, labelLine));
    const route = printable(facts.route);
    const label = `${route}: ${line}`;
    const item = new vscode.TreeItem(
      facts.unread ? { label, highlights: [[0, route.length]] } : label,
      expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = messageRowId(message.id);
    const kind = message.kind === 'text' ? '' : messageKindWord(message.kind);
    item.description = [facts.unread ? '● unread' : '', kind, message.broadcast && facts.toSelf ? 'broadcast' : '', formatAge(message.createdAt, this.now)]
      .filter(Boolean).join(' · ');
    item.iconPath = messageIcon(message, facts.unread);
    item.contextValue = facts.toSelf ? (facts.unread ? 'message.unread' : 'message.read') : 'message.other';
    item.accessibilityInformation = { label: `${facts.unread ? 'Unread ' : ''}${messageKindWord(message.kind)} from ${route}, ${formatAge(message.createdAt, this.now)}: ${line}` };
    const tip = new SafeTooltip().bold(facts.route).text(` · ${messageKindWord(message.kind)} · ${formatAge(message.createdAt, this.now)}${facts.unread ? ' · unread' : ''}`);
    if (facts.inReplyTo) tip.paragraph().text(`In reply to: ${facts.inReplyTo}`);
    tip.paragraph().text(message.body.length > 4000 ? `${message.body.slice(0, 4000)}…` : message.body);
    item.tooltip = tip.md;
    if (facts.toSelf) item.command = { command: commandIds.openMessage, title: 'Open Message', arguments: [this] };
    return item;
  }

  getChildren(): TreeNode[] {
    const lines = wrap(this.message.body, bodyWidth);
    const shown = lines.slice(0, bodyRows).map((line, i) => new BodyLineNode(this, i, line));
    if (lines.length > bodyRows) shown.push(new BodyLineNode(this, bodyRows, `… ${lines.length - bodyRows} more lines (hover the message to read them)`));
    return shown;
  }
}

/** One line of an expanded message. */
export class BodyLineNode implements TreeNode {
  constructor(readonly parent: MessageNode, private readonly index: number, private readonly text: string) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(printable(this.text) || ' ', vscode.TreeItemCollapsibleState.None);
    item.id = `${messageRowId(this.parent.message.id)}-line-${this.index}`;
    item.contextValue = 'messageLine';
    return item;
  }
}

/** An unread message shows a blue envelope (an alert: a warning sign); a read one, its kind. */
function messageIcon(message: Message, unread: boolean): vscode.ThemeIcon {
  if (!unread) return new vscode.ThemeIcon(messageKindIconId(message.kind));
  return message.kind === 'alert'
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
    : new vscode.ThemeIcon('mail', new vscode.ThemeColor('charts.blue'));
}

export function messageRowId(id: number): string {
  return `message-${id}`;
}

export class MessagesTree extends Disposable {
  readonly tree: MeshTree;

  constructor(private readonly model: MeshModel, private readonly traffic: MessageTraffic) {
    super();
    this.tree = this.register(createTree(viewIds.messages, {
      roots: () => this.roots(),
      changes: [model.messages.onDidChange, model.peers.onDidChange, traffic.messages.onDidChange, traffic.onDidChangeFilter],
      emptyMessage: () => this.emptyMessage(),
      redrawEveryMs,
    }));
    model.messages.onDidChange(this.showUnread, this, this.subscriptions);
    traffic.onDidChangeFilter(this.showFilter, this, this.subscriptions);
    this.showUnread();
  }

  /**
   * Reveals message `id` (selected, expanded), in the person's own messages if the filter
   * hides it. Resolves to whether it is in the view.
   */
  async reveal(id: number): Promise<boolean> {
    let node = this.find(id);
    if (!node && this.traffic.filter.kind !== 'toMe') {
      await this.traffic.setFilter(toMe);
      node = this.find(id);
    }
    if (!node) return false;
    await this.tree.view.reveal(node, { select: true, focus: true, expand: true });
    return true;
  }

  private find(id: number): MessageNode | undefined {
    return this.roots().find((node) => node.facts.ids.includes(id));
  }

  private roots(): MessageNode[] {
    const self = this.model.selfId;
    const mine = new Map(this.model.messages.items.map((m) => [m.id, m]));
    const now = Date.now();
    if (this.traffic.filter.kind === 'toMe') {
      return [...mine.values()].reverse().map((m) => new MessageNode(m, {
        route: m.fromName, toSelf: true, unread: m.readAt === null, ids: [m.id], inReplyTo: this.about(m),
      }, now));
    }
    const senders = new Map(this.traffic.messages.items.map((m) => [m.from, m.fromName]));
    const nameOf = (id: string): string => (id === self ? 'you' : this.model.peer(id)?.name ?? this.traffic.nameOf(id) ?? senders.get(id) ?? id);
    return sendings(this.traffic.messages.items).reverse().map((rows) => {
      // A row to this window is the person's own: the model knows whether it was read since.
      const own = rows.map((r) => mine.get(r.id) ?? (r.to === self ? r : undefined)).find((m) => m !== undefined);
      const first = own ?? rows[0];
      const to = rows.length === 1 ? nameOf(first.to) : `${rows.length} peers`;
      return new MessageNode(first, {
        route: `${nameOf(first.from)} → ${to}`, toSelf: own !== undefined, unread: own?.readAt === null,
        ids: rows.map((r) => r.id), inReplyTo: this.about(first),
      }, now);
    });
  }

  /** What `message` replies to, if the window has it. */
  private about(message: Message): string | undefined {
    if (message.replyTo === null) return undefined;
    const parent = this.model.messages.items.find((m) => m.id === message.replyTo)
      ?? this.traffic.messages.items.find((m) => m.id === message.replyTo);
    return parent ? `${parent.fromName}: ${firstLine(parent.body, 80)}` : `message #${message.replyTo}`;
  }

  private emptyMessage(): string {
    const { filter, error, isLoading } = this.traffic;
    if (error) return `Could not read the messages between peers: ${error}`;
    if (isLoading) return 'Reading the messages between peers…';
    switch (filter.kind) {
      case 'toMe': return 'No messages to you yet. What agents send this window (or broadcast) appears here.';
      case 'all': return 'No messages between peers yet.';
      case 'peer': return `No messages from or to ${printable(filter.name)}.`;
    }
  }

  private showUnread(): void {
    const unread = this.model.unreadFrom().length;
    this.tree.view.badge = unread > 0 ? { value: unread, tooltip: `${unread} unread message${unread === 1 ? '' : 's'} to you` } : undefined;
  }

  private showFilter(filter: MessageFilter): void {
    this.tree.view.description = describeFilter(filter);
  }
}

/** The view's subtitle for a filter: nothing for the person's own messages. */
export function describeFilter(filter: MessageFilter): string | undefined {
  switch (filter.kind) {
    case 'toMe': return undefined;
    case 'all': return 'all traffic';
    case 'peer': return `from/to ${printable(filter.name)}`;
  }
}
