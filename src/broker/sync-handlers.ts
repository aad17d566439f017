/** The `sync/…` requests: the landing queue (core/sync.ts). A wait ends when the request is cancelled. */
import type { DomainHandlers } from './handlers';

export const syncHandlers: DomainHandlers<'sync'> = {
  'sync/acquire': (ctx, p) => ctx.mesh.sync.acquire(ctx.peerId, p.project, p.branch, { ttlSeconds: p.ttlSeconds, waitMs: p.waitMs, signal: ctx.signal }),
  'sync/release': async (ctx, p) => ({ queue: await ctx.mesh.sync.release(ctx.peerId, p.project, p.branch) }),
  'sync/status': async (ctx, p) => ({ queues: await ctx.mesh.sync.status(ctx.peerId, p.project, p.branch) }),
  'sync/mine': async (ctx) => ({ queues: await ctx.mesh.sync.mine(ctx.peerId) }),
};
