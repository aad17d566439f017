/**
 * What the model sees of mesh records: small objects with empty fields left out, and one-line
 * text renderings. Agents pay for every token, so ids, names and relative paths stand in for
 * full records; the full ones stay a `peermesh … --json` away.
 */
import path from 'node:path';
import * as z from 'zod';
import { formatDuration } from '../core/duration';
import { describeKind, describeLookalike, describePeerRef, type ListedPeer } from '../core/peer-listing';
import { describeTarget } from '../core/paths';
import { printable } from '../core/printable';
import type { Lock, MeshEvent, Message, Peer, StateEntry } from '../protocol/entities';

/** Seconds from now until `at` (epoch ms), never negative. */
export const secondsUntil = (at: number, now = Date.now()) => Math.max(0, Math.ceil((at - now) / 1000));

export const PeerView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  /** The MCP client's own name, when the kind is `unknown`. */
  client: z.string().optional(),
  status: z.string(),
  /** Another live peer whose name or id this one's name looks like: `alice (p-3f9a2c)`. */
  lookalikeOf: z.string().optional(),
  /** A peer that left: how many more left under its name before it (not listed). */
  earlier: z.number().optional(),
  summary: z.string().optional(),
  repo: z.string().optional(),
  branch: z.string().optional(),
  me: z.boolean().optional(),
});
export type PeerView = z.infer<typeof PeerView>;

/** `listed`: its row of a listing (core/peer-listing.ts), for the look-alike flag and the count of earlier gone ones. */
export function peerView(p: Peer, selfId: string, listed?: Omit<ListedPeer, 'peer'>): PeerView {
  return {
    id: p.id, name: p.name, kind: p.kind,
    ...(p.kind === 'unknown' && p.client && { client: p.client }),
    status: p.status,
    ...(listed?.lookalikeOf && { lookalikeOf: describePeerRef(listed.lookalikeOf) }),
    ...(listed?.earlierGone && { earlier: listed.earlierGone }),
    ...(p.summary && { summary: p.summary }),
    ...(p.gitRoot && { repo: path.basename(p.gitRoot) }),
    ...(p.gitBranch && { branch: p.gitBranch }),
    ...(p.id === selfId && { me: true }),
  };
}

// The text lines below show other peers' words: each goes through `printable`, so an escape
// sequence in a name, summary, reason or body reaches the model (and any terminal) as text.

export function peerLine(p: PeerView): string {
  const where = p.repo ? ` ${printable(p.repo)}${p.branch ? '@' + printable(p.branch) : ''}` : '';
  const status = p.earlier ? `${p.status}, and ${p.earlier} earlier` : p.status;
  const lookalike = p.lookalikeOf ? ` ${describeLookalike(p.lookalikeOf)}` : '';
  return `${printable(p.name)}${p.me ? ' (you)' : ''} [${describeKind(p)}, ${status}]${lookalike}${where}${p.summary ? ': ' + printable(p.summary) : ''}`;
}

export const LockView = z.object({
  id: z.number(),
  target: z.string(),
  holder: z.string(),
  reason: z.string().optional(),
  expiresInSec: z.number(),
  mine: z.boolean().optional(),
  /** The code it covered was deleted: it keeps its last lines until released or taken again. */
  codeGone: z.boolean().optional(),
  /** A symbol claim whose symbol now reaches into another peer's claim: it covers only its lines before. */
  symbolBlocked: z.boolean().optional(),
});
export type LockView = z.infer<typeof LockView>;

/** A lock's file as the agent would name it: relative to its cwd when inside it, else absolute. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

export function lockView(l: Lock, cwd: string, selfId: string, now = Date.now()): LockView {
  return {
    id: l.id, target: describeTarget({ ...l, relPath: displayPath(l.path, cwd) }), holder: l.holderName,
    ...(l.reason && { reason: l.reason }),
    expiresInSec: secondsUntil(l.expiresAt, now),
    ...(l.holder === selfId && { mine: true }),
    ...(l.anchorLost && { codeGone: true }),
    ...(l.symbolBlocked && { symbolBlocked: true }),
  };
}

export function lockLine(l: LockView): string {
  const who = l.mine ? 'you' : printable(l.holder);
  const gone = `${l.codeGone ? ', code gone' : ''}${l.symbolBlocked ? ', symbol reaches into another claim' : ''}`;
  return `#${l.id} ${printable(l.target)} by ${who}${l.reason ? ` ("${printable(l.reason)}")` : ''}, ${formatDuration(l.expiresInSec * 1000, { rounding: 'up' })} left${gone}`;
}

export const MessageView = z.object({
  id: z.number(),
  from: z.string(),
  kind: z.string(),
  body: z.string(),
  replyTo: z.number().optional(),
  broadcast: z.boolean().optional(),
  state: z.string().optional(),
  ageSec: z.number(),
});
export type MessageView = z.infer<typeof MessageView>;

export function messageView(m: Message, now = Date.now(), withState = false): MessageView {
  return {
    id: m.id, from: m.fromName, kind: m.kind, body: m.body,
    ...(m.replyTo !== null && { replyTo: m.replyTo }),
    ...(m.broadcast && { broadcast: true }),
    ...(withState && { state: m.state }),
    ageSec: Math.max(0, Math.round((now - m.createdAt) / 1000)),
  };
}

export function messageLine(m: MessageView): string {
  const tags = [m.kind !== 'text' && m.kind, m.broadcast && 'broadcast', m.replyTo !== undefined && `re #${m.replyTo}`, m.state]
    .filter(Boolean).join(', ');
  return `#${m.id} from ${printable(m.from)}${tags ? ` (${tags})` : ''}, ${formatDuration(m.ageSec * 1000, { rounding: 'nearest' })} ago: ${printable(m.body)}`;
}

export const StateView = z.object({
  key: z.string(),
  value: z.unknown(),
  version: z.number(),
  author: z.string(),
  expiresInSec: z.number().optional(),
});
export type StateView = z.infer<typeof StateView>;

export function stateView(e: StateEntry, authorName: (id: string) => string, now = Date.now()): StateView {
  return {
    key: e.key, value: e.value, version: e.version, author: authorName(e.author),
    ...(e.expiresAt !== null && { expiresInSec: secondsUntil(e.expiresAt, now) }),
  };
}

/**
 * A JSON value cut to `max` characters for a text line, as printable text (a string without its
 * quotes): JSON leaves bidi controls and C1 characters in strings as they are.
 */
export function clip(value: unknown, max = 200): string {
  const text = printable(typeof value === 'string' ? value : JSON.stringify(value));
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export const EventView = z.object({
  seq: z.number(),
  type: z.string(),
  peer: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});
export type EventView = z.infer<typeof EventView>;

/** Keys of event payloads that only repeat what the rest says, in a longer form. */
const noisyEventKeys = new Set(['root', 'path', 'holder', 'holderName', 'threadId', 'expiresAt']);

export function eventView(e: MeshEvent, peerName: (id: string) => string): EventView {
  const peer = e.peer ? peerName(e.peer) : undefined;
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.data)) {
    if (noisyEventKeys.has(k) || v === null || v === undefined || v === false || (k === 'name' && v === peer)) continue;
    data[k] = k === 'to' && typeof v === 'string' ? peerName(v) : v;
  }
  return { seq: e.seq, type: e.type, ...(peer && { peer }), data };
}

export function eventLine(e: EventView): string {
  const parts = Object.entries(e.data).map(([k, v]) => `${k}=${clip(v, 60)}`);
  return `${e.seq} ${e.type}${e.peer ? ' ' + printable(e.peer) : ''}${parts.length ? ' ' + parts.join(' ') : ''}`;
}
