/**
 * The mesh's recent events as the dashboard's activity feed shows them: read once on joining
 * (the latest few hundred), then as the broker pushes them. Messages between peers carry their
 * words (read from the traffic between peers, as the Messages view's filter does), so the person
 * sees what the agents tell each other.
 */
import * as vscode from 'vscode';
import { describeEvent } from '../../core/event-text';
import type { Logger } from '../../core/logger';
import { printable } from '../../core/printable';
import type { Message, MeshEvent } from '../../protocol/entities';
import type { DashboardActivity } from '../../protocol/webview';
import { Disposable } from '../dispose';
import { debounceMs } from '../timing';
import type { MeshConnection } from './meshConnection';
import type { MeshModel } from './meshModel';

/** Events the feed keeps, the newest. */
export const activityKept = 300;

export class ActivityModel extends Disposable {
  private events: MeshEvent[] = [];
  private readonly bodies = new Map<number, Message>();
  /** Names of peers the window's model no longer lists (gone, or another scope's), as the mesh remembers them. */
  private readonly names = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private trafficTimer: NodeJS.Timeout | undefined;
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly mesh: MeshConnection, private readonly model: MeshModel, private readonly log: Logger) {
    super();
    mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') void this.load();
    }, undefined, this.subscriptions);
    mesh.onDidReceiveEvent((event) => {
      this.events = [...this.events, event].slice(-activityKept);
      if (event.type === 'peer_joined' && event.peer) this.names.set(event.peer, event.data.name);
      if (event.type === 'message_sent') this.readTrafficSoon();
      this.changed();
    }, undefined, this.subscriptions);
    this.register({ dispose: () => { clearTimeout(this.timer); clearTimeout(this.trafficTimer); } });
  }

  /** The feed, newest first. */
  get items(): DashboardActivity[] {
    const name = (id: string | null) => (id === null ? 'the mesh' : printable(this.model.peer(id)?.name ?? this.names.get(id) ?? id));
    return [...this.events].reverse().map((e) => {
      const message = e.type === 'message_sent' ? this.bodies.get(e.data.id) : undefined;
      const text = describeEvent(e, name, message && { from: message.fromName, to: name(message.to), body: message.body });
      return { seq: e.seq, at: e.at, type: e.type, peer: e.peer, peerName: name(e.peer), text: printable(text) };
    });
  }

  private async load(): Promise<void> {
    const client = this.mesh.client;
    if (!client) return;
    try {
      const [{ lastEventSeq }, { peers }] = await Promise.all([
        client.request('status/get', {}, { background: true }),
        client.request('peers/list', { scope: 'machine', includeGone: true }, { background: true }),
      ]);
      for (const peer of peers) this.names.set(peer.id, peer.name);
      let since = Math.max(0, lastEventSeq - activityKept);
      const read: MeshEvent[] = [];
      while (since < lastEventSeq) {
        const { events, cursor } = await client.request('events/read', { since, limit: 100 }, { background: true });
        read.push(...events);
        if (events.length === 0 || cursor <= since) break;
        since = cursor;
      }
      const seen = new Set(read.map((e) => e.seq));
      this.events = [...read, ...this.events.filter((e) => !seen.has(e.seq))].sort((a, b) => a.seq - b.seq).slice(-activityKept);
      await this.readTraffic();
      this.changed();
    } catch (error) {
      this.log.warn(`[activity] reading the recent events failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Reads the traffic once a burst of messages is over. */
  private readTrafficSoon(): void {
    if (this.trafficTimer) return;
    this.trafficTimer = setTimeout(() => {
      this.trafficTimer = undefined;
      void this.readTraffic();
    }, debounceMs.views);
  }

  /** The words of the latest messages between peers; only those of the events kept stay. */
  private async readTraffic(): Promise<void> {
    const client = this.mesh.client;
    if (!client) return;
    try {
      const { messages } = await client.request('messages/traffic', { limit: 100 }, { background: true });
      for (const m of messages) this.bodies.set(m.id, m);
      const shown = new Set(this.events.flatMap((e) => (e.type === 'message_sent' ? [e.data.id] : [])));
      for (const id of this.bodies.keys()) if (!shown.has(id)) this.bodies.delete(id);
      this.changed();
    } catch (error) {
      this.log.debug(`[activity] reading the traffic failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Tells the dashboard, once per burst. */
  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changeEmitter.fire();
    }, debounceMs.views);
  }
}
