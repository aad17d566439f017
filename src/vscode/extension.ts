/**
 * PeerMesh's entry point, read as a table of contents: build each part in order, hand it to
 * `context.subscriptions` (which disposes it on deactivation), return. Activation runs on
 * `onStartupFinished` and must stay cheap: joining the mesh (and perhaps hosting the broker,
 * with its disk and socket work) starts on the next tick, in the background.
 */
import * as vscode from 'vscode';
import { printableLogger, type Logger } from '../core/logger';
import { clientOf, type ActionContext } from './actions/context';
import { registerActions, registerDebateActions, registerPlanActions } from './actions';
import { ruleOnDebate, type DebateActionContext } from './actions/debateActions';
import { moveTask, type PlanActionContext } from './actions/planActions';
import { PromptSource } from './actions/prompts';
import { registerCommand } from './commands';
import { Config } from './config';
import { DashboardViewProvider } from './dashboard/dashboardView';
import { dashboardDebateDetail, dashboardDebates, dashboardDeltas, dashboardPeers, dashboardPlan, dashboardSnapshot } from './dashboard/snapshot';
import { LockFileBadges } from './decorations/lockBadges';
import { LockDecorations } from './decorations/lockDecorations';
import { commandIds, internalCommandIds } from './ids';
import { registerAgentSetupCommands } from './mcp/agentSetup';
import { PeerMeshMcpProvider, registerMcpProvider } from './mcp/mcpProvider';
import { LockLanguageClient } from './mesh/lockLanguageClient';
import { MeshConnection } from './mesh/meshConnection';
import { MeshLog } from './mesh/meshLog';
import { ActivityModel } from './mesh/activityModel';
import { DebateModel } from './mesh/debateModel';
import { DeltaModel } from './mesh/deltaModel';
import { MeshModel } from './mesh/meshModel';
import { MessageTraffic } from './mesh/traffic';
import { PlanModel } from './mesh/planModel';
import { MessageNotifier } from './messageNotifier';
import { DebateDocuments } from './debates/debateDocuments';
import { DebateNotifier } from './debates/debateNotifier';
import { LockRequestNotifier } from './lockRequestNotifier';
import { PlanFromDescription } from './plan/planFromDescription';
import { ProposalDocuments } from './plan/proposalDocuments';
import { ProposalNotifier } from './plan/proposalNotifier';
import { SaveGuard } from './saveGuard';
import { MeshStatusBar } from './statusBar';
import { DebatesTree } from './trees/debatesTree';
import { LocksTree } from './trees/locksTree';
import { RequestsModel } from './mesh/requestsModel';
import { MessagesTree } from './trees/messagesTree';
import { createPeersTree } from './trees/peersTree';
import { PlanTree } from './trees/planTree';
import type { MeshTree } from './trees/tree';

const moduleEvaluatedAt = performance.now();

/** What `activate` returns. For the tests inside VS Code; not a stable API for other extensions. */
export interface PeerMeshExtensionApi {
  readonly statusBarItem: vscode.StatusBarItem;
  readonly log: vscode.LogOutputChannel;
  /** This window's peer client and its state. */
  readonly mesh: MeshConnection;
  /** What the window knows of the mesh: peers, locks, messages to the person. */
  readonly model: MeshModel;
  /** The sidebar's trees, for the tests to read their rows. */
  readonly trees: { readonly peers: MeshTree; readonly locks: MeshTree; readonly messages: MeshTree; readonly plan: MeshTree; readonly debates: MeshTree };
  /** The window's project plan and its pending proposals. */
  readonly plan: PlanModel;
  /** Plan From Description…, for the tests to cancel a run as the notification's Cancel does. */
  readonly planner: PlanFromDescription;
  /** The documents that show proposals' changes. */
  readonly proposals: ProposalDocuments;
  /** The window's project's debates, and the documents that show one round by round. */
  readonly debates: DebateModel;
  readonly debateDocuments: DebateDocuments;
  /** The Messages view's filter and the traffic between peers it shows. */
  readonly traffic: MessageTraffic;
  /** Where every question to the person goes; the tests put scripted answers in its place. */
  readonly prompts: PromptSource;
  /** The save guard, for the tests to read its context key's value. */
  readonly saveGuard: SaveGuard;
  /** The explorer badges of files other peers hold locks in. */
  readonly explorerBadges: vscode.FileDecorationProvider;
  /** The lock language server's client (`peermesh lsp`), once the window is in the mesh. */
  readonly lsp: LockLanguageClient;
  /** The MCP server definition provider, and whether VS Code accepted its registration. */
  readonly mcp: { readonly provider: PeerMeshMcpProvider; readonly registered: boolean };
}

