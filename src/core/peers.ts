/**
 * Peers: who is in the mesh, where they work, and whether they are still there.
 *
 * A peer's status (see `PeerStatus`) is computed when it is read, from what is stored: the
 * `status` column keeps only what the peer did or said ({@link StoredStatus}),
 * `disconnected_at` whether it is connected, and `last_active` when it last made a call of its
 * own; so going from working to idle needs no write. `lastSeen` (any request) and
 * `lastActive` are kept in memory, and written to the database at most every
 * {@link lastSeenWriteMs} per peer and whenever its connection drops.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { OwnStatus, type Peer, type PeerStatus, type Scope } from '../protocol/entities';
import type { MeshCounts, PeerIntroData, PeersService } from './api';
import type { MeshContext, MeshTx } from './context';
import { checkPathDepth, checkPathText } from './paths';
import { hasHiddenCharacters, printable } from './printable';
import type { MeshService } from './service';
import type { SqlTx } from './sql';

/** Peers whose grace period is running: disconnected, not gone, not the person's terminal. */
const graceApplies = "status != 'gone' AND disconnected_at IS NOT NULL AND kind != 'cli'";

/** How stale `last_seen` and `last_active` in the database may get while a peer is connected. */
export const lastSeenWriteMs = 30_000;

/**
 * The `status` column: `live` (in the mesh; working or idle by its calls), `idle` (in the mesh,
 * and it said it is idle), `gone`. Connected or not is `disconnected_at`.
 */
type StoredStatus = 'live' | 'idle' | 'gone';

interface PeerRow {
  id: string; name: string; kind: string; client: string | null; pid: number | null; cwd: string | null;
  workspace: string | null; git_root: string | null; git_branch: string | null; summary: string;
  status: StoredStatus; connected_at: number; last_seen: number; last_active: number | null;
  session_hash: string; disconnected_at: number | null;
}

/** What the broker knows of a peer's requests beyond the database: when it last saw one, and one of its own. */
interface Seen {
  at: number;
  active: number | null;
  /** When these were last written to the database. */
  written: number;
}

/** Why a peer became gone; the locks service releases its locks with this reason. */
export type GoneReason = 'holder left' | 'holder gone';

export class Peers implements PeersService, MeshService {
  private readonly seen = new Map<string, Seen>();
  private goneHandlers: Array<(tx: MeshTx, peerId: string, reason: GoneReason) => Promise<void>> = [];
  private disconnectHandlers: Array<(peerId: string) => void> = [];

  constructor(private readonly ctx: MeshContext) {}

  /** Called inside the transaction that makes a peer gone (to release its locks with it). */
  onGone(handler: (tx: MeshTx, peerId: string, reason: GoneReason) => Promise<void>): void {
    this.goneHandlers.push(handler);
  }

  /** Called after a peer's connection dropped (to cancel its pending waits). */
  onDisconnect(handler: (peerId: string) => void): void {
    this.disconnectHandlers.push(handler);
  }

