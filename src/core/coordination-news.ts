/**
 * The news of deltas, debates, the landing queue and the agent's own claims, in the words a
 * model reads in a tool result's `pending` part and a hook's context:
 * - blocking deltas routed to the agent and not acked: on every result until it acks, before
 *   anything else;
 * - its claims whose code was deleted (`anchorLost`): on every result until it releases or
 *   takes them again, right after the blocking deltas (it may be editing the wrong lines);
 * - debates where it is the agent's turn (once a round), and its debates that were settled or
 *   escalated (once);
 * - other deltas routed to it (once);
 * - contract changes drafted for it because its edit touched a plan contract (once per
 *   touching edit), with the calls that confirm or dismiss each;
 * - the landing tokens it holds (every result, with the time left) or waits for;
 * - release requests for its claims (every result until it answers, with the blocking deltas:
 *   another agent waits on it), and the outcome of its own requests (once).
 * Summaries and topics are other peers' words: JSON-quoted on one line, escaped by `printable`.
 * Imports types only, since the hook entry must load fast.
 */
import type { Debate, DebateSummary, Delta, DeltaDraft, DeltaKind, DeltaSeverity, SyncQueue } from '../protocol/coordination';
import type { Lock } from '../protocol/entities';
import type { LockRequest } from '../protocol/requests/release';
import { ordinal, plural } from './plural';
import { printable } from './printable';
import { spanText } from './span-text';

export interface DeltaNews {
  id: number;
  kind: DeltaKind;
  severity: DeltaSeverity;
  summary: string;
  /** The author's name. */
  from: string;
  /** Its project, when it is not the agent's own. */
  project?: string;
}

export interface DebateNews {
  id: number;
  topic: string;
  status: Debate['status'];
  round: number;
  maxRounds: number;
  /** It awaits the agent's turn (else it is news that the debate was settled or escalated). */
  yourTurn: boolean;
  /** Its agreed proposal or the ruling's decision delta, when settled. */
  agreed?: number;
  decision?: number;
  project?: string;
}

export interface LandingNews {
  branch: string;
  /** 0: the agent holds the token; else its place in the queue. */
  position: number;
  /** While holding: ms left before the token is taken from it. */
  leftMs?: number;
  /** While waiting: who holds it. */
  holder?: string;
  project?: string;
}

/** A claim of the agent's whose code is gone: it keeps its last lines until released or taken again. */
export interface LostClaimNews {
  id: number;
  /** The file relative to its project, and the lines the claim still has. */
  file: string;
  startLine: number | null;
  endLine: number | null;
  project?: string;
}

/** A contract change drafted for the agent: its edit touched the contract's file or symbol. */
export interface DraftNews {
  id: number;
  contract: string;
  /** The contract's symbol, else its name. */
  what: string;
  /** The file edited, and the symbol's lines now when it names one. */
  file: string;
  lines?: string;
  project?: string;
}

/**
 * A release request: one for a claim of the agent's (`from` the requester, awaiting its answer),
 * or one of its own answered or ended (`from` the holder).
 */
export interface LockRequestNews {
  id: number;
  lockId: number;
  /** The file relative to its project, and the lines asked for (or kept, when narrowed). */
  file: string;
  startLine: number | null;
  endLine: number | null;
  from: string;
  reason: string;
  status: LockRequest['status'];
  /** The holder's reason, when it denied. */
  answer?: string;
  kept?: { startLine: number; endLine: number };
}

/** Empty parts are left out. */
export interface CoordinationNews {
  /** Release requests awaiting the agent's answer. */
  requestsToYou?: LockRequestNews[];
  /** The agent's own release requests, answered or ended. */
  requestsAnswered?: LockRequestNews[];
  blocking?: DeltaNews[];
  lostClaims?: LostClaimNews[];
  drafts?: DraftNews[];
  debates?: DebateNews[];
  deltas?: DeltaNews[];
  landing?: LandingNews[];
  /** Items past the caps, not listed. */
  more?: number;
}

/**
 * Items of each kind listed, at most: summaries are short, but a result must stay small. The
 * broker's `delta/mine` and `debate/mine` answer no more than this of each kind, so nothing is
 * marked shown that a result leaves out.
 */
export const newsItems = 5;

/**
 * What `delta/mine`, `debate/mine`, `sync/mine` and `locks/list` of the agent's own claims
 * answer, as news within the caps; undefined when nothing.
 */
