/**
 * Messages between peers. One row per recipient; a broadcast's rows share one thread.
 * States only move forward: queued → delivered (put in front of the recipient's model: a tool
 * result or hook carried it, or its inbox listed it) → read → acked. Only the recipient moves
 * its own messages.
 *
 * A request is claimed by thread, in shared state (`peermesh.claims` / `thread-<id>`), so of
 * several peers that got the same broadcast request exactly one takes it on.
 */
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { MessageKind, personKinds, type Message, type MessageState, type Peer } from '../protocol/entities';
import type { Recipients } from '../protocol/methods';
import { claimsNamespace } from '../protocol/requests/messages';
import type { MeshCounts, MessagesService } from './api';
import type { MeshContext, MeshTx } from './context';
import type { Peers } from './peers';
import type { MeshService } from './service';
import type { SqlTx } from './sql';
import type { State } from './state';

interface MessageRow {
  id: number; from_peer: string; from_name: string; to_peer: string; kind: string; body: string;
  thread_id: number; reply_to: number | null; broadcast: number; state: string; created_at: number;
  delivered_at: number | null; read_at: number | null; acked_at: number | null;
}

const unread = "state IN ('queued', 'delivered')";

/** A message as `deliver` gives it: its body cut to the budget when `truncated`. */
export type Delivered = Message & { truncated: boolean };

export class Messages implements MessagesService, MeshService {
  constructor(
    private readonly ctx: MeshContext,
    private readonly peers: Peers,
    private readonly state: State,
  ) {}

  send(from: string, to: Recipients, kind: MessageKind, body: string, replyTo?: number): Promise<Message[]> {
    return this.ctx.tx((t) => this.sendIn(t, from, to, kind, body, replyTo));
  }

