/**
 * How one-shot CLI commands reach the mesh: as one of the person's terminal identities
 * (core/terminal-identity.ts), whose peer id and session secret are kept in a file (0600): the
 * default one in `cli-peer.json`, so `peermesh lock` today and `peermesh unlock` tomorrow are
 * the same holder; a named one (`--as NAME`, PEERMESH_AS) in `cli-peers/NAME.json`. If no
 * broker answers, a detached `peermesh serve --idle-exit 60` is started and the command goes on
 * when it answers.
 *
 * Several commands may use an identity for the first time at once (scripts started together).
 * Each registering its own peer would leave all but one of them unknown to the file, and their
 * locks unreleasable until they expire. So an identity is registered only under an exclusive
 * lock file beside its file (the store's LOCK, which survives a crashed holder), and whoever
 * gets the lock first reads the file again: if another command saved an identity meanwhile, it
 * resumes that one instead of registering.
 */
import { spawn } from 'node:child_process';
import { openSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MeshHome } from '../home/home';
import { atomicWrite } from '../home/files';
import type { Logger } from '../core/logger';
import { terminalPeerName } from '../core/terminal-identity';
import { PeerClient, type PeerIdentity } from '../client/peer';
import { BrokerError } from '../protocol/errors';
import type { PeerIntro } from '../protocol/requests/mesh';
import { StoreLock } from '../store/lock';

export interface CliContext {
  home: MeshHome;
  port?: number;
  log: Logger;
  /** The named terminal identity to act as (`--as`, PEERMESH_AS), validated; undefined: the person's own. */
  as?: string;
}

/** How long a command waits for another one that is registering the same identity. */
const registerWaitMs = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the identity is kept: `cli-peer.json`, or `cli-peers/<name>.json` for a named one. */
export function identityFile(home: MeshHome, as?: string): string {
  return as === undefined ? path.join(home.dir, 'cli-peer.json') : path.join(home.dir, 'cli-peers', `${as}.json`);
}

async function readIdentity(file: string): Promise<PeerIdentity | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<PeerIdentity>;
    return typeof parsed.peerId === 'string' && typeof parsed.sessionSecret === 'string'
      ? { peerId: parsed.peerId, sessionSecret: parsed.sessionSecret }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Joins the mesh as a long-lived bridge of another program (an agent's MCP server, an editor's
 * language server): one peer for as long as that program runs, never the broker at first (a
 * detached `peermesh serve` starts if none answers), the broker itself on fail-over, with every
 * event pushed. With `joinOnly`, it never starts or hosts a broker, and waits for the one its
 * program runs (the VS Code window, which runs its language server so), on fail-over too.
 */
export function connectBridge(ctx: CliContext, intro: PeerIntro, { joinOnly = false } = {}): Promise<PeerClient> {
  return PeerClient.connect({
    home: ctx.home,
    port: ctx.port,
    logger: ctx.log,
    canHost: false,
    hostOnFailover: !joinOnly,
    startBroker: joinOnly ? undefined : () => startDetachedBroker(ctx),
    subscribeEvents: true,
    connectTimeoutMs: 30_000,
    intro,
  });
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

/** Connects as `identity`, or registers when there is none; never registers in place of an unknown one. */
function connect(ctx: CliContext, opts: { mustExist?: boolean }, identity: PeerIdentity | undefined): Promise<PeerClient> {
  return PeerClient.connect({
    home: ctx.home,
    port: ctx.port,
    logger: ctx.log,
    canHost: false,
    identity,
    registerIfUnknown: false,
    intro: { name: terminalPeerName(os.userInfo().username, ctx.as), kind: 'cli', pid: process.pid, cwd: process.cwd(), workspace: process.cwd() },
    startBroker: opts.mustExist ? undefined : () => startDetachedBroker(ctx),
    connectTimeoutMs: opts.mustExist ? 1500 : 15_000,
  });
}

/** The broker does not know a saved identity (its store was reset): it must be registered again. */
const unknownIdentity = (e: unknown) => BrokerError.is(e, 'notFound') || BrokerError.is(e, 'unauthorized');

export interface CliClientOptions {
  /** Only a broker that runs already: start none, and give up sooner. */
  mustExist?: boolean;
  /**
   * The command only looks, or could find nothing for an identity that does not exist (its
   * inbox, its locks): a named identity (`--as`) that does not exist is refused, not made. A
   * typo, or a CI job's own name, in `peermesh status --as x` must not leave a peer behind.
   */
  existingOnly?: boolean;
}

/** Connects as the terminal identity (`ctx.as`), registering it once if it is new, starting a broker if none runs (unless `mustExist`). */
export async function cliClient(ctx: CliContext, opts: CliClientOptions = {}): Promise<PeerClient> {
  const file = identityFile(ctx.home, ctx.as);
  const saved = await readIdentity(file);
  const refuse = opts.existingOnly && ctx.as !== undefined;
  if (!saved && refuse) {
    throw new BrokerError('notFound', `no terminal identity ${ctx.as} yet; it is made by the first command that acts as it, e.g. peermesh lock --as ${ctx.as} PATH`);
  }
  if (saved) {
    try {
      return await connect(ctx, opts, saved);
    } catch (e) {
      if (!unknownIdentity(e)) throw e;
      if (refuse) {
        throw new BrokerError('notFound', `the mesh no longer knows terminal identity ${ctx.as} (unused for longer than the event retention, or the mesh was reset); it is made again by the next command that acts as it, e.g. peermesh lock --as ${ctx.as} PATH`);
      }
      ctx.log.warn(`the broker does not know this terminal's identity ${saved.peerId} any more; registering it again`);
    }
  }
  return registerOnce(ctx, opts, file, saved);
}

/**
 * Registers the identity and saves it, unless another command did so since `stale` (none, or
 * one the broker forgot) was read: then resumes that one. Under the identity's lock file.
 */
async function registerOnce(ctx: CliContext, opts: { mustExist?: boolean }, file: string, stale: PeerIdentity | undefined): Promise<PeerClient> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const lock = await lockIdentity(dir, `${path.basename(file)}.lock`);
  try {
    const current = await readIdentity(file);
    if (current && current.peerId !== stale?.peerId) return await connect(ctx, opts, current);
    const client = await connect(ctx, opts, undefined);
    try {
      await atomicWrite(file, JSON.stringify(client.identity) + '\n', { mode: 0o600 });
    } catch (e) {
      // Unsaved, the peer could never be resumed: leave, so nothing it does outlives the command.
      await client.close(true);
      throw e;
    }
    return client;
  } finally {
    await lock.release();
  }
}

/** Takes the identity's lock file, waiting while another live command holds it. */
async function lockIdentity(dir: string, name: string): Promise<StoreLock> {
  const deadline = Date.now() + registerWaitMs;
  for (;;) {
    try {
      return await StoreLock.acquire(dir, name);
    } catch (e) {
      if (!BrokerError.is(e, 'unavailable')) throw e;
      if (Date.now() > deadline) {
        throw new BrokerError('unavailable', `another peermesh command has been registering this terminal identity for ${registerWaitMs / 1000} s (${path.join(dir, name)}): ${e.message}`);
      }
      await sleep(20 + Math.random() * 30);
    }
  }
}
