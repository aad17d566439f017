/**
 * A release request nobody answers comes to the person. The window's broker is restarted with
 * requests escalating after 3 s (`peermesh.lockRequests.escalateMinutes` 0.05); then two peers
 * of the mesh ask: one for lines the window holds (the notification answers it: Narrow… keeps
 * part, the rest is freed), one for lines a silent agent holds (Force Release frees them). Each
 * outcome is read from the broker, as the asking peer sees it; the Locks view shows the request
 * on the window's claim while it waits.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { LockRequest } from '../../../src/protocol/requests/release';
import { joinedMesh, otherPeer, waitFor, withAnswers, workspaceFolder, type Asked } from './helpers';

const escalateMinutes = 0.05;

/** The asking peer's request `id` once it is no longer open or escalated (answered, or ended by a release). */
async function settled(asker: PeerClient, id: number): Promise<LockRequest> {
  return waitFor(`request #${id} answered`, async () => {
    const { answered } = await asker.request('release/mine', {});
    return answered.find((r) => r.id === id);
  }, 20_000);
}

/** The notification the person was shown, once it has been (the escalation comes on the broker's time). */
function shown(asked: Asked[], text: RegExp): Promise<Asked> {
  return waitFor(`a notification matching ${text}`, () => asked.find((a) => a.kind === 'notify' && text.test(a.text)), 20_000);
}

describe('Release requests that escalate to the person', function () {
  this.timeout(90_000);
  let file: string;
  let asker: PeerClient;
  let holder: PeerClient;

  before(async () => {
    file = path.join(workspaceFolder(), 'requests.ts');
    writeFileSync(file, `${Array.from({ length: 12 }, (_, i) => `export const r${i + 1} = ${i + 1};`).join('\n')}\n`);
    const api = await joinedMesh();
    assert.ok(api.mesh.hostsBroker, 'the window hosts the broker, so its setting applies');
    await vscode.workspace.getConfiguration('peermesh').update('lockRequests.escalateMinutes', escalateMinutes, vscode.ConfigurationTarget.Global);
    await withAnswers({}, () => Promise.resolve(vscode.commands.executeCommand('peermesh.restartBroker')));
    await waitFor('the window in the mesh again', () => (api.mesh.state.kind === 'connected' && api.mesh.client ? true : undefined), 30_000);
    [asker, holder] = await Promise.all([otherPeer('asking-agent', 'claude-code'), otherPeer('silent-agent', 'codex')]);
  });

  after(async () => {
    await Promise.all([asker?.close(), holder?.close()]);
    await vscode.workspace.getConfiguration('peermesh').update('lockRequests.escalateMinutes', undefined, vscode.ConfigurationTarget.Global);
  });

  it('on the window\'s own claim, the notification answers: Narrow… keeps the lines given and frees the rest', async () => {
    const api = await joinedMesh();
    const { lock } = await api.mesh.client!.request('locks/acquire', { target: { path: file, startLine: 2, endLine: 6 }, reason: 'the person edits these' });
    try {
      await withAnswers({ notify: (_m, buttons) => buttons.find((b) => b === 'Narrow…'), input: () => '2-3' }, async (asked) => {
        const { requests: [request] } = await asker.request('release/request', { target: { path: file, startLine: 5, endLine: 6 }, reason: 'the config loader needs 5-6' });
        // The Locks row of the window's claim says who asks, and its tooltip why.
        const row = await waitFor('the request on the Locks row', () => api.trees.locks.nodes().map((n) => n.toTreeItem())
          .find((item) => item.id === `lock-${lock.id}` && String(item.description).startsWith('asked by asking-agent')));
        assert.match((row.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' '), /asking-agent.* asks you to release lines 5–6: the config loader needs 5-6/);
        const note = await shown(asked, /asking-agent asks you to release requests\.ts:5-6/);
        assert.deepEqual(note.choices, ['Release', 'Deny…', 'Narrow…']);
        const answer = await settled(asker, request.id);
        assert.deepEqual([answer.status, answer.kept], ['narrowed', { startLine: 2, endLine: 3 }]);
      });
      const { locks } = await asker.request('locks/list', { path: file });
      assert.deepEqual(locks.map((l) => [l.id, l.startLine, l.endLine]), [[lock.id, 2, 3]], 'the window keeps 2-3; 4-6 are free');
    } finally {
      await api.mesh.client?.request('locks/release', { lockId: lock.id }).catch(() => undefined);
    }
  });

  it('on another peer\'s claim, Force Release frees it for the peer that asked', async () => {
    const { lock } = await holder.request('locks/acquire', { target: { path: file, startLine: 9, endLine: 11 }, reason: 'refactoring' });
    await withAnswers({ notify: (_m, buttons) => buttons.find((b) => b === 'Force Release') }, async (asked) => {
      const { requests: [request] } = await asker.request('release/request', { lockId: lock.id, reason: 'the build is red at line 10' });
      const note = await shown(asked, /silent-agent has not answered asking-agent's request for requests\.ts:9-11/);
      assert.deepEqual(note.choices, ['Force Release', 'Later']);
      assert.equal((await settled(asker, request.id)).status, 'ended');
    });
    const { locks } = await asker.request('locks/list', { path: file });
    assert.deepEqual(locks.filter((l) => l.id === lock.id), [], 'the silent agent\'s claim was released');
  });
});
