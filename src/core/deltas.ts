/**
 * Context deltas (protocol/coordination.ts; the rules are the JSDoc of
 * protocol/requests/delta.ts): what an agent found out, pushed to the peers whose work it
 * affects. Each belongs to a project, as the plan does (project.ts).
 *
 * - Routing is decided once, at push time (delta-routes.ts): later claims and edits do not
 *   add recipients. Everyone may read every delta; a peer it was not routed to may ack it too.
 * - A `contract_change` changes the plan: each named contract gets its next version through
 *   the plan's own contract path (plan-contract.ts, `contract_changed` with it), and the tasks
 *   that code against it show it in `changedContracts` until their assignee acks the delta
 *   (plan-store.ts reads that from the recipients).
 * - A `decision` is the broker's alone (a ruling on a debate): agents cannot push one.
 * - Deltas are part of the audit trail: kept for the audit retention, then pruned with their
 *   recipients by the sweep.
 * - An edit that touches a plan contract drafts a contract change for its peer
 *   (contract-drift.ts); confirming the draft pushes it as that peer's `contract_change`,
 *   dismissing drops it. Drafts are kept a day, and dropped when their peer is gone.
 */
import { BrokerError } from '../protocol/errors';
import { coordinationLimits, type Delta, type DeltaAffects, type DeltaDraft } from '../protocol/coordination';
import type { Peer } from '../protocol/entities';
import { deltaRequests } from '../protocol/requests/delta';
import type * as z from 'zod';
import type { DeltaPush, DeltasService, DraftConfirm, MeshCounts, ProjectRef } from './api';
import type { MeshContext, MeshTx } from './context';
import { affectedFiles, routeDelta } from './delta-routes';
import { ackDelta, insertDelta, loadDelta, markShown, pruneDeltas, selectDeltas, type DeltaRow } from './delta-store';
import { checked } from './checked';
import { draftKeepMs, markDraftsShown, pruneDrafts, selectDrafts, settleDraft } from './draft-store';
import { spanText } from './span-text';
import { contractChange } from './plan-contract';
import { loadPlan } from './plan-store';
import type { Peers } from './peers';
import { newsItems } from './coordination-news';
import { printable } from './printable';
import { inProject } from './project';
import type { MeshService } from './service';

/**
 * Most deltas `mine` returns of each kind (blocking, fresh): what one result's news shows, so
 * none is marked shown without being shown; the rest come on a later call.
 */
export const mineLimit = newsItems;

type PushParams = Omit<z.output<typeof deltaRequests['delta/push']['params']>, 'project'>;

/** The kinds an agent may push: all but `decision`. */
const agentKinds = deltaRequests['delta/push'].params.shape.kind.options.filter((k) => k !== 'decision');

/** The context-delta service; see the file's header. Each request is one transaction, its events with it. */
export class Deltas implements DeltasService, MeshService {
  constructor(private readonly ctx: MeshContext, private readonly peers: Peers) {}

  async push(caller: string, project: ProjectRef, delta: DeltaPush): Promise<Delta> {
    const p = checked(deltaRequests['delta/push'].params, { ...delta, project });
    return inProject(this.ctx, this.peers, caller, project, (t, peer, root) => this.pushIn(t, peer, root, p));
  }

  /** Checks, routes and stores a delta by `peer` in the project at `root`; a contract_change bumps its contracts first. */
  private async pushIn(t: MeshTx, peer: Peer, root: string, p: PushParams): Promise<Delta> {
    const affects: DeltaAffects = { contracts: unique(p.affects.contracts), files: unique(p.affects.files), tasks: unique(p.affects.tasks) };
    checkKind(p.kind, p.spec, affects);
    const now = this.ctx.clock.now();
    const plan = await loadPlan(t.db, root);
    if (!plan && p.kind === 'contract_change') {
      throw new BrokerError('invalidInput', `${root} has no plan, so no contracts to change: a contract_change is about a contract of the project's plan`);
    }
    const tasks = plan?.phases.flatMap((ph) => ph.tasks) ?? [];
    const contracts = (plan?.contracts ?? []).filter((c) => affects.contracts.includes(c.id));
    checkNamed(root, plan !== undefined, affects, contracts.map((c) => c.id), tasks.map((task) => task.id));
    const { patterns, outside } = affectedFiles(root, affects.files, p.kind === 'contract_change' ? contracts : []);
    if (outside.length > 0) throw new BrokerError('invalidInput', `files are relative to the project ${root}; ${outside.map(printable).join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside it`);
    const versions: Record<string, number> = {};
    for (const c of p.kind === 'contract_change' ? contracts : []) {
      versions[c.id] = (await contractChange(t, peer, root, { id: c.id, spec: p.spec }, now, { newVersion: true })).version;
    }
    const routes = await routeDelta(t.db, peer.id, { root, affects, files: patterns, tasks }, now);
    return insertDelta(t, peer, {
      project: root, kind: p.kind, severity: p.severity, summary: p.summary, detail: p.detail, affects, contractVersions: versions, debate: null,
    }, routes, now);
  }

