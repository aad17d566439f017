import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { EditorDecorations } from '../../../src/vscode/decorations/lockDecorations';
import { joinedMesh, otherPeer, waitFor, workspaceFolder } from './helpers';
import { startMcpAgent } from './mcpAgent';

/** What the extension draws in the visible editors, from its internal query (not scraped). */
async function drawn(file: string): Promise<EditorDecorations | undefined> {
  const all = await vscode.commands.executeCommand<EditorDecorations[]>('peermesh._test.decorations');
  return all?.find((editor) => editor.path === file);
}

describe('Locks in the editor and the explorer', () => {
  let other: PeerClient;
  let file: string;

  before(async () => {
    await joinedMesh();
    other = await otherPeer('file-agent');
    file = path.join(workspaceFolder(), 'decorated.ts');
    writeFileSync(file, Array.from({ length: 10 }, (_, i) => `export const line${i + 1} = ${i + 1};`).join('\n') + '\n');
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  });
  after(async () => {
    await other?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('badges exactly lines 3–5 another agent process locks, and the file in the explorer; both clear on release', async function () {
    this.timeout(120_000); // starting a process is slow on a busy machine
    const api = await joinedMesh();
    const uri = vscode.Uri.file(file);
    assert.equal(await waitFor('the editor in the query', () => drawn(file).then((d) => d && true)), true);
    assert.deepEqual((await drawn(file))?.others, [], 'nothing drawn before the lock');

    // `peermesh mcp` in its own process, driven by an MCP client: agent → broker → window.
    const agent = await startMcpAgent('badge-agent', { client: 'claude-code' });
    try {
      const lock = await agent.lock({ path: 'decorated.ts', startLine: 3, endLine: 5, reason: 'renaming the constants' });
      assert.equal(lock.target, 'decorated.ts:3-5', 'the relative path means the agent\'s folder');
      const shown = await waitFor('the lock drawn in the editor', async () => {
        const d = await drawn(file);
        return d && d.others.length > 0 ? d : undefined;
      }, 30_000);
      // The gutter badge says which kind of agent holds the lines.
      assert.deepEqual(shown.others, [{ lockId: lock.id, holderName: 'badge-agent', badge: 'claude-code', startLine: 3, endLine: 5, wholeFile: false }]);
      assert.deepEqual(shown.own, []);

      const badge = await Promise.resolve(api.explorerBadges.provideFileDecoration(uri, new vscode.CancellationTokenSource().token));
      assert.ok(badge, 'an explorer badge on the locked file');
      assert.equal(badge.badge, 'L');
      assert.match(String(badge.tooltip), /^Locked by badge-agent: decorated\.ts:3-5 \(renaming the constants\)$/);
      const readme = await Promise.resolve(api.explorerBadges.provideFileDecoration(vscode.Uri.file(path.join(workspaceFolder(), 'README.md')), new vscode.CancellationTokenSource().token));
      assert.equal(readme, undefined, 'no badge on a file nobody locks');

      // The Locks tree: the file, and under it exactly that lock, held by the agent.
      const rows = api.trees.locks.rows();
      assert.deepEqual(rows.map((row) => row.label), ['decorated.ts', 'lines 3–5']);
      assert.equal(rows[0].description, '1 lock');
      assert.match(String(rows[1].description), /^badge-agent · (10|9)m left · renaming the constants$/);
      assert.equal((rows[1].iconPath as vscode.ThemeIcon).id, 'sparkle', 'the holder\'s kind: Claude Code');

      assert.equal(await agent.unlock(lock.id), 1);
      await waitFor('the editor to clear', async () => ((await drawn(file))?.others.length === 0 ? true : undefined), 30_000);
      assert.equal(await Promise.resolve(api.explorerBadges.provideFileDecoration(uri, new vscode.CancellationTokenSource().token)), undefined, 'the badge cleared');
      await waitFor('the Locks tree to clear', () => (api.trees.locks.rows().length === 0 ? true : undefined), 30_000);
    } finally {
      await agent.close();
    }
  });

  it('draws this window\'s own lock quietly, apart from other peers\' locks, and gives it no explorer badge', async () => {
    const api = await joinedMesh();
    const client = api.mesh.client!;
    const { lock } = await client.request('locks/acquire', { target: { path: file, startLine: 7, endLine: 8 }, reason: 'mine' });
    try {
      const shown = await waitFor('the own lock drawn', async () => {
        const d = await drawn(file);
        return d && d.own.length > 0 ? d : undefined;
      }, 5000);
      assert.deepEqual(shown.own.map((l) => [l.startLine, l.endLine]), [[7, 8]]);
      assert.deepEqual(shown.others, []);
      assert.equal(await Promise.resolve(api.explorerBadges.provideFileDecoration(vscode.Uri.file(file), new vscode.CancellationTokenSource().token)), undefined);
    } finally {
      await client.request('locks/release', { lockId: lock.id });
    }
  });

  it('draws a whole-file lock on the first line', async () => {
    const { lock } = await other.request('locks/acquire', { target: { path: file }, reason: 'moving it' });
    try {
      const shown = await waitFor('the file lock drawn', async () => {
        const d = await drawn(file);
        return d && d.others.length > 0 ? d : undefined;
      }, 5000);
      assert.deepEqual(shown.others.map((l) => [l.startLine, l.endLine, l.wholeFile]), [[1, 1, true]]);
    } finally {
      await other.request('locks/release', { lockId: lock.id });
    }
    await waitFor('the editor to clear', async () => ((await drawn(file))?.others.length === 0 ? true : undefined), 5000);
  });
});
