/**
 * `peermesh lsp` as an editor meets it, with no editor: the built CLI over stdio, driven by a
 * plain JSON-RPC client (vscode-jsonrpc), beside a real agent (an MCP client on `peermesh mcp`)
 * and one `peermesh serve` broker. The agent claims lines; the server publishes a diagnostic on
 * exactly those lines; the editor types above them and the broker moves the claim, the
 * diagnostic with it; the hover names the holder; the release clears the diagnostics. The code
 * lenses and actions over a claim run in the server: the agent hears the release request, the
 * wait ends with the lines claimed for the editor, a claim elsewhere is the editor's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { CodeAction, CodeLens, Diagnostic, Hover, PublishDiagnosticsParams, ShowMessageParams } from 'vscode-languageserver';
import { lspCommands } from '../../src/protocol/lsp-commands';
import { agentsInRepo, claimAt, newsWith } from './agents-in-repo';
import { cliPath } from './harness';
import { withBroker, type ProcessBrokerFixture } from './with-broker';

const source = Array.from({ length: 40 }, (_, i) => `export function step${i + 1}(): number { return ${i + 1}; }`);

/** An editor's end of `peermesh lsp`: the connection, and the diagnostics published per document. */
interface Editor {
  rpc: MessageConnection;
  /** Resolves with the next diagnostics of `uri` that `accept` takes. */
  diagnostics(uri: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]>;
  /** Resolves with the first message shown to the person or logged (`window/showMessage`, `window/logMessage`), since the start, that matches. */
  shown(pattern: RegExp): Promise<string>;
}

