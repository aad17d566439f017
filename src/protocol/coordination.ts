/**
 * How agents keep each other current and settle disagreements, as the broker keeps and sends
 * it: context deltas (a discovery pushed to the peers it affects), structured debates (a
 * bounded negotiation the person rules on when the agents cannot agree), and the landing
 * queue (one peer at a time pushes to a shared branch). The events each leaves behind are at
 * the end. Like the plan, each belongs to a project: the git root (else the folder) of the
 * caller, or of the path a request names.
 */
import * as z from 'zod';
import { limits } from './limits';
import { PlanId } from './plan';

export const coordinationLimits = {
  /** A delta's summary: one line, read in every affected agent's results. */
  summary: 200,
  /** A delta's detail, a debate turn's position, a proposal, a ruling. */
  detail: 4000,
  /** Contracts, files or tasks one delta names, each. */
  affects: 50,
  /** A debate's topic. */
  topic: 200,
  /** Peers in one debate, its starter included. */
  participants: 8,
  /** Constraints or alternatives of one turn. */
  items: 10,
  /** One constraint or alternative, in characters. */
  item: 500,
  /** Most rounds a debate may be given before it escalates. */
  maxRounds: 20,
  /** Branch names. */
  branch: 255,
} as const;

/** The peer, as id and the display name it had then (so a record reads after the peer is forgotten). */
const By = { peer: z.string(), peerName: z.string() };

// ── Context deltas ───────────────────────────────────────────────────────────────────────

/**
 * What a delta is about: something found out (`discovery`), a changed interface contract
 * (`contract_change`: bumps the contract's version), a new or changed dependency, a change of
 * a task's scope, or a `decision` (the person's ruling on a debate, or an agreed one).
 */
export const DeltaKind = z.enum(['discovery', 'contract_change', 'dependency', 'scope_change', 'decision']);
export type DeltaKind = z.infer<typeof DeltaKind>;

/** `blocking`: each peer it was routed to must ack it, and sees it in its news until it does. */
export const DeltaSeverity = z.enum(['info', 'warning', 'blocking']);
export type DeltaSeverity = z.infer<typeof DeltaSeverity>;

const affectsList = <T extends z.ZodType>(item: T) => z.array(item).max(coordinationLimits.affects).default([]);

/** What a delta affects: contract and task ids of the project's plan, files or globs relative to its root. */
export const DeltaAffects = z.object({
  contracts: affectsList(PlanId),
  files: affectsList(z.string().trim().min(1).max(limits.path)),
  tasks: affectsList(PlanId),
});
export type DeltaAffects = z.infer<typeof DeltaAffects>;

/**
 * Why a delta was routed to a peer: it holds or is assigned a task named or touched (`task`),
 * it claims an affected file (`claim`), it edited one recently (`edit`), or it takes part in
 * the debate a decision rules on (`participant`); or it was not routed the delta but acked it
 * all the same (`asked`).
 */
export const RouteReason = z.enum(['task', 'claim', 'edit', 'participant', 'asked']);
export type RouteReason = z.infer<typeof RouteReason>;

export const DeltaRecipient = z.object({
  ...By,
  reason: RouteReason,
  /** What made it affected: the task id, the claimed or edited file; empty for `asked`. */
  via: z.string(),
  /** When it was first shown the delta (in a result or a hook), null while not yet. */
  shownAt: z.number().nullable(),
  /** When it acked; null while not (a blocking delta stays in its news until then). */
  ackedAt: z.number().nullable(),
});
export type DeltaRecipient = z.infer<typeof DeltaRecipient>;

export const Delta = z.object({
  id: z.number().int(),
  project: z.string(),
  author: z.string(),
  authorName: z.string(),
  kind: DeltaKind,
  severity: DeltaSeverity,
  summary: z.string(),
  detail: z.string(),
  affects: DeltaAffects,
  /** A contract_change: each affected contract's version after the change. */
  contractVersions: z.record(z.string(), z.number().int()),
  /** A decision: the debate it rules on. */
  debate: z.number().int().nullable(),
  createdAt: z.number(),
  /** The peers it was routed to, why, and whether each has seen and acked it. */
  recipients: z.array(DeltaRecipient),
});
export type Delta = z.infer<typeof Delta>;

/**
 * A `contract_change` the broker drafted for a peer whose edit touched a plan contract's file
 * or symbol (the rule: core/contract-touch.ts). It waits for that peer to confirm it (a real
 * delta is pushed) or dismiss it; one open draft per peer and contract, refreshed by each
 * further touching edit.
 */
export const DraftStatus = z.enum(['draft', 'confirmed', 'dismissed']);
export type DraftStatus = z.infer<typeof DraftStatus>;

