/** What every action of the window needs: the mesh, its model, the prompts, the log. */
import type { PeerClient } from '../../client/peer';
import type { Logger } from '../../core/logger';
import type { MeshConnection } from '../mesh/meshConnection';
import type { MeshModel } from '../mesh/meshModel';
import type { Prompts } from './prompts';

export interface ActionContext {
  readonly mesh: MeshConnection;
  readonly model: MeshModel;
  readonly prompts: Prompts;
  readonly log: Logger;
}

/** The window's client, or a clear error while it is not in the mesh. */
export function clientOf(mesh: MeshConnection): PeerClient {
  const client = mesh.client;
  if (client) return client;
  const { state } = mesh;
  throw new Error(state.kind === 'failed'
    ? `this window is not in the mesh: ${state.error}`
    : 'this window is not in the mesh yet; try again in a moment');
}
