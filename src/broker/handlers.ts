/**
 * One handler per request method, from validated params to result. The table's type maps
 * every {@link RequestMethod}, so a method added to the protocol without a handler here does
 * not compile. Handshake methods live in peer-connection.ts; they are listed here only to say so.
 */
import type { Mesh } from '../core/api';
import type { ParsedParams, RequestMethod, RequestResult, Status } from '../protocol/methods';
import { debateHandlers } from './debate-handlers';
import { deltaHandlers } from './delta-handlers';
import { syncHandlers } from './sync-handlers';

/** What a handler may know about the caller and the broker. */
export interface CallContext {
  peerId: string;
  /** Aborted when the caller cancels the request or its connection closes. */
  signal: AbortSignal;
  mesh: Mesh;
  status(): Promise<Status>;
  subscribe(events: ParsedParams<'mesh/subscribe'>['events']): void;
  leave(): Promise<void>;
}

export type Handler<M extends RequestMethod> = (ctx: CallContext, params: ParsedParams<M>) => RequestResult<M> | Promise<RequestResult<M>>;
type SessionMethod = 'mesh/hello' | 'mesh/register' | 'mesh/resume' | 'mesh/attach';

export const handlers: { [M in Exclude<RequestMethod, SessionMethod>]: Handler<M> } = {
  'mesh/leave': async (ctx) => {
    await ctx.leave();
    return { ok: true };
  },
  'mesh/subscribe': (ctx, p) => {
    ctx.subscribe(p.events);
    return { ok: true };
  },

  'peers/list': async (ctx, p) => ({ peers: await ctx.mesh.peers.list(ctx.peerId, p.scope, p.includeGone) }),
  'peers/whoami': async (ctx) => ({ peer: await ctx.mesh.peers.require(ctx.peerId) }),
  'peers/update': async (ctx, p) => ({ peer: await ctx.mesh.peers.update(ctx.peerId, p) }),

  'messages/send': async (ctx, p) => ({ messages: await ctx.mesh.messages.send(ctx.peerId, p.to, p.kind, p.body, p.replyTo) }),
  'messages/inbox': (ctx, p) => ctx.mesh.messages.inbox(ctx.peerId, p.unreadOnly, p.limit, p.peek, p.before),
  'messages/get': async (ctx, p) => {
    const messages = [];
    for (const id of p.ids) {
      const m = await ctx.mesh.messages.get(id);
      if (m && (m.to === ctx.peerId || m.from === ctx.peerId)) messages.push(m);
    }
    return { messages };
  },
  'messages/deliver': (ctx, p) => ctx.mesh.messages.deliver(ctx.peerId, p.budget, p.max),
  'messages/sent': async (ctx, p) => ({ messages: await ctx.mesh.messages.sent(ctx.peerId, p.limit, p.before) }),
  'messages/markRead': async (ctx, p) => ({ updated: await ctx.mesh.messages.markRead(ctx.peerId, p.ids) }),
  'messages/claim': (ctx, p) => ctx.mesh.messages.claim(ctx.peerId, p.ids),
  'messages/ack': async (ctx, p) => ({ updated: await ctx.mesh.messages.ack(ctx.peerId, p.ids) }),
  'messages/traffic': async (ctx, p) => ({ messages: await ctx.mesh.messages.traffic(ctx.peerId, p) }),

  'state/get': async (ctx, p) => ({ entry: (await ctx.mesh.state.get(p.namespace, p.key)) ?? null }),
  'state/set': async (ctx, p) => ({
    entry: await ctx.mesh.state.set(ctx.peerId, p.namespace, p.key, p.value, { ifVersion: p.ifVersion, ttlSeconds: p.ttlSeconds }),
  }),
  'state/delete': async (ctx, p) => ({ deleted: await ctx.mesh.state.delete(ctx.peerId, p.namespace, p.key, p.ifVersion) }),
  'state/list': async (ctx, p) => ({ entries: await ctx.mesh.state.list(p.namespace, p.prefix, p.limit, { after: p.after, valueBytes: p.valueBytes }) }),

  'locks/acquire': (ctx, p) => ctx.mesh.locks.acquire(ctx.peerId, p.target, {
    reason: p.reason, ttlSeconds: p.ttlSeconds, waitMs: p.waitMs, reentrant: p.reentrant, signal: ctx.signal,
  }),
  'locks/release': async (ctx, p) => ({ released: await ctx.mesh.locks.release(ctx.peerId, p) }),
  'locks/releaseAll': async (ctx, p) => ({ released: await ctx.mesh.locks.releaseAll(ctx.peerId, p) }),
  'locks/forceRelease': (ctx, p) => ctx.mesh.locks.forceRelease(ctx.peerId, p.lockId, p.reason),
  'locks/saveGuarded': async (ctx, p) => {
    await ctx.mesh.locks.saveGuarded(ctx.peerId, p);
    return { ok: true };
  },
  'locks/renew': async (ctx, p) => ({ locks: await ctx.mesh.locks.renew(ctx.peerId, { lockId: p.lockId, target: p.target }, p.ttlSeconds) }),
  'locks/guardEdit': (ctx, p) => ctx.mesh.locks.guardEdit(ctx.peerId, p.path, p.ranges, p.claim, p.asPerson),
  'locks/check': async (ctx, p) => {
    const [conflicts, alsoClaimed, queued] = await Promise.all([
      ctx.mesh.locks.check(ctx.peerId, p.target), ctx.mesh.locks.alsoClaimed(ctx.peerId, p.target), ctx.mesh.locks.queuedFor(ctx.peerId, p.target),
    ]);
    return { conflicts, ...(alsoClaimed.length > 0 && { alsoClaimed }), ...(queued && { queued }) };
  },
  'locks/fileChanged': (ctx, p) => ctx.mesh.locks.fileChanged(ctx.peerId, p.path, p),
  'release/request': (ctx, p) => ctx.mesh.lockRequests.request(ctx.peerId, p, { reason: p.reason, waitMs: p.waitMs, signal: ctx.signal }),
  'release/answer': (ctx, p) => ctx.mesh.lockRequests.answer(ctx.peerId, p.id, p),
  'release/mine': (ctx, p) => ctx.mesh.lockRequests.news(ctx.peerId, p),
  'locks/list': async (ctx, p) => ({
    locks: await ctx.mesh.locks.list({ path: p.path, holder: p.holder, callerCwd: (await ctx.mesh.peers.get(ctx.peerId))?.cwd ?? null }),
  }),

  'edits/record': async (ctx, p) => {
    await ctx.mesh.edits.record(ctx.peerId, p.path, p.ranges, p.tool);
    return { ok: true };
  },
  'edits/list': async (ctx, p) => ({ edits: await ctx.mesh.edits.list(ctx.peerId, p.path, p.line, p.limit) }),

  'events/read': (ctx, p) => ctx.mesh.events.wait(p.since, p.types, p.limit, p.waitMs, ctx.signal),
  'events/audit': (ctx, p) => ctx.mesh.events.audit(p),

  'status/get': (ctx) => ctx.status(),

  'plan/get': (ctx, p) => ctx.mesh.plans.get(ctx.peerId, p.project),
  'plan/submit': (ctx, p) => ctx.mesh.plans.submit(ctx.peerId, p.project, p.plan, p.source),
  'plan/proposal': async (ctx, p) => ({ proposal: await ctx.mesh.plans.proposal(ctx.peerId, p.id) }),
  'plan/accept': async (ctx, p) => ({ plan: await ctx.mesh.plans.accept(ctx.peerId, p.id) }),
  'plan/reject': async (ctx, p) => ({ proposal: await ctx.mesh.plans.reject(ctx.peerId, p.id, p.reason) }),
  'plan/tasks': async (ctx, p) => ({ tasks: await ctx.mesh.plans.tasks(ctx.peerId, p.project, { status: p.status, assignee: p.assignee }) }),
  'plan/claim': (ctx, p) => ctx.mesh.plans.claim(ctx.peerId, p.project, p.task, p.force),
  'plan/update': (ctx, p) => ctx.mesh.plans.update(ctx.peerId, p.project, p.task, { status: p.status, assignee: p.assignee, note: p.note, force: p.force }),
  'plan/contract': async (ctx, p) => {
    const { project, ...change } = p;
    return { contract: await ctx.mesh.plans.contract(ctx.peerId, project, change) };
  },
  'plan/mine': (ctx, p) => ctx.mesh.plans.mine(ctx.peerId, p.seen),

  ...deltaHandlers,
  ...debateHandlers,
  ...syncHandlers,
};

/** The handlers of one domain's requests (`delta/…`), kept in a file of their own. */
export type DomainHandlers<D extends string> = { [M in Extract<RequestMethod, `${D}/${string}`>]: Handler<M> };
