import assert from 'node:assert/strict';
import type { ConnectionState } from '../../../src/client/peer';
import { nullLogger } from '../../../src/core/logger';
import { MeshSession, type MeshClient } from '../../../src/mcp/mesh-session';
import type { MeshEvent, Message, Peer } from '../../../src/protocol/entities';
import type { MeshTopic } from '../../../src/protocol/topics';

const me = { id: 'p-me', name: 'me' } as Peer;

/** A client whose answers and pushes the test scripts by hand. */
class ScriptedClient implements MeshClient {
  readonly peer = me;
  connectionState: ConnectionState = 'connected';
  events: MeshEvent[] = [];
  /** Runs while a request is "on the wire", before its answer is returned. */
  duringNextRequest: (() => void) | undefined;
  private readonly on = { message: new Set<(m: Message) => void>(), event: new Set<(e: MeshEvent) => void>(), state: new Set<(s: ConnectionState) => void>() };

  /** Messages the broker would deliver; `messages/deliver` takes them. */
  queue: Message[] = [];
  /** News requests made. */
  asked: string[] = [];
  /** What `plan/mine` answers, and how often it was asked. */
  mine: { held: unknown[]; assigned: unknown[] } = { held: [], assigned: [] };
  minesAsked = 0;

  async request(method: string, params: Record<string, unknown>): Promise<never> {
    if (method === 'messages/deliver') this.asked.push(method);
    const during = this.duringNextRequest;
    this.duringNextRequest = undefined;
    during?.();
    const answer = (() => {
      switch (method) {
        case 'status/get': return { lastEventSeq: 10 };
        case 'peers/list': return { peers: [] };
        case 'events/read': {
          const events = this.events.filter((e) => e.seq > (params.since as number));
          return { events, cursor: events.length ? events[events.length - 1].seq : (params.since as number) };
        }
        case 'messages/inbox': return { messages: [], unread: 0 };
        case 'plan/mine': this.minesAsked++; return this.mine;
        case 'messages/deliver': {
          const messages = this.queue.splice(0).map((m) => ({ ...m, state: 'delivered', truncated: false }));
          return { messages, more: 0, unread: messages.length };
        }
        default: throw new Error(`unexpected ${method}`);
      }
    })();
    return answer as never;
  }

  onMessage(l: (m: Message) => void) { this.on.message.add(l); return () => this.on.message.delete(l); }
  onEvent(l: (e: MeshEvent) => void) { this.on.event.add(l); return () => this.on.event.delete(l); }
  onStateChange(l: (s: ConnectionState) => void) { this.on.state.add(l); return () => this.on.state.delete(l); }
  push(e: MeshEvent) { for (const l of this.on.event) l(e); }
  pushMessage(m: Message) { for (const l of this.on.message) l(m); }
  state(s: ConnectionState) { for (const l of this.on.state) l(s); }
}

const sent = (seq: number, id: number, to = me.id): MeshEvent => ({
  seq, type: 'message_sent', peer: 'p-other', at: 0, data: { id, to, kind: 'text', threadId: id, broadcast: false },
});
const joined = (seq: number): MeshEvent => ({ seq, type: 'peer_joined', peer: 'p-x', at: 0, data: { name: 'x', kind: 'cursor', resumed: false } });
const message = (id: number): Message => ({
  id, from: 'p-other', fromName: 'other', to: me.id, kind: 'text', body: 'hi', threadId: id, replyTo: null,
  broadcast: false, state: 'queued', createdAt: 0, deliveredAt: null, readAt: null, ackedAt: null,
});
const settle = () => new Promise((r) => setImmediate(r));

const task = (id: string, project: string, status = 'in_progress') => ({
  id, project, phase: 'p', title: id, detail: '', status, assignee: me.id, assigneeName: 'me', files: [], dependsOn: [], contracts: [], note: null, updatedAt: 0, updatedBy: 'p-x',
});
const planEvent = (seq: number, type: 'task_claimed' | 'task_updated' | 'plan_changed', peer: string, data: Record<string, unknown>) =>
  ({ seq, type, peer, at: 0, data: { project: '/r', task: 'a', title: 'a', status: 'todo', previous: 'todo', assignee: null, assigneeName: null, overlaps: 0, ...data } }) as unknown as MeshEvent;