export const DeltaDraft = z.object({
  id: z.number().int(),
  project: z.string(),
  /** The contract's id and name. */
  contract: z.string(),
  contractName: z.string(),
  /** The contract's symbol, when it names one, and its lines after the last touching edit. */
  symbol: z.string().nullable(),
  symbolLines: z.object({ startLine: z.number().int(), endLine: z.number().int() }).nullable(),
  /** The file the last touching edit changed, relative to the project. */
  file: z.string(),
  /** Touching edits since it was drafted. */
  edits: z.number().int(),
  ...By,
  status: DraftStatus,
  /** The delta its confirmation pushed. */
  delta: z.number().int().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type DeltaDraft = z.infer<typeof DeltaDraft>;

// ── Debates ──────────────────────────────────────────────────────────────────────────────

/**
 * Exactly one at a time: `open` (rounds go on) → `resolved` (every participant accepted one
 * proposal) or `escalated` (after the last round, on the idle timeout, or a participant asked)
 * → `decided` (the person ruled). The person may also rule on an open debate.
 */
export const DebateStatus = z.enum(['open', 'resolved', 'escalated', 'decided']);
export type DebateStatus = z.infer<typeof DebateStatus>;

export const EscalationReason = z.enum(['rounds', 'idle', 'asked']);
export type EscalationReason = z.infer<typeof EscalationReason>;

const item = z.string().trim().min(1).max(coordinationLimits.item);
const items = z.array(item).max(coordinationLimits.items).default([]);

/**
 * One participant's turn, as it takes it (one tool call): its position, the constraints it
 * must keep, alternatives it sees, and either a proposal of its own or the number of one it
 * accepts (its own proposal counts as accepting it).
 */
export const TurnInput = z.object({
  position: z.string().trim().min(1).max(coordinationLimits.detail),
  constraints: items,
  alternatives: items,
  /** A new proposal: what it thinks all should agree on. */
  proposal: z.string().trim().min(1).max(coordinationLimits.detail).optional(),
  /** Accepts proposal number N of this debate (its own or another's). */
  accept: z.number().int().min(1).optional(),
  /** Asks for the person to rule now: the debate escalates after this turn. */
  escalate: z.boolean().default(false),
}).refine((t) => t.proposal === undefined || t.accept === undefined, {
  message: 'a turn makes a proposal or accepts one, not both', path: ['accept'],
});
export type TurnInput = z.infer<typeof TurnInput>;

export const Turn = z.object({
  ...By,
  round: z.number().int(),
  position: z.string(),
  constraints: z.array(z.string()),
  alternatives: z.array(z.string()),
  /** The proposal it made this turn (its number), or null. */
  proposal: z.number().int().nullable(),
  /** The proposal it accepts after this turn (its own new one included), or null. */
  accepts: z.number().int().nullable(),
  escalate: z.boolean(),
  at: z.number(),
});
export type Turn = z.infer<typeof Turn>;

export const DebateProposal = z.object({ n: z.number().int(), ...By, round: z.number().int(), text: z.string() });
export type DebateProposal = z.infer<typeof DebateProposal>;

export const Ruling = z.object({
  ...By,
  /** The proposal the person picked, or null when they wrote their own. */
  proposal: z.number().int().nullable(),
  text: z.string(),
  /** The decision delta that carried it to the participants. */
  delta: z.number().int(),
  at: z.number(),
});
export type Ruling = z.infer<typeof Ruling>;

export const Debate = z.object({
  id: z.number().int(),
  project: z.string(),
  topic: z.string(),
  /** The delta it started from, or null for a free one. */
  origin: z.number().int().nullable(),
  /** The contract and task it concerns (from its origin delta, or given at the start): the ruling is recorded there. */
  concerns: z.object({ contract: z.string().nullable(), task: z.string().nullable() }),
  participants: z.array(z.object(By)),
  status: DebateStatus,
  /** The round under way (1 at the start); each participant takes one turn per round. */
  round: z.number().int(),
  maxRounds: z.number().int(),
  /** Participants yet to take their turn this round (empty once the debate is not open). */
  awaiting: z.array(z.string()),
  turns: z.array(Turn),
  proposals: z.array(DebateProposal),
  /** Set when it escalated: why, when, and who asked (for `asked`). */
  escalation: z.object({ reason: EscalationReason, at: z.number(), peer: z.string().nullable() }).nullable(),
  /** Set when resolved: the proposal every participant accepted. */
  agreed: z.number().int().nullable(),
  ruling: Ruling.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Debate = z.infer<typeof Debate>;

/** A debate without its turns, for listings. */
export const DebateSummary = Debate.omit({ turns: true, proposals: true });
export type DebateSummary = z.infer<typeof DebateSummary>;

// ── The landing queue ────────────────────────────────────────────────────────────────────

export const Branch = z.string().trim().min(1).max(coordinationLimits.branch)
  .regex(/^[^\s~^:?*[\\]+$/, 'a branch name has no spaces or ~ ^ : ? * [ \\');

export const SyncHolder = z.object({
  ...By,
  /** When it got the token. */
  since: z.number(),
  /** When the token is taken from it unless it releases or renews (acquires again) first. */
  expiresAt: z.number(),
});
export type SyncHolder = z.infer<typeof SyncHolder>;

/** One branch's queue: who holds the token, who waits, in order. */
export const SyncQueue = z.object({
  /** The repository (git root). */
  project: z.string(),
  branch: z.string(),
  holder: SyncHolder.nullable(),
  waiting: z.array(z.object({ ...By, since: z.number() })),
  /** The holder has held it far longer than holds of this branch usually last (a `sync_stalled` was sent). */
  stalled: z.boolean(),
  /** How long holds of this branch usually last (the median of recent ones), ms; null before any. */
  usualMs: z.number().nullable(),
});
export type SyncQueue = z.infer<typeof SyncQueue>;

// ── Event payloads (small: ids, names, summaries; never details) ─────────────────────────

const byName = z.string().optional();

/** `delta_pushed`: a delta was pushed (a decision by the broker on the person's ruling has the person as its peer). */
export const DeltaPushedData = z.object({
  project: z.string(), delta: z.number().int(), kind: DeltaKind, severity: DeltaSeverity, summary: z.string(),
  /** The peers it was routed to. */
  recipients: z.array(z.string()),
  byName,
});

/** `delta_acked`: a peer acked a delta. */
export const DeltaAckedData = z.object({ project: z.string(), delta: z.number().int(), severity: DeltaSeverity, byName });

/** `debate_started`: a debate began. */
export const DebateStartedData = z.object({
  project: z.string(), debate: z.number().int(), topic: z.string(), participants: z.array(z.string()), origin: z.number().int().nullable(), byName,
});

/** `debate_turn`: a participant took its turn. */
export const DebateTurnData = z.object({
  project: z.string(), debate: z.number().int(), round: z.number().int(),
  proposal: z.number().int().nullable(), accepts: z.number().int().nullable(), byName,
});

/**
 * `debate_changed`: a debate moved to another status: resolved (`agreed` set), escalated
 * (`reason` set; an idle escalation has no peer), or decided (`delta` set: the decision delta).
 */
export const DebateChangedData = z.object({
  project: z.string(), debate: z.number().int(), topic: z.string(),
  status: DebateStatus, previous: DebateStatus,
  reason: EscalationReason.optional(),
  agreed: z.number().int().optional(),
  delta: z.number().int().optional(),
  byName,
});

/** `sync_queued`: a peer joined a branch's queue behind the holder. */
export const SyncQueuedData = z.object({ project: z.string(), branch: z.string(), position: z.number().int(), byName });

/** `sync_acquired`: a peer got a branch's token (at once, or when its turn came). */
export const SyncAcquiredData = z.object({ project: z.string(), branch: z.string(), expiresAt: z.number(), waitedMs: z.number(), byName });

/**
 * `sync_released`: a branch's token was given back (`released`), or taken from a holder past
 * its TTL (`expired`) or gone (`gone`); a waiter that left or went away was dropped
 * (`skipped`, its `holder` false). An event without a peer is the broker's.
 */
export const SyncReleasedData = z.object({
  project: z.string(), branch: z.string(),
  reason: z.enum(['released', 'expired', 'gone', 'skipped']),
  /** The peer that held or waited, and its name. */
  holder: z.boolean(), who: z.string(), whoName: z.string(),
  /** How long it held the token (a holder) or waited in line (a waiter), ms. */
  heldMs: z.number(),
});

/**
 * `sync_stalled`: a branch's token has been held far longer than usual by `who`; the queue
 * waits on it. `usualMs` is null when the branch has no history yet (then it held more than
 * half its TTL); `waiting`: how many wait behind it.
 */
export const SyncStalledData = z.object({
  project: z.string(), branch: z.string(), who: z.string(), whoName: z.string(), heldMs: z.number(), usualMs: z.number().nullable(), waiting: z.number().int(),
});

/** `delta_drafted`: an edit by the event's peer touched a contract: its draft `contract_change` was made or refreshed. */
export const DeltaDraftedData = z.object({
  project: z.string(), draft: z.number().int(), contract: z.string(), file: z.string(), byName,
});
