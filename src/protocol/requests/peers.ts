/** Who is in the mesh, and what a peer says about itself. */
import { z } from 'zod';
import { Peer, PeerStatus, Scope } from '../entities';
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
   * Changes the caller's own summary, status (`active` or `away`) or name (suffixed if taken).
   * Emits `summary_changed` / `peer_status` for what changed. Fails `unauthorized` once the
   * caller has left. Setting the same values again changes nothing, so a repeat is safe.
   */
  'peers/update': {
    params: z.object({
      summary: z.string().max(limits.summary).optional(),
      status: PeerStatus.exclude(['gone']).optional(),
      name: PeerNameInput.optional(),
    }),
    result: z.object({ peer: Peer }),
    retry: 'safe',
  },
});
