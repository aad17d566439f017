import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { PlanInput } from '../../../src/protocol/plan';
import { isCancellation } from '../../../src/vscode/commands';
import type { PlanningOutcome } from '../../../src/vscode/plan/planFromDescription';
import type { ProposalNode } from '../../../src/vscode/trees/planTree';
import { fakeLm, type FakeLm } from './fakeLm';
import { joinedMesh, otherPeer, waitFor, withAnswers, workspaceFolder } from './helpers';

const description = 'Add sign-in with e-mail links to the web app: a login route that mails a link, and a form.';

function signInPlan(): PlanInput {
  return {
    title: 'Sign-in with e-mail links',
    description: 'Passwordless sign-in',
    phases: [
      {
        id: 'server', title: 'Server', detail: '',
        tasks: [
          { id: 'login-route', title: 'Login route sends the link', detail: '', files: ['src/server/login.ts'], dependsOn: [], contracts: ['login-api'] },
          { id: 'mail', title: 'Mail the link', detail: '', files: ['src/server/mail/**'], dependsOn: ['login-route'], contracts: [] },
        ],
      },
      {
        id: 'web', title: 'Web', detail: '',
        tasks: [{ id: 'login-form', title: 'Login form', detail: '', files: ['web/login.tsx'], dependsOn: [], contracts: ['login-api'] }],
      },
    ],
    contracts: [{ id: 'login-api', kind: 'api', name: 'POST /api/login', file: null, symbol: null, spec: 'Body {"email": string}; 204 when sent.' }],
  };
}

/** As a model answers: prose around a fenced block. */
const answer = (plan: unknown) => `Here is the plan:\n\n\`\`\`json\n${JSON.stringify(plan, null, 2)}\n\`\`\`\nGood luck!`;

