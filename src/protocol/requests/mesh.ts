/**
 * Joining and leaving the mesh: the handshake that proves both sides share the mesh home's
 * secret, registering or resuming a peer identity, leaving, and subscribing to event pushes.
 * The handshake methods are the only ones a session may call before it has registered.
 */
import * as z from 'zod';
import { EventType, Peer, PeerKind } from '../entities';
import { limits } from '../limits';
import { Ok, PeerNameInput, defineRequests } from './spec';
import { BrokerInfo } from './status';

/** What a peer says about itself when it registers. */
export const PeerIntro = z.object({
  /** Wanted display name; the broker adds a suffix if a live peer already has it. */
  name: PeerNameInput,
  kind: PeerKind,
  /**
   * The MCP client's own name (`clientInfo.name`), for a bridge; shown beside the kind. Refused
   * if it holds control or invisible characters (the bridge makes it printable first).
   */
  client: z.string().max(limits.name).nullable().default(null),
  pid: z.number().int().nullable().default(null),
  /** Absolute; relative paths in lock requests are resolved against it. */
  cwd: z.string().max(limits.path).nullable().default(null),
  /** Absolute workspace folder, for the `workspace` scope. */
  workspace: z.string().max(limits.path).nullable().default(null),
  /** What the peer is working on, in a line. */
  summary: z.string().max(limits.summary).default(''),
});
export type PeerIntro = z.input<typeof PeerIntro>;

export const meshRequests = defineRequests('mesh', {
  /**
   * First frame of every session, before registering: both sides prove they know the broker
   * secret (each sends an HMAC over the other's nonce). Fails `invalidInput` when the protocol
   * versions differ, and `rateLimited` (with `retryAfterMs`) when too many hellos without a
   * valid `proof` come at once. Sent by the connect logic, never through `PeerClient.request`.
   */
  'mesh/hello': {
    params: z.object({
      protocol: z.number().int(),
      /** The peer's challenge: the broker answers with its proof over it. */
      nonce: z.string().min(16).max(128),
      /**
       * The peer's proof over the session nonce of the upgrade answer (`x-peermesh-nonce`), as in
       * `mesh/register`. A hello that carries a valid one is never rate-limited; one without it
       * (or with a wrong one, say a peer of another mesh home) may be refused `rateLimited`.
       */
      proof: z.string().max(128).optional(),
    }),
    result: z.object({ proof: z.string(), nonce: z.string(), broker: BrokerInfo }),
    retry: 'never',
  },
  /**
   * Join as a new peer, after `mesh/hello`. `proof` = HMAC(secret, 'peer:' + broker nonce).
   * Returns the peer and the session secret to resume it with. Fails `unauthorized` on a wrong
   * proof, `invalidInput` if the session has already registered. Emits `peer_joined`.
   */
  'mesh/register': {
    params: z.object({ proof: z.string().max(128), intro: PeerIntro }),
    result: z.object({ peer: Peer, sessionSecret: z.string() }),
    retry: 'never',
  },
  /**
   * Rejoin as an existing peer after a reconnect or fail-over, keeping id, locks and inbox
   * (after `mesh/hello`, instead of registering). Fails `notFound` if this broker does not know
   * the peer (the client then registers afresh), `unauthorized` on a wrong proof or secret.
   */
  'mesh/resume': {
    params: z.object({ proof: z.string().max(128), peerId: z.string().max(64), sessionSecret: z.string().max(128) }),
    result: z.object({ peer: Peer }),
    retry: 'never',
  },
  /**
   * A hook of an agent joins the session of that agent's peer (with or instead of
   * `mesh/hello`; the proof is over the session nonce the upgrade answer carries in
   * `x-peermesh-nonce`): `pids` name the agent's process (the hook's parent, past a shell), and
   * the broker binds the session to the one live peer whose `pid` is the first of them that any
   * peer has; when several peers have it, to none. The broker takes the hook's word for the
   * pids: the proof shows it runs as the mesh's user. A hook session may only ask
   * `messages/deliver`, `plan/mine`, `locks/guardEdit`, `edits/record` and `peers/update` (its
   * status), each as the agent's own call; with `peer` null, only `locks/guardEdit` without a claim.
   * It never registers a peer. Fails `unauthorized` on a wrong proof.
   */
  'mesh/attach': {
    params: z.object({ proof: z.string().max(128), pids: z.array(z.number().int().min(1)).min(1).max(64) }),
    result: z.object({ peer: Peer.nullable() }),
    retry: 'never',
  },
  /**
   * Leave the mesh on purpose: the caller is gone at once and its locks are released, with no
   * grace period. Emits `peer_left`. Sent by `PeerClient.close`.
   */
  'mesh/leave': { params: z.object({}), result: Ok, retry: 'never' },
  /**
   * Ask for `push/event` notifications on this session: all types (`true`), the listed ones,
   * or none (`false`). Replaces the previous choice; ends with the session.
   */
  'mesh/subscribe': {
    params: z.object({ events: z.union([z.boolean(), z.array(EventType).max(limits.list)]) }),
    result: Ok,
    retry: 'safe',
  },
});
