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
  debates: 'peermesh.debates',
  dashboard: 'peermesh.dashboard',
} as const;
export type ViewId = (typeof viewIds)[keyof typeof viewIds];

export const commandIds = {
  showLog: 'peermesh.showLog',
  setupAgents: 'peermesh.setupAgents',
  copyMcpConfig: 'peermesh.copyMcpConfig',
} as const;
export type CommandId = (typeof commandIds)[keyof typeof commandIds];

/** Id of the MCP server definition provider (`contributes.mcpServerDefinitionProviders`). */
export const mcpProviderId = 'peermesh';

/** Id of the status-bar item (shown as "PeerMesh" in the status bar's context menu). */
export const statusBarItemId = 'peermesh.status';
