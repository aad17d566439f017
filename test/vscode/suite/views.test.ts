import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedExtension, manifest } from './helpers';

describe('PeerMesh views', () => {
  // That the container then shows, with its four views, is checked on the page itself by the
  // launcher (workbench checks and screenshot): the extension API cannot see the sidebar.
  it('runs the command that opens the PeerMesh container in the activity bar', async () => {
    await activatedExtension();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('workbench.view.extension.peermesh'), 'the container has its open command');
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
