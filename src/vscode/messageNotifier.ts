/**
 * Notifications for messages to the person (DESIGN §6): a message another peer sends this
 * window (or broadcasts) shows as "<sender>: <first line>" with Reply and Open, as far as the
 * `notifications` setting allows ("requests": only requests and alerts). The buttons run the
 * Messages view's commands, so a failure is reported like any command's.
 *
 * A burst does not stack up notifications: after one from a sender, that sender's next
 * messages wait out a quiet spell and then show as one, the most pressing of them "(and N
 * more …)". Messages the person has read meanwhile (in the Messages view) are left out.
 */
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { Message } from '../protocol/entities';
import type { Prompts } from './actions/prompts';
import type { Config } from './config';
import { Disposable } from './dispose';
import { commandIds } from './ids';
import type { MeshModel } from './mesh/meshModel';
import { messageKindWord, notificationText } from './messageText';

/** The buttons of a message's notification. */
export const notificationButtons = { reply: 'Reply', open: 'Open' } as const;

/** How long after one notification from a sender its next messages are held and summed up. */
const quietMs = 5000;

interface Sender {
  /** When the last notification of this sender was shown. */
  shownAt: number;
  /** Messages held until the quiet spell ends. */
  held: Message[];
  timer?: NodeJS.Timeout;
}

export class MessageNotifier extends Disposable {
  private readonly senders = new Map<string, Sender>();

  constructor(
    private readonly model: MeshModel,
    private readonly config: Config,
    private readonly prompts: Prompts,
    private readonly log: Logger,
  ) {
    super();
    model.onDidReceiveMessage(this.onMessage, this, this.subscriptions);
    this.register({ dispose: () => { for (const sender of this.senders.values()) clearTimeout(sender.timer); } });
  }

  private onMessage(message: Message): void {
    // Never the body at info level: messages may carry code or secrets.
    this.log.info(`[messages] ${messageKindWord(message.kind)} from ${message.fromName} to the person (#${message.id})`);
    const level = this.config.get('notifications');
    if (level === 'none' || (level === 'requests' && message.kind !== 'request' && message.kind !== 'alert')) {
      this.log.debug(`[messages] #${message.id} not shown as a notification (peermesh.notifications is "${level}")`);
      return;
    }
    const now = Date.now();
    const sender = this.senders.get(message.from) ?? { shownAt: 0, held: [] };
    this.senders.set(message.from, sender);
    if (sender.timer === undefined && now - sender.shownAt >= quietMs) {
      sender.shownAt = now;
      this.show(message, 0);
      return;
    }
    sender.held.push(message);
    sender.timer ??= setTimeout(() => this.release(sender), Math.max(0, sender.shownAt + quietMs - now));
  }

  /** The quiet spell is over: one notification for what was held and is still unread. */
  private release(sender: Sender): void {
    sender.timer = undefined;
    const unread = new Set(this.model.unreadFrom().map((m) => m.id));
    const held = sender.held.splice(0).filter((m) => unread.has(m.id));
    if (held.length === 0 || this.isDisposed) return;
    sender.shownAt = Date.now();
    const pressing = held.find((m) => m.kind === 'alert') ?? held.find((m) => m.kind === 'request') ?? held[held.length - 1];
    this.show(pressing, held.length - 1);
  }

  private show(message: Message, more: number): void {
    const severity = message.kind === 'alert' ? 'warning' : 'info';
    void this.prompts.notify(severity, notificationText(message, more), {}, notificationButtons.reply, notificationButtons.open).then((choice) => {
      if (choice === notificationButtons.reply) return vscode.commands.executeCommand(commandIds.replyToMessage, message);
      if (choice === notificationButtons.open) return vscode.commands.executeCommand(commandIds.openMessage, message);
      return undefined;
    }).then(undefined, (error: unknown) => this.log.warn(`[messages] a notification or its button failed: ${String(error)}`));
  }
}
