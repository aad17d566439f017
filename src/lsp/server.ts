/**
 * Lock awareness for any editor that speaks the Language Server Protocol (`peermesh lsp`,
 * src/cli/lsp.ts, serves it over stdio; the VS Code extension starts the same server through
 * vscode-languageclient). It joins the mesh as one of the person's peers (the editor is the
 * person's), and:
 *
 * - publishes, for every open `file` document, an Information diagnostic (source `peermesh`)
 *   on each claim other peers hold in it, a hover over held lines and a code lens over each
 *   claim; all follow the mesh's lock events as they come (taken, moved, released, expired),
 *   without polling, and the time left is brought up to date every minute;
 * - offers code actions: Request release, Wait for it, Show in Locks on a claim, and Claim
 *   these lines elsewhere (src/protocol/lsp-commands.ts), which it runs itself when the editor
 *   executes them, telling the person the outcome with `window/showMessage`;
 * - reports the person's typing in files that carry ranged claims (`locks/fileChanged`, the
 *   incremental changes as the editor sends them, a moment after typing stops), so claims
 *   follow their code before a save. A document that becomes followed sends its whole text
 *   first (the editor may hold unsaved changes), and so does every followed document when
 *   another broker takes over (it knows no editor's text).
 *
 * Logs go to the log and, as `window/logMessage`, to the editor.
 * A request that fails (the broker moving, a file gone) is logged and the server carries on;
 * a broker that goes away is replaced by the client's election as for every peer.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CodeActionTriggerKind, CodeLensRefreshRequest, MessageType, TextDocumentSyncKind, type Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { PeerClient } from '../client/peer';
import type { Logger } from '../core/logger';
import { describeTarget } from '../core/paths';
import { printable } from '../core/printable';
import { contentHash } from '../core/reanchor';
import type { Lock, PeerKind } from '../protocol/entities';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { lspCommandArgs, lspCommands, type LinesArgs, type LspCommand } from '../protocol/lsp-commands';
import { fitsInFrame, followedPaths, PendingEdits } from '../client/edit-reports';
import { describeClaim, lockCodeActions, lockDiagnostics, lockHover, lockLenses, othersClaims } from './lock-diagnostics';

/** An open `file` document. */
interface OpenDocument {
  document: TextDocument;
  /** Real path of its file, as the broker names it. */
  path: string;
  /** Edits not yet reported, while its file carries a ranged claim. */
  pending?: PendingEdits;
  /** The whole text is to go next, instead of the changes (which it includes). */
  textDue?: boolean;
  /** The next report, a moment after the person stops typing. */
  timer?: NodeJS.Timeout;
  /** When the first change not yet reported came. */
  burstStart?: number;
  /** The reports sent so far, one after another. */
  sending: Promise<void>;
}

/** How long after a burst of lock events the diagnostics are republished. */
const republishMs = 50;
/** How long after the person stops typing the edits are reported. */
const reportMs = 120;
/** While the person types on, the edits are reported at least this often. */
const maxReportWaitMs = 1000;
/** How often the time left on diagnostics and lenses is brought up to date. */
const staleMs = 60_000;

/** How the server joins the mesh, given the editor's folder: `peermesh lsp` connects as its peers do. */
export type JoinMesh = (root: string) => Promise<PeerClient>;

export class LockServer {
  private client: PeerClient | undefined;
  private readonly open = new Map<string, OpenDocument>();
  private locks: Lock[] = [];
  /** Each peer's kind, by id, as of the last refresh: the person's own claims are not flagged. */
  private kinds = new Map<string, PeerKind>();
  private timer: NodeJS.Timeout | undefined;
  private readonly ticker = setInterval(() => this.publishAll(), staleMs).unref();
  /** Refreshes asked for, and the latest whose answer is in. */
  private refreshes = 0;
  private answered = 0;
  private root = process.cwd();
  /** The broker instance the documents' texts were sent to. */
  private broker: string | undefined;
  /** The next attempt to join, after one failed. */
  private joinTimer: NodeJS.Timeout | undefined;
  /** The editor has gone (shutdown, exit, or stdin closed). */
  private leaving = false;
  /** Whether the editor re-asks for code lenses when told to (`workspace/codeLens/refresh`). */
  private lensRefresh = false;