async function startEditor(m: ProcessBrokerFixture, project: string, env: NodeJS.ProcessEnv = m.env): Promise<Editor> {
  const child = spawn(process.execPath, [cliPath, 'lsp'], { env, cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published = new Map<string, Diagnostic[]>();
  const messages: string[] = [];
  const waiters: Array<() => void> = [];
  const wakeAll = () => { for (const wake of waiters.splice(0)) wake(); };
  child.once('exit', wakeAll);
  rpc.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.set(p.uri, p.diagnostics);
    wakeAll();
  });
  // What the server shows the person and what it logs: the tests look for either.
  const heard = (p: ShowMessageParams) => {
    messages.push(p.message);
    wakeAll();
  };
  rpc.onNotification('window/showMessage', heard);
  rpc.onNotification('window/logMessage', heard);
  const until = async <T>(probe: () => T | undefined): Promise<T> => {
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
      if (child.exitCode !== null) throw new Error(`peermesh lsp exited ${child.exitCode}: ${stderr}`);
    }
  };
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
    diagnostics: (uri, accept) => until(() => {
      const now = published.get(uri);
      return now && accept(now) ? now : undefined;
    }),
    shown: (pattern) => until(() => messages.find((m) => pattern.test(m))),
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

  it('offers lenses and actions over a claim and runs them: a release request the agent hears, a wait that ends claimed, a claim elsewhere', () => withBroker(async (m) => {
    const { project, alice } = await agentsInRepo(m, { 'steps.ts': `${source.join('\n')}\n` });
    const uri = pathToFileURL(path.join(project, 'steps.ts')).href;
    const editor = await startEditor(m, project);
    editor.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: `${source.join('\n')}\n` } });
    const held = await alice.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 10, endLine: 20, reason: 'renaming the steps' });
    const lockId = (held.data.lock as { id: number }).id;
    await editor.diagnostics(uri, (d) => d.length === 1);

    const lenses = await editor.rpc.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command?.command, l.command?.arguments]), [
      [9, lspCommands.showInLocks, [{ lockId }]], [9, lspCommands.requestRelease, [{ lockId }]], [9, lspCommands.waitFor, [{ lockId }]],
    ]);
    assert.match(String(lenses[0].command?.title), /^Held by alice · \d+m left$/);

    const actionsAt = (line: number, endLine: number, endCharacter: number, triggerKind: 1 | 2) => editor.rpc.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line, character: 0 }, end: { line: endLine, character: endCharacter } }, context: { diagnostics: [], triggerKind },
    });
    const onClaim = await actionsAt(14, 14, 0, 2);
    assert.deepEqual(onClaim.map((a) => [a.title, a.kind, a.command?.command]), [
      ['Ask alice to release steps.ts:10-20', 'quickfix', lspCommands.requestRelease],
      ['Wait for steps.ts:10-20, and claim it once alice lets go', 'quickfix', lspCommands.waitFor],
      ['Show steps.ts:10-20 in Locks', 'quickfix', lspCommands.showInLocks],
    ]);
    assert.equal(onClaim[0].diagnostics?.[0].code, `lock-${lockId}`);
    assert.deepEqual(await actionsAt(2, 2, 0, 2), [], 'no light bulb on every free line as the cursor moves');
    const claim = await actionsAt(2, 5, 0, 1);
    assert.deepEqual(claim.map((a) => [a.title, a.command?.command, a.command?.arguments]), [['Claim lines 3–5 (PeerMesh)', lspCommands.claimLines, [{ uri, startLine: 3, endLine: 5 }]]]);

    // Request release: the agent reads it in its news, from the editor.
    await editor.rpc.sendRequest('workspace/executeCommand', { command: lspCommands.requestRelease, arguments: [{ lockId }] });
    await newsWith(alice, `for your claim #${lockId} on steps.ts:10-20`);
    await editor.shown(/asked alice to release steps\.ts:10-20/);

    // Claim these lines: the editor's own claim, which it does not flag.
    const mine = await editor.rpc.sendRequest<{ holderName: string } | null>('workspace/executeCommand', claim[0].command);
    assert.equal(mine?.holderName, `editor:${path.basename(project)}`);
    await editor.shown(/steps\.ts:3-5 is yours/);

    // Wait for it: the request comes back at once; once alice lets go, the lines are the editor's.
    await editor.rpc.sendRequest('workspace/executeCommand', { command: lspCommands.waitFor, arguments: [{ lockId }] });
    await editor.shown(/waiting for alice to let go of steps\.ts:10-20/);
    await alice.ok('mesh_lock', { action: 'release', path: 'steps.ts' });
    await editor.shown(/steps\.ts:10-20 is yours now/);
    const obs = await m.observer();
    const locks = (await obs.request('locks/list', {})).locks.map((l) => [l.holderName, l.startLine, l.endLine]);
    assert.deepEqual(locks.sort(), [[`editor:${path.basename(project)}`, 10, 20], [`editor:${path.basename(project)}`, 3, 5]]);
    await editor.diagnostics(uri, (d) => d.length === 0);

    // Bad arguments are the editor's mistake, told as such; the server carries on.
    assert.equal(await editor.rpc.sendRequest('workspace/executeCommand', { command: lspCommands.claimLines, arguments: [{ uri, startLine: 9, endLine: 2 }] }), null);
    await editor.shown(/peermesh\.lsp\.claimLines was given .*endLine comes before startLine/);
    assert.equal(await editor.rpc.sendRequest('workspace/executeCommand', { command: lspCommands.showInLocks, arguments: ['seven'] }), null);
    await editor.shown(/peermesh\.lsp\.showInLocks was given "seven"/);
    assert.deepEqual(await editor.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } }), []);
  }));

  it('says so when it cannot join the mesh, keeps answering the editor, and tries again, later each time', () => withBroker(async (m) => {
    const { project } = await agentsInRepo(m, { 'steps.ts': `${source.join('\n')}\n` });
    // A name the broker refuses: every join fails.
    const editor = await startEditor(m, project, { ...m.env, PEERMESH_NAME: 'n'.repeat(300) });
    await editor.shown(/could not join the mesh \(trying again in 1 s\)/);
    await editor.shown(/could not join the mesh \(trying again in 2 s\)/);
    const uri = pathToFileURL(path.join(project, 'steps.ts')).href;
    editor.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: 'x\n' } });
    assert.equal(await editor.rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }), null);
    assert.equal(await editor.rpc.sendRequest('workspace/executeCommand', { command: lspCommands.showInLocks, arguments: [{ lockId: 1 }] }), null);
    await editor.shown(/not in the mesh yet/);
  }));
});
