/**
 * The shared plan of the window's project, as the Plan view, the plan actions and the tests
 * read it: the plan (phases, tasks, contracts) and its pending proposals. The project is the
 * window's workspace folder (the broker widens it to its git root).
 *
 * It is fetched whole (`plan/get`) as {@link FetchedModel} says: when the window joins, and
 * shortly after a burst of `plan` events of its project.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { MeshEvent } from '../../protocol/entities';
import type { PlanView, Proposal, Task } from '../../protocol/plan';
import { contextKeys } from '../ids';
import { FetchedModel } from './fetchedModel';
import type { MeshConnection } from './meshConnection';

/** A pending proposal as `plan/get` lists it: without its plan. */
export type ProposalSummary = Omit<Proposal, 'plan'>;

/**
 * What the window knows of its project's plan: nothing yet (`unknown`, before the first answer
 * or while out of the mesh), that the window has no folder to plan for, that the project has
 * no plan, or the plan.
 */
export type PlanState = 'unknown' | 'noFolder' | 'none' | 'loaded';

export class PlanModel extends FetchedModel {
  private currentPlan: PlanView | null = null;
  private currentProposals: readonly ProposalSummary[] = [];
  private currentState: PlanState = 'unknown';

  constructor(mesh: MeshConnection, log: Logger) {
    super(mesh, log, 'plan');
  }

  get plan(): PlanView | null {
    return this.currentPlan;
  }

  get proposals(): readonly ProposalSummary[] {
    return this.currentProposals;
  }

  get state(): PlanState {
    return this.currentState;
  }

  /** The project folder the window's plan requests name: its workspace folder, once joined. */
  get project(): string | undefined {
    return this.mesh.client?.peer.workspace ?? undefined;
  }

  /** Every task of the plan, in plan order. */
  tasks(): Task[] {
    return this.currentPlan?.phases.flatMap((phase) => phase.tasks) ?? [];
  }

  task(id: string): Task | undefined {
    return this.tasks().find((task) => task.id === id);
  }

  /** Another project's plan event changes nothing here (any event may, until this project has a plan). */
  protected override concerns(event: MeshEvent): boolean {
    const project = (event.data as { project?: unknown }).project;
    return !this.currentPlan || typeof project !== 'string' || project === this.currentPlan.project;
  }

  protected forget(): void {
    this.set('unknown', null, []);
  }

  protected async fetch(): Promise<void> {
    const client = this.mesh.client;
    if (!client || this.isDisposed) return;
    const project = client.peer.workspace;
    if (project === null) {
      this.set('noFolder', null, []);
      return;
    }
    try {
      // Background: the window redrawing a view is not the person working.
      const { plan, proposals } = await client.request('plan/get', { project }, { background: true });
      if (client === this.mesh.client) this.set(plan ? 'loaded' : 'none', plan, proposals);
    } catch (error) {
      this.log.warn(`[plan] reading the plan of ${project} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private set(state: PlanState, plan: PlanView | null, proposals: readonly ProposalSummary[]): void {
    this.currentState = state;
    this.currentPlan = plan;
    this.currentProposals = proposals;
    void vscode.commands.executeCommand('setContext', contextKeys.planState, state === 'unknown' ? undefined : state);
    this.changeEmitter.fire();
  }
}