  async list(caller: string, project: ProjectRef, filter: { since?: number; blocking?: boolean; mine?: boolean; limit?: number }): Promise<{ deltas: Delta[]; more: boolean; drafts: DeltaDraft[] }> {
    const f = checked(deltaRequests['delta/list'].params, { ...filter, project });
    return inProject(this.ctx, this.peers, caller, project, async (t, peer, root) => {
      const rows = await selectDeltas(t.db,
        `d.project = ? AND d.id > ? AND (? = 0 OR d.severity = 'blocking')
         AND (? = 0 OR d.id IN (SELECT delta FROM delta_recipients WHERE peer = ?))`,
        [root, f.since, f.blocking ? 1 : 0, f.mine ? 1 : 0, peer.id], f.limit + 1);
      const drafts = await selectDrafts(t.db, "peer = ? AND project = ? AND status = 'draft'", [peer.id, root]);
      return { deltas: rows.slice(0, f.limit), more: rows.length > f.limit, drafts };
    });
  }

  async get(caller: string, id: number): Promise<Delta> {
    const p = checked(deltaRequests['delta/get'].params, { id });
    return this.ctx.tx(async (t) => {
      await this.peers.requireLiveIn(t, caller);
      const delta = await loadDelta(t.db, p.id);
      if (!delta) throw new BrokerError('notFound', `no delta ${p.id}`);
      return delta;
    });
  }

