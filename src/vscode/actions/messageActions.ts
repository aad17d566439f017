/**
 * Words from the person to the agents: Send Message…, Broadcast…, Reply, and Set My Summary…
 * Every body is asked for in a validating input box (not empty, within the broker's limit).
 */
import * as vscode from 'vscode';
import type { Message, Peer } from '../../protocol/entities';
import { limits } from '../../protocol/limits';
import { inert } from '../messageText';
import { isLanguageServer, livenessLabel, livenessOf, peerKindLabel } from '../peerLook';
import { PeerNode } from '../trees/peersTree';
import { clientOf, type ActionContext } from './context';
import { cancelled } from './prompts';

/** Checks a message body as the broker would, in the person's terms. */
export function validateBody(value: string): string | undefined {
  if (value.trim().length === 0) return 'Write something to send.';
  if (value.length > limits.messageBody) return `At most ${limits.messageBody} characters (this is ${value.length}).`;
  return undefined;
}

async function askBody(ctx: ActionContext, title: string, value = ''): Promise<string> {
  const body = await ctx.prompts.input({ title, value, prompt: 'Enter sends it.', placeHolder: 'Message', validateInput: validateBody });
  return body?.trim() || cancelled();
}

/** Asks for a body and sends it to one peer. */
export async function messagePeer(ctx: ActionContext, peerId: string, prefill = ''): Promise<Message[]> {
  // Shown in a title and the status bar (which draws `$(icon)`): another peer's name goes in inert.
  const name = inert(ctx.model.peer(peerId)?.name ?? peerId);
  const body = await askBody(ctx, `Message ${name}`, prefill);
  const { messages } = await clientOf(ctx.mesh).request('messages/send', { to: { peer: peerId }, body });
  ctx.log.info(`[messages] the person sent a message to ${name}`);
  void vscode.window.setStatusBarMessage(`$(comment) Sent to ${name}`, 4000);
  return messages;
}

/** Send Message…: to the peer of a Peers row, else one the person picks. */
export async function sendMessage(ctx: ActionContext, arg?: unknown): Promise<Message[]> {
  const peer = arg instanceof PeerNode ? arg.peer : await pickPeer(ctx, 'Send a message to…');
  return messagePeer(ctx, peer.id);
}

/** Broadcast…: to every live peer in the configured scope. */
export async function broadcast(ctx: ActionContext): Promise<Message[]> {
  const others = listeners(ctx);
  if (others.length === 0) throw new Error('nobody else is in the mesh to hear a broadcast');
  const body = await askBody(ctx, `Broadcast to ${others.length === 1 ? inert(others[0].name) : `${others.length} peers`}`);
  const { messages } = await clientOf(ctx.mesh).request('messages/send', { to: { broadcast: ctx.model.scope() }, body });
  ctx.log.info(`[messages] the person broadcast a message to ${messages.length} peer${messages.length === 1 ? '' : 's'}`);
  void vscode.window.setStatusBarMessage(`$(broadcast) Broadcast to ${messages.length} peer${messages.length === 1 ? '' : 's'}`, 4000);
  return messages;
}

/** Reply to a message to the person: in its thread, to its sender. */
export async function reply(ctx: ActionContext, message: Message): Promise<Message[]> {
  const body = await askBody(ctx, `Reply to ${inert(message.fromName)}`);
  const client = clientOf(ctx.mesh);
  const { messages } = await client.request('messages/send', { to: { peer: message.from }, body, kind: 'reply', replyTo: message.id });
  if (message.readAt === null) await client.request('messages/markRead', { ids: [message.id] });
  ctx.model.markSeen([message.id]);
  ctx.log.info(`[messages] the person replied to ${message.fromName}`);
  return messages;
}

/** Set My Summary…: what this window's person is working on, shown to every agent. */
export async function setSummary(ctx: ActionContext, arg?: unknown): Promise<Peer> {
  const client = clientOf(ctx.mesh);
  const summary = typeof arg === 'string' ? arg : await ctx.prompts.input({
    title: 'Set My Summary',
    prompt: 'What you are working on; agents see it beside this window. Empty clears it.',
    value: client.peer.summary,
    validateInput: (value) => (value.length > limits.summary ? `At most ${limits.summary} characters.` : undefined),
  });
  if (summary === undefined) cancelled();
  const { peer } = await client.request('peers/update', { summary: summary.trim() });
  ctx.log.info(`[peers] this window's summary is now ${peer.summary ? `"${peer.summary}"` : 'empty'}`);
  return peer;
}

/** The peers the person can talk to: not this window, not gone, not an editor's language server (which reads no messages). */
function listeners(ctx: ActionContext): Peer[] {
  return ctx.model.peers.items.filter((peer) => peer.id !== ctx.model.selfId && livenessOf(peer) !== 'gone' && !isLanguageServer(peer));
}

async function pickPeer(ctx: ActionContext, title: string): Promise<Peer> {
  const peers = listeners(ctx);
  if (peers.length === 0) throw new Error('nobody else is in the mesh');
  const picked = await ctx.prompts.pick(
    peers.map((peer) => ({ label: inert(peer.name), description: `${inert(peerKindLabel(peer))} · ${livenessLabel(livenessOf(peer))}`, detail: inert(peer.summary) || undefined, peer })),
    { title, placeHolder: 'A peer', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.peer ?? cancelled();
}
