/**
 * Messages between peers. One row per recipient; a broadcast's rows share one thread.
 * States only move forward: queued → delivered (the recipient's inbox returned it) → read →
 * acked. Only the recipient moves its own messages.
 *
 * A request is claimed by thread, in shared state (`peermesh.claims` / `thread-<id>`), so of
 * several peers that got the same broadcast request exactly one takes it on.
 */
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { MessageKind, type Message, type MessageState, type Peer } from '../protocol/entities';
import type { Recipients } from '../protocol/methods';
import { claimsNamespace } from '../protocol/requests/messages';
import type { MeshCounts, MessagesService } from './api';
import type { MeshContext } from './context';
import type { Peers } from './peers';
import type { MeshService } from './service';
import type { State } from './state';

interface MessageRow {
  id: number; from_peer: string; from_name: string; to_peer: string; kind: string; body: string;
  thread_id: number; reply_to: number | null; broadcast: number; state: string; created_at: number;
  delivered_at: number | null; read_at: number | null; acked_at: number | null;
}

const unread = "state IN ('queued', 'delivered')";

export class Messages implements MessagesService, MeshService {
  constructor(
    private readonly ctx: MeshContext,
    private readonly peers: Peers,
    private readonly state: State,
  ) {}

  send(from: string, to: Recipients, kind: MessageKind, body: string, replyTo?: number): Message[] {
    const sender = this.peers.requireLive(from);
    if (!MessageKind.safeParse(kind).success) throw new BrokerError('invalidInput', `unknown message kind "${String(kind)}"`);
    if (typeof body !== 'string' || body.length === 0 || body.length > limits.messageBody) {
      throw new BrokerError('invalidInput', `body must be 1 to ${limits.messageBody} characters`);
    }
    const { recipients, broadcast } = this.resolve(sender, to);
    let threadId: number | null = null;
    if (replyTo !== undefined) {
      const parent = this.row(replyTo);
      if (!parent || (parent.from_peer !== sender.id && parent.to_peer !== sender.id)) {
        throw new BrokerError('notFound', `no message ${replyTo} sent by or to you to reply to`);
      }
      threadId = parent.thread_id;
    }
    if (recipients.length === 0) return [];
    const now = this.ctx.clock.now();
    return this.ctx.tx(() => {
      const sent: Message[] = [];
      for (const peer of recipients) {
        const { lastInsertRowid: id } = this.ctx.db.run(
          `INSERT INTO messages (from_peer, from_name, to_peer, kind, body, thread_id, reply_to, broadcast, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
          [sender.id, sender.name, peer.id, kind, body, threadId ?? 0, replyTo ?? null, broadcast ? 1 : 0, now],
        );
        if (threadId === null) {
          // A new thread is named after its first row; the other recipients' rows join it.
          threadId = id;
          this.ctx.db.run('UPDATE messages SET thread_id = ? WHERE id = ?', [id, id]);
        }
        const message = toMessage(this.requireRow(id));
        this.ctx.emit('message_sent', sender.id, { id, to: peer.id, kind, threadId, broadcast });
        this.ctx.messageStored(message);
        sent.push(message);
      }
      return sent;
    });
  }

  inbox(peerId: string, unreadOnly: boolean, limit: number): { messages: Message[]; unread: number } {
    this.peers.require(peerId);
    const n = Math.min(Math.max(1, Math.floor(limit) || 1), limits.page);
    const now = this.ctx.clock.now();
    return this.ctx.tx(() => {
      // Unread: oldest first, so nothing is skipped. Everything: the newest page, in order.
      const rows = unreadOnly
        ? this.ctx.db.all<MessageRow>(`SELECT * FROM messages WHERE to_peer = ? AND ${unread} ORDER BY id LIMIT ?`, [peerId, n])
        : this.ctx.db.all<MessageRow>('SELECT * FROM messages WHERE to_peer = ? ORDER BY id DESC LIMIT ?', [peerId, n]).reverse();
      if (rows.some((r) => r.state === 'queued')) {
        // The page is contiguous in id order (unread: every unread one up to the last; all:
        // every one from the first), so an id bound selects exactly its queued rows, with one
        // statement text whatever the page (sql.js keeps every distinct statement prepared).
        const bound = unreadOnly ? 'id <= ?' : 'id >= ?';
        this.ctx.db.run(
          `UPDATE messages SET state = 'delivered', delivered_at = ? WHERE to_peer = ? AND state = 'queued' AND ${bound}`,
          [now, peerId, unreadOnly ? rows[rows.length - 1].id : rows[0].id],
        );
        for (const r of rows) {
          if (r.state === 'queued') Object.assign(r, { state: 'delivered', delivered_at: now });
        }
      }
      return { messages: rows.map(toMessage), unread: this.unreadCount(peerId) };
    });
  }

  markRead(peerId: string, ids: number[]): number {
    return this.advance(peerId, ids, 'read');
  }

  ack(peerId: string, ids: number[]): number {
    return this.advance(peerId, ids, 'acked');
  }

  claim(peerId: string, ids: number[]): { messages: Message[]; updated: number } {
    const claimer = this.peers.requireLive(peerId);
    const list = [...new Set(ids)];
    if (list.length === 0 || list.length > limits.list || !list.every((id) => Number.isInteger(id))) {
      throw new BrokerError('invalidInput', `give 1 to ${limits.list} message ids`);
    }
    return this.ctx.tx(() => {
      const rows = list.map((id) => this.row(id));
      const missing = list.filter((_, i) => rows[i]?.to_peer !== peerId);
      if (missing.length > 0) {
        throw new BrokerError('notFound', `${hashIds(missing)} ${missing.length === 1 ? 'is' : 'are'} not a message to you (mesh_inbox with all=true lists yours)`, { missing });
      }
      const mine = rows as MessageRow[];
      const notRequests = mine.filter((r) => r.kind !== 'request');
      if (notRequests.length > 0) {
        throw new BrokerError('invalidInput', `${hashIds(notRequests.map((r) => r.id))} ${notRequests.length === 1 ? 'is' : 'are'} not a request: ack instead (with a reply)`);
      }
      const claimed = mine.flatMap((r) => {
        const by = this.claimant(r.thread_id);
        return by === undefined || by === peerId ? [] : [{ id: r.id, by, byName: this.peers.get(by)?.name ?? by }];
      });
      if (claimed.length > 0) {
        const who = claimed.map((c) => `#${c.id} is already claimed by ${c.byName}`).join('; ');
        throw new BrokerError('alreadyClaimed', who, { claimed });
      }
      // One claim per thread; re-claiming one's own renews it.
      const threads = new Map(mine.map((r) => [r.thread_id, r.id]));
      for (const [threadId, id] of threads) {
        this.state.set(claimer.id, claimsNamespace, claimKey(threadId), { by: claimer.id, message: id }, { ttlSeconds: limits.ttlSeconds });
      }
      const updated = this.markRead(peerId, list);
      return { messages: list.map((id) => toMessage(this.requireRow(id))), updated };
    });
  }

  /** The peer id that claimed thread `threadId`, if any. */
  claimant(threadId: number): string | undefined {
    const by = (this.state.get(claimsNamespace, claimKey(threadId))?.value as { by?: unknown } | undefined)?.by;
    return typeof by === 'string' ? by : undefined;
  }

  get(id: number): Message | undefined {
    const row = this.row(id);
    return row && toMessage(row);
  }

  unreadCount(peerId?: string): number {
    return peerId === undefined
      ? this.ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE ${unread}`)?.n ?? 0
      : this.ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE to_peer = ? AND ${unread}`, [peerId])?.n ?? 0;
  }

