/**
 * The wire protocol's version, alone in its file so that the hook entry, which must load
 * fast, can speak the handshake without loading the schemas (methods.ts re-exports it).
 */

/**
 * Protocol version; a broker refuses peers that speak another one. 2: typed events,
 * `messages/claim`, `locks/releaseAll`, and `locks/renew` by target answering `{ locks }`.
 * 3: peer statuses `working` / `idle` / `disconnected` / `gone` with `lastActive`, requests
 * marked `_meta.background`, `locks/forceRelease`, `locks/saveGuarded` and `save_guarded`.
 * 4: hooks: `mesh/attach`, `locks/guardEdit`, `edits/*` and `file_edited`; news that reaches the
 * model: `messages/deliver`, `messages/sent` and `message_delivered`.
 * 5: pages: `state/list` after a key and without values over `valueBytes`, `messages/inbox`
 * and `messages/sent` before an id (an older broker would ignore these and send the same page
 * again).
 * 6: the shared plan: `plan/*`, `events/audit`, the plan, task and contract events, `notReady`
 * (an older broker knows none of them).
 * 7: context deltas, debates and the landing queue: `delta/*`, `debate/*`, `sync/*` and their
 * events.
 * 8: claims that follow the code: `locks/fileChanged`, `lock_moved`, `anchorLost`, and claims
 * of other worktrees of the same repository (`alsoClaimed`).
 * 9: claims in an agent's own terms: symbol claims (`symbol` on targets and locks,
 * `symbolBlocked`), release requests (`release/*` and their events), `queued` on `locks/check`,
 * contract drift (`delta/confirm`, `delta/dismiss`, drafts, `delta_drafted`).
 */
export const protocolVersion = 9;
