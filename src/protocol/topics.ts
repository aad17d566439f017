/**
 * Which views of the mesh each event changes. Clients keep views (the MCP resources
 * `mesh://inbox`, `mesh://peers`, `mesh://locks`; the Peers and Locks trees in VS Code) and
 * refresh one when an event of its topic arrives. This map is the only place that says which;
 * it names every event type, so a new type does not compile until it is placed here.
 */
import type { EventType } from './entities';

/** The views of the mesh that clients keep up to date from events. */
export const meshTopics = ['inbox', 'peers', 'locks', 'plan', 'deltas', 'debates', 'sync'] as const;
/** inbox: messages to this peer; peers: who is in the mesh and what each is doing; locks: every claim; plan: phases, tasks, contracts, proposals; deltas, debates, sync: context deltas, debates, landing queues. */
export type MeshTopic = typeof meshTopics[number];

/**
 * The topics each event type changes. `message_sent` changes only its recipient's inbox, so an
 * inbox view checks `data.to` too. A peer's status or name is part of how its claims read (the
 * holder's name, whether it is inside its grace period), so `peer_status` changes the locks
 * views too. A `save_guarded` record belongs with the claims it was about. State, deliveries
 * (the sender's business) and edits have no view yet.
 */
export const eventTopics: { readonly [T in EventType]: readonly MeshTopic[] } = {
  peer_joined: ['peers'],
  peer_left: ['peers'],
  peer_status: ['peers', 'locks'],
  summary_changed: ['peers'],
  message_sent: ['inbox'],
  state_changed: [],
  state_deleted: [],
  lock_acquired: ['locks'],
  lock_released: ['locks'],
  lock_expired: ['locks'],
  lock_renewed: ['locks'],
  lock_moved: ['locks'],
  save_guarded: ['locks'],
  message_delivered: [],
  file_edited: [],
  plan_proposed: ['plan'],
  plan_changed: ['plan'],
  plan_rejected: ['plan'],
  task_claimed: ['plan'],
  task_updated: ['plan'],
  task_released: ['plan'],
  contract_changed: ['plan'],
  delta_pushed: ['deltas'],
  delta_acked: ['deltas'],
  debate_started: ['debates'],
  debate_turn: ['debates'],
  debate_changed: ['debates'],
  sync_queued: ['sync'],
  sync_acquired: ['sync'],
  sync_released: ['sync'],
  sync_stalled: ['sync'],
  delta_drafted: ['deltas'],
  lock_release_requested: ['locks'],
  lock_request_answered: ['locks'],
  lock_request_escalated: ['locks'],
};
