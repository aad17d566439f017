/**
 * Structured debates (protocol/coordination.ts; the rules are the JSDoc of
 * protocol/requests/debate.ts): agents that disagree take turns, round by round, until they
 * all accept one proposal, or the debate escalates to the person, who rules. The state
 * machine is debate-rules.ts; this service checks who may do what, stores what the rules
 * decide, and emits the events, each request in one transaction.
 *
 * - The person's ruling is a blocking `decision` delta to the participants, and is recorded
 *   on the contract and task the debate concerns (plan-decisions.ts).
 * - The sweep escalates an open debate nobody took a turn in for `debate.idleMs`
 *   ({@link nextExpiry} wakes the mesh for it), and prunes decided and resolved debates older
 *   than the audit retention.
 */
import type * as z from 'zod';
import { coordinationLimits, type Debate, type DebateSummary, type Ruling, type Turn, type TurnInput } from '../protocol/coordination';
import { personKinds, type Peer } from '../protocol/entities';
import { BrokerError } from '../protocol/errors';
import { debateRequests } from '../protocol/requests/debate';
import type { DebateStart, DebatesService, MeshCounts, ProjectRef } from './api';
import type { MeshContext, MeshTx } from './context';
import { afterTurn, turnRefusal } from './debate-rules';
import { insertTurn, loadDebate, toDebate, toSummaries, type DebateRow, type LoadedDebate } from './debate-store';
import { insertDelta } from './delta-store';
import { checked } from './checked';
import { recordDecision } from './plan-decisions';
import { loadContract, loadTask } from './plan-store';
import type { Peers } from './peers';
import { inProject, projectRoot } from './project';
import type { MeshService } from './service';
import { newsItems } from './coordination-news';
import type { SqlTx } from './sql';

/**
 * Most debates `mine` returns of each kind (your turn, changed): what one result's news shows,
 * so none is marked shown without being shown; the rest come on a later call.
 */
export const mineLimit = newsItems;

type StartParams = z.output<typeof debateRequests['debate/start']['params']>;

/** The debates service; see the file's header. */
export class Debates implements DebatesService, MeshService {
  constructor(private readonly ctx: MeshContext, private readonly peers: Peers) {}

  async start(caller: string, project: ProjectRef, input: DebateStart): Promise<Debate> {
    const p = checked(debateRequests['debate/start'].params, { ...input, project });
    return this.ctx.tx(async (t) => {
      const peer = await this.participant(t, caller);
      const root = projectRoot(this.ctx.probe, peer, project);
      const others = await this.others(t, peer, p.with);
      const concerns = await this.concerns(t, root, p);
      const now = this.ctx.clock.now();
      const participants = [peer, ...others].map((x) => ({ peer: x.id, peerName: x.name }));
      const { lastInsertRowid: id } = await t.db.run(
        `INSERT INTO debates (project, topic, origin, contract, task, participants, status, round, max_rounds, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'open', 1, ?, ?, ?)`,
        [root, p.topic, p.origin ?? null, concerns.contract, concerns.task, JSON.stringify(participants),
          p.maxRounds ?? this.ctx.settings.debate.maxRounds, now, now],
      );
      await t.emit('debate_started', peer.id, {
        project: root, debate: id, topic: p.topic, participants: participants.map((x) => x.peer), origin: p.origin ?? null, byName: peer.name,
      });
      return this.takeTurn(t, peer, (await loadDebate(t.db, id))!, p.turn);
    });
  }

