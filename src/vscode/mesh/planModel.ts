/**
 * The shared plan of the window's project, as the Plan view, the plan actions and the tests
 * read it: the plan (phases, tasks, contracts) and its pending proposals. The project is the
 * window's workspace folder (the broker widens it to its git root).
 *
 * It is fetched whole (`plan/get`) when the window joins, and again shortly after any pushed
 * event of the `plan` topic: claims and moves come in bursts (an agent claiming, then blocking),
 * so a burst costs one fetch. Actions that change the plan call {@link PlanModel.refresh} and
 * await it, so the view shows their effect when they return.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { MeshEvent } from '../../protocol/entities';
import type { PlanView, Proposal, Task } from '../../protocol/plan';
import { eventTopics } from '../../protocol/topics';
import { Disposable } from '../dispose';
import { contextKeys } from '../ids';
import { debounceMs } from '../timing';
import type { MeshConnection } from './meshConnection';

/** A pending proposal as `plan/get` lists it: without its plan. */
export type ProposalSummary = Omit<Proposal, 'plan'>;

/**
 * What the window knows of its project's plan: nothing yet (`unknown`, before the first answer
 * or while out of the mesh), that the window has no folder to plan for, that the project has
 * no plan, or the plan.
 */
export type PlanState = 'unknown' | 'noFolder' | 'none' | 'loaded';

export class PlanModel extends Disposable {
  private currentPlan: PlanView | null = null;
  private currentProposals: readonly ProposalSummary[] = [];
  private currentState: PlanState = 'unknown';
  private timer: NodeJS.Timeout | undefined;
  /** Fetches run one after another, so an older answer never overwrites a newer one. */
  private fetching: Promise<void> = Promise.resolve();

  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  /** The plan, its proposals or the state changed. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly mesh: MeshConnection, private readonly log: Logger) {
    super();
    mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') this.schedule(0);
      if (state.kind === 'closed' || state.kind === 'connecting') this.set('unknown', null, []);
    }, undefined, this.subscriptions);
    mesh.onDidReceiveEvent(this.onEvent, this, this.subscriptions);
    this.register({ dispose: () => clearTimeout(this.timer) });
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

  /** Fetches the plan now (after any fetch under way) and resolves once the model holds it. */
  refresh(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.fetching = this.fetching.then(() => this.fetch());
    return this.fetching;
  }

  private onEvent(event: MeshEvent): void {
    if (!eventTopics[event.type].includes('plan')) return;
    // Another project's plan: nothing here changed (unknown until this project has a plan).
    const project = (event.data as { project?: unknown }).project;
    if (this.currentPlan && typeof project === 'string' && project !== this.currentPlan.project) return;
    this.schedule();
  }

  private schedule(delayMs: number = debounceMs.views): void {
    if (this.timer && delayMs > 0) return; // the burst's fetch is already scheduled
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  private async fetch(): Promise<void> {
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
