import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import { livenessOf } from '../../../src/vscode/peerLook';
import { joinedMesh, meshHomeDir, otherPeer, waitFor, windowPeerName, workspaceFolder } from './helpers';

describe('PeerMesh in the mesh', () => {
  // Another peer in the same folder, like a terminal agent; it never hosts the broker.
  let other: PeerClient;

  before(async () => {
    await joinedMesh();
    other = await otherPeer('suite-agent');
  });
  after(async () => {
    await other?.close();
  });

  it('joins the mesh as a vscode-window peer named after the workspace folder', async () => {
    const api = await joinedMesh();
    const { peers } = await other.request('peers/list', { scope: 'machine' });
    const window = peers.find((p) => p.kind === 'vscode-window');
    assert.ok(window, `no vscode-window peer in ${JSON.stringify(peers.map((p) => [p.name, p.kind]))}`);
    assert.equal(window.id, api.mesh.client?.peer.id);
    assert.equal(window.name, windowPeerName());
    assert.equal(window.pid, process.pid);
    assert.equal(window.workspace, workspaceFolder());
    // Connected: working or idle, by whether its last call of its own is recent.
    assert.ok(window.status === 'working' || window.status === 'idle', window.status);
  });

  it('hosts the broker in the extension host, with the launcher\'s temporary mesh home', async () => {
    const api = await joinedMesh();
    const status = await other.request('status/get', {});
    assert.equal(status.pid, process.pid, 'the broker runs in this extension host');
    assert.equal(status.home, meshHomeDir());
    assert.equal(api.mesh.hostsBroker, true);
    assert.ok(api.mesh.client?.hostedBroker, 'the window\'s client owns the broker');
    assert.equal(api.mesh.homeDir, meshHomeDir());
  });

  it('shows working / total peers and "broker here" in the status bar; a click opens the mesh actions', async () => {
    const api = await joinedMesh();
    const { port } = await other.request('status/get', {});
    await other.request('peers/whoami', {}); // a call of its own: the other peer is working
    const tooltipOf = (): string => (api.statusBarItem.tooltip instanceof vscode.MarkdownString ? api.statusBarItem.tooltip.value : String(api.statusBarItem.tooltip));
    const pattern = new RegExp(`(\\d+) of (\\d+) peers? working · broker here \\(pid ${process.pid}, port ${port}\\)`);
    const [, working, total] = await waitFor('working / total in the tooltip', () => pattern.exec(tooltipOf()) ?? undefined);
    assert.match(api.statusBarItem.text, new RegExp(`^\\$\\(broadcast\\) ${working}/${total}`));
    const others = api.model.peers.items.filter((p) => p.id !== api.mesh.client?.peer.id);
    assert.equal(Number(total), others.length);
    assert.equal(Number(working), others.filter((p) => livenessOf(p) === 'working').length);
    assert.equal(api.statusBarItem.backgroundColor, undefined, 'no warning colour while connected');
    assert.equal(api.statusBarItem.command, 'peermesh.showActions');
  });

  it('lists the window and the other peer in the Peers tree, and follows the other\'s summary', async () => {
    const api = await joinedMesh();
    const self = api.mesh.client!.peer.id;
    await waitFor('both peers in the Peers tree', () =>
      (api.model.peers.items.some((p) => p.id === self) && api.model.peers.items.some((p) => p.id === other.peer.id) ? true : undefined));

    await other.request('peers/update', { summary: 'writing the VS Code tests' });
    const updated = await waitFor('the summary in the Peers tree (pushed summary_changed)', () =>
      api.model.peers.items.find((p) => p.id === other.peer.id && p.summary === 'writing the VS Code tests'));
    assert.ok(updated);
    const item = await waitFor('the summary in the tree row', () => api.trees.peers.rows().find((row) => row.id === other.peer.id && String(row.description).includes('writing')));
    assert.equal(item.label, 'suite-agent');
    // A terminal peer while its command runs is working (between commands it reads "terminal identity").
    assert.equal(item.description, 'working · writing the VS Code tests');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'terminal');

    const selfItem = api.trees.peers.rows().find((row) => row.id === self)!;
    assert.equal(selfItem.label, windowPeerName());
    assert.equal(selfItem.description, 'this window');
    assert.equal(selfItem.contextValue, 'peer.self');
    // Peer-supplied text is escaped Markdown: compare what it reads as.
    assert.match(readsAs(selfItem.tooltip as vscode.MarkdownString), /· VS Code window, this window ·/);
  });

  it('drops a peer that leaves from the Peers tree', async () => {
    const api = await joinedMesh();
    const brief = await otherPeer('suite-visitor');
    await waitFor('the visitor in the Peers tree', () => api.model.peers.items.find((p) => p.id === brief.peer.id));
    await brief.close();
    await waitFor('the visitor to leave the Peers tree', () => (api.model.peers.items.some((p) => p.id === brief.peer.id) ? undefined : true));
  });

  it('shows a lock taken by another peer in the Locks tree, and drops it when released', async () => {
    const api = await joinedMesh();
    const file = path.join(workspaceFolder(), 'README.md');
    const { lock } = await other.request('locks/acquire', {
      target: { path: file, startLine: 1, endLine: 3 }, reason: 'rewording the intro', ttlSeconds: 600,
    });
    const shown = await waitFor('the lock in the Locks tree (pushed lock_acquired)', () => api.model.locks.items.find((l) => l.id === lock.id));
    assert.equal(shown.holder, other.peer.id);

    const rows = await waitFor('the lock in the tree', () => {
      const all = api.trees.locks.rows();
      return all.some((row) => row.id === `lock-${lock.id}`) ? all : undefined;
    });
    const fileRow = rows.find((row) => row.id === `file-${file}`);
    assert.equal(fileRow?.label, 'README.md', 'locks are grouped under their file');
    assert.equal(fileRow?.resourceUri?.fsPath, file);
    const item = rows.find((row) => row.id === `lock-${lock.id}`)!;
    assert.equal(item.label, 'lines 1–3');
    assert.match(String(item.description), /^suite-agent · (10|9)m left · rewording the intro$/);
    assert.equal(item.contextValue, 'lock.other');
    // A click opens the file at the locked lines.
    assert.equal(item.command?.command, 'vscode.open');
    const [uri, options] = item.command!.arguments as [vscode.Uri, { selection: vscode.Range }];
    assert.equal(uri.fsPath, file);
    assert.deepEqual([options.selection.start.line, options.selection.end.line], [0, 2]);
    await vscode.commands.executeCommand(item.command!.command, ...item.command!.arguments!);
    const editor = await waitFor('README.md open', () => (vscode.window.activeTextEditor?.document.uri.fsPath === file ? vscode.window.activeTextEditor : undefined));
    // Lines 1–3, clamped to the file's length.
    assert.deepEqual([editor.selection.start.line, editor.selection.end.line], [0, Math.min(2, editor.document.lineCount - 1)], 'opened at the locked lines');

    await other.request('locks/release', { lockId: lock.id });
    await waitFor('the lock to leave the Locks tree (pushed lock_released)', () => (api.model.locks.items.some((l) => l.id === lock.id) ? undefined : true));
  });

  it('shows what other peers write as text, never as Markdown (no links or images in tooltips)', async () => {
    const api = await joinedMesh();
    const file = path.join(workspaceFolder(), 'README.md');
    const reason = 'see [docs](https://example.invalid/x) ![](https://example.invalid/t.png) **urgent**';
    const { lock } = await other.request('locks/acquire', { target: { path: file, startLine: 5, endLine: 5 }, reason });
    try {
      const shown = await waitFor('the lock in the Locks tree', () => api.model.locks.items.find((l) => l.id === lock.id));
      const item = await waitFor('the lock row', () => api.trees.locks.rows().find((row) => row.id === `lock-${shown.id}`));
      assert.equal(item.label, 'line 5');
      const tip = (item.tooltip as vscode.MarkdownString).value;
      assert.ok(!tip.includes('[docs](') && !tip.includes('![]('), `unescaped Markdown in: ${tip}`);
      assert.ok(readsAs(item.tooltip as vscode.MarkdownString).includes(reason), `the reason reads as written: ${tip}`);
    } finally {
      await other.request('locks/release', { lockId: lock.id });
    }
  });
});

/** What escaped Markdown text reads as: `&nbsp;` as spaces, `\x` as `x`. */
function readsAs(md: vscode.MarkdownString): string {
  return md.value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
}
