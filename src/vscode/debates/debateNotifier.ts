/**
 * Tells the person when a debate of the window's project escalates: the agents could not
 * agree (after the last round, on the idle timeout, or one asked), and they wait for a
 * ruling. A `debate_changed` event to `escalated` becomes a warning with Open, Decide… and
 * Later. Without it the debate only shows as a highlighted row of the Debates view.
 *
 * Left out: other projects' debates, a debate no longer escalated when the event is read (one
 * decided at once, an event seen again after a reconnect), and one already shown. The
 * `notifications` setting's "none" silences these too: the view's badge still counts them.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { MeshEvent } from '../../protocol/entities';
import type { Prompts } from '../actions/prompts';
import type { Config } from '../config';
import { Disposable } from '../dispose';
import { commandIds } from '../ids';
import type { DebateModel } from '../mesh/debateModel';
import type { MeshConnection } from '../mesh/meshConnection';
import { inert } from '../messageText';
import { escalationNotificationText } from './debateText';

/** The buttons of an escalation's notification. */
export const escalationButtons = { open: 'Open', decide: 'Decide…', later: 'Later' } as const;

export class DebateNotifier extends Disposable {
  /** Escalations shown, as `id@createdAt` (ids start again at 1 in a mesh whose store was lost). */
  private readonly shown = new Set<string>();

  constructor(
    mesh: MeshConnection,
    private readonly debates: DebateModel,
    private readonly config: Config,
    private readonly prompts: Prompts,
    private readonly log: Logger,
  ) {
    super();
    mesh.onDidReceiveEvent(this.onEvent, this, this.subscriptions);
  }

  private onEvent(event: MeshEvent): void {
    if (event.type !== 'debate_changed' || event.data.status !== 'escalated') return;
    this.consider(event.data.debate).then(undefined, (error: unknown) => {
      this.log.warn(`[debates] telling the person of debate ${event.data.debate} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async consider(id: number): Promise<void> {
    // The model lists the window's project only: a debate it does not have is another project's.
    await this.debates.refresh();
    const debate = this.debates.debate(id);
    if (!debate || debate.status !== 'escalated' || this.isDisposed) return;
    const key = `${debate.id}@${debate.createdAt}`;
    if (this.shown.has(key)) return;
    this.shown.add(key);
    if (this.config.get('notifications') === 'none') {
      this.log.debug(`[debates] debate ${id} escalated; not shown as a notification (peermesh.notifications is "none")`);
      return;
    }
    this.log.info(`[debates] debate ${id} escalated (${debate.escalation?.reason ?? '?'}): awaiting the person's ruling`);
    const choice = await this.prompts.notify('warning', inert(escalationNotificationText(debate)), {},
      escalationButtons.open, escalationButtons.decide, escalationButtons.later);
    // Through the commands, so a failure (decided meanwhile, out of the mesh) is reported like any command's.
    if (choice === escalationButtons.open) await vscode.commands.executeCommand(commandIds.openDebate, id);
    if (choice === escalationButtons.decide) await vscode.commands.executeCommand(commandIds.decideDebate, id);
  }
}
