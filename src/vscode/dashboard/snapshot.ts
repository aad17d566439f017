/**
 * What the dashboard shows, built from the window's live models (see protocol/webview.ts):
 * peers, and the project plan with what the board flags on each task (another peer's claims on
 * its files, a changed contract its assignee has not acked). Other peers' words are escaped
 * (control, bidi and invisible characters) before they reach the page.
 */
import { printable } from '../../core/printable';
import { patternOverlap, toPattern } from '../../core/task-overlap';
import type { Debate, DebateSummary, Delta } from '../../protocol/coordination';
import type { Lock, Peer, PeerKind } from '../../protocol/entities';
import type { PlanView, Task } from '../../protocol/plan';
import type { DashboardDebate, DashboardDebateDetail, DashboardDelta, DashboardPeer, DashboardPlan, DashboardSnapshot, DashboardTask } from '../../protocol/webview';
import type { ActivityModel } from '../mesh/activityModel';
import type { DebateModel } from '../mesh/debateModel';
import type { DeltaModel } from '../mesh/deltaModel';
import type { MeshModel } from '../mesh/meshModel';
import type { PlanModel } from '../mesh/planModel';

export function dashboardSnapshot(version: string, model: MeshModel, plan: PlanModel, debates: DebateModel, deltas: DeltaModel, activity: ActivityModel): DashboardSnapshot {
  return {
    version, peers: dashboardPeers(model), plan: dashboardPlan(plan.plan, model.peers.items, model.locks.items, deltas.deltas),
    debates: dashboardDebates(debates.debates), deltas: dashboardDeltas(deltas.deltas), activity: activity.items,
  };
}

/** The deltas as the feed shows them (newest first, as the model keeps them). */
export function dashboardDeltas(deltas: readonly Delta[]): DashboardDelta[] {
  return deltas.map((d) => ({
    id: d.id, kind: d.kind, severity: d.severity, summary: printable(d.summary), authorName: printable(d.authorName), createdAt: d.createdAt,
    recipients: d.recipients.map((r) => ({ name: printable(r.peerName), acked: r.ackedAt !== null })),
  }));
}

const debateOrder = { escalated: 0, open: 1, resolved: 2, decided: 2 } as const;

/** The debates, those awaiting the person's ruling first, then open ones, then settled ones (newest first within each). */
export function dashboardDebates(debates: readonly DebateSummary[]): DashboardDebate[] {
  return [...debates].sort((a, b) => debateOrder[a.status] - debateOrder[b.status] || b.updatedAt - a.updatedAt).map(toDashboardDebate);
}

function toDashboardDebate(d: DebateSummary): DashboardDebate {
  const names = new Map(d.participants.map((p) => [p.peer, printable(p.peerName)]));
  return {
    id: d.id, topic: printable(d.topic), status: d.status, round: d.round, maxRounds: d.maxRounds,
    participants: [...names.values()],
    awaiting: d.awaiting.map((id) => names.get(id) ?? id),
    escalation: d.escalation?.reason ?? null,
  };
}

/** A debate whole: its turns grouped by round, in the participants' order, its proposals, its ruling. */
export function dashboardDebateDetail(d: Debate): DashboardDebateDetail {
  const rounds = [...new Set(d.turns.map((t) => t.round))].sort((a, b) => a - b).map((round) => ({
    round,
    turns: d.turns.filter((t) => t.round === round).map((t) => ({
      peerName: printable(t.peerName), position: printable(t.position), constraints: t.constraints.map((c) => printable(c)),
      alternatives: t.alternatives.map((a) => printable(a)), proposal: t.proposal, accepts: t.accepts,
    })),
  }));
  return {
    ...toDashboardDebate(d),
    rounds,
    proposals: d.proposals.map((p) => ({ n: p.n, peerName: printable(p.peerName), round: p.round, text: printable(p.text) })),
    ruling: d.ruling && { text: printable(d.ruling.text), byName: printable(d.ruling.peerName), proposal: d.ruling.proposal },
  };
}

export function dashboardPeers(model: MeshModel): DashboardPeer[] {
  return model.peers.items.map(toDashboardPeer);
}

/** The plan as the board and the roadmap show it; null without one. */
export function dashboardPlan(plan: PlanView | null, peers: readonly Peer[], locks: readonly Lock[], deltas: readonly Delta[]): DashboardPlan | null {
  if (!plan) return null;
  // Blocking deltas routed to a task's assignee because of that task, not acked yet: by task.
  const unacked = new Map<string, number[]>();
  for (const delta of deltas) {
    if (delta.severity !== 'blocking') continue;
    for (const r of delta.recipients) {
      if (r.reason === 'task' && r.ackedAt === null) unacked.set(r.via, [...(unacked.get(r.via) ?? []), delta.id]);
    }
  }
  const kinds = new Map(peers.map((peer) => [peer.id, peer.kind]));
  const status = new Map(plan.phases.flatMap((phase) => phase.tasks.map((task) => [task.id, task.status])));
  const inProject = locks.filter((lock) => toPattern(lock.path, plan.project) !== null);
  return {
    title: printable(plan.title),
    phases: plan.phases.map((phase) => ({
      id: phase.id,
      title: printable(phase.title),
      tasks: phase.tasks.map((task) => toDashboardTask(task, plan.project, kinds, status, inProject, unacked.get(task.id) ?? [])),
    })),
    contracts: plan.contracts.map(({ id, kind, name, version, status: contractStatus }) => ({ id, kind, name: printable(name), version, status: contractStatus })),
  };
}

function toDashboardTask(task: Task, root: string, kinds: Map<string, PeerKind>, status: Map<string, string>, locks: readonly Lock[], unackedDeltas: number[]): DashboardTask {
  const files = task.files.map((file) => toPattern(file, root)).filter((p) => p !== null);
  const overlaps = new Set<string>();
  for (const lock of locks) {
    if (lock.holder === task.assignee) continue;
    const held = toPattern(lock.path, root);
    if (held && files.some((file) => patternOverlap(file, held) !== null)) overlaps.add(printable(lock.holderName));
  }
  return {
    id: task.id,
    phase: task.phase,
    title: printable(task.title),
    status: task.status,
    assignee: task.assignee ? { id: task.assignee, name: printable(task.assigneeName ?? task.assignee), kind: kinds.get(task.assignee) ?? null } : null,
    files: task.files.map((file) => printable(file)),
    dependsOn: task.dependsOn,
    waitingFor: task.dependsOn.filter((id) => status.get(id) !== 'done'),
    contracts: task.contracts,
    note: task.note === null ? null : printable(task.note),
    overlaps: [...overlaps],
    changedContracts: (task.changedContracts ?? []).map((c) => c.contract),
    unackedDeltas,
  };
}

/** Other peers' words as the dashboard shows them: control, bidi and invisible characters escaped. */
function toDashboardPeer({ id, name, kind, client, status, summary }: Peer): DashboardPeer {
  return { id, name: printable(name), kind, ...(kind === 'unknown' && client && { client: printable(client) }), status, summary: printable(summary) };
}
