/**
 * How one-shot CLI commands reach the mesh: as the person at the terminal, one `cli` peer per
 * mesh home whose identity is kept in `cli-peer.json` (0600), so `peermesh lock` today and
 * `peermesh unlock` tomorrow are the same holder. If no broker answers, a detached
 * `peermesh serve --idle-exit 60` is started and the command goes on when it answers.
 */
import { spawn } from 'node:child_process';
import { openSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MeshHome } from '../home/home';
import type { Logger } from '../core/logger';
import { PeerClient, type PeerIdentity } from '../client/peer';

export interface CliContext {
  home: MeshHome;
  port?: number;
  log: Logger;
}

const identityFile = (home: MeshHome) => path.join(home.dir, 'cli-peer.json');

async function readIdentity(home: MeshHome): Promise<PeerIdentity | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(identityFile(home), 'utf8')) as Partial<PeerIdentity>;
    return typeof parsed.peerId === 'string' && typeof parsed.sessionSecret === 'string'
      ? { peerId: parsed.peerId, sessionSecret: parsed.sessionSecret }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `peermesh serve` in the background, detached from this terminal, logging to the home. */
export async function startDetachedBroker(ctx: CliContext, idleExitSeconds = 60): Promise<void> {
  await fs.mkdir(ctx.home.logDir, { recursive: true, mode: 0o700 });
  const out = openSync(path.join(ctx.home.logDir, 'broker.log'), 'a', 0o600);
  const args = [process.argv[1], 'serve', '--idle-exit', String(idleExitSeconds)];
  if (ctx.port) args.push('--port', String(ctx.port));
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PEERMESH_HOME: ctx.home.dir },
  });
  child.unref();
  ctx.log.info(`started a PeerMesh broker in the background (pid ${child.pid}; log ${path.join(ctx.home.logDir, 'broker.log')})`);
}

/** Connects as the terminal's peer, starting a broker if none runs (unless `mustExist`). */
export async function cliClient(ctx: CliContext, opts: { mustExist?: boolean } = {}): Promise<PeerClient> {
  const client = await PeerClient.connect({
    home: ctx.home,
    port: ctx.port,
    logger: ctx.log,
    canHost: false,
    identity: await readIdentity(ctx.home),
    intro: { name: `${os.userInfo().username}-cli`, kind: 'cli', pid: process.pid, cwd: process.cwd(), workspace: process.cwd() },
    startBroker: opts.mustExist ? undefined : () => startDetachedBroker(ctx),
    connectTimeoutMs: opts.mustExist ? 1500 : 15_000,
  });
  const saved = await readIdentity(ctx.home);
  if (saved?.peerId !== client.identity.peerId) {
    await fs.writeFile(identityFile(ctx.home), JSON.stringify(client.identity) + '\n', { mode: 0o600 });
  }
  return client;
}
