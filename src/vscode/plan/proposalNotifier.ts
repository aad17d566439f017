/**
 * Tells the person when another peer proposes a change to the window's project plan: a
 * `plan_proposed` event becomes "<peer> proposes a change to the plan "<title>": N changes"
 * with Review (the Plan view's Review Proposal… for it) and Later. Without it a proposal only
 * shows as a row of the Plan view, and agents wait on a decision nobody knows is asked for.
 *
 * Left out: other projects' proposals, the window's own (Plan From Description… opens their
 * review itself), proposals no longer pending when the event is read (an event seen again after
 * a reconnect, or one decided at once), and a proposal already shown. The `notifications`
 * setting's "none" silences these too: the proposals wait in the Plan view.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { plural } from '../../core/plural';
import type { MeshEvent, MeshEventOf } from '../../protocol/entities';
import type { Proposal } from '../../protocol/plan';
import type { Prompts } from '../actions/prompts';
import type { Config } from '../config';
import { Disposable } from '../dispose';
import { commandIds } from '../ids';
import type { MeshConnection } from '../mesh/meshConnection';
import type { PlanModel } from '../mesh/planModel';
import { inert } from '../messageText';

/** The buttons of a proposal's notification. */
export const proposalButtons = { review: 'Review', later: 'Later' } as const;

/** What the notification of `proposal` says, `title` being the plan it would change. */
export function proposalNotificationText(proposal: Pick<Proposal, 'authorName' | 'changes'>, title: string): string {
  return inert(`PeerMesh: ${proposal.authorName} proposes a change to the plan "${title}": ${plural(proposal.changes.length, 'change')}.`);
}

export class ProposalNotifier extends Disposable {
  /**
   * Proposals shown, as `id@createdAt`: ids start again at 1 in a mesh whose store was lost,
   * and a new proposal 1 must not pass for the old one.
   */
  private readonly shown = new Set<string>();
  /** Proposals being looked up, so one event read twice in quick succession is looked up once. */
  private readonly looking = new Set<number>();

  constructor(
    private readonly mesh: MeshConnection,
    private readonly plan: PlanModel,
    private readonly config: Config,
    private readonly prompts: Prompts,
    private readonly log: Logger,
  ) {
    super();
    mesh.onDidReceiveEvent(this.onEvent, this, this.subscriptions);
  }

  private onEvent(event: MeshEvent): void {
    if (event.type !== 'plan_proposed') return;
    const client = this.mesh.client;
    // The window's own proposal: Plan From Description… is reviewing it already.
    if (!client || event.peer === client.peer.id || this.looking.has(event.data.proposal)) return;
    this.looking.add(event.data.proposal);
    this.consider(event).then(undefined, (error: unknown) => {
      this.log.warn(`[plan] telling the person of proposal ${event.data.proposal} failed: ${error instanceof Error ? error.message : String(error)}`);
    }).finally(() => this.looking.delete(event.data.proposal));
  }

  private async consider(event: MeshEventOf<'plan_proposed'>): Promise<void> {
    const { project, proposal: id } = event.data;
    if (!(await this.isWindowProject(project))) return;
    const client = this.mesh.client;
    if (!client || this.isDisposed) return;
    // Background: the window telling the person is not the person working.
    const { proposal } = await client.request('plan/proposal', { id }, { background: true });
    const key = `${proposal.id}@${proposal.createdAt}`;
    if (proposal.status !== 'pending' || proposal.author === client.peer.id || this.shown.has(key) || this.isDisposed) return;
    this.shown.add(key);
    if (this.config.get('notifications') === 'none') {
      this.log.debug(`[plan] proposal ${id} not shown as a notification (peermesh.notifications is "none")`);
      return;
    }
    this.log.info(`[plan] ${proposal.authorName} proposes a change to the plan of ${project}: proposal ${id}`);
    const title = this.plan.plan?.project === project ? this.plan.plan.title : proposal.plan.title;
    const choice = await this.prompts.notify('info', proposalNotificationText(proposal, title), {}, proposalButtons.review, proposalButtons.later);
    // Through the command, so a failure (decided meanwhile, out of the mesh) is reported like any command's.
    if (choice === proposalButtons.review) await vscode.commands.executeCommand(commandIds.reviewProposal, proposal.id);
  }

  /**
   * Whether `project` (a root the broker widened to) is the window's: the plan model's project
   * once it has the plan; read now when it has not yet (a proposal means the project has a plan).
   */
  private async isWindowProject(project: string): Promise<boolean> {
    if (this.plan.state !== 'loaded') await this.plan.refresh();
    return this.plan.plan?.project === project;
  }
}