describe('Plan From Description… (a scripted language model)', () => {
  let lm: FakeLm;
  /** Reads the plan as any other peer would. */
  let reader: PeerClient;
  let project: string;

  before(async function () {
    this.timeout(60_000);
    await joinedMesh();
    lm = await fakeLm();
    reader = await otherPeer('plan-reader');
    project = workspaceFolder();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  beforeEach(() => lm.reset());
  after(async () => {
    await reader?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('asks again with the validation errors after an invalid answer, then stores the valid plan', async () => {
    const api = await joinedMesh();
    assert.equal((await reader.request('plan/get', { project })).plan, null, 'this test needs a project without a plan: it runs before the other plan tests');
    await waitFor('the Plan view to know the project has no plan', () => (api.plan.state === 'none' ? true : undefined));
    const invalid = signInPlan();
    invalid.phases[0].tasks[1].dependsOn = ['send-mail'];
    lm.queue(answer(invalid), answer(signInPlan()));

    const outcome = await withAnswers({ input: (title) => (title === 'Plan From Description' ? description : undefined) }, async (asked) => {
      const result = await vscode.commands.executeCommand<PlanningOutcome>('peermesh.planFromDescription');
      assert.deepEqual(asked.map((a) => [a.kind, a.text]), [
        ['input', 'Plan From Description'],
        ['notify', 'PeerMesh: the plan "Sign-in with e-mail links" is stored: 2 phases, 3 tasks, 1 contract.'],
      ]);
      return result;
    });
    assert.equal(outcome?.kind, 'stored');

    assert.equal(lm.requests.length, 2, 'one retry');
    const [first, second] = lm.requests;
    assert.deepEqual(first.messages.map((m) => m.role), ['user']);
    assert.ok(first.messages[0].text.endsWith(`The work:\n${description}`), 'the description is in the prompt');
    assert.deepEqual(second.messages.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.equal(second.messages[1].text, answer(invalid), 'the invalid answer is read back to the model');
    assert.match(second.messages[2].text, /^That is not a valid plan:\n- phases\.0\.tasks\.1\.dependsOn\.0: task "mail" depends on "send-mail", which is not a task of this plan\n/);

    const { plan, proposals } = await reader.request('plan/get', { project });
    assert.equal(plan?.title, 'Sign-in with e-mail links');
    assert.deepEqual(plan?.phases.map((p) => [p.id, p.tasks.map((t) => `${t.id}:${t.status}`)]), [
      ['server', ['login-route:todo', 'mail:todo']], ['web', ['login-form:todo']],
    ]);
    assert.deepEqual(plan?.phases[0].tasks[1].dependsOn, ['login-route']);
    assert.deepEqual(proposals, []);
    const { entries } = await reader.request('events/audit', { types: ['plan_changed'] });
    assert.equal(entries.at(-1)?.event.peer, api.mesh.client!.peer.id, 'stored as the window\'s');
    await waitFor('the Plan view to show the plan', () => (api.trees.plan.rows().some((r) => r.label === 'Login form') ? true : undefined));
  });

  it('makes a second run on the existing plan a proposal that changes nothing until it is accepted', async () => {
    const api = await joinedMesh();
    const revised = signInPlan();
    revised.phases[1].tasks.push({ id: 'logout', title: 'Logout button', detail: '', files: ['web/logout.tsx'], dependsOn: [], contracts: [] });
    revised.phases[0].tasks[0].title = 'Login route mails the link';
    lm.queue(answer(revised));

    // The person dismisses the review: the proposal waits, the plan stays as it was.
    const outcome = await withAnswers({ input: () => 'Also a logout button' }, async (asked) => {
      const result = await vscode.commands.executeCommand<PlanningOutcome>('peermesh.planFromDescription');
      assert.deepEqual(asked.map((a) => [a.kind, a.choices]), [['input', []], ['notify', ['Accept', 'Reject…']]]);
      assert.match(asked[1].text, /^PeerMesh: proposal \d+ from vscode:workspace changes the plan: 1 added, 1 changed, 0 removed\.$/);
      return result;
    });
    assert.ok(outcome?.kind === 'proposed' && outcome.decision === undefined, `dismissed: ${JSON.stringify(outcome)}`);
    assert.match(lm.requests[0].messages[0].text, /The project has this plan already\. Keep the ids of what stays/, 'the model sees the current plan');
    const id = outcome.proposal.id;
    const before = await reader.request('plan/get', { project });
    assert.equal(before.plan?.version, 1, 'not overwritten');
    assert.deepEqual(before.proposals.map((p) => p.id), [id]);

    const document = api.proposals.text(vscode.Uri.from({ scheme: 'peermesh-proposal', path: `/proposal-${id}.md` }));
    assert.match(document ?? '', /## Added\n\n- task `logout` Logout button — in phase `web`/);
    assert.match(document ?? '', /## Changed\n\n- task `login-route` Login route mails the link — title: “Login route sends the link” → “Login route mails the link”/);

    // Later, from the Plan view's proposal row: Accept applies it.
    const row = await waitFor('the proposal in the Plan view', () => api.trees.plan.nodes().find((n) => n.toTreeItem().id === `proposal-${id}`) as ProposalNode | undefined);
    const decision = await withAnswers({ notify: (_message, buttons) => (buttons.includes('Accept') ? 'Accept' : undefined) },
      async () => vscode.commands.executeCommand('peermesh.reviewProposal', row));
    assert.equal(decision, 'accepted');
    const after = await reader.request('plan/get', { project });
    assert.equal(after.plan?.version, 2);
    assert.deepEqual(after.proposals, []);
    assert.deepEqual(after.plan?.phases[1].tasks.map((t) => t.id), ['login-form', 'logout']);
    assert.equal(after.plan?.phases[0].tasks[0].title, 'Login route mails the link');
    await waitFor('the Plan view to drop the proposal and show the new task', () => {
      const labels = api.trees.plan.rows().map((r) => String(r.label));
      return labels.includes('Logout button') && !labels.some((l) => l.startsWith('Proposal')) ? true : undefined;
    });
  });

  it('asks which model when there are several; Cancel stops the model\'s request and the command, quietly', async () => {
    const api = await joinedMesh();
    const version = (await reader.request('plan/get', { project })).plan?.version;
    lm.offer(2);
    lm.hold();
    const run = withAnswers({ pick: (labels) => labels.find((l) => l === 'Scripted Test Model 2') }, async (asked) => {
      const running = api.planner.run('Split the mail task');
      await waitFor('the model to be asked', () => (lm.requests.length > 0 ? true : undefined));
      assert.deepEqual(asked.map((a) => [a.kind, a.choices]), [['pick', ['Scripted Test Model', 'Scripted Test Model 2']]]);
      api.planner.cancel();
      return running;
    });
    await assert.rejects(run, (error) => isCancellation(error));
    assert.equal(lm.requests[0].model, 'scripted-2');
    assert.equal(lm.cancelled, 1, 'the model saw its cancellation token fire');
    const now = await reader.request('plan/get', { project });
    assert.equal(now.plan?.version, version);
    assert.deepEqual(now.proposals, []);
  });

  it('says what to install when the editor has no language model', async () => {
    const api = await joinedMesh();
    lm.offer(0);
    await assert.rejects(api.planner.run('Anything'), /no language model is available in this editor\. Install .*peermesh plan import plan\.json/);
    assert.equal(lm.requests.length, 0);
  });
});
