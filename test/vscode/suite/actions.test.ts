import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { Lock, Message } from '../../../src/protocol/entities';
import { joinedMesh, otherPeer, waitFor, withAnswers, workspaceFolder } from './helpers';
import { startMcpAgent, type McpAgent } from './mcpAgent';

/** The other peer's unread messages, waiting until one matches. */
async function received(peer: PeerClient, match: (m: Message) => boolean): Promise<Message> {
  return waitFor('the message in the other peer\'s inbox', async () => {
    const { messages } = await peer.request('messages/inbox', { unreadOnly: false, limit: 100 });
    return messages.find(match);
  }, 10_000);
}

/** What the agent process sees of `lines` through mesh_lock check: free, or held by the window. */
async function agentSees(agent: McpAgent, startLine: number, endLine: number): Promise<'free' | string> {
  const result = await agent.call('mesh_lock', { action: 'check', path: 'actions.ts', startLine, endLine });
  return result.free ? 'free' : `held by ${result.locks?.map((l) => `${l.holder} (${l.reason ?? ''})`).join(', ')}`;
}

async function selectLines(file: string, startLine: number, endLine: number): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
  editor.selection = new vscode.Selection(startLine - 1, 0, endLine - 1, 4);
  return editor;
}

describe('Mesh actions from the palette', () => {
  /** A real agent: `peermesh mcp` in its own process, driven by an MCP client. */
  let agent: McpAgent;
  /** Another peer in this process, for what an agent cannot do through its tools (read events). */
  let other: PeerClient;
  let file: string;
  let window: string;

  before(async function () {
    this.timeout(120_000);
    window = (await joinedMesh()).mesh.client!.peer.name;
    agent = await startMcpAgent('palette-agent');
    other = await otherPeer('palette-peer');
    file = path.join(workspaceFolder(), 'actions.ts');
    writeFileSync(file, Array.from({ length: 12 }, (_, i) => `export const value${i + 1} = ${i + 1};`).join('\n') + '\n');
  });
  after(async () => {
    await agent?.close();
    await other?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Lock Selection asks why and claims the selected lines; the agent sees the conflict; Unlock frees them', async () => {
    const api = await joinedMesh();
    await selectLines(file, 3, 5);
    await withAnswers({ input: () => 'renaming the values' }, async (asked) => {
      const lock = await vscode.commands.executeCommand<Lock>('peermesh.lockSelection');
      assert.deepEqual([lock.startLine, lock.endLine, lock.reason, lock.holder], [3, 5, 'renaming the values', api.mesh.client!.peer.id]);
      assert.deepEqual(asked.map((a) => a.kind), ['input']);
      assert.match(asked[0].text, /^Lock actions\.ts, lines 3–5$/);
    });
    assert.equal(await agentSees(agent, 4, 4), `held by ${window} (renaming the values)`, 'the agent sees the conflict');
    await assert.rejects(agent.lock({ path: 'actions.ts', startLine: 4, endLine: 4, reason: 'mine now' }), /locked|held/i, 'and is refused the line');

    await waitFor('the lock in the model', () => api.model.locks.items.find((l) => l.path === file) ?? undefined);
    await withAnswers({ pickMany: (labels) => labels }, async (asked) => {
      const released = await vscode.commands.executeCommand<Lock[]>('peermesh.unlock');
      assert.equal(released.length, 1);
      assert.equal(asked[0].kind, 'pickMany');
      assert.deepEqual(asked[0].choices, ['$(lock) actions.ts:3-5']);
    });
    assert.equal(await agentSees(agent, 4, 4), 'free', 'the agent sees the release');
  });

  it('Lock File takes the explorer\'s file; Unlock All Mine releases everything the window holds', async () => {
    await withAnswers({ input: () => '' }, async () => {
      const lock = await vscode.commands.executeCommand<Lock>('peermesh.lockFile', vscode.Uri.file(file));
      assert.deepEqual([lock.path, lock.startLine, lock.endLine], [file, null, null]);
    });
    assert.match(await agentSees(agent, 11, 12), /^held by /);
    const released = await vscode.commands.executeCommand<Lock[]>('peermesh.unlockAllMine');
    assert.equal(released.length, 1);
    assert.equal(await agentSees(agent, 11, 12), 'free');
  });

  it('the keybinding\'s toggle locks the selection without asking, and unlocks it the second time', async () => {
    await selectLines(file, 7, 8);
    await withAnswers({}, async (asked) => {
      assert.equal(await vscode.commands.executeCommand('peermesh.toggleSelectionLock'), 'locked');
      const api = await joinedMesh();
      await waitFor('the lock in the model', () => api.model.locks.items.find((l) => l.path === file && l.startLine === 7) ?? undefined);
      assert.match(await agentSees(agent, 8, 8), /^held by /);
      assert.equal(await vscode.commands.executeCommand('peermesh.toggleSelectionLock'), 'released');
      assert.deepEqual(asked, [], 'no questions');
    });
    assert.equal(await agentSees(agent, 8, 8), 'free');
  });

  it('Lock Selection over another peer\'s lines says who holds them, and takes nothing', async () => {
    const { lock: theirs } = await other.request('locks/acquire', { target: { path: file, startLine: 9, endLine: 10 }, reason: 'tests first' });
    try {
      await selectLines(file, 10, 11);
      await withAnswers({ input: () => 'mine' }, async (asked) => {
        assert.equal(await vscode.commands.executeCommand('peermesh.lockSelection'), undefined);
        const warning = asked.find((a) => a.kind === 'notify');
        assert.ok(warning, 'a warning');
        assert.match(warning.text, /actions\.ts:9-10 is locked by palette-peer \(tests first\), (10|9)m left\./);
        assert.deepEqual(warning.choices, ['Request Release']);
      });
      const api = await joinedMesh();
      const { locks } = await api.mesh.client!.request('locks/list', { holder: api.mesh.client!.peer.id });
      assert.deepEqual(locks, [], 'the window took nothing');
    } finally {
      await other.request('locks/release', { lockId: theirs.id });
    }
  });

  it('Broadcast… reaches the agent as a broadcast', async () => {
    const api = await joinedMesh();
    await waitFor('the agent in the model', () => api.model.peers.items.find((p) => p.id === agent.peerId));
    await withAnswers({ input: () => 'stand-up in five minutes' }, async (asked) => {
      const sent = await vscode.commands.executeCommand<Message[]>('peermesh.broadcast');
      assert.ok(sent.some((m) => m.to === agent.peerId));
      assert.match(asked[0].text, /^Broadcast to /);
    });
    const got = await waitFor('the broadcast in the agent\'s inbox', async () => (await agent.inbox()).find((m) => m.body === 'stand-up in five minutes'), 30_000);
    assert.equal(got.broadcast, true);
    assert.equal(got.from, window);
  });

  it('Send Message to Peer… picks the peer, then sends; an empty body is refused by the input box', async () => {
    await withAnswers({ pick: () => 'palette-agent', input: () => '   ' }, async (asked) => {
      assert.equal(await vscode.commands.executeCommand('peermesh.sendMessage'), undefined);
      assert.equal(asked[1].refused, 'Write something to send.');
    });
    await withAnswers({ pick: () => 'palette-agent', input: () => 'can you take the parser?' }, async (asked) => {
      await vscode.commands.executeCommand('peermesh.sendMessage');
      assert.deepEqual(asked.map((a) => a.kind), ['pick', 'input']);
      assert.ok(asked[0].choices.includes('palette-agent'));
      assert.ok(!asked[0].choices.some((c) => c.startsWith('vscode:')), 'the window is not offered itself');
    });
    const got = await waitFor('the message in the agent\'s inbox', async () => (await agent.inbox()).find((m) => m.body === 'can you take the parser?'), 30_000);
    assert.equal(got.from, window);
    assert.notEqual(got.broadcast, true);
  });

  it('Request Release from a lock\'s hover link asks the holder to let go, with the person\'s reason', async () => {
    const api = await joinedMesh();
    const { lock } = await other.request('locks/acquire', { target: { path: file, startLine: 1, endLine: 2 } });
    try {
      await waitFor('the lock in the model', () => api.model.locks.items.find((l) => l.id === lock.id));
      await withAnswers({ input: () => 'the release build needs these lines' }, async (asked) => {
        await vscode.commands.executeCommand('peermesh.requestRelease', { lockId: lock.id });
        assert.equal(asked[0].text, 'Ask palette-peer to release actions.ts:1-2');
      });
      const { toYou } = await other.request('release/mine', {});
      assert.deepEqual(toYou.map((r) => [r.lockId, r.requester, r.reason]), [[lock.id, api.mesh.client!.peer.id, 'the release build needs these lines']]);
    } finally {
      await other.request('locks/release', { lockId: lock.id });
    }
  });

  it('Force Release… asks first, then frees another peer\'s lock, tells it, and records who did it', async () => {
    const api = await joinedMesh();
    const { lock } = await other.request('locks/acquire', { target: { path: file, startLine: 4, endLine: 6 }, reason: 'stuck agent' });
    await waitFor('the lock in the model', () => api.model.locks.items.find((l) => l.id === lock.id));
    await withAnswers({ notify: () => undefined }, async () => {
      await vscode.commands.executeCommand('peermesh.forceReleaseLock', { lockId: lock.id });
    });
    assert.equal(await isHeld(other, lock.id), true, 'dismissing the confirmation keeps the lock');

    await withAnswers({ notify: (_m, buttons) => buttons.find((b) => b === 'Force Release') }, async (asked) => {
      await vscode.commands.executeCommand('peermesh.forceReleaseLock', { lockId: lock.id });
      assert.match(asked[0].text, /^Force-release actions\.ts:4-6, held by palette-peer\?$/);
    });
    assert.equal(await isHeld(other, lock.id), false);
    const alert = await received(other, (m) => m.kind === 'alert' && m.body.includes('actions.ts:4-6'));
    assert.equal(alert.from, api.mesh.client!.peer.id);
    const { events } = await other.request('events/read', { since: 0, types: ['lock_released'], limit: 1000 });
    const event = events.find((e) => e.type === 'lock_released' && e.data.id === lock.id);
    assert.equal(event?.type === 'lock_released' && event.data.reason, 'forced');
    assert.equal(event?.peer, api.mesh.client!.peer.id);
  });

  it('Set My Summary… changes what every peer sees of the window', async () => {
    const api = await joinedMesh();
    await withAnswers({ input: () => 'reviewing the parser' }, async () => {
      await vscode.commands.executeCommand('peermesh.setSummary');
    });
    const { peers } = await other.request('peers/list', { scope: 'machine' });
    assert.equal(peers.find((p) => p.id === api.mesh.client!.peer.id)?.summary, 'reviewing the parser');
    await vscode.commands.executeCommand('peermesh.setSummary', '');
  });

  it('Show Broker Status tells where the broker runs; the status bar\'s menu runs the action picked', async () => {
    await withAnswers({ pick: (labels) => labels.find((l) => l.endsWith('Show Broker Status')) }, async (asked) => {
      await vscode.commands.executeCommand('peermesh.showActions');
      assert.equal(asked[0].kind, 'pick');
      for (const action of ['Broadcast…', 'Send Message to Peer…', 'Unlock All Mine', 'Open Dashboard', 'Restart Broker']) {
        assert.ok(asked[0].choices.some((c) => c.endsWith(action)), `the menu offers ${action}`);
      }
      const shown = await waitFor('the status notification', () => asked.find((a) => a.kind === 'notify'));
      assert.match(shown.text, new RegExp(`^PeerMesh: broker here \\(pid ${process.pid}, port \\d+\\)\\. PeerMesh \\d+\\.\\d+\\.\\d+, up `));
    });
  });

  it('Open Dashboard reveals the dashboard view', async () => {
    await vscode.commands.executeCommand('peermesh.openDashboard');
    // The view's focus command exists only once the view is known to the workbench.
    assert.ok((await vscode.commands.getCommands(true)).includes('peermesh.dashboard.focus'));
  });

  it('Release on a Locks row, Show Its Locks on a Peers row, and Show Everyone\'s Locks', async () => {
    const api = await joinedMesh();
    const { lock: theirs } = await other.request('locks/acquire', { target: { path: file, startLine: 11, endLine: 12 }, reason: 'theirs' });
    await selectLines(file, 1, 2);
    await withAnswers({}, async () => vscode.commands.executeCommand('peermesh.toggleSelectionLock'));
    const mine = await waitFor('both locks in the tree', () => {
      const nodes = api.trees.locks.nodes();
      const own = nodes.find((node) => node.toTreeItem().contextValue === 'lock.own');
      return own && nodes.some((node) => node.toTreeItem().id === `lock-${theirs.id}`) ? own : undefined;
    });
    try {
      // Show Its Locks on the other peer's row: the Locks view narrows to its lock.
      const peerRow = await waitFor('the peer row', () => api.trees.peers.nodes().find((node) => node.toTreeItem().id === other.peer.id));
      await vscode.commands.executeCommand('peermesh.showPeerLocks', peerRow);
      assert.equal(api.trees.locks.view.description, 'held by palette-peer');
      assert.deepEqual(api.trees.locks.rows().filter((row) => row.contextValue?.startsWith('lock.')).map((row) => row.id), [`lock-${theirs.id}`]);
      await vscode.commands.executeCommand('peermesh.clearLocksFilter');
      assert.equal(api.trees.locks.view.description, undefined);
      assert.equal(api.trees.locks.rows().filter((row) => row.contextValue?.startsWith('lock.')).length, 2);

      // Release on the window's own row.
      const released = await vscode.commands.executeCommand<Lock[]>('peermesh.releaseLock', mine);
      assert.deepEqual(released.map((l) => [l.startLine, l.endLine]), [[1, 2]]);
      assert.equal(await agentSees(agent, 1, 2), 'free');
    } finally {
      await other.request('locks/release', { lockId: theirs.id });
    }
  });

  it('Mark Read and Mark All Messages Read clear what agents sent the person, at the broker too', async () => {
    const api = await joinedMesh();
    await withAnswers({}, async () => {
      const to = { peer: api.mesh.client!.peer.id };
      const [first] = (await other.request('messages/send', { to, body: 'first of two' })).messages;
      const [second] = (await other.request('messages/send', { to, body: 'second of two' })).messages;
      await waitFor('both in the window', () => (api.model.unreadFrom(other.peer.id).length === 2 ? true : undefined));
      assert.equal(await vscode.commands.executeCommand('peermesh.markMessageRead', api.model.messages.items.find((m) => m.id === first.id)), 1);
      assert.deepEqual(api.model.unreadFrom(other.peer.id).map((m) => m.id), [second.id]);
      assert.ok(Number(await vscode.commands.executeCommand('peermesh.markAllMessagesRead')) >= 1);
      assert.deepEqual(api.model.unreadFrom(), []);
      const { messages } = await api.mesh.client!.request('messages/get', { ids: [first.id, second.id] });
      assert.deepEqual(messages.map((m) => m.state), ['read', 'read']);
    });
  });

  it('Restart Broker stops the broker hosted here and the window joins a new one; the agent follows', async function () {
    this.timeout(60_000);
    const api = await joinedMesh();
    const before = api.mesh.client!.broker.instanceId;
    const self = api.mesh.client!.peer.id;
    await selectLines(file, 3, 3);
    await withAnswers({}, async () => vscode.commands.executeCommand('peermesh.toggleSelectionLock'));
    await withAnswers({}, async () => {
      await vscode.commands.executeCommand('peermesh.restartBroker');
    });
    await waitFor('the window in the mesh again', () => (api.mesh.state.kind === 'connected' && api.mesh.client ? true : undefined), 30_000);
    assert.notEqual(api.mesh.client!.broker.instanceId, before, 'a new broker instance');
    // A fail-over, not a new identity: the same peer, still holding its claim.
    assert.equal(api.mesh.client!.peer.id, self);
    assert.match(await agentSees(agent, 3, 3), /^held by /);
    await vscode.commands.executeCommand('peermesh.unlockAllMine');
    const { peers } = await waitFor('the agent served by the new broker', () =>
      other.request('peers/list', { scope: 'machine' }).catch(() => undefined), 30_000);
    assert.ok(peers.some((p) => p.id === api.mesh.client!.peer.id));
  });
});

async function isHeld(peer: PeerClient, lockId: number): Promise<boolean> {
  const { locks } = await peer.request('locks/list', {});
  return locks.some((l) => l.id === lockId);
}
