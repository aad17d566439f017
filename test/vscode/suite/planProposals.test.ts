import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { PlanInput } from '../../../src/protocol/plan';
import { planAsInput } from '../../../src/vscode/plan/planText';
import { joinedMesh, otherPeer, waitFor, windowPeerName, withAnswers, workspaceFolder } from './helpers';

/** A plan to start from when the project has none (this file run on its own). */
const firstPlan: PlanInput = {
  title: 'Reports',
  description: '',
  phases: [{ id: 'core', title: 'Core', detail: '', tasks: [{ id: 'query', title: 'Report query', detail: '', files: [], dependsOn: [], contracts: [] }] }],
  contracts: [],
};

const proposes = /proposes a change to the plan/;

describe('Plan proposals of other peers as notifications', () => {
  /** The peer that proposes: an agent in the window's folder. */
  let agent: PeerClient;
  let project: string;

  /** The project's plan with one more task `id` in its first phase, and the plan's title now. */
  async function planWithTask(id: string): Promise<{ input: PlanInput; title: string }> {
    let { plan } = await agent.request('plan/get', { project });
    plan ??= (await agent.request('plan/submit', { project, plan: firstPlan, source: 'agent' })).plan!;
    const input = planAsInput(plan);
    input.phases[0].tasks.push({ id, title: `Task ${id}`, detail: '', files: [], dependsOn: [], contracts: [] });
    return { input, title: plan.title };
  }

  before(async function () {
    this.timeout(60_000);
    await joinedMesh();
    project = workspaceFolder();
    agent = await otherPeer('plan-proposer', 'claude-code');
  });
  after(async () => {
    await agent?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('tells of another peer\'s proposal once, naming the peer and the changes; Review opens its review', async () => {
    const api = await joinedMesh();
    const { input, title } = await planWithTask('export');
    await withAnswers({
      notify: (_message, buttons) => (buttons.includes('Review') ? 'Review' : buttons.includes('Reject…') ? 'Reject…' : undefined),
      input: () => 'not this week',
    }, async (asked) => {
      const { proposal } = await agent.request('plan/submit', { project, plan: input, source: 'agent' });
      assert.ok(proposal, 'the project has a plan: the agent\'s is a proposal');
      assert.equal(proposal.changes.length, 1);
      await waitFor('the review to reject the proposal', async () => {
        const { proposal: now } = await agent.request('plan/proposal', { id: proposal.id });
        return now.status === 'rejected' ? true : undefined;
      });
      assert.deepEqual(asked.map((a) => [a.kind, a.text, a.choices]), [
        ['notify', `PeerMesh: plan-proposer proposes a change to the plan "${title}": 1 change.`, ['Review', 'Later']],
        ['notify', `PeerMesh: proposal ${proposal.id} from plan-proposer changes the plan: 1 added, 0 changed, 0 removed.`, ['Accept', 'Reject…']],
        ['input', `Reject proposal ${proposal.id}`, []],
      ]);
      const document = api.proposals.text(vscode.Uri.from({ scheme: 'peermesh-proposal', path: `/proposal-${proposal.id}.md` }));
      assert.match(document ?? '', /Task export/, 'the review shows this proposal\'s changes');
    });
  });

  it('says nothing of the window\'s own proposal', async () => {
    const api = await joinedMesh();
    const client = api.mesh.client!;
    const own = await planWithTask('own');
    const theirs = await planWithTask('theirs');
    await withAnswers({ notify: (_message, buttons) => (buttons.includes('Later') ? 'Later' : undefined) }, async (asked) => {
      // The window's first, as Plan From Description… submits it; the agent's after it.
      const mine = (await client.request('plan/submit', { project, plan: own.input, source: 'editor' })).proposal!;
      const other = (await agent.request('plan/submit', { project, plan: theirs.input, source: 'agent' })).proposal!;
      try {
        await waitFor('the notification of the agent\'s proposal', () => (asked.some((a) => proposes.test(a.text)) ? true : undefined));
        // Events arrive in order and are looked up in order: a notification of the window's own would have come first.
        assert.deepEqual(asked.map((a) => a.text), [`PeerMesh: plan-proposer proposes a change to the plan "${theirs.title}": 1 change.`]);
        assert.ok(!asked[0].text.includes(windowPeerName()));
      } finally {
        for (const id of [mine.id, other.id]) await client.request('plan/reject', { id, reason: 'test over' });
      }
    });
  });
});
