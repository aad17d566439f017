/**
 * The shared plan of each project (protocol/plan.ts; the rules are the JSDoc of
 * protocol/requests/plan.ts). A project is a root folder: the git root of the folder a request
 * names, else that folder, else the caller's own git root or workspace.
 *
 * - A project without a plan takes the first one submitted at once; after that a submission is
 *   a proposal that says what accepting it would change, and nothing changes until it is
 *   accepted (against the plan version it was made for, else it must be submitted again).
 * - Task moves are in plan-tasks.ts, their overlap warnings in task-overlap.ts, the rows in
 *   plan-store.ts, what a proposal changes in plan-diff.ts.
 * - A task whose assignee is gone is freed by the sweep, which the mesh runs at once after a
 *   peer becomes gone ({@link nextExpiry} says "now" while one waits).
 */
import { BrokerError } from '../protocol/errors';
import { PlanInput, planLimits, type Contract, type PlanSource, type PlanView, type Proposal, type Task, type TaskStatus } from '../protocol/plan';
import { planRequests } from '../protocol/requests/plan';
import type { MeshCounts, PlansService, ProjectRef } from './api';
import { checked } from './checked';
import type { MeshContext, MeshTx } from './context';
import { contractChange, type ContractChange } from './plan-contract';
import { changeCounts, planChanges } from './plan-diff';
import { loadPlan, loadTasks, planRow, planSize, storePlan, taskSelect, toProposal, toTask, type ProposalRow, type TaskRow } from './plan-store';
import { goneHolder, heldStatuses, TaskMoves, type Moved, type TaskChange } from './plan-tasks';
import type { Peers } from './peers';
import { inProject } from './project';
import type { MeshService } from './service';
import type { SqlTx } from './sql';

/** Pending proposals one project may have at once: each is listed with the plan. */
export const maxPendingProposals = 20;

/** Most tasks `mine` returns of each kind (held, newly assigned); the rest come on a later call. */
export const mineLimit = 50;

type ProposalSummary = Omit<Proposal, 'plan'>;

/** The plan service; see the file's header. Each request is one transaction, its events with it. */
export class Plans implements PlansService, MeshService {
  private readonly moves: TaskMoves;

  constructor(private readonly ctx: MeshContext, private readonly peers: Peers) {
    this.moves = new TaskMoves(peers, () => ctx.clock.now());
  }

  async get(caller: string, project: ProjectRef): Promise<{ plan: PlanView | null; proposals: ProposalSummary[] }> {
    return inProject(this.ctx, this.peers, caller, project, async (t, _peer, root) => {
      const plan = await loadPlan(t.db, root);
      const rows = await t.db.all<ProposalRow>("SELECT * FROM plan_proposals WHERE project = ? AND status = 'pending' ORDER BY id", [root]);
      return { plan: plan ?? null, proposals: rows.map((r) => summary(this.current(r, plan))) };
    });
  }

