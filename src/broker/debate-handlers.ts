/** The `debate/…` requests: each a call of the debates service for the caller. */
import type { DomainHandlers } from './handlers';

export const debateHandlers: DomainHandlers<'debate'> = {
  'debate/start': async (ctx, { project, ...start }) => ({ debate: await ctx.mesh.debates.start(ctx.peerId, project, start) }),
  'debate/respond': async (ctx, p) => ({ debate: await ctx.mesh.debates.respond(ctx.peerId, p.id, p.turn) }),
  'debate/get': async (ctx, p) => ({ debate: await ctx.mesh.debates.get(ctx.peerId, p.id) }),
  'debate/list': async (ctx, p) => ({ debates: await ctx.mesh.debates.list(ctx.peerId, p.project, p) }),
  'debate/decide': async (ctx, p) => ({ debate: await ctx.mesh.debates.decide(ctx.peerId, p.id, p) }),
  'debate/mine': (ctx, p) => ctx.mesh.debates.mine(ctx.peerId, p.seen),
};
