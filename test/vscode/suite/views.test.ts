import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedExtension, manifest } from './helpers';

describe('PeerMesh views', () => {
  it('opens the PeerMesh container in the activity bar', async () => {
    await activatedExtension();
    await vscode.commands.executeCommand('workbench.view.extension.peermesh');
  });

  it('contributes the Peers, Locks, Debates and Dashboard views', async () => {
    const extension = await activatedExtension();
    const ids = manifest(extension).contributes.views.peermesh.map((view) => view.id);
    assert.deepEqual(ids, ['peermesh.peers', 'peermesh.locks', 'peermesh.debates', 'peermesh.dashboard']);
  });

  for (const id of ['peermesh.peers', 'peermesh.locks', 'peermesh.debates', 'peermesh.dashboard']) {
    it(`focuses ${id}`, async () => {
      const commands = await vscode.commands.getCommands(true);
      assert.ok(commands.includes(`${id}.focus`), `${id}.focus is registered`);
      await vscode.commands.executeCommand(`${id}.focus`);
    });
  }
});
