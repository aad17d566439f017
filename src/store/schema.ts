/**
 * The database schema, as an ordered list of migrations. `user_version` records how many
 * have been applied. Never edit a shipped migration: add a new one.
 */
import type { SqlJsDb } from './sqljs';

export const migrations: readonly string[] = [
  // 1: peers, messages, state, locks, events, meta
  `
  CREATE TABLE peers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    pid INTEGER,
    cwd TEXT,
    workspace TEXT,
    git_root TEXT,
    git_branch TEXT,
    summary TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    connected_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    -- sha256 of the session secret; a resume must present the secret
    session_hash TEXT NOT NULL,
    -- when the peer's connection dropped (NULL while connected); drives the grace period
    disconnected_at INTEGER
  );
  CREATE INDEX peers_status ON peers(status);

  CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    from_peer TEXT NOT NULL,
    from_name TEXT NOT NULL,
    to_peer TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    thread_id INTEGER NOT NULL,
    reply_to INTEGER,
    broadcast INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    read_at INTEGER,
    acked_at INTEGER
  );
  CREATE INDEX messages_to ON messages(to_peer, state);
  CREATE INDEX messages_created ON messages(created_at);

  CREATE TABLE state (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    version INTEGER NOT NULL,
    author TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (namespace, key)
  );
  CREATE INDEX state_expires ON state(expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE locks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    root TEXT,
    rel_path TEXT NOT NULL,
    start_line INTEGER,
    end_line INTEGER,
    holder TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX locks_path ON locks(path);
  CREATE INDEX locks_holder ON locks(holder);
  CREATE INDEX locks_expires ON locks(expires_at);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    peer TEXT,
    at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX events_at ON events(at);

  -- small durable settings of the store itself (e.g. the last journal sequence applied)
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: deleted or expired state entries stay as tombstones (deleted_at set) for a while, so a
  // key's version keeps rising when it is recreated: compare-and-set never mistakes a new
  // entry for the old one.
  `
  ALTER TABLE state ADD COLUMN deleted_at INTEGER;
  `,
  // 3: a peer's status is computed from what is stored: \`status\` keeps only what the peer
  // said or did (live; idle, as it said; gone), \`disconnected_at\` whether it is connected, and
  // the new \`last_active\` when it last made a call of its own (not a background refresh).
  `
  ALTER TABLE peers ADD COLUMN last_active INTEGER;
  UPDATE peers SET status = 'idle' WHERE status = 'away';
  UPDATE peers SET status = 'live' WHERE status = 'active';
  `,
  // 4: the MCP client's own name (\`clientInfo.name\`), shown beside a kind that says little.
  `
  ALTER TABLE peers ADD COLUMN client TEXT;
  `,
  // 5: the shared plan of each project (its root folder): phases, tasks and contracts in plan
  // order (\`position\`), and proposals to change it. Lists (files, dependencies, contracts of a
  // task) are JSON arrays. \`assignee_name\` keeps the name a task's assignee had, for when the
  // peer is long gone; \`shown\` is 0 while a task another peer assigned has not been shown to
  // its assignee.
  `
  CREATE TABLE plans (
    project TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT
  );

  CREATE TABLE plan_phases (
    project TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (project, id)
  );

  CREATE TABLE plan_tasks (
    project TEXT NOT NULL,
    id TEXT NOT NULL,
    phase TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT,
    assignee_name TEXT,
    files TEXT NOT NULL,
    depends_on TEXT NOT NULL,
    contracts TEXT NOT NULL,
    note TEXT,
    shown INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (project, id)
  );
  CREATE INDEX plan_tasks_assignee ON plan_tasks(assignee, status);

  CREATE TABLE plan_contracts (
    project TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    file TEXT,
    symbol TEXT,
    spec TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (project, id)
  );

  CREATE TABLE plan_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    source TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- the submitted PlanInput, and what accepting it changed (or would have, when decided)
    plan TEXT NOT NULL,
    changes TEXT NOT NULL,
    decided_at INTEGER
  );
  CREATE INDEX plan_proposals_project ON plan_proposals(project, status);
  `,
  // 6: context deltas and who each was routed to (shown, acked); decisions recorded on the
  // contract or task a ruling concerns; debates with their turns and proposals; the landing
  // queue (one row per holder or waiter of a branch's token) and recent hold times per branch.
  // Lists are JSON arrays, \`affects\` and \`contract_versions\` JSON objects.
  `
  CREATE TABLE deltas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    summary TEXT NOT NULL,
    detail TEXT NOT NULL,
    affects TEXT NOT NULL,
    contract_versions TEXT NOT NULL,
    debate INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX deltas_project ON deltas(project, id);

  CREATE TABLE delta_recipients (
    delta INTEGER NOT NULL,
    peer TEXT NOT NULL,
    peer_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    via TEXT NOT NULL,
    shown_at INTEGER,
    acked_at INTEGER,
    PRIMARY KEY (delta, peer)
  );
  CREATE INDEX delta_recipients_peer ON delta_recipients(peer, acked_at);

  CREATE TABLE plan_decisions (
    project TEXT NOT NULL,
    target TEXT NOT NULL,
    target_id TEXT NOT NULL,
    debate INTEGER NOT NULL,
    delta INTEGER NOT NULL,
    text TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX plan_decisions_target ON plan_decisions(project, target, target_id);



  CREATE TABLE debates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    topic TEXT NOT NULL,
    origin INTEGER,
    contract TEXT,
    task TEXT,
    participants TEXT NOT NULL,
    status TEXT NOT NULL,
    round INTEGER NOT NULL,
    max_rounds INTEGER NOT NULL,
    escalation TEXT,
    agreed INTEGER,
    ruling TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX debates_project ON debates(project, status);

  CREATE TABLE debate_turns (
    debate INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    peer TEXT NOT NULL,
    peer_name TEXT NOT NULL,
    round INTEGER NOT NULL,
    position TEXT NOT NULL,
    constraints TEXT NOT NULL,
    alternatives TEXT NOT NULL,
    proposal INTEGER,
    proposal_text TEXT,
    accepts INTEGER,
    escalate INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (debate, seq)
  );

  -- what each participant was last shown of a debate (its round and status), for its news
  CREATE TABLE debate_seen (
    debate INTEGER NOT NULL,
    peer TEXT NOT NULL,
    round INTEGER NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (debate, peer)
  );



  CREATE TABLE sync_queue (
    project TEXT NOT NULL,
    branch TEXT NOT NULL,
    peer TEXT NOT NULL,
    peer_name TEXT NOT NULL,
    queued_at INTEGER NOT NULL,
    -- set for the holder (the one row of the branch with acquired_at), NULL for waiters
    acquired_at INTEGER,
    expires_at INTEGER,
    ttl_ms INTEGER NOT NULL,
    stalled INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project, branch, peer)
  );

  CREATE TABLE sync_holds (
    project TEXT NOT NULL,
    branch TEXT NOT NULL,
    held_ms INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX sync_holds_branch ON sync_holds(project, branch, at);
  `,

  // 7: claims that follow the code they cover. `anchor` is what a ranged claim remembers of its
  // code (core/reanchor.ts Anchor, as JSON) to re-find it after a restart; `repo` is the file's
  // repository (common git dir), so the same path in two worktrees of it can be told apart.
  `
  ALTER TABLE locks ADD COLUMN repo TEXT;
  ALTER TABLE locks ADD COLUMN anchor TEXT;
  ALTER TABLE locks ADD COLUMN anchor_lost INTEGER NOT NULL DEFAULT 0;
  -- the lines as the holder named them when it took the claim: it may release or renew them by
  -- those numbers after the claim has moved with its code
  ALTER TABLE locks ADD COLUMN named_start INTEGER;
  ALTER TABLE locks ADD COLUMN named_end INTEGER;
  CREATE INDEX locks_repo ON locks(repo, rel_path);
  `,

  // 8: claims in an agent's own terms. Symbol claims: the symbol a claim was taken on, followed
  // by name through edits; `symbol_blocked` when the symbol now reaches into another peer's
  // claim. Contract drift: drafts of contract_change deltas for the peer whose edit touched a
  // plan contract (core/contract-drift.ts), kept a day; at most one with status 'draft' per
  // peer, project and contract: a further touching edit refreshes it (the code keeps that rule).
  // Release requests: a peer asks a claim's holder to let go (core/lock-requests.ts): the lines
  // asked for; the holder's answer (`answer`: why it denied; `kept_*`: what it kept when it
  // narrowed); `escalate_at` until it escalates or is answered; `seen` once the requester was
  // shown the outcome.
  `
  ALTER TABLE locks ADD COLUMN symbol TEXT;
  ALTER TABLE locks ADD COLUMN symbol_blocked INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE delta_drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    contract TEXT NOT NULL,
    contract_name TEXT NOT NULL,
    symbol TEXT,
    peer TEXT NOT NULL,
    peer_name TEXT NOT NULL,
    file TEXT NOT NULL,
    symbol_start INTEGER,
    symbol_end INTEGER,
    edits INTEGER NOT NULL,
    status TEXT NOT NULL,
    delta INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    shown_at INTEGER
  );
  CREATE INDEX delta_drafts_peer ON delta_drafts(peer, status);

  CREATE TABLE lock_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lock_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    rel_path TEXT NOT NULL,
    start_line INTEGER,
    end_line INTEGER,
    holder TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    requester TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    kept_start INTEGER,
    kept_end INTEGER,
    created_at INTEGER NOT NULL,
    escalate_at INTEGER,
    answered_at INTEGER,
    seen INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX lock_requests_lock ON lock_requests(lock_id, status);
  CREATE INDEX lock_requests_holder ON lock_requests(holder, status);
  CREATE INDEX lock_requests_requester ON lock_requests(requester, seen);
  CREATE INDEX lock_requests_escalate ON lock_requests(escalate_at);
  `,
];

/** Applies the migrations the database has not seen yet; returns how many ran. */
export function migrate(db: SqlJsDb): number {
  const current = Number(db.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? 0);
  if (current > migrations.length) {
    throw new Error(`database schema ${current} is newer than this PeerMesh understands (${migrations.length}); upgrade PeerMesh`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.exec(`BEGIN; ${migrations[v]}; PRAGMA user_version = ${v + 1}; COMMIT;`);
  }
  return migrations.length - current;
}
