import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { realpathSync } from 'node:fs';
import * as vscode from 'vscode';
import { activatedExtension, extensionId } from './helpers';

describe('PeerMesh extension', () => {
  it('is present and activates', async () => {
    const extension = await activatedExtension();
    assert.equal(extension.isActive, true);
    assert.equal(extension.id, extensionId);
  });

  it('activated on startup, without being asked to', async () => {
    // `onStartupFinished`: by the time the tests run it is active; activate() above is a no-op.
    const extension = vscode.extensions.getExtension(extensionId);
    assert.deepEqual(extension?.packageJSON.activationEvents, ['onStartupFinished']);
    assert.equal(extension?.isActive, true);
  });

  it('runs from the copy under test (development folder or installed .vsix)', async function () {
    const extension = await activatedExtension();
    const actual = realpathSync(extension.extensionPath);
    switch (process.env.PEERMESH_TEST_MODE) {
      case 'dev':
        assert.equal(actual, realpathSync(process.env.PEERMESH_TEST_REPO ?? ''));
        break;
      case 'vsix': {
        const extensionsDir = realpathSync(process.env.PEERMESH_TEST_EXTENSIONS_DIR ?? '');
        assert.ok(actual.startsWith(extensionsDir + path.sep), `${actual} is not inside ${extensionsDir}`);
        assert.ok(!actual.startsWith(realpathSync(process.env.PEERMESH_TEST_REPO ?? '/nonexistent') + path.sep));
        break;
      }
      default:
        this.skip();
    }
  });

  it('runs with a temporary mesh home, never the real ~/.peermesh', () => {
    const home = process.env.PEERMESH_HOME;
    assert.ok(home, 'PEERMESH_HOME is set');
    assert.notEqual(path.resolve(home), path.join(os.homedir(), '.peermesh'));
  });

  it('shows the PeerMesh status-bar item, which opens the mesh actions', async () => {
    const { exports: api } = await activatedExtension();
    assert.match(api.statusBarItem.text, /^\$\((broadcast|warning|sync~spin)\) (PeerMesh|\d+\/\d+)/);
    assert.equal(api.statusBarItem.name, 'PeerMesh');
    assert.equal(api.statusBarItem.command, 'peermesh.showActions');
    assert.ok(api.statusBarItem.tooltip, 'has a tooltip');
  });

  it('declares typed settings with their defaults', () => {
    const config = vscode.workspace.getConfiguration('peermesh');
    assert.equal(config.get('port'), 0);
    assert.equal(config.get('home'), '');
    assert.equal(config.get('lockTtlSeconds'), 600);
    assert.equal(config.get('lockGraceSeconds'), 15);
    assert.equal(config.get('retention.messagesHours'), 24);
    assert.equal(config.get('retention.eventsHours'), 48);
    assert.equal(config.get('scope'), 'workspace');
  });
});
