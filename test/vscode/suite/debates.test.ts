import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { TurnInput } from '../../../src/protocol/coordination';
import { joinedMesh, otherPeer, waitFor, windowPeerName, withAnswers, workspaceFolder } from './helpers';

const turn = (position: string, more: Partial<TurnInput> = {}): TurnInput => ({ position, constraints: [], alternatives: [], escalate: false, ...more });

describe('Debates: the person rules on what the agents could not agree on', () => {
  let alice: PeerClient;
  let bob: PeerClient;
  let project: string;

  before(async function () {
    this.timeout(60_000);
    await joinedMesh();
    project = workspaceFolder();
    alice = await otherPeer('debate-alice', 'claude-code');
    bob = await otherPeer('debate-bob', 'codex');
  });
  after(async () => {
    await alice?.close();
    await bob?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('tells of an escalated debate, counts it on the view\'s badge, and Decide… sends the ruling to both agents as a decision', async function () {
    this.timeout(60_000);
    const api = await joinedMesh();
    let badgeWhenAsked: number | undefined;
    const decided = await withAnswers({
      notify: (_message, buttons) => {
        if (!buttons.includes('Decide…')) return undefined;
        badgeWhenAsked = api.trees.debates.view.badge?.value;
        return 'Decide…';
      },
      pick: (labels) => labels.find((l) => l.startsWith('$(pass) 2.')),
    }, async (asked) => {
      const { debate } = await alice.request('debate/start', {
        project, topic: 'Paginate /users by cursor or offset?', with: [bob.peer.id], maxRounds: 2,
        turn: turn('Cursor: stable while rows are inserted.', { proposal: 'Cursor pagination with an `after` parameter' }),
      });
      await bob.request('debate/respond', { id: debate.id, turn: turn('Offset: the UI jumps to page numbers.', { proposal: 'Offset pagination with page and size' }) });
      await alice.request('debate/respond', { id: debate.id, turn: turn('Still cursor.', { accept: 1 }) });
      const last = await bob.request('debate/respond', { id: debate.id, turn: turn('Still offset.', { accept: 2, constraints: ['the UI ships Friday'] }) });
      assert.equal(last.debate.status, 'escalated', 'two rounds without agreement');
      await waitFor('the ruling', async () => {
        const { debate: now } = await alice.request('debate/get', { id: debate.id });
        return now.status === 'decided' ? now : undefined;
      });
      assert.deepEqual(asked.map((a) => a.kind), ['notify', 'pick']);
      assert.equal(asked[0].text, 'PeerMesh: debate-alice and debate-bob could not agree on "Paginate /users by cursor or offset?" (no agreement after the last round). Your ruling is needed.');
      assert.deepEqual(asked[0].choices, ['Open', 'Decide…', 'Later']);
      assert.deepEqual(asked[1].choices, ['$(pass) 2. Offset pagination with page and size', '$(pass) 1. Cursor pagination with an `after` parameter', '$(edit) Write a ruling…']);
      return (await alice.request('debate/get', { id: debate.id })).debate;
    });
    assert.equal(badgeWhenAsked, 1, 'the escalated debate was counted on the Debates view');
    assert.equal(decided.ruling?.proposal, 2);
    assert.equal(decided.ruling?.peerName, windowPeerName());
    for (const agent of [alice, bob]) {
      const { blocking } = await agent.request('delta/mine', { seen: false });
      const decision = blocking.find((d) => d.debate === decided.id);
      assert.ok(decision, `${agent.peer.name} has the ruling as a blocking delta`);
      assert.equal(decision.kind, 'decision');
      assert.match(decision.detail, /Offset pagination with page and size/);
    }
    await waitFor('the Debates view to show it decided', () => {
      const row = api.trees.debates.rows().find((r) => typeof r.label === 'object' && r.label?.label === 'Paginate /users by cursor or offset?');
      return row && String(row.description).includes(`decided by ${windowPeerName()}`) ? row : undefined;
    });
    assert.equal(api.trees.debates.view.badge, undefined, 'nothing awaits a ruling any more');
    const document = api.debateDocuments.text(vscode.Uri.from({ scheme: 'peermesh-debate', path: `/debate-${decided.id}.md` }));
    assert.match(document ?? '', /## Ruling/);
    assert.match(document ?? '', /## Round 2 of 2/);
  });

  it('Open Debate shows it round by round, and the open document follows the debate', async function () {
    this.timeout(30_000);
    const api = await joinedMesh();
    const { debate } = await alice.request('debate/start', {
      project, topic: 'Where the retry lives', with: [bob.peer.id],
      turn: turn('In the client: it knows the request.', { proposal: 'Retry in PeerClient' }),
    });
    await vscode.commands.executeCommand('peermesh.openDebate', debate.id);
    const uri = vscode.Uri.from({ scheme: 'peermesh-debate', path: `/debate-${debate.id}.md` });
    assert.match(api.debateDocuments.text(uri) ?? '', /Round 1 of 5[\s\S]*In the client/);
    await bob.request('debate/respond', { id: debate.id, turn: turn('In the broker: one place for all.', { proposal: 'Retry in the broker' }) });
    await waitFor('the open document to show bob\'s turn', () => (/In the broker: one place for all/.test(api.debateDocuments.text(uri) ?? '') ? true : undefined));
    assert.match(api.debateDocuments.text(uri) ?? '', /Round 2 of 5, awaiting/i);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('does not offer a ruling on a debate the agents settled', async function () {
    this.timeout(30_000);
    const { debate } = await alice.request('debate/start', {
      project, topic: 'Tabs or spaces', with: [bob.peer.id],
      turn: turn('Spaces.', { proposal: 'Two spaces' }),
    });
    const agreed = await bob.request('debate/respond', { id: debate.id, turn: turn('Fine.', { accept: 1 }) });
    assert.equal(agreed.debate.status, 'resolved');
    await withAnswers({ pick: (labels) => labels[0] }, async (asked) => {
      // The command reports its failure itself (a notification, the log): it returns nothing.
      assert.equal(await vscode.commands.executeCommand('peermesh.decideDebate', debate.id), undefined);
      assert.deepEqual(asked, [], 'nothing was asked of the person');
    });
    const { debate: now } = await alice.request('debate/get', { id: debate.id });
    assert.equal(now.status, 'resolved', 'agreed debates stay agreed');
    assert.equal(now.ruling, null);
  });
});
