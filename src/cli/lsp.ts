/**
 * `peermesh lsp`: the lock-awareness language server (src/lsp/server.ts) over stdio. It joins
 * the mesh once the editor has initialized, as one of the person's peers (`cli` kind, client
 * `lsp`) named `editor:<folder>`; starts a detached broker if none answers, and takes over the
 * broker on fail-over, unless `--join-only` (the VS Code window, which hosts the broker itself). Nothing but LSP reaches stdout; logs go to stderr. It leaves the mesh
 * when the editor sends `exit` or closes its stdin.
 */
import path from 'node:path';
import { createConnection } from 'vscode-languageserver/node';
import { taggedLogger } from '../core/logger';
import { LockServer } from '../lsp/server';
import { connectBridge, type CliContext } from './terminal-peer';

export interface LspOptions {
  /** Peer name instead of `editor:<folder>` (also PEERMESH_NAME). */
  name?: string;
  /** Never start or host a broker: the editor runs it (the VS Code window does). */
  joinOnly?: boolean;
}

export function lsp(ctx: CliContext, opts: LspOptions): Promise<never> {
  // Nothing but LSP may reach stdout: stray library output goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const connection = createConnection(process.stdin, process.stdout);
  const server = new LockServer(connection, taggedLogger(ctx.log, 'lsp'), (root) => connectBridge(ctx, {
    name: opts.name ?? process.env.PEERMESH_NAME ?? `editor:${path.basename(root)}`, kind: 'cli', client: 'lsp', pid: process.pid, cwd: root, workspace: root,
  }, { joinOnly: opts.joinOnly }));
  server.listen();
  // An editor that goes away without `exit` closes our stdin: leave the mesh all the same.
  process.stdin.on('end', () => void server.leave().finally(() => process.exit(0)));
  return new Promise<never>(() => undefined);
}
