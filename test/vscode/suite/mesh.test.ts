import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import { LockNode } from '../../../src/vscode/trees/locksTree';
import { PeerNode } from '../../../src/vscode/trees/peersTree';
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

  it('shows the peer count and "broker here" in the status bar', async () => {
    const api = await joinedMesh();
    const { port } = await other.request('status/get', {});
    const count = await waitFor('a peer count in the status bar', () => /^\$\(broadcast\) PeerMesh (\d+)$/.exec(api.statusBarItem.text)?.[1]);
    assert.equal(Number(count), api.peers.items.length);
    const tooltip = api.statusBarItem.tooltip instanceof vscode.MarkdownString ? api.statusBarItem.tooltip.value : String(api.statusBarItem.tooltip);
    assert.match(tooltip, new RegExp(`\\d+ peers? · broker here \\(pid ${process.pid}, port ${port}\\)`));
    assert.equal(api.statusBarItem.backgroundColor, undefined, 'no warning colour while connected');
    assert.equal(api.statusBarItem.command, 'peermesh.showLog');
  });

  it('lists the window and the other peer in the Peers tree, and follows the other\'s summary', async () => {
    const api = await joinedMesh();
    const self = api.mesh.client!.peer.id;
    await waitFor('both peers in the Peers tree', () =>
      (api.peers.items.some((p) => p.id === self) && api.peers.items.some((p) => p.id === other.peer.id) ? true : undefined));

    await other.request('peers/update', { summary: 'writing the VS Code tests' });
    const updated = await waitFor('the summary in the Peers tree (pushed summary_changed)', () =>
      api.peers.items.find((p) => p.id === other.peer.id && p.summary === 'writing the VS Code tests'));
    const item = new PeerNode(updated).toTreeItem();
    assert.equal(item.label, 'suite-agent');
    assert.equal(item.description, 'writing the VS Code tests · cli');

    const selfItem = new PeerNode(api.peers.items.find((p) => p.id === self)!, true).toTreeItem();
    assert.equal(selfItem.label, windowPeerName());
    assert.equal(selfItem.description, 'this window');
    // Peer-supplied text is escaped Markdown: compare what it reads as.
    assert.match(readsAs(selfItem.tooltip as vscode.MarkdownString), /\(vscode-window, this window\), (working|idle)/);
  });

  it('drops a peer that leaves from the Peers tree', async () => {
    const api = await joinedMesh();
    const brief = await otherPeer('suite-visitor');
    await waitFor('the visitor in the Peers tree', () => api.peers.items.find((p) => p.id === brief.peer.id));
    await brief.close();
    await waitFor('the visitor to leave the Peers tree', () => (api.peers.items.some((p) => p.id === brief.peer.id) ? undefined : true));
  });

  it('shows a lock taken by another peer in the Locks tree, and drops it when released', async () => {
    const api = await joinedMesh();
    const file = path.join(workspaceFolder(), 'README.md');
    const { lock } = await other.request('locks/acquire', {
      target: { path: file, startLine: 1, endLine: 3 }, reason: 'rewording the intro', ttlSeconds: 600,
    });
    const shown = await waitFor('the lock in the Locks tree (pushed lock_acquired)', () => api.locks.items.find((l) => l.id === lock.id));
    assert.equal(shown.holder, other.peer.id);

    const item = new LockNode(shown).toTreeItem();
    assert.equal(item.label, 'README.md:1-3');
    assert.match(String(item.description), /^suite-agent · (10|9)m left · rewording the intro$/);
    assert.equal(item.resourceUri?.fsPath, file);

    await other.request('locks/release', { lockId: lock.id });
    await waitFor('the lock to leave the Locks tree (pushed lock_released)', () => (api.locks.items.some((l) => l.id === lock.id) ? undefined : true));
  });

  it('shows what other peers write as text, never as Markdown (no links or images in tooltips)', async () => {
    const api = await joinedMesh();
    const file = path.join(workspaceFolder(), 'README.md');
    const reason = 'see [docs](https://example.invalid/x) ![](https://example.invalid/t.png) **urgent**';
    const { lock } = await other.request('locks/acquire', { target: { path: file, startLine: 5, endLine: 5 }, reason });
    try {
      const shown = await waitFor('the lock in the Locks tree', () => api.locks.items.find((l) => l.id === lock.id));
      const item = new LockNode(shown).toTreeItem();
      assert.equal(item.label, 'README.md:5');
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