  counts(): Pick<MeshCounts, 'messages' | 'unreadMessages'> {
    return { messages: this.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages')?.n ?? 0, unreadMessages: this.unreadCount() };
  }

  /** Prunes messages older than the message retention (the mesh's sweep; see {@link prune}). */
  sweep(now: number): { messages: number } {
    return { messages: this.prune(now - this.ctx.settings.retention.messagesMs) };
  }

  /**
   * Deletes messages created before `before` that were read or acked, or whose recipient is
   * gone or pruned. Unread messages of a live peer are kept however old: nobody has seen
   * them yet. Inside a transaction.
   */
  prune(before: number): number {
    const where = `created_at < ? AND (state IN ('read', 'acked')
      OR NOT EXISTS (SELECT 1 FROM peers WHERE peers.id = messages.to_peer AND peers.status != 'gone'))`;
    // The sweep runs often: journal a DELETE only when it has something to delete.
    if (!this.ctx.db.get(`SELECT 1 AS x FROM messages WHERE ${where} LIMIT 1`, [before])) return 0;
    return this.ctx.db.run(`DELETE FROM messages WHERE ${where}`, [before]).changes;
  }

  private advance(peerId: string, ids: number[], to: Extract<MessageState, 'read' | 'acked'>): number {
    this.peers.require(peerId);
    const list = [...new Set(ids)].filter((id) => Number.isInteger(id));
    if (list.length === 0) return 0;
    if (list.length > limits.list) throw new BrokerError('invalidInput', `at most ${limits.list} ids at once`);
    const now = this.ctx.clock.now();
    const from = to === 'read' ? unread : "state != 'acked'";
    const ackedAt = to === 'acked' ? now : null;
    return this.ctx.tx(() =>
      this.ctx.db.run(
        `UPDATE messages SET state = ?, delivered_at = COALESCE(delivered_at, ?), read_at = COALESCE(read_at, ?),
           acked_at = COALESCE(?, acked_at)
         WHERE to_peer = ? AND ${from} AND id IN (SELECT value FROM json_each(?))`,
        [to, now, now, ackedAt, peerId, JSON.stringify(list)],
      ).changes,
    );
  }

  /** The live peers a message goes to; never the sender, never a gone peer. */
  private resolve(sender: Peer, to: Recipients): { recipients: Peer[]; broadcast: boolean } {
    if ('broadcast' in to) {
      const recipients = this.peers.list(sender.id, to.broadcast, false).filter((p) => p.id !== sender.id);
      return { recipients, broadcast: true };
    }
    const names = 'peer' in to ? [to.peer] : to.peers;
    if (!Array.isArray(names) || names.length === 0 || names.length > limits.list) {
      throw new BrokerError('invalidInput', `give 1 to ${limits.list} recipients`);
    }
    const found = new Map<string, Peer>();
    const missing: string[] = [];
    for (const name of names) {
      const peer = this.peers.find(name);
      if (!peer) missing.push(name);
      else if (peer.id === sender.id) throw new BrokerError('invalidInput', 'you cannot send a message to yourself');
      else found.set(peer.id, peer);
    }
    if (missing.length > 0) {
      throw new BrokerError('notFound', `no live peer ${missing.map((m) => `"${m}"`).join(', ')}: see peers/list`, { missing });
    }
    return { recipients: [...found.values()], broadcast: 'peers' in to && found.size > 1 };
  }

  private row(id: number): MessageRow | undefined {
    return this.ctx.db.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [id]);
  }

  private requireRow(id: number): MessageRow {
    const row = this.row(id);
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