describe('mcp/mesh-session', () => {
  it('asks for its tasks only after another peer\'s event about them, or a reconnect; its own held tasks come from memory', async () => {
    const client = new ScriptedClient();
    const session = new MeshSession(client, async () => ({ roots: [] }), nullLogger);
    await session.client();
    client.mine = { held: [task('a', '/r')], assigned: [] };
    assert.deepEqual((await session.news(client)).tasks, { held: [{ id: 'a', status: 'in_progress', project: '/r' }] });
    assert.equal(client.minesAsked, 1, 'once after joining');
    const asks = async (e: MeshEvent) => {
      client.push(e);
      const before = client.minesAsked;
      await session.news(client);
      return client.minesAsked - before;
    };
    assert.equal(await asks(planEvent(11, 'task_claimed', 'p-x', { task: 'b' })), 0, 'another peer took another task');
    assert.equal(await asks(planEvent(12, 'task_updated', 'p-x', { task: 'b', assignee: 'p-y' })), 0, 'given to someone else');
    assert.equal(await asks(planEvent(13, 'task_updated', 'p-x', { task: 'c', assignee: me.id })), 1, 'given to this peer');
    assert.equal(await asks(planEvent(14, 'task_updated', 'p-x', { task: 'a', status: 'review' })), 1, 'its own task moved by another');
    assert.equal(await asks(planEvent(15, 'plan_changed', 'p-x', { project: '/elsewhere' })), 0, 'a plan it holds nothing in');
    assert.equal(await asks(planEvent(16, 'plan_changed', 'p-x', { project: '/r' })), 1, 'a new plan where it holds a task');
    assert.equal(await asks(planEvent(17, 'task_updated', me.id, { task: 'a', status: 'done' })), 0, 'its own change: its tool said so already');
    session.tasksChanged();
    await session.news(client);
    assert.equal(client.minesAsked, 5);
    client.state('reconnecting');
    client.state('connected');
    await settle();
    await session.news(client);
    assert.equal(client.minesAsked, 6, 'after a reconnect, events may have been missed');
  });

  it('after a fail-over, catches up from the last event seen before the loss, even when pushes ran ahead', async () => {
    const client = new ScriptedClient();
    const session = new MeshSession(client, async () => ({ roots: [] }), nullLogger);
    await session.client();
    client.state('reconnecting');
    // While away: a message to us (seq 11), then peers resuming on the new broker (12, 13).
    client.events = [sent(11, 7), joined(12), joined(13)];
    // The new broker's push of seq 13 arrives before the catch-up answer.
    client.push(joined(13));
    client.state('connected');
    await settle();
    assert.equal(session.unreadCount, 1);
  });

  it('reads typed payloads: names from peer events, unread counts from messages to it, changes by the topic map', async () => {
    const client = new ScriptedClient();
    const session = new MeshSession(client, async () => ({ roots: [] }), nullLogger);
    await session.client();
    const changes: MeshTopic[] = [];
    session.onChange((t) => changes.push(t));
    const lock = { id: 1, path: '/r/a.ts', root: '/r', relPath: 'a.ts', startLine: 1, endLine: 9, holder: 'p-x', holderName: 'x2', expiresAt: 9 };
    client.push(joined(11));
    client.push({ seq: 12, type: 'peer_status', peer: 'p-x', at: 0, data: { status: 'working', name: 'x2', previousName: 'x' } });
    client.push(sent(13, 5, 'p-someone-else'));
    client.push(sent(14, 6));
    client.push(sent(15, 6)); // the same message again (say, replayed after a fail-over)
    client.push({ seq: 16, type: 'lock_acquired', peer: 'p-x', at: 0, data: lock });
    client.push({ seq: 17, type: 'state_changed', peer: 'p-x', at: 0, data: { namespace: 'ns', key: 'k', version: 1 } });
    client.push({ seq: 18, type: 'lock_released', peer: 'p-x', at: 0, data: { ...lock, reason: 'released' } });
    // The rename (peer_status) changes the peers and the locks (holder names) views.
    assert.deepEqual(changes, ['peers', 'peers', 'locks', 'inbox', 'locks', 'locks']);
    assert.equal(session.peerName('p-x'), 'x2', 'renamed');
    assert.equal(session.unreadCount, 1, 'message 6 counted once, message 5 was to someone else');
  });

  it('reading the inbox keeps a message pushed while the answer was on its way', async () => {
    const client = new ScriptedClient();
    const session = new MeshSession(client, async () => ({ roots: [] }), nullLogger);
    await session.client();
    client.pushMessage(message(1));
    const counted = session.unreadIds();
    client.duringNextRequest = () => client.pushMessage(message(2));
    const { messages } = await (client.request as (m: string, p: object) => Promise<{ messages: Message[] }>)('messages/inbox', {});
    session.syncUnread(messages, counted);
    assert.equal(session.unreadCount, 1, 'message 1 was read elsewhere; message 2 is new');
  });

  it('asks the broker for news only when a message is known to wait, and once per message', async () => {
    const client = new ScriptedClient();
    const session = new MeshSession(client, async () => ({ roots: [] }), nullLogger);
    await session.client();
    // Just joined: whatever was queued before it joined is fetched once.
    assert.deepEqual(await session.news(client), { messages: [], more: 0, unread: 0 });
    assert.deepEqual(client.asked.splice(0), ['messages/deliver']);
    assert.deepEqual(await session.news(client), { messages: [], more: 0, unread: 0 });
    assert.deepEqual(client.asked, [], 'nothing known to wait: no request');
    client.queue.push(message(3));
    client.pushMessage(message(3));
    const news = await session.news(client);
    assert.deepEqual(news.messages, [{ id: 3, from: 'other', kind: 'text', body: 'hi', truncated: false, replyTo: null }]);
    assert.equal(news.unread, 1);
    assert.deepEqual(client.asked.splice(0), ['messages/deliver']);
    assert.deepEqual((await session.news(client)).messages, [], 'never shown twice');
    assert.deepEqual(client.asked, []);
  });
});