  async respond(caller: string, id: number, turn: z.input<typeof TurnInput>): Promise<Debate> {
    const p = checked(debateRequests['debate/respond'].params, { id, turn });
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      const d = await this.require(t, p.id);
      const refusal = turnRefusal(d.facts, peer.id);
      if (refusal) throw new BrokerError('invalidInput', `you cannot take a turn in debate #${p.id}: ${refusal}`);
      return this.takeTurn(t, peer, d, p.turn);
    });
  }

  async get(caller: string, id: number): Promise<Debate> {
    return this.ctx.tx(async (t) => {
      await this.peers.requireLiveIn(t, caller);
      return toDebate(await this.require(t, id));
    });
  }

  async list(caller: string, project: ProjectRef, filter: { status?: DebateSummary['status'][]; limit?: number }): Promise<DebateSummary[]> {
    const p = checked(debateRequests['debate/list'].params, { ...filter, project });
    return inProject(this.ctx, this.peers, caller, project, async (t, _peer, root) => {
      const rows = await t.db.all<DebateRow>(
        `SELECT * FROM debates WHERE project = ? AND (? IS NULL OR status IN (SELECT value FROM json_each(?))) ORDER BY id DESC LIMIT ?`,
        [root, p.status ? 1 : null, JSON.stringify(p.status ?? []), p.limit],
      );
      return toSummaries(t.db, rows);
    });
  }

  async decide(caller: string, id: number, ruling: { pick?: number; text?: string }): Promise<Debate> {
    const p = checked(debateRequests['debate/decide'].params, { id, ...ruling });
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      if (!personKinds.includes(peer.kind)) throw new BrokerError('invalidInput', `only the person rules on a debate; ${peer.name} is an agent: take a turn instead`);
      const d = await this.require(t, p.id);
      const { row } = d;
      if (row.status !== 'open' && row.status !== 'escalated') throw new BrokerError('invalidInput', `debate #${row.id} is ${row.status}: there is nothing to rule on`);
      const picked = p.pick === undefined ? undefined : d.proposals[p.pick - 1];
      if (p.pick !== undefined && !picked) throw new BrokerError('invalidInput', noProposal(d, p.pick));
      const text = picked?.text ?? p.text!;
      const now = this.ctx.clock.now();
      const delta = await insertDelta(t, peer, {
        project: row.project, kind: 'decision', severity: 'blocking',
        summary: decisionSummary(row.topic, text), detail: text,
        affects: { contracts: row.contract ? [row.contract] : [], files: [], tasks: row.task ? [row.task] : [] },
        contractVersions: {}, debate: row.id,
      }, d.participants.map((x) => ({ ...x, reason: 'participant' as const, via: `debate #${row.id}` })), now);
      const decision = { debate: row.id, delta: delta.id, text, byName: peer.name, at: now };
      if (row.contract) await recordDecision(t.db, row.project, 'contract', row.contract, decision);
      if (row.task) await recordDecision(t.db, row.project, 'task', row.task, decision);
      const stored: Ruling = { peer: peer.id, peerName: peer.name, proposal: picked?.n ?? null, text, delta: delta.id, at: now };
      await t.db.run("UPDATE debates SET status = 'decided', ruling = ?, updated_at = ? WHERE id = ?", [JSON.stringify(stored), now, row.id]);
      await t.emit('debate_changed', peer.id, {
        project: row.project, debate: row.id, topic: row.topic, status: 'decided', previous: row.status, delta: delta.id, byName: peer.name,
      });
      return toDebate((await loadDebate(t.db, row.id))!);
    });
  }

  async mine(caller: string, seen: boolean): Promise<{ yourTurn: DebateSummary[]; changed: DebateSummary[] }> {
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, caller);
      const list = async (where: string) => toSummaries(t.db, await t.db.all<DebateRow>(
        `SELECT d.* FROM debates d LEFT JOIN debate_seen s ON s.debate = d.id AND s.peer = ?1
         WHERE EXISTS (SELECT 1 FROM json_each(d.participants) WHERE json_extract(value, '$.peer') = ?1) AND ${where}
         ORDER BY d.id LIMIT ?2`, [peer.id, mineLimit],
      ));
      const yourTurn = await list(`d.status = 'open' AND (s.round IS NULL OR s.round < d.round)
        AND NOT EXISTS (SELECT 1 FROM debate_turns t WHERE t.debate = d.id AND t.round = d.round AND t.peer = ?1)`);
      const changed = await list("d.status != 'open' AND (s.status IS NULL OR s.status != d.status)");
      for (const d of seen ? [...yourTurn, ...changed] : []) await markSeen(t.db, d, peer.id);
      return { yourTurn, changed };
    });
  }

  async counts(): Promise<Partial<MeshCounts>> {
    return {};
  }

  /** Escalates open debates idle for `debate.idleMs`; prunes decided and resolved ones past the audit retention. */
  async sweep(t: MeshTx, now: number): Promise<{ escalated: number; debates: number }> {
    const idle = await t.db.all<DebateRow>("SELECT * FROM debates WHERE status = 'open' AND updated_at <= ? ORDER BY id", [now - this.ctx.settings.debate.idleMs]);
    for (const row of idle) {
      await t.db.run("UPDATE debates SET status = 'escalated', escalation = ?, updated_at = ? WHERE id = ?",
        [JSON.stringify({ reason: 'idle', at: now, peer: null }), now, row.id]);
      await t.emit('debate_changed', null, { project: row.project, debate: row.id, topic: row.topic, status: 'escalated', previous: 'open', reason: 'idle' });
    }
    const old = `SELECT id FROM debates WHERE status IN ('decided', 'resolved') AND updated_at < ?`;
    const before = [now - this.ctx.settings.retention.auditMs];
    // Rulings recorded on the plan are kept as long as the debates they settled.
    await t.db.run('DELETE FROM plan_decisions WHERE at < ?', before);
    if (!(await t.db.get(`${old} LIMIT 1`, before))) return { escalated: idle.length, debates: 0 };
    await t.db.run(`DELETE FROM debate_turns WHERE debate IN (${old})`, before);
    await t.db.run(`DELETE FROM debate_seen WHERE debate IN (${old})`, before);
    const { changes } = await t.db.run(`DELETE FROM debates WHERE id IN (${old})`, before);
    return { escalated: idle.length, debates: changes };
  }

  /** When the open debate idle the longest escalates for it. */
  async nextExpiry(tx: SqlTx): Promise<number | null> {
    const row = await tx.get<{ at: number | null }>("SELECT MIN(updated_at) AS at FROM debates WHERE status = 'open'");
    return row?.at == null ? null : row.at + this.ctx.settings.debate.idleMs;
  }

  /** Records `peer`'s turn, moves the debate as the rules say, and shows the caller the result. */
  private async takeTurn(t: MeshTx, peer: Peer, d: LoadedDebate, input: TurnInput): Promise<Debate> {
    const { row } = d;
    if (input.accept !== undefined && input.accept > d.proposals.length) throw new BrokerError('invalidInput', noProposal(d, input.accept));
    const now = this.ctx.clock.now();
    const turn: Turn = await insertTurn(t.db, d, peer, input, now);
    const outcome = afterTurn(d.facts, turn);
    const escalation = outcome.status === 'escalated' ? { reason: outcome.reason, at: now, peer: outcome.reason === 'asked' ? peer.id : null } : null;
    const agreed = outcome.status === 'resolved' ? outcome.agreed : null;
    await t.db.run('UPDATE debates SET status = ?, round = ?, agreed = ?, escalation = ?, updated_at = ? WHERE id = ?',
      [outcome.status, outcome.round, agreed, escalation && JSON.stringify(escalation), now, row.id]);
    await t.emit('debate_turn', peer.id, {
      project: row.project, debate: row.id, round: turn.round, proposal: turn.proposal, accepts: turn.accepts, byName: peer.name,
    });
    if (outcome.status !== 'open') {
      await t.emit('debate_changed', peer.id, {
        project: row.project, debate: row.id, topic: row.topic, status: outcome.status, previous: 'open',
        ...(escalation ? { reason: escalation.reason } : {}), ...(agreed === null ? {} : { agreed }), byName: peer.name,
      });
    }
    const debate = toDebate((await loadDebate(t.db, row.id))!);
    await markSeen(t.db, debate, peer.id);
    return debate;
  }

  /** The live caller, if it may take part in a debate (the person rules on them instead). */
  private async participant(t: MeshTx, caller: string): Promise<Peer> {
    const peer = await this.peers.requireLiveIn(t, caller);
    if (personKinds.includes(peer.kind)) throw new BrokerError('invalidInput', 'the person rules on debates and takes no part in them: let the agents debate');
    return peer;
  }

  /** The peers `names` name (ids or live names), each once, none of them the starter or a person's. */
  private async others(t: MeshTx, starter: Peer, names: readonly string[]): Promise<Peer[]> {
    const found: Peer[] = [];
    const missing: string[] = [];
    for (const name of names) {
      const peer = await this.peers.findIn(t, name);
      if (!peer) missing.push(name);
      else if (peer.id === starter.id) throw new BrokerError('invalidInput', `you take part in your own debate already: name only the others ("${name}" is you)`);
      else if (found.some((f) => f.id === peer.id)) throw new BrokerError('invalidInput', `${peer.name} is named twice`);
      else if (personKinds.includes(peer.kind)) throw new BrokerError('invalidInput', `${peer.name} is the person's, who rules on debates rather than taking part`);
      else found.push(peer);
    }
    if (missing.length > 0) throw new BrokerError('notFound', `no live peer named ${missing.join(', ')}`, { missing });
    return found;
  }

  /** The contract and task the debate concerns: those given (they must exist), else its origin delta's first. */
  private async concerns(t: MeshTx, root: string, p: StartParams): Promise<{ contract: string | null; task: string | null }> {
    let affects: { contracts: string[]; tasks: string[] } = { contracts: [], tasks: [] };
    if (p.origin !== undefined) {
      const origin = await t.db.get<{ affects: string }>('SELECT affects FROM deltas WHERE id = ? AND project = ?', [p.origin, root]);
      if (!origin) throw new BrokerError('notFound', `no delta ${p.origin} in ${root}`);
      affects = JSON.parse(origin.affects) as typeof affects;
    }
    if (p.contract !== undefined && !(await loadContract(t.db, root, p.contract))) throw new BrokerError('notFound', `the plan of ${root} has no contract ${p.contract}`);
    if (p.task !== undefined && !(await loadTask(t.db, root, p.task))) throw new BrokerError('notFound', `the plan of ${root} has no task ${p.task}`);
    return { contract: p.contract ?? affects.contracts[0] ?? null, task: p.task ?? affects.tasks[0] ?? null };
  }

  private async require(t: MeshTx, id: number): Promise<LoadedDebate> {
    const d = await loadDebate(t.db, id);
    if (!d) throw new BrokerError('notFound', `no debate #${id}`);
    return d;
  }
}