  constructor(private readonly connection: Connection, private readonly log: Logger, private readonly joinMesh: JoinMesh) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => {
      const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
      if (folder?.startsWith('file:')) this.root = fileURLToPath(folder);
      this.lensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
      return {
        capabilities: {
          textDocumentSync: TextDocumentSyncKind.Incremental,
          hoverProvider: true,
          codeLensProvider: { resolveProvider: false },
          codeActionProvider: true,
          executeCommandProvider: { commands: Object.values(lspCommands) },
        },
        serverInfo: { name: 'peermesh' },
      };
    });
    c.onInitialized(() => void this.join());
    c.onDidOpenTextDocument(({ textDocument: d }) => {
      const file = filePath(d.uri);
      if (!file) return;
      const document = TextDocument.create(d.uri, d.languageId, d.version, d.text);
      this.open.set(d.uri, { document, path: file, sending: Promise.resolve() });
      this.follow(this.open.get(d.uri)!);
      this.publish(d.uri);
    });
    c.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => {
      const doc = this.open.get(d.uri);
      if (!doc) return;
      doc.document = TextDocument.update(doc.document, contentChanges, d.version);
      if (!doc.pending) return;
      // Changes with a range are the editor's incremental ones; a whole text replaces everything.
      const ranged = contentChanges.flatMap((change) => ('range' in change ? [{ range: change.range, text: change.text }] : []));
      if (ranged.length < contentChanges.length) doc.textDue = true;
      else doc.pending.add(ranged);
      this.reportSoon(doc);
    });
    c.onDidCloseTextDocument(({ textDocument: d }) => {
      clearTimeout(this.open.get(d.uri)?.timer);
      this.open.delete(d.uri);
      void c.sendDiagnostics({ uri: d.uri, diagnostics: [] });
    });
    c.onHover(({ textDocument, position }) => {
      const doc = this.open.get(textDocument.uri);
      return doc ? lockHover(this.claimsIn(doc.path), position.line, Date.now()) : null;
    });
    c.onCodeLens(({ textDocument }) => {
      const doc = this.open.get(textDocument.uri);
      return doc ? lockLenses(this.claimsIn(doc.path), Date.now()) : [];
    });
    c.onCodeAction(({ textDocument, range, context }) => {
      const doc = this.open.get(textDocument.uri);
      // Clients before LSP 3.17 do not say who asked: a selection is taken as the person asking.
      const invoked = context.triggerKind === undefined ? !sameSpot(range) : context.triggerKind === CodeActionTriggerKind.Invoked;
      return doc ? lockCodeActions(this.claimsIn(doc.path), textDocument.uri, range, invoked, Date.now()) : [];
    });
    c.onExecuteCommand(({ command, arguments: args }) => this.execute(command, args?.[0]));
    c.onShutdown(() => this.leave());
    c.onExit(() => void this.leave().finally(() => process.exit(0)));
    c.listen();
  }

  /** Joins the mesh; a failure is said and tried again, later each time (up to every 30 s), until the editor goes. */
  private async join(attempt = 0): Promise<void> {
    if (this.leaving) return;
    try {
      const client = await this.joinMesh(this.root);
      if (this.leaving) {
        await client.close().catch(() => undefined);
        return;
      }
      this.client = client;
      this.broker = client.broker.instanceId;
      client.onEvent((event) => {
        if (event.type.startsWith('lock_')) this.schedule();
      });
      client.onStateChange((state) => {
        if (state !== 'connected' || client.broker.instanceId === this.broker) return;
        // A new broker knows no editor's text: the followed documents send theirs again.
        this.broker = client.broker.instanceId;
        for (const doc of this.open.values()) {
          if (!doc.pending) continue;
          doc.textDue = true;
          this.reportSoon(doc);
        }
        this.schedule(0);
      });
      this.info(`joined the mesh as ${client.peer.name}`);
      this.schedule(0);
    } catch (error) {
      const retryMs = Math.min(30_000, 1000 * 2 ** attempt);
      this.warn(`could not join the mesh (trying again in ${retryMs / 1000} s): ${message(error)}`);
      this.joinTimer = setTimeout(() => void this.join(attempt + 1), retryMs);
    }
  }

  /** Leaves the mesh (the editor has gone). */
  async leave(): Promise<void> {
    this.leaving = true;
    clearTimeout(this.joinTimer);
    clearTimeout(this.timer);
    clearInterval(this.ticker);
    for (const doc of this.open.values()) clearTimeout(doc.timer);
    await this.client?.close().catch(() => undefined);
    this.client = undefined;
  }

  /**
   * Refetches the locks a moment after the first event of a burst (a steady stream of events
   * still refreshes every moment), then republishes every open document.
   */
  private schedule(delayMs = republishMs): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delayMs);
  }

  private async refresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const asked = ++this.refreshes;
    try {
      const [{ locks }, { peers }] = await Promise.all([
        client.request('locks/list', {}, { background: true }),
        client.request('peers/list', { scope: 'machine' }, { background: true }),
      ]);
      // An answer to an earlier refresh, come after a later one's, is older news.
      if (asked < this.answered) return;
      this.answered = asked;
      this.locks = locks;
      this.kinds = new Map(peers.map((peer) => [peer.id, peer.kind]));
    } catch (error) {
      this.warn(`reading the locks failed: ${message(error)}`);
      return;
    }
    for (const doc of this.open.values()) this.follow(doc);
    this.publishAll();
  }

  /** Republishes every open document's diagnostics, and has the editor ask for its lenses again. */
  private publishAll(): void {
    for (const uri of this.open.keys()) this.publish(uri);
    if (this.lensRefresh) this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  /** Other peers' claims on `file`. */
  private claimsIn(file: string): Lock[] {
    return othersClaims(this.locks.filter((lock) => lock.path === file), (id) => this.kinds.get(id));
  }

  private publish(uri: string): void {
    const doc = this.open.get(uri);
    if (!doc) return;
    void this.connection.sendDiagnostics({ uri, version: doc.document.version, diagnostics: lockDiagnostics(this.claimsIn(doc.path), Date.now()) });
  }

  /** Starts or stops reporting a document's edits as its file carries a ranged claim or not. */
  private follow(doc: OpenDocument): void {
    const followed = followedPaths(this.locks).has(doc.path);
    if (followed && !doc.pending) {
      doc.pending = new PendingEdits(contentHash(doc.document.getText()));
      // The broker knows the file as saved; an editor with unsaved changes sends its text.
      doc.textDue = true;
      this.reportSoon(doc);
    } else if (!followed) {
      clearTimeout(doc.timer);
      doc.timer = undefined;
      doc.pending = undefined;
      doc.textDue = false;
    }
  }

  /** Reports the document's edits a moment after the person stops typing (and at least every second while they type on). */
  private reportSoon(doc: OpenDocument): void {
    const now = Date.now();
    doc.burstStart ??= now;
    clearTimeout(doc.timer);
    doc.timer = setTimeout(() => {
      doc.timer = undefined;
      doc.burstStart = undefined;
      this.report(doc);
    }, now - doc.burstStart >= maxReportWaitMs ? 0 : reportMs);
  }

  /** Sends the document's pending changes (or, when due, its text), after the reports before them. */
  private report(doc: OpenDocument): void {
    doc.sending = doc.sending.then(async () => {
      const client = this.client;
      const pending = doc.pending;
      if (!client || !pending || (!doc.textDue && pending.isEmpty)) return;
      let text = doc.document.getText();
      let hash = contentHash(text);
      try {
        if (!doc.textDue) {
          const changes = pending.take(doc.path, hash);
          if (fitsInFrame(changes) && (changes.changes?.length ?? 0) <= limits.textChanges) {
            // Background: keeping claims in place is not the person acting in the mesh.
            const { needText } = await client.request('locks/fileChanged', changes, { background: true });
            if (!needText) return;
          }
          // The whole text instead, as it is now: changes typed during the answer are in it.
          text = doc.document.getText();
          hash = contentHash(text);
        }
        doc.textDue = false;
        pending.restart(hash);
        const params = { path: doc.path, text, hash };
        if (fitsInFrame(params)) await client.request('locks/fileChanged', params, { background: true });
        else this.info(`${doc.path} is too large to send whole: its claims follow its edits once they are saved`);
      } catch (error) {
        // The broker may not have what was lost: the whole text goes next time.
        doc.textDue = true;
        pending.restart(hash);
        this.warn(`reporting the edits of ${doc.path} failed: ${message(error)}`);
      }
    });
  }

  /**
   * Runs one of the server's commands (a code lens or action the person chose), telling the
   * person how it went. Returns the claim it concerns or took, or null.
   */
  private async execute(command: string, arg: unknown): Promise<Lock | null> {
    const schema = lspCommandArgs[command as LspCommand];
    if (!schema) {
      this.tell(MessageType.Error, `PeerMesh has no command ${command}`);
      return null;
    }
    const parsed = schema.safeParse(arg);
    if (!parsed.success) {
      this.tell(MessageType.Error, `PeerMesh: ${command} was given ${JSON.stringify(arg) ?? 'nothing'}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return null;
    }
    const client = this.client;
    if (!client) {
      this.tell(MessageType.Warning, 'PeerMesh: not in the mesh yet; try again in a moment');
      return null;
    }
    try {
      if (command === lspCommands.claimLines) return await this.claim(client, parsed.data as LinesArgs);
      const lock = this.locks.find((l) => l.id === (parsed.data as { lockId: number }).lockId);
      if (!lock) {
        this.tell(MessageType.Info, 'PeerMesh: that claim has been released meanwhile');
        return null;
      }
      if (command === lspCommands.showInLocks) {
        const claims = this.locks.filter((l) => l.path === lock.path).map((l) => describeClaim(l, Date.now()));
        this.tell(MessageType.Info, `PeerMesh: ${claims.join('; ')}`);
      } else if (command === lspCommands.requestRelease) {
        await client.request('release/request', { lockId: lock.id, reason: `${client.peer.name}: the person wants to edit these lines` });
        this.tell(MessageType.Info, `PeerMesh: asked ${printable(lock.holderName)} to release ${describeTarget(lock)}`);
      } else {
        this.waitFor(client, lock);
      }
      return lock;
    } catch (error) {
      this.tell(MessageType.Error, `PeerMesh: ${message(error)}`);
      return null;
    }
  }

  /** Claims lines of an open document for this editor; a conflict says who holds them. */
  private async claim(client: PeerClient, { uri, startLine, endLine }: LinesArgs): Promise<Lock | null> {
    const path = filePath(uri);
    if (!path) throw new Error(`only files on disk can be claimed, not ${uri}`);
    try {
      const { lock } = await client.request('locks/acquire', { target: { path, startLine, endLine }, reason: 'claimed in the editor' });
      this.tell(MessageType.Info, `PeerMesh: ${describeTarget(lock)} is yours`);
      return lock;
    } catch (error) {
      if (!BrokerError.is(error, 'lockConflict')) throw error;
      const held = error.data?.lock as Lock | undefined;
      this.tell(MessageType.Warning, `PeerMesh: ${held ? describeClaim(held, Date.now()) : error.message}`);
      return null;
    }
  }

  /** Queues for a claim's lines (in the background: the editor's request returns at once), and says when they are this editor's. */
  private waitFor(client: PeerClient, lock: Lock): void {
    const target = lock.startLine === null || lock.endLine === null ? { path: lock.path } : { path: lock.path, startLine: lock.startLine, endLine: lock.endLine };
    const what = describeTarget(lock);
    this.tell(MessageType.Info, `PeerMesh: waiting for ${printable(lock.holderName)} to let go of ${what} (up to ${limits.waitMs / 60_000} minutes)`);
    client.request('locks/acquire', { target, reason: 'waited for in the editor', waitMs: limits.waitMs }).then(
      ({ lock: mine }) => this.tell(MessageType.Info, `PeerMesh: ${describeTarget(mine)} is yours now`),
      (error: unknown) => this.tell(MessageType.Warning, `PeerMesh: stopped waiting for ${what}: ${message(error)}`),
    );
  }

  private tell(type: MessageType, text: string): void {
    (type === MessageType.Error || type === MessageType.Warning ? this.log.warn : this.log.info).call(this.log, text);
    void this.connection.sendNotification('window/showMessage', { type, message: text });
  }

  private info(text: string): void {
    this.log.info(text);
    void this.connection.sendNotification('window/logMessage', { type: 3, message: `peermesh: ${text}` });
  }

  private warn(text: string): void {
    this.log.warn(text);
    void this.connection.sendNotification('window/logMessage', { type: 2, message: `peermesh: ${text}` });
  }
}

/** Whether a range is a bare cursor. */
function sameSpot({ start, end }: { start: { line: number; character: number }; end: { line: number; character: number } }): boolean {
  return start.line === end.line && start.character === end.character;
}

/** The real path of a `file:` URI, or undefined for another scheme or a URI that is not one. */
function filePath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    const file = fileURLToPath(uri);
    try {
      return realpathSync.native(file);
    } catch {
      return file;
    }
  } catch {
    return undefined;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
