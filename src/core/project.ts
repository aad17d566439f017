/**
 * Which project a request works on: the plan, deltas, debates and landing queues each belong
 * to one. A project is a root folder: the git root of the folder a request names (relative to
 * the caller's cwd), else that folder; without one, the caller's own git root, else its
 * workspace, else its cwd.
 */
import path from 'node:path';
import { BrokerError } from '../protocol/errors';
import type { Peer } from '../protocol/entities';
import type { ProjectRef } from './api';
import type { MeshContext, MeshTx } from './context';
import { checkPathDepth, checkPathText } from './paths';
import type { Peers } from './peers';
import type { WorkspaceProbe } from './workspace';

/** The project's root folder; `invalidInput` when neither the request nor the caller names a folder. */
export function projectRoot(probe: WorkspaceProbe, peer: Peer, project: ProjectRef): string {
  if (project === undefined) {
    const own = peer.gitRoot ?? peer.workspace ?? peer.cwd;
    if (!own) throw new BrokerError('invalidInput', `${peer.name} has no workspace folder: name the project folder`);
    return own;
  }
  const input = checkPathText(project, 'project');
  const base = peer.cwd ?? peer.workspace;
  if (!path.isAbsolute(input) && !base) throw new BrokerError('invalidInput', `the project "${input}" is relative, but ${peer.name} has no folder: give an absolute path`);
  const real = probe.realpath(checkPathDepth(base ? path.resolve(base, input) : path.resolve(input), input, 'project'));
  return probe.gitRoot(real) ?? real;
}

/** Runs `fn` in one transaction with the live caller and the root of the project it names. */
export function inProject<T>(
  ctx: MeshContext, peers: Peers, caller: string, project: ProjectRef, fn: (t: MeshTx, peer: Peer, root: string) => Promise<T>,
): Promise<T> {
  return ctx.tx(async (t) => {
    const peer = await peers.requireLiveIn(t, caller);
    return fn(t, peer, projectRoot(ctx.probe, peer, project));
  });
}
