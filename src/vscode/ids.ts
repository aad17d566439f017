/**
 * Every id shared by the manifest (`package.json` → `contributes`) and the code. Free of
 * `vscode` imports so `test/unit/manifest.test.ts` can check both directions in plain Node:
 * everything declared here is declared in the manifest and registered in code, and vice versa.
 */

export const extensionId = 'peermesh.peermesh';

/** The activity-bar container (`workbench.view.extension.peermesh` opens it). */
export const viewContainerId = 'peermesh';

export const viewIds = {
  peers: 'peermesh.peers',
  locks: 'peermesh.locks',
  plan: 'peermesh.plan',
  debates: 'peermesh.debates',
  messages: 'peermesh.messages',
  dashboard: 'peermesh.dashboard',
} as const;
export type ViewId = (typeof viewIds)[keyof typeof viewIds];

export const commandIds = {
  showLog: 'peermesh.showLog',
  setupAgents: 'peermesh.setupAgents',
  copyMcpConfig: 'peermesh.copyMcpConfig',
  // Locks: the palette, the editor and explorer context menus, the keybinding.
  lockFile: 'peermesh.lockFile',
  lockSelection: 'peermesh.lockSelection',
  toggleSelectionLock: 'peermesh.toggleSelectionLock',
  lockSymbolAtCursor: 'peermesh.lockSymbolAtCursor',
  unlock: 'peermesh.unlock',
  unlockAllMine: 'peermesh.unlockAllMine',
  /** Ctrl+S / Cmd+S in a file other peers hold claims in: the save guard (hidden from the palette). */
  guardedSave: 'peermesh.guardedSave',
  // Messages and the window's own peer.
  broadcast: 'peermesh.broadcast',
  sendMessage: 'peermesh.sendMessage',
  setSummary: 'peermesh.setSummary',
  // The broker and the views.
  showBrokerStatus: 'peermesh.showBrokerStatus',
  restartBroker: 'peermesh.restartBroker',
  openDashboard: 'peermesh.openDashboard',
  openDashboardInEditor: 'peermesh.openDashboardInEditor',
  showActions: 'peermesh.showActions',
  // Tree rows' and hovers' actions (Request Release and Force Release pick a lock without one).
  releaseLock: 'peermesh.releaseLock',
  requestRelease: 'peermesh.requestRelease',
  waitForLock: 'peermesh.waitForLock',
  forceReleaseLock: 'peermesh.forceReleaseLock',
  showPeerLocks: 'peermesh.showPeerLocks',
  clearLocksFilter: 'peermesh.clearLocksFilter',
  // The Messages view: its rows and its title bar.
  replyToMessage: 'peermesh.replyToMessage',
  openMessage: 'peermesh.openMessage',
  markMessageRead: 'peermesh.markMessageRead',
  markAllMessagesRead: 'peermesh.markAllMessagesRead',
  filterMessages: 'peermesh.filterMessages',
  // The shared plan: decomposition, the Plan view's rows, proposals.
  planFromDescription: 'peermesh.planFromDescription',
  claimTask: 'peermesh.claimTask',
  setTaskStatus: 'peermesh.setTaskStatus',
  openTaskFiles: 'peermesh.openTaskFiles',
  reviewProposal: 'peermesh.reviewProposal',
  // Debates: the Debates view's rows, the escalation notification, the palette.
  openDebate: 'peermesh.openDebate',
  decideDebate: 'peermesh.decideDebate',
} as const;
export type CommandId = (typeof commandIds)[keyof typeof commandIds];

/**
 * Commands registered in code but deliberately not declared in the manifest, so they never
 * reach the palette: queries for the tests inside VS Code. Their ids start with `peermesh._`.
 */
export const internalCommandIds = {
  /** Per visible editor, the lock ranges drawn in it (see decorations/lockDecorations.ts). */
  testDecorations: 'peermesh._test.decorations',
  /** What the save guard decided for the last guarded save (see saveGuard.ts). */
  testSaveGuard: 'peermesh._test.saveGuard',
} as const;
export type InternalCommandId = (typeof internalCommandIds)[keyof typeof internalCommandIds];

/** Context keys the extension sets, for `when` clauses in the manifest. */
export const contextKeys = {
  /** The active editor shows a file in which another peer holds a claim (the save guard's keybinding). */
  editorHasOthersClaims: 'peermesh.editorHasOthersClaims',
  /**
   * What the Plan view knows of the window's project: `none` (it has no plan: the welcome
   * content offers to make one), `noFolder`, `loaded`, or unset before the first answer.
   */
  planState: 'peermesh.planState',
} as const;

/** The `*.focus` command VS Code generates for a view: reveals it. */
export function focusViewCommand(view: ViewId): string {
  return `${view}.focus`;
}

/** Theme colors the extension contributes (`contributes.colors`) and draws with. */
export const colorIds = {
  /** Background of lines another peer holds. */
  lockedByOtherBackground: 'peermesh.lockedByOther.background',
  /** Overview-ruler mark of lines another peer holds. */
  lockedByOtherRuler: 'peermesh.lockedByOther.overviewRuler',
  /** Explorer badge and label of a file another peer holds a claim in. */
  lockedByOtherForeground: 'peermesh.lockedByOther.foreground',
  /** Overview-ruler mark of lines this window holds (quieter). */
  lockedBySelfRuler: 'peermesh.lockedBySelf.overviewRuler',
} as const;

/** URI scheme of the read-only documents that show a plan proposal's changes (plan/proposalDocuments.ts). */
export const proposalScheme = 'peermesh-proposal';

/** URI scheme of the read-only documents that show a debate round by round (debates/debateDocuments.ts). */
export const debateScheme = 'peermesh-debate';

/** Id of the MCP server definition provider (`contributes.mcpServerDefinitionProviders`). */
export const mcpProviderId = 'peermesh';

/** Id of the status-bar item (shown as "PeerMesh" in the status bar's context menu). */
export const statusBarItemId = 'peermesh.status';
