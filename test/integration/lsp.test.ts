/**
 * `peermesh lsp` as an editor meets it, with no editor: the built CLI over stdio, driven by a
 * plain JSON-RPC client (vscode-jsonrpc), beside a real agent (an MCP client on `peermesh mcp`)
 * and one `peermesh serve` broker. The agent claims lines; the server publishes a diagnostic on
 * exactly those lines; the editor types above them and the broker moves the claim, the
 * diagnostic with it; the hover names the holder; the release clears the diagnostics.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, Hover, PublishDiagnosticsParams } from 'vscode-languageserver';
import { agentsInRepo, claimAt } from './agents-in-repo';
import { cliPath } from './harness';
import { withBroker, type ProcessBrokerFixture } from './with-broker';

const source = Array.from({ length: 40 }, (_, i) => `export function step${i + 1}(): number { return ${i + 1}; }`);

/** An editor's end of `peermesh lsp`: the connection, and the diagnostics published per document. */
interface Editor {
  rpc: MessageConnection;
  /** Resolves with the next diagnostics of `uri` that `accept` takes. */
  diagnostics(uri: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]>;
}

async function startEditor(m: ProcessBrokerFixture, project: string): Promise<Editor> {
  const child = spawn(process.execPath, [cliPath, 'lsp'], { env: m.env, cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published = new Map<string, Diagnostic[]>();
  const waiters: Array<() => void> = [];
  rpc.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.set(p.uri, p.diagnostics);
    for (const wake of waiters.splice(0)) wake();
  });
  rpc.listen();
  m.defer(async () => {
    rpc.sendNotification('exit');
    await new Promise((resolve) => { child.once('exit', resolve); setTimeout(resolve, 3000); });
    child.kill();
    rpc.dispose();
  });
  await rpc.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(project).href, capabilities: {}, workspaceFolders: null });
  rpc.sendNotification('initialized', {});
  return {
    rpc,
    async diagnostics(uri, accept) {
      for (;;) {
        const now = published.get(uri);
        if (now && accept(now)) return now;
        await new Promise<void>((resolve) => waiters.push(resolve));
        if (child.exitCode !== null) throw new Error(`peermesh lsp exited ${child.exitCode}: ${stderr}`);
      }
    },
  };
}

const linesOf = (d: Diagnostic[]) => d.map((x) => [x.range.start.line + 1, x.range.end.line + 1]);

describe('peermesh lsp: lock awareness over the Language Server Protocol', function () {
  this.timeout(120_000);

  it('publishes another peer\'s claim on its lines, moves it with the editor\'s typing, hovers it, and clears it on release', () => withBroker(async (m) => {
    const { project, alice } = await agentsInRepo(m, { 'steps.ts': `${source.join('\n')}\n` });
    const file = path.join(project, 'steps.ts');
    const uri = pathToFileURL(file).href;
    const editor = await startEditor(m, project);
    editor.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: `${source.join('\n')}\n` } });
    await editor.diagnostics(uri, (d) => d.length === 0);

    await alice.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 10, endLine: 20, reason: 'renaming the steps' });
    const held = await editor.diagnostics(uri, (d) => d.length === 1);
    assert.deepEqual(linesOf(held), [[10, 20]]);
    assert.equal(held[0].source, 'peermesh');
    assert.equal(held[0].severity, 3, 'Information');
    assert.match(String(held[0].message), /steps\.ts:10-20 held by alice: renaming the steps · \d+m left/);

    // The person types two lines at the top, unsaved: the broker moves the claim, and the diagnostic follows.
    editor.rpc.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// one\n// two\n' }],
    });
    const obs = await m.observer();
    await claimAt(obs, [12, 22]);
    assert.deepEqual(linesOf(await editor.diagnostics(uri, (d) => d[0]?.range.start.line === 11)), [[12, 22]]);

    const over = await editor.rpc.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 14, character: 3 } });
    assert.match(JSON.stringify(over?.contents), /held by alice/);
    assert.equal(await editor.rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 0 } }), null);

    await alice.ok('mesh_lock', { action: 'release', path: 'steps.ts' });
    await editor.diagnostics(uri, (d) => d.length === 0);
  }));

  it('does not flag the person\'s own claims, and ignores documents that are not files', () => withBroker(async (m) => {
    const { project, alice } = await agentsInRepo(m, { 'steps.ts': `${source.join('\n')}\n` });
    const file = path.join(project, 'steps.ts');
    const uri = pathToFileURL(file).href;
    const editor = await startEditor(m, project);
    editor.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri: 'untitled:Untitled-1', languageId: 'typescript', version: 1, text: 'x' } });
    editor.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: `${source.join('\n')}\n` } });
    await editor.diagnostics(uri, (d) => d.length === 0);
    // The terminal is the person's: its claim is no news to the person's editor.
    const cli = await m.cli('lock', `${file}:3-4`, '--reason', 'mine');
    assert.equal(cli.code, 0, cli.stderr);
    // Then an agent's: once its diagnostic is out, the server has seen both claims.
    await alice.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 8, endLine: 9, reason: 'theirs' });
    assert.deepEqual(linesOf(await editor.diagnostics(uri, (d) => d.length > 0)), [[8, 9]]);
    assert.equal(await editor.rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 0 } }), null);
    assert.equal(await editor.rpc.sendRequest('textDocument/hover', { textDocument: { uri: 'untitled:Untitled-1' }, position: { line: 0, character: 0 } }), null);
  }));
});