/** What was shown to `peer` of a debate: its round and status now. */
async function markSeen(db: SqlTx, d: DebateSummary, peer: string): Promise<void> {
  await db.run(
    'INSERT INTO debate_seen (debate, peer, round, status) VALUES (?, ?, ?, ?) ON CONFLICT (debate, peer) DO UPDATE SET round = excluded.round, status = excluded.status',
    [d.id, peer, d.round, d.status],
  );
}

function noProposal(d: LoadedDebate, n: number): string {
  const has = d.proposals.length === 0 ? 'none yet: make one' : `1–${d.proposals.length}`;
  return `debate #${d.row.id} has no proposal ${n} (it has ${has})`;
}

/**
 * A decision's one line, read in both debaters' news: the topic and the ruling itself, so an
 * agent learns what to work to without another call (the whole ruling is the delta's detail).
 */
export function decisionSummary(topic: string, ruling: string): string {
  const line = `Ruling on ${topic}: ${ruling.replace(/\s+/g, ' ')}`;
  if (line.length <= coordinationLimits.summary) return line;
  // Not between the halves of a surrogate pair: that would leave a character that is none.
  const cut = line.slice(0, coordinationLimits.summary - 1).replace(/[\uD800-\uDBFF]$/, '');
  return `${cut}…`;
}