  async ack(caller: string, ids: readonly number[]): Promise<number[]> {
    const wanted = unique(checked(deltaRequests['delta/ack'].params, { ids }).ids);
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      const rows = await t.db.all<Pick<DeltaRow, 'id' | 'project' | 'severity' | 'author'>>(
        'SELECT id, project, severity, author FROM deltas WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(wanted)],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const missing = wanted.filter((id) => !byId.has(id));
      if (missing.length > 0) throw new BrokerError('notFound', `no delta ${missing.join(', ')}; nothing was acked`, { deltas: missing });
      const now = this.ctx.clock.now();
      const acked: number[] = [];
      for (const id of wanted) {
        const row = byId.get(id)!;
        if (row.author !== peer.id && (await ackDelta(t, peer, row, now))) acked.push(id);
      }
      return acked;
    });
  }

  async mine(caller: string, seen: boolean): Promise<{ blocking: Delta[]; fresh: Delta[]; drafts: DeltaDraft[] }> {
    const p = checked(deltaRequests['delta/mine'].params, { seen });
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, caller);
      const open = 'd.id IN (SELECT delta FROM delta_recipients WHERE peer = ? AND acked_at IS NULL';
      const blocking = await selectDeltas(t.db, `d.severity = 'blocking' AND ${open})`, [peer.id], mineLimit);
      const fresh = await selectDeltas(t.db, `d.severity != 'blocking' AND ${open} AND shown_at IS NULL)`, [peer.id], mineLimit);
      const drafts = await selectDrafts(t.db, "peer = ? AND status = 'draft' AND shown_at IS NULL", [peer.id], mineLimit);
      if (p.seen) {
        await markShown(t.db, peer.id, [...blocking, ...fresh].map((d) => d.id), this.ctx.clock.now());
        await markDraftsShown(t.db, drafts.map((d) => d.id), this.ctx.clock.now());
      }
      return { blocking, fresh, drafts };
    });
  }

  async confirm(caller: string, draft: DraftConfirm): Promise<Delta> {
    const p = checked(deltaRequests['delta/confirm'].params, draft);
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      const [d] = await this.ownDrafts(t, peer, [p.id]);
      if (d.status !== 'draft') throw new BrokerError('invalidInput', `draft #${d.id} was ${d.status} already${d.delta !== null ? ` (delta #${d.delta})` : ''}`);
      const where = `${d.file}${d.symbolLines ? `:${spanText(d.symbolLines)}` : ''}`;
      const summary = p.summary ?? clipTo(`${d.contractName} changed: ${d.symbol ?? 'its file'} edited (${where})`, coordinationLimits.summary);
      const delta = await this.pushIn(t, peer, d.project, {
        kind: 'contract_change', severity: p.severity, summary, detail: p.detail, spec: p.spec, affects: { contracts: [d.contract], files: [], tasks: [] },
      });
      await settleDraft(t.db, d.id, 'confirmed', delta.id, this.ctx.clock.now());
      return delta;
    });
  }

  async dismiss(caller: string, ids: readonly number[]): Promise<number[]> {
    const wanted = unique(checked(deltaRequests['delta/dismiss'].params, { ids }).ids);
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      const dismissed: number[] = [];
      for (const d of await this.ownDrafts(t, peer, wanted)) {
        if (d.status !== 'draft') continue;
        await settleDraft(t.db, d.id, 'dismissed', null, this.ctx.clock.now());
        dismissed.push(d.id);
      }
      return dismissed;
    });
  }

  /** The caller's drafts `ids`, in that order; `notFound` naming those that are not its own. */
  private async ownDrafts(t: MeshTx, peer: Peer, ids: readonly number[]): Promise<DeltaDraft[]> {
    const found = await selectDrafts(t.db, 'peer = ? AND id IN (SELECT value FROM json_each(?))', [peer.id, JSON.stringify(ids)]);
    const missing = ids.filter((id) => !found.some((d) => d.id === id));
    if (missing.length > 0) throw new BrokerError('notFound', `${peer.name} has no draft ${missing.map((id) => `#${id}`).join(', ')}; nothing was changed`, { drafts: missing });
    return ids.map((id) => found.find((d) => d.id === id)!);
  }

  async counts(): Promise<Partial<MeshCounts>> {
    return {};
  }

  /** Prunes deltas older than the audit retention, with their recipients; drafts after a day, or when their peer is gone. */
  async sweep(t: MeshTx, now: number): Promise<{ deltas: number; drafts: number }> {
    return { deltas: await pruneDeltas(t.db, now - this.ctx.settings.retention.auditMs), drafts: await pruneDrafts(t.db, now - draftKeepMs) };
  }
}

/** What a kind of delta needs, checked before anything is read: `invalidInput` in the caller's terms. */
function checkKind(kind: Delta['kind'], spec: string | undefined, affects: DeltaAffects): void {
  if (kind === 'decision') {
    throw new BrokerError('invalidInput',
      `a decision is the person's ruling on a debate, and only PeerMesh pushes one; push what you found as ${agentKinds.join(', ')}`);
  }
  if (kind !== 'contract_change') {
    if (spec !== undefined) throw new BrokerError('invalidInput', `spec is a contract_change's new spec for its contract; a ${kind} has none`);
    return;
  }
  if (affects.contracts.length === 0) throw new BrokerError('invalidInput', 'a contract_change names the contracts of the plan that changed (affects.contracts)');
  if (spec !== undefined && affects.contracts.length > 1) {
    throw new BrokerError('invalidInput', `spec is one contract's new spec, but this change names ${affects.contracts.length}: push one change per contract to give each its spec`);
  }
}

/** `notFound` naming every contract and task the delta names that the project's plan (if any) does not have. */
function checkNamed(root: string, hasPlan: boolean, affects: DeltaAffects, contracts: readonly string[], tasks: readonly string[]): void {
  const missing = { contracts: affects.contracts.filter((c) => !contracts.includes(c)), tasks: affects.tasks.filter((id) => !tasks.includes(id)) };
  const named = [
    ...(missing.contracts.length > 0 ? [`contract ${missing.contracts.join(', ')}`] : []),
    ...(missing.tasks.length > 0 ? [`task ${missing.tasks.join(', ')}`] : []),
  ];
  if (named.length === 0) return;
  const where = hasPlan ? `the plan of ${root} has no ${named.join(' and no ')}` : `${root} has no plan, so no ${named.join(' or ')}`;
  throw new BrokerError('notFound', `${where}; nothing was pushed`, { missing });
}

function clipTo(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