/** The window's mesh membership and its language server, kept for `deactivate()`, which must await leaving. */
let mesh: MeshConnection | undefined;
let languageClient: LockLanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): PeerMeshExtensionApi {
  const started = performance.now();
  const own = <T extends vscode.Disposable>(disposable: T): T => {
    context.subscriptions.push(disposable);
    return disposable;
  };

  // One log for everything; a LogOutputChannel is structurally a core Logger.
  const channel = own(vscode.window.createOutputChannel('PeerMesh', { log: true }));
  const log: Logger = printableLogger(channel);
  const showLog = (): void => channel.show();
  const version = String(context.extension.packageJSON.version);

  const config = own(new Config(log));
  const connection = own(new MeshConnection(config, log));
  mesh = connection;
  const model = own(new MeshModel(connection, config, log));
  own(new MeshLog(connection, model, log));
  const selfId = (): string | undefined => model.selfId;
  const prompts = new PromptSource();
  const actions: ActionContext = { mesh: connection, model, prompts, log };

  const peersTree = own(createPeersTree(model));
  const requests = own(new RequestsModel(connection, log));
  const locks = own(new LocksTree(model, requests));
  const plan = own(new PlanModel(connection, log));
  const planTree = own(new PlanTree(plan, selfId));
  const proposals = own(new ProposalDocuments());
  const planActions: PlanActionContext = { ...actions, plan, proposals };
  const planner = new PlanFromDescription(planActions);
  own(new ProposalNotifier(connection, plan, config, prompts, log));
  const debates = own(new DebateModel(connection, log));
  const debatesTree = own(new DebatesTree(debates));
  const debateDocuments = own(new DebateDocuments());
  const debateActions: DebateActionContext = { ...actions, debates, debateDocuments };
  own(new DebateNotifier(connection, debates, config, prompts, log));
  own(new LockRequestNotifier(connection, model, config, prompts, log));
  debates.onDidChange(() => {
    const client = connection.client;
    if (!client) return;
    // Background: an open document following its debate is not the person working.
    debateDocuments.follow(async (id) => (await client.request('debate/get', { id }, { background: true })).debate)
      .catch((error: unknown) => log.warn(`[debates] an open debate was not brought up to date: ${error instanceof Error ? error.message : String(error)}`));
  }, undefined, context.subscriptions);
  const traffic = own(new MessageTraffic(connection, log));
  const deltas = own(new DeltaModel(connection, log));
  const activity = own(new ActivityModel(connection, model, log));
  const messages = own(new MessagesTree(model, traffic));
  own(new MessageNotifier(model, config, prompts, log));
  const statusBar = own(new MeshStatusBar(version, connection, model));
  const decorations = own(new LockDecorations(context.extensionUri, model.locks, model.peers, selfId));
  const explorerBadges = own(new LockFileBadges(model.locks, selfId));
  const saveGuard = own(new SaveGuard(actions, config));
  const lockServer = own(new LockLanguageClient(context.extensionPath, actions, locks, { log, showLog }, channel));
  languageClient = lockServer;

  const dashboard = own(new DashboardViewProvider(context.extensionUri, {
    snapshot: () => dashboardSnapshot(version, model, plan, debates, deltas, activity),
    peers: () => dashboardPeers(model),
    plan: () => dashboardPlan(plan.plan, model.peers.items, model.locks.items, deltas.deltas),
    moveTask: (taskId, status) => moveTask(planActions, taskId, status),
    debates: () => dashboardDebates(debates.debates),
    deltas: () => dashboardDeltas(deltas.deltas),
    activity: () => activity.items,
    debate: async (id) => dashboardDebateDetail((await clientOf(connection).request('debate/get', { id }, { background: true })).debate),
    decideDebate: (id, { pick, text }) => ruleOnDebate(debateActions, id, pick !== undefined ? { pick } : { text: text ?? '' }),
  }, log));
  debates.onDidChange(() => dashboard.refreshDebates(), undefined, context.subscriptions);
  deltas.onDidChange(() => {
    dashboard.refreshDeltas();
    dashboard.refreshPlan(); // a blocking delta's acks flag the tasks it is about
  }, undefined, context.subscriptions);
  activity.onDidChange(() => dashboard.refreshActivity(), undefined, context.subscriptions);
  model.peers.onDidChange(() => dashboard.refreshPeers(), undefined, context.subscriptions);
  // The board flags tasks whose files other peers hold: claims change what it shows too.
  for (const changed of [plan.onDidChange, model.locks.onDidChange]) changed(() => dashboard.refreshPlan(), undefined, context.subscriptions);

  const mcpProvider = own(new PeerMeshMcpProvider(context.extensionPath, version, connection, config, log));
  const mcpRegistration = registerMcpProvider(mcpProvider, log);
  if (mcpRegistration) own(mcpRegistration);

  own(registerCommand(commandIds.showLog, showLog, { log, showLog }));
  for (const command of registerAgentSetupCommands({ extensionPath: context.extensionPath, mesh: connection, log, showLog })) own(command);
  for (const command of registerActions(actions, { locks, messages, traffic }, { log, showLog })) own(command);
  for (const command of registerPlanActions(planActions, planner, { log, showLog })) own(command);
  for (const command of registerDebateActions(debateActions, { log, showLog })) own(command);
  own(registerCommand(commandIds.openDashboardInEditor, () => dashboard.openPanel(), { log, showLog }));
  own(registerCommand(commandIds.guardedSave, () => saveGuard.save(), { log, showLog }));
  own(registerCommand(internalCommandIds.testDecorations, () => decorations.snapshot(), { log, showLog }));
  own(registerCommand(internalCommandIds.testSaveGuard, () => saveGuard.lastDecision, { log, showLog }));

  connection.start();

  const activatedIn = (performance.now() - started).toFixed(1);
  const sinceModule = (started - moduleEvaluatedAt).toFixed(1);
  log.info(`[activation] PeerMesh ${version} activated in ${activatedIn} ms (bundle loaded ${sinceModule} ms before); `
    + `${vscode.env.appName} ${vscode.version}, home ${config.resolvedHome()}, scope ${config.get('scope')}`);
  return {
    statusBarItem: statusBar.item, log: channel, mesh: connection, model, prompts, saveGuard, explorerBadges,
    trees: { peers: peersTree, locks: locks.tree, messages: messages.tree, plan: planTree.tree, debates: debatesTree.tree },
    traffic, plan, planner, proposals, debates, debateDocuments, lsp: lockServer,
    mcp: { provider: mcpProvider, registered: mcpRegistration !== undefined },
  };
}

/** Leaves the mesh and stops a broker hosted here (awaiting its store snapshot); VS Code waits for it. */
export async function deactivate(): Promise<void> {
  await languageClient?.stop();
  languageClient = undefined;
  await mesh?.close();
  mesh = undefined;
}
