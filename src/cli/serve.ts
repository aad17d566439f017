/** `peermesh serve`: run a broker in this process, or report the one that already runs. */
import { Broker } from '../broker/broker';
import { candidatePorts, readSecret } from '../broker/home';
import { connectTo } from '../client/connect';
import type { CliContext } from './session';

export interface ServeOptions {
  idleExitSeconds?: number;
  lockTtlSeconds?: number;
  graceSeconds?: number;
  json: boolean;
}

export async function serve(ctx: CliContext, opts: ServeOptions): Promise<void> {
  const { idleExitSeconds, json } = opts;
  const secret = await readSecret(ctx.home);
  for (const port of candidatePorts(ctx.home, ctx.port)) {
    const outcome = await connectTo(port, secret, 5000);
    if (outcome.kind === 'connected') {
      const b = outcome.hello.broker;
      outcome.conn.dispose();
      outcome.ws.close();
      const text = `a PeerMesh broker already runs for ${ctx.home.dir}: pid ${b.pid} on 127.0.0.1:${b.port}`;
      process.stdout.write((json ? JSON.stringify({ running: true, ...b }) : text) + '\n');
      return;
    }
    if (outcome.kind === 'foreign') {
      ctx.log.warn(`${outcome.why}; trying the next port`);
      continue;
    }
    let broker: Broker;
    try {
      broker = await Broker.start({
        home: ctx.home,
        port,
        logger: ctx.log,
        idleExitMs: idleExitSeconds ? idleExitSeconds * 1000 : undefined,
        lockTtlSeconds: opts.lockTtlSeconds,
        graceMs: opts.graceSeconds === undefined ? undefined : opts.graceSeconds * 1000,
        onIdle: () => void stop('idle'),
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return serve(ctx, opts); // lost a race: report the winner
      throw e;
    }
    let stopping = false;
    const stop = async (why: string) => {
      if (stopping) return;
      stopping = true;
      ctx.log.info(`stopping (${why})`);
      await broker.close();
      process.exit(0);
    };
    // Installed before announcing, so a stop right after the announcement is still clean.
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    const info = broker.info;
    process.stdout.write((json ? JSON.stringify({ running: false, ...info }) : `PeerMesh broker pid ${info.pid} serving 127.0.0.1:${info.port} for ${ctx.home.dir}`) + '\n');
    return new Promise(() => undefined); // serve until stopped
  }
  throw new Error(`every candidate port for ${ctx.home.dir} is taken by other programs (${candidatePorts(ctx.home, ctx.port).join(', ')}); set --port`);
}
