/** The `delta/…` requests. */
import type { DomainHandlers } from './handlers';

export const deltaHandlers: DomainHandlers<'delta'> = {
  'delta/push': async (ctx, p) => {
    const { project, ...delta } = p;
    return { delta: await ctx.mesh.deltas.push(ctx.peerId, project, delta) };
  },
  'delta/list': (ctx, p) => ctx.mesh.deltas.list(ctx.peerId, p.project, p),
  'delta/get': async (ctx, p) => ({ delta: await ctx.mesh.deltas.get(ctx.peerId, p.id) }),
  'delta/ack': async (ctx, p) => ({ acked: await ctx.mesh.deltas.ack(ctx.peerId, p.ids) }),
  'delta/mine': (ctx, p) => ctx.mesh.deltas.mine(ctx.peerId, p.seen),
  'delta/confirm': async (ctx, p) => ({ delta: await ctx.mesh.deltas.confirm(ctx.peerId, p) }),
  'delta/dismiss': async (ctx, p) => ({ dismissed: await ctx.mesh.deltas.dismiss(ctx.peerId, p.ids) }),
};