  async register(intro: PeerIntroData, sessionHash: string): Promise<Peer> {
    const base = checkName(intro.name);
    const client = checkClient(intro.client ?? null);
    const summary = intro.summary ?? '';
    if (summary.length > limits.summary) throw new BrokerError('invalidInput', `summary is longer than ${limits.summary} characters`);
    const cwd = this.normalizeDir(intro.cwd, 'cwd');
    const workspace = this.normalizeDir(intro.workspace, 'workspace') ?? cwd;
    const gitRoot = workspace ? this.ctx.probe.gitRoot(workspace) : null;
    const gitBranch = gitRoot ? this.ctx.probe.gitBranch(gitRoot) : null;
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const id = await this.freshId(t);
      const name = await this.uniqueName(t, base, id);
      await t.db.run(
        `INSERT INTO peers (id, name, kind, client, pid, cwd, workspace, git_root, git_branch, summary, status,
           connected_at, last_seen, last_active, session_hash, disconnected_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'live', ?, ?, NULL, ?, NULL)`,
        [id, name, intro.kind, client, intro.pid ?? null, cwd, workspace, gitRoot, gitBranch, summary, now, now, sessionHash],
      );
      this.seen.set(id, { at: now, active: null, written: now });
      await t.emit('peer_joined', id, { name, kind: intro.kind, resumed: false });
      return this.requireIn(t, id);
    });
  }

  resume(peerId: string, sessionHash: string): Promise<Peer> {
    return this.ctx.tx(async (t) => {
      const row = await this.row(t, peerId);
      if (!row) throw new BrokerError('notFound', `no peer ${peerId} in this mesh: register again`);
      if (!sameHash(row.session_hash, sessionHash)) throw new BrokerError('unauthorized', `wrong session secret for peer ${peerId}`);
      const gitBranch = row.git_root ? this.ctx.probe.gitBranch(row.git_root) : null;
      const now = this.ctx.clock.now();
      const name = row.status === 'gone' ? await this.uniqueName(t, row.name, row.id) : row.name;
      // An idle it said stays through a reconnect or fail-over; a gone peer comes back live.
      const status: StoredStatus = row.status === 'gone' ? 'live' : row.status;
      const active = this.lastActive(row);
      await t.db.run(
        `UPDATE peers SET status = ?, disconnected_at = NULL, connected_at = ?, last_seen = ?, last_active = ?, name = ?, git_branch = ?
         WHERE id = ?`,
        [status, now, now, active, name, gitBranch, peerId],
      );
      if (name !== row.name) await t.db.run('UPDATE locks SET holder_name = ? WHERE holder = ?', [name, peerId]);
      this.seen.set(peerId, { at: now, active, written: now });
      await t.emit('peer_joined', peerId, { name, kind: row.kind as Peer['kind'], resumed: true });
      const back = await this.requireRow(t, peerId);
      // A second session of a connected peer (the CLI in two terminals) changes nothing.
      if (row.status === 'gone' || row.disconnected_at !== null) {
        await t.emit('peer_status', peerId, { status: this.statusOf(back, now), connected: true });
      }
      return this.toPeer(back, now);
    });
  }

  async disconnected(peerId: string): Promise<void> {
    const changed = await this.ctx.tx(async (t) => {
      const row = await this.row(t, peerId);
      if (!row || row.status === 'gone' || row.disconnected_at !== null) return false;
      const now = this.ctx.clock.now();
      await t.db.run('UPDATE peers SET disconnected_at = ?, last_seen = ?, last_active = ? WHERE id = ?',
        [now, this.lastSeen(row), this.lastActive(row), peerId]);
      await t.emit('peer_status', peerId, { status: 'disconnected', connected: false });
      return true;
    });
    if (changed) for (const handler of this.disconnectHandlers) handler(peerId);
  }

  /**
   * After a broker takeover nobody is connected to this broker yet: every live peer gets a
   * fresh grace period, ended by its `resume` or by `sweep`. Returns how many were marked.
   */
  markAllDisconnected(): Promise<number> {
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const rows = await t.db.all<PeerRow>("SELECT * FROM peers WHERE status != 'gone' AND disconnected_at IS NULL ORDER BY id");
      await t.db.run("UPDATE peers SET disconnected_at = ? WHERE status != 'gone' AND disconnected_at IS NULL", [now]);
      for (const row of rows) await t.emit('peer_status', row.id, { status: 'disconnected', connected: false });
      return rows.length;
    });
  }

  leave(peerId: string): Promise<void> {
    return this.ctx.tx(async (t) => {
      const row = await this.requireRow(t, peerId);
      if (row.status !== 'gone') await this.markGone(t, row, 'holder left');
    });
  }

  /**
   * Ends the grace period of peers disconnected for longer than `graceMs`; inside a transaction.
   * The person's terminal (kind `cli`) has no grace period: each `peermesh` command connects
   * and disconnects, and a claim made with `peermesh lock` must outlive the command, so its
   * locks end only by TTL or `peermesh unlock`. Between commands it shows as `disconnected`,
   * until {@link retireTerminals}.
   */
  async expireGrace(t: MeshTx, now: number): Promise<string[]> {
    const rows = await t.db.all<PeerRow>(
      `SELECT * FROM peers WHERE ${graceApplies} AND disconnected_at <= ? ORDER BY disconnected_at, id`,
      [now - this.ctx.settings.graceMs],
    );
    for (const row of rows) await this.markGone(t, row, 'holder gone');
    return rows.map((r) => r.id);
  }

  /** When the next grace period ends, if any. */
  async nextExpiry(tx: SqlTx): Promise<number | null> {
    const row = await tx.get<{ t: number | null }>(
      `SELECT MIN(disconnected_at) AS t FROM peers WHERE ${graceApplies}`,
    );
    return row?.t == null ? null : row.t + this.ctx.settings.graceMs;
  }

  /**
   * Terminal identities unused (disconnected) since before `before` that hold no lock become
   * gone; inside a transaction. Each distinct `--as NAME` (a CI job's, a typo) is a peer of its
   * own, and without this would stay in every listing for good. Nothing is lost: it holds
   * nothing, and the next command acting as it registers it again (the broker no longer knows
   * its saved identity). Runs after the locks' sweep, so a lock that just expired holds nothing.
   */
  async retireTerminals(t: MeshTx, before: number): Promise<string[]> {
    const rows = await t.db.all<PeerRow>(
      `SELECT * FROM peers WHERE kind = 'cli' AND status != 'gone' AND disconnected_at IS NOT NULL AND disconnected_at < ?
         AND NOT EXISTS (SELECT 1 FROM locks WHERE locks.holder = peers.id) ORDER BY disconnected_at, id`,
      [before],
    );
    for (const row of rows) await this.markGone(t, row, 'holder gone');
    return rows.map((r) => r.id);
  }

  /**
   * The mesh's sweep: ends grace periods that are over; retires terminal identities unused for
   * the event retention; forgets peers gone past it.
   */
  async sweep(t: MeshTx, now: number): Promise<{ gone: number; peers: number }> {
    const before = now - this.ctx.settings.retention.eventsMs;
    const gone = (await this.expireGrace(t, now)).length + (await this.retireTerminals(t, before)).length;
    return { gone, peers: await this.prune(t, before) };
  }

  async counts(tx: SqlTx): Promise<Pick<MeshCounts, 'peers' | 'livePeers'>> {
    const row = await tx.get<{ all: number; live: number }>(
      "SELECT COUNT(*) AS 'all', COALESCE(SUM(status != 'gone'), 0) AS live FROM peers",
    );
    return { peers: row?.all ?? 0, livePeers: row?.live ?? 0 };
  }

  /** Deletes peers gone (disconnected) since before `before`; inside a transaction. */
  async prune(t: MeshTx, before: number): Promise<number> {
    const where = "status = 'gone' AND disconnected_at < ?";
    const gone = await t.db.all<{ id: string }>(`SELECT id FROM peers WHERE ${where}`, [before]);
    if (gone.length === 0) return 0;
    for (const { id } of gone) this.seen.delete(id);
    return (await t.db.run(`DELETE FROM peers WHERE ${where}`, [before])).changes;
  }

  async touch(peerId: string, request: { active: boolean }): Promise<void> {
    const now = this.ctx.clock.now();
    let known = this.seen.get(peerId);
    if (!known) {
      const row = await this.ctx.tx((t) => this.row(t, peerId));
      if (!row || row.status === 'gone') return;
      // Another touch may have filled it in meanwhile.
      known = this.seen.get(peerId) ?? { at: row.last_seen, active: row.last_active, written: row.last_seen };
      this.seen.set(peerId, known);
    }
    const seen = known;
    seen.at = Math.max(seen.at, now);
    if (request.active) seen.active = Math.max(seen.active ?? now, now);
    if (now - seen.written < lastSeenWriteMs) return;
    seen.written = now;
    await this.ctx.tx((t) => t.db.run("UPDATE peers SET last_seen = ?, last_active = ? WHERE id = ? AND status != 'gone'", [seen.at, seen.active, peerId]));
  }

  get(peerId: string): Promise<Peer | undefined> {
    return this.ctx.tx((t) => this.getIn(t, peerId));
  }

  async getIn(t: MeshTx, peerId: string): Promise<Peer | undefined> {
    const row = await this.row(t, peerId);
    return row && this.toPeer(row, this.ctx.clock.now());
  }

  require(peerId: string): Promise<Peer> {
    return this.ctx.tx((t) => this.requireIn(t, peerId));
  }

  async requireIn(t: MeshTx, peerId: string): Promise<Peer> {
    return this.toPeer(await this.requireRow(t, peerId), this.ctx.clock.now());
  }

  /** Like {@link requireIn}, but a gone peer may not act any more. */
  async requireLiveIn(t: MeshTx, peerId: string): Promise<Peer> {
    const peer = await this.requireIn(t, peerId);
    if (peer.status === 'gone') throw new BrokerError('unauthorized', `peer ${peer.name} (${peer.id}) has left the mesh: resume or register again`);
    return peer;
  }

  find(idOrName: string): Promise<Peer | undefined> {
    return this.ctx.tx((t) => this.findIn(t, idOrName));
  }

  async findIn(t: MeshTx, idOrName: string): Promise<Peer | undefined> {
    const row =
      (await t.db.get<PeerRow>("SELECT * FROM peers WHERE id = ? AND status != 'gone'", [idOrName])) ??
      (await t.db.get<PeerRow>("SELECT * FROM peers WHERE name = ? COLLATE NOCASE AND status != 'gone' ORDER BY connected_at LIMIT 1", [idOrName]));
    return row && this.toPeer(row, this.ctx.clock.now());
  }

  /**
   * The peer a hook speaks for: the live peer whose agent process is the first of `pids` that
   * has one. When several peers name that process (an editor's extension host runs the person's
   * window and an agent), none: whose hook it is cannot be told, so it speaks for nobody.
   */
  forAgent(pids: readonly number[]): Promise<Peer | undefined> {
    return this.ctx.tx(async (t) => {
      const rows = await t.db.all<PeerRow>("SELECT * FROM peers WHERE status != 'gone' AND pid IN (SELECT value FROM json_each(?))", [JSON.stringify(pids)]);
      for (const pid of pids) {
        const mine = rows.filter((r) => r.pid === pid);
        if (mine.length === 1) return this.toPeer(mine[0], this.ctx.clock.now());
        if (mine.length > 1) return undefined;
      }
      return undefined;
    });
  }

  list(callerId: string, scope: Scope, includeGone: boolean): Promise<Peer[]> {
    return this.ctx.tx((t) => this.listIn(t, callerId, scope, includeGone));
  }

  async listIn(t: MeshTx, callerId: string, scope: Scope, includeGone: boolean): Promise<Peer[]> {
    const caller = await this.requireIn(t, callerId);
    const now = this.ctx.clock.now();
    const rows = await t.db.all<PeerRow>(
      includeGone ? 'SELECT * FROM peers ORDER BY name COLLATE NOCASE, id' : "SELECT * FROM peers WHERE status != 'gone' ORDER BY name COLLATE NOCASE, id",
    );
    return rows.map((r) => this.toPeer(r, now)).filter((p) => p.id === caller.id || inScope(caller, p, scope));
  }

  async update(peerId: string, change: { summary?: string; status?: OwnStatus; name?: string }): Promise<Peer> {
    if (change.summary !== undefined && change.summary.length > limits.summary) {
      throw new BrokerError('invalidInput', `summary is longer than ${limits.summary} characters`);
    }
    if (change.status !== undefined && !OwnStatus.safeParse(change.status).success) {
      throw new BrokerError('invalidInput', 'status must be working or idle');
    }
    const base = change.name === undefined ? undefined : checkName(change.name);
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const row = await this.requireRow(t, peerId);
      const before = this.statusOf(row, now);
      if (before === 'gone') throw new BrokerError('unauthorized', `peer ${row.name} has left the mesh`);
      if (change.summary !== undefined && change.summary !== row.summary) {
        await t.db.run('UPDATE peers SET summary = ? WHERE id = ?', [change.summary, peerId]);
        await t.emit('summary_changed', peerId, { summary: change.summary });
      }
      if (change.status !== undefined) {
        // "idle" holds until the peer says "working"; saying "working" is a call of its own,
        // so it shows working at once.
        const active = change.status === 'working' ? now : this.lastActive(row);
        const stored: StoredStatus = change.status === 'idle' ? 'idle' : 'live';
        this.seen.set(peerId, { at: now, active, written: now });
        await t.db.run('UPDATE peers SET status = ?, last_seen = ?, last_active = ? WHERE id = ?', [stored, now, active, peerId]);
        const after = this.statusOf(await this.requireRow(t, peerId), now);
        if (after !== before) await t.emit('peer_status', peerId, { status: after });
      }
      if (base !== undefined && base !== row.name) {
        const name = await this.uniqueName(t, base, peerId);
        await t.db.run('UPDATE peers SET name = ? WHERE id = ?', [name, peerId]);
        await t.db.run('UPDATE locks SET holder_name = ? WHERE holder = ?', [name, peerId]);
        await t.emit('peer_status', peerId, { status: this.statusOf(await this.requireRow(t, peerId), now), name, previousName: row.name });
      }
      return this.requireIn(t, peerId);
    });
  }

  private async markGone(t: MeshTx, row: PeerRow, reason: GoneReason): Promise<void> {
    const now = this.ctx.clock.now();
    await t.db.run(
      "UPDATE peers SET status = 'gone', disconnected_at = COALESCE(disconnected_at, ?), last_seen = ?, last_active = ? WHERE id = ?",
      [now, this.lastSeen(row), this.lastActive(row), row.id],
    );
    this.seen.delete(row.id);
    await t.emit('peer_left', row.id, { name: row.name, reason: reason === 'holder left' ? 'left' : 'timeout' });
    for (const handler of this.goneHandlers) await handler(t, row.id, reason);
  }

  private row(t: MeshTx, peerId: string): Promise<PeerRow | undefined> {
    return t.db.get<PeerRow>('SELECT * FROM peers WHERE id = ?', [peerId]);
  }

  private async requireRow(t: MeshTx, peerId: string): Promise<PeerRow> {
    const row = await this.row(t, peerId);
    if (!row) throw new BrokerError('notFound', `no peer with id ${peerId}`);
    return row;
  }

  private lastSeen(row: PeerRow): number {
    return Math.max(row.last_seen, this.seen.get(row.id)?.at ?? 0);
  }

  private lastActive(row: PeerRow): number | null {
    const inMemory = this.seen.get(row.id)?.active ?? null;
    if (row.last_active === null || inMemory === null) return row.last_active ?? inMemory;
    return Math.max(row.last_active, inMemory);
  }

  /** See `PeerStatus`: gone, else disconnected, else idle as it said, else by its last call of its own. */
  private statusOf(row: PeerRow, now: number): PeerStatus {
    if (row.status === 'gone') return 'gone';
    if (row.disconnected_at !== null) return 'disconnected';
    if (row.status === 'idle') return 'idle';
    const active = this.lastActive(row);
    return active !== null && now - active < this.ctx.settings.workingWindowMs ? 'working' : 'idle';
  }

  private toPeer(row: PeerRow, now: number): Peer {
    return {
      id: row.id, name: row.name, kind: row.kind as Peer['kind'], client: row.client ?? null, pid: row.pid, cwd: row.cwd,
      workspace: row.workspace, gitRoot: row.git_root, gitBranch: row.git_branch, summary: row.summary,
      status: this.statusOf(row, now), connectedAt: row.connected_at, lastSeen: this.lastSeen(row),
      lastActive: this.lastActive(row),
    };
  }

  private async freshId(t: MeshTx): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const id = `p-${this.ctx.newId()}`;
      if (!(await this.row(t, id))) return id;
    }
    throw new BrokerError('internal', 'could not find a free peer id');
  }

  /** `base`, or `base-2`, `base-3`… : the first name no other live peer has (case-insensitively). */
  private async uniqueName(t: MeshTx, base: string, selfId: string): Promise<string> {
    const taken = new Set(
      (await t.db.all<{ name: string }>("SELECT name FROM peers WHERE status != 'gone' AND id != ?", [selfId]))
        .map((r) => r.name.toLowerCase()),
    );
    if (!taken.has(base.toLowerCase())) return base;
    for (let n = 2; ; n++) {
      const suffix = `-${n}`;
      const name = base.slice(0, limits.name - suffix.length) + suffix;
      if (!taken.has(name.toLowerCase())) return name;
    }
  }

  private normalizeDir(dir: string | null, field: string): string | null {
    if (dir === null || dir === '') return null;
    if (!path.isAbsolute(checkPathText(dir, field))) throw new BrokerError('invalidInput', `${field} must be an absolute path`);
    return this.ctx.probe.realpath(checkPathDepth(path.resolve(dir), dir, field));
  }
}

