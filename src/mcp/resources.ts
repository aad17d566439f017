/**
 * Push that reaches the agent without polling: resources `mesh://inbox`, `mesh://peers`,
 * `mesh://locks` and `mesh://plan` with `resources/subscribe` and `notifications/resources/updated`, and a
 * logging notification for every new message. Broker pushes drive both (see MeshSession);
 * bursts are folded into one update per resource. A client reads a resource on its own (after
 * an update, or to show it), not as the agent's call: the reads are sent as background
 * requests, which do not show the peer working. A resource keeps to a tool result's byte
 * budget: past it, `more` names the tool call that reads on.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { Message } from '../protocol/entities';
import type { MeshTopic } from '../protocol/topics';
import { printable } from '../core/printable';
import type { ToolContext } from './tool';
import { peerListing } from '../core/peer-listing';
import { lockView, messageView, peerView } from './views';
import { callText, fitList, jsonBytes, resultBytes } from './budget';
import { cutBody } from './tools/inbox-pages';
import { planTree } from './tools/plan-show';

/** The resource of a topic that has one: an event of the topic (see `eventTopics`) updates its resource. */
export const resourceUris = {
  inbox: 'mesh://inbox',
  peers: 'mesh://peers',
  locks: 'mesh://locks',
  plan: 'mesh://plan',
} as const satisfies Partial<Record<MeshTopic, string>>;

/** How long changes to one resource are gathered before subscribers are told. */
const settleMs = 100;

const json = (uri: URL, value: unknown) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value) }] });

/** Room for a resource's items: the result budget less the envelope and its other fields. */
const itemsBytes = resultBytes - 1024;

/**
 * The first `items` that fit, and `more` (the call that reads on, after the last shown) when some
 * did not. Each is counted as it goes out: JSON text inside the result's JSON, where every
 * escape is escaped again (a quote in a body costs four bytes, not two).
 */
function fit<T>(items: readonly T[], more: (last: T) => string): { shown: T[]; more?: string } {
  const { items: shown, cut } = fitList(items, (item) => JSON.stringify(item), itemsBytes, (_, line) => jsonBytes(line));
  return cut ? { shown, more: more(shown[shown.length - 1]) } : { shown };
}

export function registerResources(server: McpServer, ctx: ToolContext): { dispose(): void } {
  const { session } = ctx;
  server.registerResource('inbox', resourceUris.inbox, {
    title: 'Unread messages',
    description: 'Messages to you not yet read (mesh_inbox reads and handles them).',
    mimeType: 'application/json',
  }, async (uri) => {
    const client = await session.client();
    const counted = session.unreadIds();
    // The client's program reads this, maybe never its model: a peek, delivering nothing.
    const { messages, unread } = await client.request('messages/inbox', { unreadOnly: true, limit: 50, peek: true }, { background: true });
    session.rememberMessages(messages);
    if (messages.length === unread) session.syncUnread(messages, counted);
    const now = Date.now();
    const { shown, more } = fit(messages.map((m) => cutBody(messageView(m, now))), () => 'mesh_inbox');
    return json(uri, { unread, messages: shown, ...(more && { more }) });
  });
  server.registerResource('peers', resourceUris.peers, {
    title: 'Peers',
    description: 'The live peers of the mesh and what each works on.',
    mimeType: 'application/json',
  }, async (uri) => {
    const client = await session.client();
    const { peers } = await client.request('peers/list', { scope: 'machine', includeGone: false }, { background: true });
    session.rememberPeers(peers);
    const views = peerListing(peers).sort((a, b) => (a.peer.id < b.peer.id ? -1 : 1)).map(({ peer, ...listed }) => peerView(peer, client.peer.id, listed));
    const { shown, more } = fit(views, (last) => callText('mesh_peers', { scope: 'machine', cursor: last.id }));
    return json(uri, { peers: shown, ...(more && { more }) });
  });
  server.registerResource('locks', resourceUris.locks, {
    title: 'Locks',
    description: 'Every file and line-range lock held in the mesh.',
    mimeType: 'application/json',
  }, async (uri) => {
    const client = await session.client();
    const { locks } = await client.request('locks/list', {}, { background: true });
    const views = [...locks].sort((a, b) => a.id - b.id).map((l) => lockView(l, ctx.cwd, client.peer.id));
    const { shown, more } = fit(views, (last) => callText('mesh_lock', { action: 'list', cursor: String(last.id) }));
    return json(uri, { locks: shown, ...(more && { more }) });
  });

  server.registerResource('plan', resourceUris.plan, {
    title: 'Plan',
    description: 'The shared plan of your project: phases, tasks (status, assignee), contracts and pending proposals.',
    mimeType: 'application/json',
  }, async (uri) => {
    const client = await session.client();
    const { plan, proposals } = await client.request('plan/get', {}, { background: true });
    if (!plan) return json(uri, { plan: null });
    // The tree's own budget counts its text too, which a resource leaves out: half the room for the data alone.
    return json(uri, planTree(plan, proposals, client.peer.id, {}, undefined, itemsBytes / 2).data);
  });

  const known = new Set<string>(Object.values(resourceUris));
  const subscribed = new Set<string>();
  const check = (uri: string) => {
    if (!known.has(uri)) throw new McpError(ErrorCode.InvalidParams, `unknown resource ${uri}; subscribe to ${[...known].join(', ')}`);
    return uri;
  };
  server.server.setRequestHandler(SubscribeRequestSchema, async (req) => {
    subscribed.add(check(req.params.uri));
    // Updates flow once this session is in the mesh: answer when it is, so none is missed.
    await session.client().catch((e: Error) => ctx.log.warn(`[mcp] subscribed to ${req.params.uri} before joining the mesh: ${e.message}`));
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (req) => {
    subscribed.delete(check(req.params.uri));
    return {};
  });

  const timers = new Map<string, NodeJS.Timeout>();
  const offChange = session.onChange((r) => {
    const uri: string | undefined = (resourceUris as Partial<Record<MeshTopic, string>>)[r];
    if (uri === undefined || !subscribed.has(uri) || timers.has(uri)) return;
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      if (server.isConnected()) server.server.sendResourceUpdated({ uri }).catch((e: Error) => ctx.log.debug(`[mcp] resource update not sent: ${e.message}`));
    }, settleMs));
  });
  const offMessage = session.onNewMessage((m) => {
    if (!server.isConnected()) return;
    server.sendLoggingMessage({ level: messageLevel(m), logger: 'peermesh', data: announce(m) })
      .catch((e: Error) => ctx.log.debug(`[mcp] message notification not sent: ${e.message}`));
  });
  return {
    dispose() {
      offChange();
      offMessage();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}

function messageLevel(m: Message): LoggingLevel {
  return m.kind === 'alert' ? 'warning' : m.kind === 'request' || m.kind === 'status_check' ? 'notice' : 'info';
}

function announce(m: Message): string {
  const body = m.body.length > 200 ? m.body.slice(0, 199) + '…' : m.body;
  return `PeerMesh: ${m.kind === 'text' ? 'message' : m.kind.replace('_', ' ')} #${m.id} from ${printable(m.fromName)}: ${printable(body)} (mesh_inbox to read and answer)`;
}
