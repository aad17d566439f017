/** Who is in the mesh, and what a peer says about itself. */
import * as z from 'zod';
import { OwnStatus, Peer, Scope } from '../entities';
import { limits } from '../limits';
import { PeerNameInput, defineRequests } from './spec';

export const peersRequests = defineRequests('peers', {
  /**
   * The peers in the caller's scope (`machine` = all, `workspace` = same workspace, `repo` =
   * same git root), the caller always among them; gone peers only with `includeGone`. Any
   * registered peer.
   */
  'peers/list': {
    params: z.object({ scope: Scope.default('machine'), includeGone: z.boolean().default(false) }),
    result: z.object({ peers: z.array(Peer) }),
    retry: 'safe',
  },
  /** The caller as the broker sees it (name after de-duplication, status, git root). */
  'peers/whoami': { params: z.object({}), result: z.object({ peer: Peer }), retry: 'safe' },
  /**
   * Changes the caller's own summary, status or name (suffixed if taken). `status: 'idle'`
   * shows the caller idle until it says `working` again, whatever calls it makes meanwhile;
   * `working` ends that (and, like any call of its own, makes it working now). Emits
   * `summary_changed` / `peer_status` for what changed. Fails `unauthorized` once the caller
   * has left. Setting the same values again changes nothing, so a repeat is safe.
   */
  'peers/update': {
    params: z.object({
      summary: z.string().max(limits.summary).optional(),
      status: OwnStatus.optional(),
      name: PeerNameInput.optional(),
    }),
    result: z.object({ peer: Peer }),
    retry: 'safe',
  },
});