export function toCoordinationNews(
  r: {
    deltas?: { blocking: readonly Delta[]; fresh: readonly Delta[]; drafts?: readonly DeltaDraft[] };
    debates?: { yourTurn: readonly DebateSummary[]; changed: readonly DebateSummary[] };
    landing?: readonly SyncQueue[];
    claims?: readonly Lock[];
    requests?: { toYou: readonly LockRequest[]; answered: readonly LockRequest[] };
  },
  self: string,
  ownProject: string | null,
  now: number,
): CoordinationNews | undefined {
  const where = (project: string) => (project !== ownProject ? { project } : {});
  const delta = (d: Delta): DeltaNews => ({ id: d.id, kind: d.kind, severity: d.severity, summary: d.summary, from: d.authorName, ...where(d.project) });
  const debate = (d: DebateSummary, yourTurn: boolean): DebateNews => ({
    id: d.id, topic: d.topic, status: d.status, round: d.round, maxRounds: d.maxRounds, yourTurn,
    ...(d.agreed !== null && { agreed: d.agreed }), ...(d.ruling && { decision: d.ruling.delta }), ...where(d.project),
  });
  const landing = (q: SyncQueue): LandingNews => {
    const holding = q.holder?.peer === self;
    const place = q.waiting.findIndex((w) => w.peer === self) + 1;
    return {
      branch: q.branch, position: holding ? 0 : place,
      ...(holding && q.holder && { leftMs: Math.max(0, q.holder.expiresAt - now) }),
      ...(!holding && q.holder && { holder: q.holder.peerName }),
      ...where(q.project),
    };
  };
  let more = 0;
  const cap = <T>(items: readonly T[]): T[] => {
    more += Math.max(0, items.length - newsItems);
    return items.slice(0, newsItems);
  };
  const news: CoordinationNews = {};
  const blocking = cap(r.deltas?.blocking ?? []).map(delta);
  // A ruling arrives as a blocking decision delta: its debate is not said again beside it.
  const ruledBy = new Set((r.deltas?.blocking ?? []).map((d) => d.id));
  const changed = (r.debates?.changed ?? []).filter((d) => !(d.ruling && ruledBy.has(d.ruling.delta)));
  const debates = [...cap(r.debates?.yourTurn ?? []).map((d) => debate(d, true)), ...cap(changed).map((d) => debate(d, false))];
  const deltas = cap(r.deltas?.fresh ?? []).map(delta);
  const lands = cap(r.landing ?? []).map(landing);
  const lost = cap((r.claims ?? []).filter((l) => l.anchorLost === true && l.holder === self)).map((l): LostClaimNews => ({
    id: l.id, file: l.relPath, startLine: l.startLine, endLine: l.endLine, ...(l.root !== null && where(l.root)),
  }));
  const drafts = cap(r.deltas?.drafts ?? []).map((d): DraftNews => ({
    id: d.id, contract: d.contract, what: d.symbol ?? d.contractName, file: d.file,
    ...(d.symbolLines && { lines: spanText(d.symbolLines) }), ...where(d.project),
  }));
  const request = (r: LockRequest, from: string): LockRequestNews => ({
    id: r.id, lockId: r.lockId, file: r.relPath, startLine: r.startLine, endLine: r.endLine, from, reason: r.reason, status: r.status,
    ...(r.answer !== undefined && { answer: r.answer }), ...(r.kept && { kept: r.kept }),
  });
  const toYou = cap(r.requests?.toYou ?? []).map((q) => request(q, q.requesterName));
  const answered = cap(r.requests?.answered ?? []).map((q) => request(q, q.holderName));
  if (toYou.length > 0) news.requestsToYou = toYou;
  if (answered.length > 0) news.requestsAnswered = answered;
  if (blocking.length > 0) news.blocking = blocking;
  if (lost.length > 0) news.lostClaims = lost;
  if (drafts.length > 0) news.drafts = drafts;
  if (debates.length > 0) news.debates = debates;
  if (deltas.length > 0) news.deltas = deltas;
  if (lands.length > 0) news.landing = lands;
  if (more > 0) news.more = more;
  return Object.keys(news).length > 0 ? news : undefined;
}

const quoted = (text: string) => printable(JSON.stringify(text));
const inProject = (project: string | undefined) => (project ? ` in ${printable(project)}` : '');
const projectArg = (project: string | undefined) => (project ? ` project=${printable(JSON.stringify(project))}` : '');

function deltaLine(d: DeltaNews): string {
  const what = `delta #${d.id} ${d.kind.replace('_', ' ')} from ${printable(d.from)}${inProject(d.project)}: ${quoted(d.summary)}`;
  if (d.severity === 'blocking') return `BLOCKING ${what} → take it into account, then mesh_delta action="ack" ids=[${d.id}]`;
  return d.severity === 'warning' ? `warning: ${what}` : what;
}