  async submit(caller: string, project: ProjectRef, input: PlanInput, source: PlanSource): Promise<{ plan: PlanView | null; proposal: Proposal | null }> {
    const plan = checked(PlanInput, input);
    const how = checked(planRequests['plan/submit'].params.shape.source, source);
    return inProject(this.ctx, this.peers, caller, project, async (t, peer, root) => {
      const now = this.ctx.clock.now();
      const current = await loadPlan(t.db, root);
      if (!current) {
        const plans = (await t.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM plans'))?.n ?? 0;
        if (plans >= planLimits.projects) {
          throw new BrokerError('invalidInput', `this mesh keeps plans for ${planLimits.projects} projects already; ${root} is not one of them: name the folder of an existing project`);
        }
        await storePlan(t.db, root, plan, undefined, peer.id, now);
        const stored = (await loadPlan(t.db, root))!;
        await t.emit('plan_changed', peer.id, {
          project: root, version: stored.version, title: stored.title, proposal: null, added: planSize(plan), removed: 0, changed: 0, byName: peer.name,
        });
        return { plan: stored, proposal: null };
      }
      const pending = (await t.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM plan_proposals WHERE project = ? AND status = 'pending'", [root]))?.n ?? 0;
      if (pending >= maxPendingProposals) {
        throw new BrokerError('invalidInput', `${root} has ${pending} proposals waiting already: accept or reject some before proposing more`);
      }
      const changes = planChanges(current, plan);
      const { lastInsertRowid: id } = await t.db.run(
        `INSERT INTO plan_proposals (project, author, author_name, source, base_version, status, created_at, plan, changes)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
        [root, peer.id, peer.name, how, current.version, now, JSON.stringify(plan), JSON.stringify(changes)],
      );
      await t.emit('plan_proposed', peer.id, { project: root, proposal: id, source: how, changes: changes.length, byName: peer.name });
      return { plan: current, proposal: this.current(await this.requireProposal(t, id), current) };
    });
  }

  async proposal(caller: string, id: number): Promise<Proposal> {
    return this.ctx.tx(async (t) => {
      await this.peers.requireLiveIn(t, caller);
      const row = await this.requireProposal(t, id);
      return this.current(row, await loadPlan(t.db, row.project));
    });
  }

  async accept(caller: string, id: number): Promise<PlanView> {
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      const row = await this.requirePending(t, id);
      const root = row.project;
      const current = await loadPlan(t.db, root);
      if (!current || current.version !== row.base_version) {
        throw new BrokerError('versionMismatch',
          `the plan changed since proposal ${id} was made (version ${row.base_version} → ${current?.version ?? 0}): submit it again to see the changes now`,
          { currentVersion: current?.version ?? 0 });
      }
      const proposal = toProposal(row);
      const changes = planChanges(current, proposal.plan);
      const now = this.ctx.clock.now();
      await storePlan(t.db, root, proposal.plan, current, peer.id, now);
      await t.db.run("UPDATE plan_proposals SET status = 'accepted', changes = ?, decided_at = ? WHERE id = ?", [JSON.stringify(changes), now, id]);
      const others = await t.db.all<{ id: number }>("SELECT id FROM plan_proposals WHERE project = ? AND status = 'pending' ORDER BY id", [root]);
      for (const other of others) {
        await t.db.run("UPDATE plan_proposals SET status = 'superseded', decided_at = ? WHERE id = ?", [now, other.id]);
        await t.emit('plan_rejected', peer.id, { project: root, proposal: other.id, reason: `superseded by proposal ${id}`, superseded: true, byName: peer.name });
      }
      const plan = (await loadPlan(t.db, root))!;
      await t.emit('plan_changed', peer.id, {
        project: root, version: plan.version, title: plan.title, proposal: id, ...changeCounts(changes), byName: peer.name,
      });
      return plan;
    });
  }

  async reject(caller: string, id: number, reason: string): Promise<ProposalSummary> {
    const why = checked(planRequests['plan/reject'].params.shape.reason, reason);
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      const row = await this.requirePending(t, id);
      await t.db.run("UPDATE plan_proposals SET status = 'rejected', decided_at = ? WHERE id = ?", [this.ctx.clock.now(), id]);
      await t.emit('plan_rejected', peer.id, { project: row.project, proposal: id, reason: why, superseded: false, byName: peer.name });
      return summary(toProposal(await this.requireProposal(t, id)));
    });
  }

  async tasks(caller: string, project: ProjectRef, filter: { status?: TaskStatus[]; assignee?: string }): Promise<Task[]> {
    const { status, assignee } = checked(planRequests['plan/tasks'].params, { ...filter, project });
    return inProject(this.ctx, this.peers, caller, project, async (t, _peer, root) => {
      const who = assignee === undefined ? undefined : (await this.peers.findIn(t, assignee))?.id ?? assignee;
      return (await loadTasks(t.db, root))
        .filter((task) => (status === undefined || status.includes(task.status)) && (who === undefined || task.assignee === who));
    });
  }

  async claim(caller: string, project: ProjectRef, task: string, force?: string): Promise<Moved> {
    const p = checked(planRequests['plan/claim'].params, { project, task, force });
    return inProject(this.ctx, this.peers, caller, project, (t, peer, root) => this.moves.claim(t, peer, root, p.task, p.force));
  }

  async update(caller: string, project: ProjectRef, task: string, change: TaskChange): Promise<Moved> {
    const p = checked(planRequests['plan/update'].params, { project, task, ...change });
    return inProject(this.ctx, this.peers, caller, project, (t, peer, root) => this.moves.update(t, peer, root, p.task, p));
  }

  async contract(caller: string, project: ProjectRef, change: ContractChange): Promise<Contract> {
    const p = checked(planRequests['plan/contract'].params, { project, ...change });
    return inProject(this.ctx, this.peers, caller, project, async (t, peer, root) => {
      if (!(await planRow(t.db, root))) throw new BrokerError('notFound', `no plan for ${root}: submit one first`);
      return contractChange(t, peer, root, p, this.ctx.clock.now());
    });
  }

  async mine(caller: string, seen: boolean): Promise<{ held: Array<Task & { project: string }>; assigned: Array<Task & { project: string }> }> {
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, caller);
      // Bounded like every answer: news shows a few lines of these; the rest wait for the next call.
      const list = async (where: string, params: string[] = []) => (await t.db.all<TaskRow>(
        `${taskSelect} WHERE t.assignee = ? AND ${where} ORDER BY t.project, t.position LIMIT ?`, [peer.id, ...params, mineLimit],
      )).map((r) => ({ ...toTask(r), project: r.project }));
      const held = await list('t.status IN (SELECT value FROM json_each(?))', [JSON.stringify(heldStatuses)]);
      const assigned = await list("t.shown = 0 AND t.status != 'done'");
      for (const task of seen ? assigned : []) {
        await t.db.run('UPDATE plan_tasks SET shown = 1 WHERE project = ? AND id = ? AND assignee = ?', [task.project, task.id, peer.id]);
      }
      return { held, assigned };
    });
  }

  async counts(): Promise<Partial<MeshCounts>> {
    return {};
  }

  /** Frees tasks of gone assignees (after the peers' sweep made them gone); prunes old decided proposals. */
  async sweep(t: MeshTx, now: number): Promise<{ released: number; proposals: number }> {
    const released = await this.moves.releaseGone(t);
    const before = now - this.ctx.settings.retention.auditMs;
    const old = await t.db.get("SELECT 1 AS x FROM plan_proposals WHERE status != 'pending' AND decided_at < ? LIMIT 1", [before]);
    const proposals = old ? (await t.db.run("DELETE FROM plan_proposals WHERE status != 'pending' AND decided_at < ?", [before])).changes : 0;
    return { released, proposals };
  }

  /** Now, while a task waits to be freed from a gone assignee; else nothing falls due. */
  async nextExpiry(tx: SqlTx): Promise<number | null> {
    const waiting = await tx.get(`SELECT 1 AS x FROM plan_tasks t LEFT JOIN peers p ON p.id = t.assignee WHERE ${goneHolder} LIMIT 1`);
    return waiting ? this.ctx.clock.now() : null;
  }



  private async requireProposal(t: MeshTx, id: number): Promise<ProposalRow> {
    const row = await t.db.get<ProposalRow>('SELECT * FROM plan_proposals WHERE id = ?', [id]);
    if (!row) throw new BrokerError('notFound', `no proposal ${id}`);
    return row;
  }

  private async requirePending(t: MeshTx, id: number): Promise<ProposalRow> {
    const row = await this.requireProposal(t, id);
    if (row.status !== 'pending') throw new BrokerError('invalidInput', `proposal ${id} is ${row.status}, no longer pending`);
    return row;
  }

  /** A proposal; a pending one with what accepting it would change now (tasks may have moved since). */
  private current(row: ProposalRow, plan: PlanView | undefined): Proposal {
    const proposal = toProposal(row);
    return row.status === 'pending' ? { ...proposal, changes: planChanges(plan, proposal.plan) } : proposal;
  }
}

function summary(p: Proposal): ProposalSummary {
  const { plan: _plan, ...rest } = p;
  return rest;
}
