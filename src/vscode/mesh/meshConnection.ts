/**
 * This window's membership in the mesh: one {@link PeerClient} of kind `vscode-window`, which
 * may host the broker (the normal case: the first window wins the election). It starts on the
 * next tick, so `activate()` stays cheap, retries with a backoff while no broker can be reached
 * or started, and starts over when the mesh home or port setting changes. `close()` leaves the
 * mesh and stops a hosted broker (its store snapshot included); `deactivate()` awaits it.
 */
import * as vscode from 'vscode';
import { resolveHome, type MeshHome } from '../../home/home';
import { PeerClient, type ConnectionState, type PeerClientOptions } from '../../client/peer';
import { taggedLogger, type Logger } from '../../core/logger';
import type { MeshEvent, Message } from '../../protocol/entities';
import type { BrokerInfo } from '../../protocol/methods';
import type { Config } from '../config';
import { Disposable } from '../dispose';

/** Where the window is in joining the mesh. */
export type MeshState =
  /** First attempt (or a restart after a settings change) under way. */
  | { readonly kind: 'connecting' }
  | { readonly kind: 'connected' }
  /** The broker went away; the client is electing or reaching the next one. */
  | { readonly kind: 'reconnecting' }
  /** No broker could be reached or started; another attempt follows after `retryInMs`. */
  | { readonly kind: 'failed'; readonly error: string; readonly retryInMs: number }
  | { readonly kind: 'closed' };

/** Delays between failed first attempts; the last one repeats. */
const retryDelaysMs = [1000, 2000, 5000, 10_000, 30_000];

export class MeshConnection extends Disposable {
  private current: PeerClient | undefined;
  private currentState: MeshState = { kind: 'connecting' };
  /** Bumped by every (re)start and by close(); an attempt of an older generation gives up. */
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastBroker: string | undefined;
  private homeInUse: MeshHome | undefined;
  private closing: Promise<void> | undefined;
  /** The attempt under way, so close() can wait for a client it is about to abandon. */
  private pending: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  private readonly stateEmitter = this.register(new vscode.EventEmitter<MeshState>());
  /** Fires on every change of {@link state}. */
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly brokerEmitter = this.register(new vscode.EventEmitter<BrokerInfo>());
  /** Fires when the client is served by a broker instance other than the one before (first join included). */
  readonly onDidChangeBroker = this.brokerEmitter.event;
  private readonly eventEmitter = this.register(new vscode.EventEmitter<MeshEvent>());
  /** Every mesh event the broker pushes (the client subscribes to all of them). */
  readonly onDidReceiveEvent = this.eventEmitter.event;
  private readonly messageEmitter = this.register(new vscode.EventEmitter<Message>());
  /** Every message the broker pushes to this window's peer (sent to it, or broadcast). */
  readonly onDidReceiveMessage = this.messageEmitter.event;

  constructor(
    private readonly config: Config,
    log: Logger,
  ) {
    super();
    this.log = taggedLogger(log, 'mesh');
    config.onDidChange(({ changed }) => {
      if (changed.includes('home') || changed.includes('port')) {
        this.restart('the mesh home or port setting changed');
      } else if (changed.some((name) => name === 'lockTtlSeconds' || name === 'lockGraceSeconds' || name.endsWith('RetentionHours'))) {
        this.log.info('lock and retention settings apply the next time this window hosts the broker');
      }
    }, undefined, this.subscriptions);
  }

  get state(): MeshState {
    return this.currentState;
  }

  /** The connected (or reconnecting) client; undefined before the first join and after close. */
  get client(): PeerClient | undefined {
    return this.current;
  }

  /** The mesh home this window uses (real path once resolved), else the one the settings name. */
  get homeDir(): string {
    return this.homeInUse?.dir ?? this.config.resolvedHome();
  }

  /** Whether the broker runs in this extension host. */
  get hostsBroker(): boolean {
    const client = this.current;
    return client !== undefined && (client.hostedBroker !== undefined || client.broker.pid === process.pid);
  }

  /** Joins the mesh in the background: on the next tick, never inside `activate()`. */
  start(): void {
    const generation = ++this.generation;
    setTimeout(() => this.run(generation, 0), 0);
  }

