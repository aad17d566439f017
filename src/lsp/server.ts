/**
 * Lock awareness for any editor that speaks the Language Server Protocol (`peermesh lsp`,
 * src/cli/lsp.ts, serves it over stdio). It joins the mesh as one of the person's peers (the
 * editor is the person's), and:
 *
 * - publishes, for every open `file` document, an Information diagnostic (source `peermesh`)
 *   on each claim other peers hold in it, and a hover over held lines; both follow the mesh's
 *   lock events as they come (taken, moved, released, expired), without polling;
 * - reports the person's typing in files that carry ranged claims (`locks/fileChanged`, the
 *   incremental changes as the editor sends them), so claims follow their code before a save.
 *
 * Logs go to the log and, as `window/logMessage`, to the editor.
 * A request that fails (the broker moving, a file gone) is logged and the server carries on;
 * a broker that goes away is replaced by the client's election as for every peer.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TextDocumentSyncKind, type Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { PeerClient } from '../client/peer';
import type { Logger } from '../core/logger';
import { contentHash } from '../core/reanchor';
import type { Lock, PeerKind } from '../protocol/entities';
import { fitsInFrame, followedPaths, PendingEdits } from '../client/edit-reports';
import { lockDiagnostics, lockHover, othersClaims } from './lock-diagnostics';

/** An open `file` document. */
interface OpenDocument {
  document: TextDocument;
  /** Real path of its file, as the broker names it. */
  path: string;
  /** Edits not yet reported, while its file carries a ranged claim. */
  pending?: PendingEdits;
  /** The reports sent so far, one after another. */
  sending: Promise<void>;
}

/** How long after a burst of lock events the diagnostics are republished. */
const republishMs = 50;

/** How the server joins the mesh, given the editor's folder: `peermesh lsp` connects as its peers do. */
export type JoinMesh = (root: string) => Promise<PeerClient>;

export class LockServer {
  private client: PeerClient | undefined;
  private readonly open = new Map<string, OpenDocument>();
  private locks: Lock[] = [];
  /** Each peer's kind, by id, as of the last refresh: the person's own claims are not flagged. */
  private kinds = new Map<string, PeerKind>();
  private timer: NodeJS.Timeout | undefined;
  /** Refreshes asked for, and the latest whose answer is in. */
  private refreshes = 0;
  private answered = 0;
  private root = process.cwd();

  constructor(private readonly connection: Connection, private readonly log: Logger, private readonly joinMesh: JoinMesh) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => {
      const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
      if (folder?.startsWith('file:')) this.root = fileURLToPath(folder);
      return { capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental, hoverProvider: true }, serverInfo: { name: 'peermesh' } };
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
      const whole = ranged.length < contentChanges.length;
      if (!whole) doc.pending.add(ranged);
      this.report(doc, whole);
    });
    c.onDidCloseTextDocument(({ textDocument: d }) => {
      this.open.delete(d.uri);
      void c.sendDiagnostics({ uri: d.uri, diagnostics: [] });
    });
    c.onHover(({ textDocument, position }) => {
      const doc = this.open.get(textDocument.uri);
      return doc ? lockHover(this.claimsIn(doc.path), position.line, Date.now()) : null;
    });
    c.onShutdown(() => this.leave());
    c.onExit(() => void this.leave().finally(() => process.exit(0)));
    c.listen();
  }

  private async join(): Promise<void> {
    try {
      const client = await this.joinMesh(this.root);
      this.client = client;
      client.onEvent((event) => {
        if (event.type.startsWith('lock_')) this.schedule();
      });
      this.info(`joined the mesh as ${client.peer.name}`);
      this.schedule(0);
    } catch (error) {
      this.warn(`could not join the mesh: ${message(error)}`);
    }
  }

  /** Leaves the mesh (the editor has gone). */
  async leave(): Promise<void> {
    clearTimeout(this.timer);
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
    for (const uri of this.open.keys()) this.publish(uri);
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
      this.report(doc, true);
    } else if (!followed) {
      doc.pending = undefined;
    }
  }

  /** Sends the document's pending changes (or, `whole`, its text), after the reports before them. */
  private report(doc: OpenDocument, whole: boolean): void {
    doc.sending = doc.sending.then(async () => {
      const client = this.client;
      const pending = doc.pending;
      if (!client || !pending) return;
      const text = doc.document.getText();
      const hash = contentHash(text);
      if (!whole && pending.isEmpty) return;
      try {
        const changes = whole ? undefined : pending.take(doc.path, hash);
        if (changes && fitsInFrame(changes)) {
          const { needText } = await client.request('locks/fileChanged', changes);
          if (!needText) return;
        }
        pending.restart(hash);
        const params = { path: doc.path, text, hash };
        if (fitsInFrame(params)) await client.request('locks/fileChanged', params);
      } catch (error) {
        pending.restart(hash);
        this.warn(`reporting the edits of ${doc.path} failed: ${message(error)}`);
      }
    });
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
