import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedExtension, manifest, waitFor } from './helpers';

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
});