  /** Leaves the mesh and stops a broker hosted here, awaiting its store snapshot. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.generation++;
      clearTimeout(this.retryTimer);
      const client = this.current;
      this.current = undefined;
      this.setState({ kind: 'closed' });
      await this.pending;
      if (client) {
        const hosted = client.hostedBroker !== undefined;
        await client.close();
        this.log.info(`left the mesh${hosted ? '; the broker hosted here stopped' : ''}`);
      }
    })();
    return this.closing;
  }

  override dispose(): void {
    // VS Code disposes after awaiting deactivate(), which already closed; this covers the rest.
    void this.close();
    super.dispose();
  }

  /**
   * Stops the broker hosted in this window (its store snapshot included); the window, like
   * every peer of that broker, fails over to a new one (this window again, unless another is
   * quicker) and resumes its session: same peer, claims and inbox. Resolves once it is back.
   * A broker in another process is left alone: the error says where it runs.
   */
  async restartBroker(): Promise<void> {
    const client = this.current;
    if (!client || this.closing) throw new Error('this window is not in the mesh');
    if (!client.hostedBroker) {
      throw new Error(`the broker runs in another process (pid ${client.broker.pid}, port ${client.broker.port}): restart that window or \`peermesh serve\``);
    }
    const before = client.broker.instanceId;
    this.log.info('the person restarts the broker hosted here');
    await client.stopHostedBroker();
    const deadline = Date.now() + 30_000;
    while (client === this.current && !(client.connectionState === 'connected' && client.broker.instanceId !== before)) {
      if (Date.now() > deadline) throw new Error('the broker stopped, but no new one answered within 30 s; the window keeps trying');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private restart(why: string): void {
    if (this.closing) return;
    this.log.info(`rejoining: ${why}`);
    const generation = ++this.generation;
    clearTimeout(this.retryTimer);
    const old = this.current;
    this.current = undefined;
    this.setState({ kind: 'connecting' });
    void (async () => {
      await old?.close().catch((error: unknown) => this.log.warn(`closing the previous client: ${String(error)}`));
      this.run(generation, 0);
    })();
  }

  private run(generation: number, failures: number): void {
    this.pending = this.attempt(generation, failures);
  }

  private async attempt(generation: number, failures: number): Promise<void> {
    if (generation !== this.generation) return;
    let client: PeerClient;
    try {
      const options = this.clientOptions();
      this.homeInUse = options.home;
      client = await PeerClient.connect(options);
    } catch (error) {
      if (generation !== this.generation) return;
      const retryInMs = retryDelaysMs[Math.min(failures, retryDelaysMs.length - 1)];
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`could not join the mesh: ${message}; retrying in ${retryInMs / 1000} s`);
      this.setState({ kind: 'failed', error: message, retryInMs });
      this.retryTimer = setTimeout(() => this.run(generation, failures + 1), retryInMs);
      return;
    }
    if (generation !== this.generation) {
      // A restart or close() came while this attempt was connecting.
      await client.close().catch((error: unknown) => this.log.warn(`closing an abandoned client: ${String(error)}`));
      return;
    }
    this.adopt(client);
  }

  private adopt(client: PeerClient): void {
    this.current = client;
    client.onEvent((event) => this.eventEmitter.fire(event));
    client.onMessage((message) => this.messageEmitter.fire(message));
    client.onStateChange((state) => this.onClientState(client, state));
    this.log.info(`in the mesh of ${this.homeDir}${this.hostsBroker ? ', hosting its broker' : ''}`);
    this.setState({ kind: 'connected' });
    this.noticeBroker(client.broker);
  }

  private onClientState(client: PeerClient, state: ConnectionState): void {
    if (client !== this.current) return;
    switch (state) {
      case 'connected':
        this.log.info(`back in the mesh: broker pid ${client.broker.pid}${this.hostsBroker ? ' (hosted here now)' : ''}`);
        this.setState({ kind: 'connected' });
        this.noticeBroker(client.broker);
        break;
      case 'reconnecting':
        this.setState({ kind: 'reconnecting' });
        break;
      case 'closed':
        break; // only close()/restart() close the client, and they set the state themselves
    }
  }

  private noticeBroker(broker: BrokerInfo): void {
    if (broker.instanceId === this.lastBroker) return;
    this.lastBroker = broker.instanceId;
    this.brokerEmitter.fire(broker);
  }

  private setState(state: MeshState): void {
    this.currentState = state;
    this.stateEmitter.fire(state);
  }

  /** Who this window is in the mesh, and how it hosts a broker, from the settings. */
  private clientOptions(): PeerClientOptions {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    const dir = folder?.uri.fsPath ?? null;
    const port = this.config.get('port');
    return {
      home: resolveHome({ ...process.env, PEERMESH_HOME: this.config.resolvedHome() }),
      port: port === 0 ? undefined : port,
      logger: this.log,
      canHost: true,
      subscribeEvents: true,
      intro: {
        name: `vscode:${folder?.name ?? vscode.workspace.name ?? 'window'}`,
        kind: 'vscode-window',
        pid: process.pid,
        cwd: dir,
        workspace: dir,
        summary: '',
      },
      // Read when a broker starts here: a restart applies the settings as they are then.
      brokerOptions: () => ({
        lockTtlSeconds: this.config.get('lockTtlSeconds'),
        graceMs: this.config.get('lockGraceSeconds') * 1000,
        retention: {
          messagesMs: this.config.get('messagesRetentionHours') * 3_600_000,
          eventsMs: this.config.get('eventsRetentionHours') * 3_600_000,
        },
        debate: { maxRounds: this.config.get('debateRounds'), idleMs: this.config.get('debateIdleMinutes') * 60_000 },
        lockRequestEscalateMs: this.config.get('lockRequestEscalateMinutes') * 60_000,
      }),
    };
  }
}
