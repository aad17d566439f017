/** `peermesh serve`: run a broker in this process, or report the one that already runs. */
import { Broker, type BrokerOptions } from '../broker/broker';
import { candidatePorts, readSecret } from '../home/home';
import { lostElection, scanPorts } from '../client/connect';
import { BrokerError } from '../protocol/errors';
import type { CliContext } from './terminal-peer';

export interface ServeOptions {
  idleExitSeconds?: number;
  lockTtlSeconds?: number;
  graceSeconds?: number;
  /** How long messages are kept, read or not (the extension's `retention.messagesHours`). */
  messageRetentionHours?: number;
  /** How long events are kept and gone peers remembered (`retention.eventsHours`). */
  eventRetentionHours?: number;
  /** How long the audit trail (plan, task, contract, delta, debate and landing events) is kept. */
  auditRetentionDays?: number;
  /** Rounds a debate gets before it escalates. */
  debateRounds?: number;
  /** How long an open debate waits for a turn before it escalates, in ms. */
  debateIdleMs?: number;
  /** How long a release request waits for the holder's answer before it escalates, in ms. */
  requestEscalateMs?: number;
  json: boolean;
}

const hourMs = 3_600_000;

/** The broker settings the flags give; those left out are the broker's defaults. */
export function serveBrokerOptions(opts: ServeOptions): Pick<BrokerOptions, 'idleExitMs' | 'lockTtlSeconds' | 'graceMs' | 'retention' | 'debate' | 'lockRequestEscalateMs'> {
  return {
    idleExitMs: opts.idleExitSeconds ? opts.idleExitSeconds * 1000 : undefined,
    lockTtlSeconds: opts.lockTtlSeconds,
    graceMs: opts.graceSeconds === undefined ? undefined : opts.graceSeconds * 1000,
    retention: {
      messagesMs: opts.messageRetentionHours === undefined ? undefined : opts.messageRetentionHours * hourMs,
      eventsMs: opts.eventRetentionHours === undefined ? undefined : opts.eventRetentionHours * hourMs,
      auditMs: opts.auditRetentionDays === undefined ? undefined : opts.auditRetentionDays * 24 * hourMs,
    },
    debate: { maxRounds: opts.debateRounds, idleMs: opts.debateIdleMs },
    lockRequestEscalateMs: opts.requestEscalateMs,
  };
}

export async function serve(ctx: CliContext, opts: ServeOptions): Promise<void> {
  const secret = await readSecret(ctx.home);
  const ports = candidatePorts(ctx.home, ctx.port);
  const warned = new Set<string>();
  const deadline = Date.now() + 15_000;
  /** Why the last start lost, if the store refused it: the real reason when nothing answers. */
  let refused: Error | undefined;
  for (;;) {
    const scan = await scanPorts(ports, secret, 5000);
    if (scan.connected) {
      const b = scan.connected.hello.broker;
      scan.connected.conn.dispose();
      scan.connected.ws.close();
      const text = `a PeerMesh broker already runs for ${ctx.home.dir}: pid ${b.pid} on 127.0.0.1:${b.port}`;
      process.stdout.write((opts.json ? JSON.stringify({ running: true, ...b }) : text) + '\n');
      return;
    }
    for (const why of scan.foreign.filter((w) => !warned.has(w))) {
      warned.add(why);
      ctx.log.warn(`${why}; trying the next port`);
    }
    if (!scan.busy && scan.free !== undefined) {
      try {
        return await run(ctx, opts, scan.free);
      } catch (e) {
        if (!lostElection(e)) throw e; // else another process won: report it on the next look
        if (BrokerError.is(e, 'unavailable')) refused = e as Error;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(scan.free === undefined
        ? `every candidate port for ${ctx.home.dir} is taken by other programs (${ports.join(', ')}); set --port`
        : refused
          ? `no PeerMesh broker answers for ${ctx.home.dir}, and none can start: ${refused.message}`
          : `a PeerMesh broker for ${ctx.home.dir} is starting or stopping and did not answer in time; try again`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Hosts the broker on `port` until stopped; rejects if another process wins it. */
async function run(ctx: CliContext, opts: ServeOptions, port: number): Promise<never> {
  let stopping = false;
  const broker = await Broker.start({
    home: ctx.home,
    port,
    logger: ctx.log,
    ...serveBrokerOptions(opts),
    onIdle: () => void stop('idle'),
    // Stopped by itself (its journal could not be written): exit, so a peer takes over.
    onClosed: () => {
      if (!stopping) process.exit(1);
    },
  });
  // Every way out goes through broker.close, which lets go of the store's files, its LOCK and
  // broker.json even when it fails; only a SIGKILL leaves them (to be taken over as stale).
  const stop = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info(`stopping (${why})`);
    // A stop that hangs (after an uncaught exception the state may be anything) still ends.
    setTimeout(() => process.exit(code || 1), 10_000).unref();
    try {
      await broker.close();
      process.exit(code);
    } catch (e) {
      ctx.log.error(`could not stop cleanly: ${(e as Error).message}`);
      process.exit(1);
    }
  };
  // Installed before announcing, so a stop right after the announcement is still clean.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  process.on('uncaughtException', (e) => {
    ctx.log.error(e);
    void stop('uncaught exception', 1);
  });
  const info = broker.info;
  process.stdout.write((opts.json ? JSON.stringify({ running: false, ...info }) : `PeerMesh broker pid ${info.pid} serving 127.0.0.1:${info.port} for ${ctx.home.dir}`) + '\n');
  return new Promise<never>(() => undefined); // serve until stopped
}