function debateLine(d: DebateNews): string {
  const about = `debate #${d.id}${inProject(d.project)} ${quoted(d.topic)}`;
  if (d.yourTurn) return `${about}: your turn (round ${d.round} of ${d.maxRounds}) → mesh_debate action="get" id=${d.id}, then action="respond"`;
  switch (d.status) {
    case 'resolved': return `${about}: agreed on proposal ${d.agreed ?? '?'}`;
    case 'escalated': return `${about}: escalated; the person will rule`;
    case 'decided': return `${about}: the person ruled${d.decision ? ` (decision delta #${d.decision})` : ''}`;
    case 'open': return `${about}: open, round ${d.round} of ${d.maxRounds}`;
  }
}

function landingLine(l: LandingNews): string {
  const branch = `${quoted(l.branch)}${inProject(l.project)}`;
  if (l.position === 0) {
    const minutes = Math.max(1, Math.round((l.leftMs ?? 0) / 60_000));
    return `you hold the landing token for ${branch} (${plural(minutes, 'minute')} left) → rebase, push, then mesh_sync action="release" branch=${quoted(l.branch)}${projectArg(l.project)}`;
  }
  // Counted as acquire's answer counts: the holder is first in line.
  return `landing queue for ${branch}: you are ${ordinal(l.position + 1)} in line${l.holder ? `, ${printable(l.holder)} holds the token` : ''}`;
}

function lostClaimLine(c: LostClaimNews): string {
  const lines = c.startLine === null || c.endLine === null ? '' : `:${spanText({ startLine: c.startLine, endLine: c.endLine })}`;
  return `Your claim #${c.id} on ${printable(c.file)}${lines}${inProject(c.project)} lost its code (its lines are no longer in the file): `
    + `release it (mesh_lock action="release" lockId=${c.id}), or claim the lines you need again.`;
}

function draftLine(d: DraftNews): string {
  const where = `${printable(d.file)}${d.lines ? `:${d.lines}` : ''}${inProject(d.project)}`;
  return `Your edit of ${where} touched contract ${printable(d.contract)} (${quoted(d.what)}): if its interface changed, tell the peers coding against it → `
    + `mesh_delta action="confirm" ids=[${d.id}] summary="<what changed>" (spec="<its new spec>" if it has one); if not → mesh_delta action="dismiss" ids=[${d.id}]`;
}

/** The contract changes drafted for the agent's own edits, a line each with the calls that settle them. */
export function draftLines(news: CoordinationNews | undefined): string[] {
  return (news?.drafts ?? []).map(draftLine);
}

const claimText = (r: LockRequestNews) => `${printable(r.file)}${r.startLine === null || r.endLine === null ? '' : `:${spanText({ startLine: r.startLine, endLine: r.endLine })}`}`;

function requestToYouLine(r: LockRequestNews): string {
  const late = r.status === 'escalated' ? ' (unanswered too long: the person was asked)' : '';
  return `release request #${r.id} from ${printable(r.from)} for your claim #${r.lockId} on ${claimText(r)}: ${quoted(r.reason)}${late} → mesh_lock action="answer" requestId=${r.id} `
    + 'answer="release", or answer="deny" reason="…", or answer="narrow" startLine=… endLine=… (the lines you keep)';
}

function requestAnsweredLine(r: LockRequestNews): string {
  const mine = `your release request #${r.id}: ${printable(r.from)}`;
  switch (r.status) {
    case 'released': return `${mine} released claim #${r.lockId} on ${claimText(r)}`;
    case 'denied': return `${mine} denied it, keeping claim #${r.lockId} on ${claimText(r)}: ${quoted(r.answer ?? '')}`;
    case 'narrowed': return `${mine} narrowed claim #${r.lockId} to lines ${r.kept ? spanText(r.kept) : '?'} of ${printable(r.file)}; the rest is free`;
    default: return `your release request #${r.id} ended: claim #${r.lockId} on ${claimText(r)} is gone (expired, or its holder left)`;
  }
}

/**
 * The lines that go before everything else: blocking deltas awaiting the agent's ack, and
 * release requests awaiting its answer (another agent waits on it).
 */
export function blockingLines(news: CoordinationNews | undefined): string[] {
  return [...(news?.blocking ?? []).map(deltaLine), ...(news?.requestsToYou ?? []).map(requestToYouLine)];
}

/** The agent's claims whose code is gone, a line each: they go right after the blocking deltas. */
export function lostClaimLines(news: CoordinationNews | undefined): string[] {
  return (news?.lostClaims ?? []).map(lostClaimLine);
}

/** The other lines: the agent's release requests answered, debates, deltas, landing tokens, then how many more. */
export function coordinationLines(news: CoordinationNews | undefined): string[] {
  if (!news) return [];
  const lines = [...(news.requestsAnswered ?? []).map(requestAnsweredLine), ...(news.debates ?? []).map(debateLine), ...(news.deltas ?? []).map(deltaLine), ...(news.landing ?? []).map(landingLine)];
  if (news.more) lines.push(`and ${plural(news.more, 'more item')} → mesh_delta action="list", mesh_debate action="list"`);
  return lines;
}
