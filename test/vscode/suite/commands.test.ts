import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { activatedExtension, joinedMesh, manifest, meshHomeDir, waitFor } from './helpers';

describe('PeerMesh commands', () => {
  it('registers every command the manifest declares', async () => {
    const extension = await activatedExtension();
    const registered = new Set(await vscode.commands.getCommands(true));
    const declared = manifest(extension).contributes.commands.map((c) => c.command);
    assert.ok(declared.length > 0);
    assert.deepEqual(declared.filter((id) => !registered.has(id)), []);
  });

  it('peermesh.showLog shows the PeerMesh log, which has the activation line', async () => {
    await activatedExtension();
    await vscode.commands.executeCommand('peermesh.showLog');
    // The shown log is an `output:` document; its text is what the person sees.
    const text = await waitFor('the PeerMesh log document', () =>
      vscode.workspace.textDocuments
        .filter((doc) => doc.uri.scheme === 'output')
        .map((doc) => doc.getText())
        .find((t) => t.includes('[activation] PeerMesh')), 15_000);
    assert.match(text, /activated in \d+(\.\d+)? ms/);
  });

  it('peermesh.copyMcpConfig puts a peermesh mcp server entry on the clipboard', async function () {
    const extension = await activatedExtension();
    await joinedMesh();
    const copied = await vscode.commands.executeCommand<string>('peermesh.copyMcpConfig');
    const entry = JSON.parse(copied).mcpServers.peermesh;
    // The mesh home's launcher, which runs this extension's CLI: configs survive updates.
    assert.equal(entry.command, path.join(meshHomeDir(), 'bin', 'peermesh'));
    assert.deepEqual(entry.args, ['mcp']);
    assert.equal(entry.env.PEERMESH_HOME, meshHomeDir());
    assert.ok(readFileSync(entry.command, 'utf8').includes(path.join(extension.extensionPath, 'dist', 'cli.js')));
    assert.equal(await vscode.env.clipboard.readText(), copied);
  });

  it('peermesh.setupAgents runs `peermesh setup` for the chosen agent and reports what it did', async function () {
    this.timeout(60_000);
    const extension = await activatedExtension();
    await joinedMesh();
    // The CLI edits the agent's config under HOME: point it at a temporary one for this test.
    const fakeHome = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'peermesh-fake-home-')));
    const realHome = process.env.HOME;
    process.env.HOME = fakeHome;
    try {
      const report = await vscode.commands.executeCommand<string>('peermesh.setupAgents', 'cursor');
      assert.match(report, /Cursor/);
      const config = JSON.parse(readFileSync(path.join(fakeHome, '.cursor', 'mcp.json'), 'utf8'));
      const entry = config.mcpServers.peermesh;
      assert.equal(entry.command, path.join(meshHomeDir(), 'bin', 'peermesh'));
      assert.deepEqual(entry.args, ['mcp']);
      assert.ok(readFileSync(entry.command, 'utf8').includes(realpathSync(path.join(extension.extensionPath, 'dist', 'cli.js'))));
      assert.equal(entry.env?.PEERMESH_HOME, meshHomeDir());
      const again = await vscode.commands.executeCommand<string>('peermesh.setupAgents', 'cursor');
      assert.match(again, /already/, 'a second run changes nothing');
    } finally {
      process.env.HOME = realHome;
      rmSync(fakeHome, { recursive: true, force: true });
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });
});