  /** {@link send} inside the caller's transaction (a service that tells a peer about what it did). */
  async sendIn(t: MeshTx, from: string, to: Recipients, kind: MessageKind, body: string, replyTo?: number): Promise<Message[]> {
    if (!MessageKind.safeParse(kind).success) throw new BrokerError('invalidInput', `unknown message kind "${String(kind)}"`);
    if (typeof body !== 'string' || body.length === 0 || body.length > limits.messageBody) {
      throw new BrokerError('invalidInput', `body must be 1 to ${limits.messageBody} characters`);
    }
    const sender = await this.peers.requireLiveIn(t, from);
    const { recipients, broadcast } = await this.resolve(t, sender, to);
    let threadId: number | null = null;
    if (replyTo !== undefined) {
      const parent = await this.row(t, replyTo);
      if (!parent || (parent.from_peer !== sender.id && parent.to_peer !== sender.id)) {
        throw new BrokerError('notFound', `no message ${replyTo} sent by or to you to reply to`);
      }
      threadId = parent.thread_id;
    }
    const now = this.ctx.clock.now();
    const sent: Message[] = [];
    for (const peer of recipients) {
      const { lastInsertRowid: id } = await t.db.run(
        `INSERT INTO messages (from_peer, from_name, to_peer, kind, body, thread_id, reply_to, broadcast, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
        [sender.id, sender.name, peer.id, kind, body, threadId ?? 0, replyTo ?? null, broadcast ? 1 : 0, now],
      );
      if (threadId === null) {
        // A new thread is named after its first row; the other recipients' rows join it.
        threadId = id;
        await t.db.run('UPDATE messages SET thread_id = ? WHERE id = ?', [id, id]);
      }
      const message = toMessage(await this.requireRow(t, id));
      await t.emit('message_sent', sender.id, { id, to: peer.id, kind, threadId, broadcast });
      t.messageStored(message);
      sent.push(message);
    }
    return sent;
  }

  inbox(peerId: string, unreadOnly: boolean, limit: number, peek = false, before?: number): Promise<{ messages: Message[]; unread: number }> {
    const n = Math.min(Math.max(1, Math.floor(limit) || 1), limits.page);
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      await this.peers.requireIn(t, peerId);
      // Unread: oldest first, so nothing is skipped. Everything: the newest page (before `before`), in order.
      const rows = unreadOnly
        ? await t.db.all<MessageRow>(`SELECT * FROM messages WHERE to_peer = ? AND ${unread} ORDER BY id LIMIT ?`, [peerId, n])
        : (await t.db.all<MessageRow>('SELECT * FROM messages WHERE to_peer = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?',
          [peerId, before ?? null, before ?? null, n])).reverse();
      if (!peek && rows.some((r) => r.state === 'queued')) {
        // The page is contiguous in id order (unread: every unread one up to the last; all:
        // every one between its first and last), so id bounds select exactly its queued rows,
        // with one statement text whatever the page (sql.js keeps every distinct statement prepared).
        await t.db.run(
          `UPDATE messages SET state = 'delivered', delivered_at = ? WHERE to_peer = ? AND state = 'queued' AND id BETWEEN ? AND ?`,
          [now, peerId, rows[0].id, rows[rows.length - 1].id],
        );
        for (const r of rows) {
          if (r.state !== 'queued') continue;
          Object.assign(r, { state: 'delivered', delivered_at: now });
          await t.emit('message_delivered', peerId, { id: r.id, from: r.from_peer });
        }
      }
      return { messages: rows.map(toMessage), unread: await this.unreadCount(t.db, peerId) };
    });
  }

  deliver(peerId: string, budget: number, max: number): Promise<{ messages: Delivered[]; more: number; unread: number }> {
    const n = Math.min(Math.max(1, Math.floor(max) || 1), limits.list);
    return this.ctx.tx(async (t) => {
      await this.peers.requireIn(t, peerId);
      const queued = await t.db.all<MessageRow>(
        `SELECT * FROM messages WHERE to_peer = ? AND state = 'queued'
         ORDER BY CASE WHEN kind IN ('request', 'alert') THEN 0 ELSE 1 END, id LIMIT ?`,
        [peerId, n],
      );
      const now = this.ctx.clock.now();
      const delivered: Delivered[] = [];
      let left = Math.max(1, Math.floor(budget));
      for (const r of queued) {
        // Whole bodies while they fit; the first one always goes, cut to the budget if need be.
        if (r.body.length > left && delivered.length > 0) break;
        const truncated = r.body.length > left;
        await t.db.run("UPDATE messages SET state = 'delivered', delivered_at = ? WHERE id = ?", [now, r.id]);
        await t.emit('message_delivered', peerId, { id: r.id, from: r.from_peer });
        Object.assign(r, { state: 'delivered', delivered_at: now });
        delivered.push({ ...toMessage(r), body: truncated ? r.body.slice(0, left) : r.body, truncated });
        left -= Math.min(left, r.body.length);
        if (left === 0) break;
      }
      const more = (await t.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM messages WHERE to_peer = ? AND state = 'queued'", [peerId]))?.n ?? 0;
      return { messages: delivered, more, unread: await this.unreadCount(t.db, peerId) };
    });
  }

  sent(peerId: string, limit: number, before?: number): Promise<Message[]> {
    const n = Math.min(Math.max(1, Math.floor(limit) || 1), limits.page);
    return this.ctx.tx(async (t) => {
      await this.peers.requireIn(t, peerId);
      const rows = await t.db.all<MessageRow>(
        'SELECT * FROM messages WHERE from_peer = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?', [peerId, before ?? null, before ?? null, n],
      );
      return rows.reverse().map(toMessage);
    });
  }

  markRead(peerId: string, ids: number[]): Promise<number> {
    return this.ctx.tx((t) => this.advance(t, peerId, ids, 'read'));
  }

  ack(peerId: string, ids: number[]): Promise<number> {
    return this.ctx.tx((t) => this.advance(t, peerId, ids, 'acked'));
  }

  async claim(peerId: string, ids: number[]): Promise<{ messages: Message[]; updated: number }> {
    const list = [...new Set(ids)];
    if (list.length === 0 || list.length > limits.list || !list.every((id) => Number.isInteger(id))) {
      throw new BrokerError('invalidInput', `give 1 to ${limits.list} message ids`);
    }
    return this.ctx.tx(async (t) => {
      const claimer = await this.peers.requireLiveIn(t, peerId);
      const rows: Array<MessageRow | undefined> = [];
      for (const id of list) rows.push(await this.row(t, id));
      const missing = list.filter((_, i) => rows[i]?.to_peer !== peerId);
      if (missing.length > 0) {
        throw new BrokerError('notFound', `${hashIds(missing)} ${missing.length === 1 ? 'is' : 'are'} not a message to you (mesh_inbox with all=true lists yours)`, { missing });
      }
      const mine = rows as MessageRow[];
      const notRequests = mine.filter((r) => r.kind !== 'request');
      if (notRequests.length > 0) {
        throw new BrokerError('invalidInput', `${hashIds(notRequests.map((r) => r.id))} ${notRequests.length === 1 ? 'is' : 'are'} not a request: ack instead (with a reply)`);
      }
      const claimed: Array<{ id: number; by: string; byName: string }> = [];
      for (const r of mine) {
        const by = await this.claimantIn(t, r.thread_id);
        if (by !== undefined && by !== peerId) claimed.push({ id: r.id, by, byName: (await this.peers.getIn(t, by))?.name ?? by });
      }
      if (claimed.length > 0) {
        const who = claimed.map((c) => `#${c.id} is already claimed by ${c.byName}`).join('; ');
        throw new BrokerError('alreadyClaimed', who, { claimed });
      }
      // One claim per thread; re-claiming one's own renews it.
      const threads = new Map(mine.map((r) => [r.thread_id, r.id]));
      for (const [threadId, id] of threads) {
        await this.state.setIn(t, claimer.id, claimsNamespace, claimKey(threadId), { by: claimer.id, message: id }, { ttlSeconds: limits.ttlSeconds });
      }
      const updated = await this.advance(t, peerId, list, 'read');
      const messages: Message[] = [];
      for (const id of list) messages.push(toMessage(await this.requireRow(t, id)));
      return { messages, updated };
    });
  }

  /**
   * The newest `limit` messages between any peers (of `peer` only, when given; older than
   * message `before`, when given), oldest first. Only the person's peers may read them. Reads
   * only: nothing becomes delivered.
   */
  traffic(callerId: string, filter: { limit: number; peer?: string; before?: number }): Promise<Message[]> {
    const n = Math.min(Math.max(1, Math.floor(filter.limit) || 1), limits.page);
    return this.ctx.tx(async (t) => {
      const caller = await this.peers.requireIn(t, callerId);
      if (!personKinds.includes(caller.kind)) {
        throw new BrokerError('unauthorized', 'only the person\'s editor or terminal reads the mesh\'s traffic; an agent reads its own inbox');
      }
      let peerId: string | null = null;
      if (filter.peer !== undefined) {
        // An id names a peer that has left too (its messages remain); a name, only a live one.
        peerId = (await this.peers.getIn(t, filter.peer))?.id ?? (await this.peers.findIn(t, filter.peer))?.id ?? null;
        if (peerId === null) throw new BrokerError('notFound', `no peer "${filter.peer}"`, { missing: [filter.peer] });
      }
      // One statement text whatever the filter (sql.js keeps every distinct statement prepared).
      const rows = await t.db.all<MessageRow>(
        `SELECT * FROM messages WHERE (? IS NULL OR from_peer = ? OR to_peer = ?) AND (? IS NULL OR id < ?)
         ORDER BY id DESC LIMIT ?`,
        [peerId, peerId, peerId, filter.before ?? null, filter.before ?? null, n],
      );
      return rows.reverse().map(toMessage);
    });
  }

  /** The peer id that claimed thread `threadId`, if any. */
  claimant(threadId: number): Promise<string | undefined> {
    return this.ctx.tx((t) => this.claimantIn(t, threadId));
  }

  private async claimantIn(t: MeshTx, threadId: number): Promise<string | undefined> {
    const by = ((await this.state.getIn(t, claimsNamespace, claimKey(threadId)))?.value as { by?: unknown } | undefined)?.by;
    return typeof by === 'string' ? by : undefined;
  }

  get(id: number): Promise<Message | undefined> {
    return this.ctx.tx(async (t) => {
      const row = await this.row(t, id);
      return row && toMessage(row);
    });
  }

  /** Unread messages of `peerId`, or of everyone. */
  unreadCount(tx: SqlTx, peerId?: string): Promise<number> {
    const n = peerId === undefined
      ? tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE ${unread}`)
      : tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE to_peer = ? AND ${unread}`, [peerId]);
    return n.then((row) => row?.n ?? 0);
  }

  async counts(tx: SqlTx): Promise<Pick<MeshCounts, 'messages' | 'unreadMessages'>> {
    const messages = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages'))?.n ?? 0;
    return { messages, unreadMessages: await this.unreadCount(tx) };
  }

  /** Prunes messages older than the message retention (the mesh's sweep; see {@link prune}). */
  async sweep(t: MeshTx, now: number): Promise<{ messages: number }> {
    return { messages: await this.prune(t, now - this.ctx.settings.retention.messagesMs) };
  }

  /**
   * Deletes messages created before `before`, read or not. Unread ones age out too: the
   * person's terminal (a `cli` peer) never goes gone, and an agent may stay connected for weeks
   * without reading, so a rule that kept unread messages of peers not gone kept them forever,
   * and a flood of them grew the store without end. Inside a transaction.
   */
  async prune(t: MeshTx, before: number): Promise<number> {
    const where = 'created_at < ?';
    // The sweep runs often: journal a DELETE only when it has something to delete.
    if (!(await t.db.get(`SELECT 1 AS x FROM messages WHERE ${where} LIMIT 1`, [before]))) return 0;
    return (await t.db.run(`DELETE FROM messages WHERE ${where}`, [before])).changes;
  }

  private async advance(t: MeshTx, peerId: string, ids: number[], to: Extract<MessageState, 'read' | 'acked'>): Promise<number> {
    await this.peers.requireIn(t, peerId);
    const list = [...new Set(ids)].filter((id) => Number.isInteger(id));
    if (list.length === 0) return 0;
    if (list.length > limits.list) throw new BrokerError('invalidInput', `at most ${limits.list} ids at once`);
    const now = this.ctx.clock.now();
    const from = to === 'read' ? unread : "state != 'acked'";
    const ackedAt = to === 'acked' ? now : null;
    // Read or acked straight from queued (a listing that only looked, then marked what it
    // showed): its model has seen it, so its sender is told, as for any delivery.
    const seen = await t.db.all<{ id: number; from_peer: string }>(
      "SELECT id, from_peer FROM messages WHERE to_peer = ? AND state = 'queued' AND id IN (SELECT value FROM json_each(?)) ORDER BY id",
      [peerId, JSON.stringify(list)],
    );
    const { changes } = await t.db.run(
      `UPDATE messages SET state = ?, delivered_at = COALESCE(delivered_at, ?), read_at = COALESCE(read_at, ?),
         acked_at = COALESCE(?, acked_at)
       WHERE to_peer = ? AND ${from} AND id IN (SELECT value FROM json_each(?))`,
      [to, now, now, ackedAt, peerId, JSON.stringify(list)],
    );
    for (const r of seen) await t.emit('message_delivered', peerId, { id: r.id, from: r.from_peer });
    return changes;
  }

  /** The live peers a message goes to; never the sender, never a gone peer. */
  private async resolve(t: MeshTx, sender: Peer, to: Recipients): Promise<{ recipients: Peer[]; broadcast: boolean }> {
    if ('broadcast' in to) {
      const recipients = (await this.peers.listIn(t, sender.id, to.broadcast, false)).filter((p) => p.id !== sender.id);
      return { recipients, broadcast: true };
    }
    const names = 'peer' in to ? [to.peer] : to.peers;
    if (!Array.isArray(names) || names.length === 0 || names.length > limits.list) {
      throw new BrokerError('invalidInput', `give 1 to ${limits.list} recipients`);
    }
    const found = new Map<string, Peer>();
    const missing: string[] = [];
    for (const name of names) {
      const peer = await this.peers.findIn(t, name);
      if (!peer) missing.push(name);
      else if (peer.id === sender.id) throw new BrokerError('invalidInput', 'you cannot send a message to yourself');
      else found.set(peer.id, peer);
    }
    if (missing.length > 0) {
      // Neutral words: each adapter adds where its user sees who is here (mesh_peers, peermesh peers).
      throw new BrokerError('notFound', `no live peer ${missing.map((m) => `"${m}"`).join(', ')}`, { missing });
    }
    return { recipients: [...found.values()], broadcast: 'peers' in to && found.size > 1 };
  }

  private row(t: MeshTx, id: number): Promise<MessageRow | undefined> {
    return t.db.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [id]);
  }

  private async requireRow(t: MeshTx, id: number): Promise<MessageRow> {
    const row = await this.row(t, id);
    if (!row) throw new BrokerError('internal', `message ${id} vanished`);
    return row;
  }
}

function claimKey(threadId: number): string {
  return `thread-${threadId}`;
}

/** `#3` or `#3, #5`. */
function hashIds(ids: readonly number[]): string {
  return ids.map((id) => `#${id}`).join(', ');
}

function toMessage(r: MessageRow): Message {
  return {
    id: r.id, from: r.from_peer, fromName: r.from_name, to: r.to_peer, kind: r.kind as MessageKind, body: r.body,
    threadId: r.thread_id, replyTo: r.reply_to, broadcast: r.broadcast === 1, state: r.state as MessageState,
    createdAt: r.created_at, deliveredAt: r.delivered_at, readAt: r.read_at, ackedAt: r.acked_at,
  };
}