function checkName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0 || trimmed.length > limits.name) {
    throw new BrokerError('invalidInput', `name must be 1 to ${limits.name} characters`);
  }
  // Others address a peer by its name and see it in every listing: it must be plain text that
  // shows as it is (no escapes, no bidi reordering, nothing invisible).
  if (hasHiddenCharacters(trimmed)) {
    throw new BrokerError('invalidInput', `name must not contain control or invisible characters (line breaks, escapes, bidi controls, zero-width characters): "${printable(trimmed)}"`);
  }
  return trimmed;
}

/** The MCP client's own name: shown beside the kind, so, like a name, it must show as it is. */
function checkClient(client: string | null): string | null {
  if (client === null || client.trim() === '') return null;
  if (client.length > limits.name) throw new BrokerError('invalidInput', `client must be at most ${limits.name} characters`);
  if (hasHiddenCharacters(client)) {
    throw new BrokerError('invalidInput', `client must not contain control or invisible characters: "${printable(client)}"`);
  }
  return client.trim();
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Whether `other` is in `caller`'s scope (a peer with no workspace or repo shares none). */
export function inScope(caller: Peer, other: Peer, scope: Scope): boolean {
  switch (scope) {
    case 'machine':
      return true;
    case 'workspace':
      return caller.workspace !== null && other.workspace !== null && samePath(caller.workspace, other.workspace);
    case 'repo':
      return caller.gitRoot !== null && other.gitRoot !== null && samePath(caller.gitRoot, other.gitRoot);
  }
}
