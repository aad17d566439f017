/** Who is in the mesh: mesh_whoami, mesh_peers, mesh_summary, mesh_status. */
import * as z from 'zod';
import { OwnStatus, Scope } from '../../protocol/entities';
import { limits } from '../../protocol/limits';
import { describeCounts, StatusCounts } from '../../protocol/requests/status';
import { callText, fitList, moreLine } from '../budget';
import { defineTool } from '../tool';
import { formatDuration } from '../../core/duration';
import { describeKind, peerListing } from '../../core/peer-listing';
import { PeerView, peerLine, peerView } from '../views';

/** mesh_whoami: this agent's own peer record. */
export const whoamiTool = defineTool({
  name: 'mesh_whoami',
  title: 'Who am I in the mesh',
  description: 'Your own peer: id, name (others address you by it), kind, folder, branch, summary. Use at the start, or when unsure how others see you.',
  input: {},
  output: {
    id: z.string(), name: z.string(), kind: z.string(), status: z.string(), summary: z.string(),
    cwd: z.string().nullable(), gitRoot: z.string().nullable(), branch: z.string().nullable(),
  },
  readOnly: true,
  async run(_args, client) {
    const { peer: p } = await client.request('peers/whoami', {});
    // The text names the client beside an unknown kind; the data leaves it out: the agent's own client sent it.
    const data = { id: p.id, name: p.name, kind: p.kind, status: p.status, summary: p.summary, cwd: p.cwd, gitRoot: p.gitRoot, branch: p.gitBranch };
    const where = p.gitRoot ? `${p.gitRoot}${p.gitBranch ? ` (${p.gitBranch})` : ''}` : (p.cwd ?? 'no folder');
    return { text: `You are ${p.name} (${p.id}, ${describeKind(p)}) in ${where}. Summary: ${p.summary || '(none: set one with mesh_summary)'}`, data };
  },
});

/**
 * mesh_peers: the peers in a scope, with what each works on; in id order, so that a page
 * cut at the budget goes on after the last id it showed whoever joins or leaves meanwhile.
 */
export const peersTool = defineTool({
  name: 'mesh_peers',
  title: 'List peers',
  description: 'The other agents (and people) in the mesh, with what each works on. Use before work that may overlap, and to find whom to message.',
  input: {
    scope: Scope.optional().describe('machine (default); workspace: same folder; repo: same git repository'),
    includeGone: z.boolean().optional().describe('Also peers that left'),
    cursor: z.string().max(limits.name).optional().describe('From more'),
  },
  output: { peers: z.array(PeerView), more: z.string().optional() },
  readOnly: true,
  async run(args, client, ctx) {
    const { peers } = await client.request('peers/list', { scope: args.scope ?? 'machine', includeGone: args.includeGone ?? false });
    ctx.session.rememberPeers(peers);
    const after = args.cursor ?? '';
    // Look-alike names flagged; of the peers that left under one name, the last only. Then by id, for pages.
    const views = peerListing(peers).filter(({ peer }) => peer.id > after).sort((a, b) => (a.peer.id < b.peer.id ? -1 : 1))
      .map(({ peer, ...listed }) => peerView(peer, client.peer.id, listed));
    const page = fitList(views, peerLine);
    const more = page.cut ? callText('mesh_peers', { scope: args.scope, includeGone: args.includeGone, cursor: page.items[page.items.length - 1].id }) : undefined;
    const alone = !args.cursor && !more && page.items.every((v) => v.me);
    const text = alone ? 'No other peers in this scope.' : page.items.length === 0 ? 'No more peers.' : [...page.lines, ...(more ? [moreLine(more)] : [])].join('\n');
    return { text, data: { peers: page.items, ...(more && { more }) } };
  },
});

/** mesh_summary: set "what I am working on" (and say idle / working again). */
export const summaryTool = defineTool({
  name: 'mesh_summary',
  title: 'Set what I am working on',
  description: 'Tell the other agents what you are working on. Set it when you start a task and whenever it changes; clear it with "" when done.',
  input: {
    summary: z.string().max(limits.summary).describe('One line, e.g. "refactoring auth middleware in src/auth"'),
    status: OwnStatus.optional().describe('idle: you wait (on the person, or something) until you set working'),
  },
  output: { name: z.string(), summary: z.string(), status: z.string() },
  async run(args, client) {
    const { peer } = await client.request('peers/update', { summary: args.summary, ...(args.status && { status: args.status }) });
    return { text: `Summary set${peer.summary ? `: ${peer.summary}` : ' to none'} (${peer.status}).`, data: { name: peer.name, summary: peer.summary, status: peer.status } };
  },
});

/** mesh_status: the broker's pid, port, version, uptime and counts. */
export const statusTool = defineTool({
  name: 'mesh_status',
  title: 'PeerMesh broker status',
  description: 'Health of the mesh: broker pid, port, version, uptime and counts. Use when mesh tools fail or behave oddly.',
  input: {},
  output: {
    version: z.string(), pid: z.number(), port: z.number(), uptimeSec: z.number(), hostedHere: z.boolean(),
    connection: z.string(), counts: StatusCounts,
  },
  readOnly: true,
  async run(_args, client) {
    const s = await client.request('status/get', {});
    const uptimeSec = Math.round(s.uptimeMs / 1000);
    const data = {
      version: s.version, pid: s.pid, port: s.port, uptimeSec, hostedHere: client.hostedBroker !== undefined,
      connection: client.connectionState, counts: s.counts,
    };
    const text = `PeerMesh ${s.version}: broker pid ${s.pid} on 127.0.0.1:${s.port}${data.hostedHere ? ' (in this process)' : ''}, up ${formatDuration(uptimeSec * 1000, { rounding: 'nearest' })}; ` +
      `${describeCounts(s.counts)}.`;
    return { text, data };
  },
});
