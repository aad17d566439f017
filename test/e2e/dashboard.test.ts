import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DashboardDebate, DashboardDebateDetail, DashboardDelta, DashboardPlan, DashboardSnapshot, DashboardTask, HostToWebviewMessage } from '../../src/protocol/webview';
import { chromiumOptions, serveDashboard, stubVsCodeApi } from './dashboard-page';

// The real dashboard bundle (dist/webview/, built by `npm run test:e2e`) in the real HTML shell
// with its strict CSP, in headless Chromium (dashboard-page.ts). The page plays the webview, and
// a stub `acquireVsCodeApi` plays VS Code's side of the bridge.

const openDebate: DashboardDebate = { id: 4, topic: 'Cache the sessions?', status: 'open', round: 1, maxRounds: 5, participants: ['alice', 'bob'], awaiting: ['bob'], escalation: null };
const escalated: DashboardDebate = { id: 7, topic: 'Which date format for the API?', status: 'escalated', round: 3, maxRounds: 3, participants: ['alice', 'bob'], awaiting: [], escalation: 'rounds' };
const escalatedWhole: DashboardDebateDetail = {
  ...escalated,
  rounds: [1, 2, 3].map((round) => ({
    round,
    turns: [
      { peerName: 'alice', position: `ISO 8601 strings (round ${round})`, constraints: ['clients parse it'], alternatives: [], proposal: round === 1 ? 1 : null, accepts: 1 },
      { peerName: 'bob', position: `Unix milliseconds (round ${round})`, constraints: [], alternatives: ['both'], proposal: round === 1 ? 2 : null, accepts: 2 },
    ],
  })),
  proposals: [{ n: 1, peerName: 'alice', round: 1, text: 'ISO 8601 with a zone' }, { n: 2, peerName: 'bob', round: 1, text: 'Unix milliseconds' }],
  ruling: null,
};

const task = (id: string, phase: string, status: DashboardTask['status'], more: Partial<DashboardTask> = {}): DashboardTask => ({
  id, phase, title: `Task ${id}`, status, assignee: null, files: [], dependsOn: [], waitingFor: [], contracts: [], note: null, overlaps: [], changedContracts: [], unackedDeltas: [], ...more,
});

/** A plan of two phases: the first done, the second under way, with every flag a card can carry. */
const twoPhases: DashboardPlan = {
  title: 'Passwordless sign-in',
  phases: [
    { id: 'server', title: 'Server', tasks: [task('login-route', 'server', 'done', { title: 'Login route', contracts: ['login-api'] })] },
    {
      id: 'web', title: 'Web', tasks: [
        task('login-form', 'web', 'in_progress', {
          title: 'Login form', assignee: { id: 'p-2', name: 'codex-web', kind: 'codex' }, files: ['web/login.tsx', 'web/form.css', 'web/api.ts'],
          overlaps: ['claude-server'], changedContracts: ['login-api'], contracts: ['login-api'], unackedDeltas: [12],
        }),
        task('link-page', 'web', 'todo', { title: 'Link landing page', dependsOn: ['login-form'], waitingFor: ['login-form'] }),
        task('e2e', 'web', 'todo', { title: 'End-to-end test' }),
      ],
    },
  ],
  contracts: [{ id: 'login-api', kind: 'api', name: 'POST /api/login', version: 2, status: 'approved' }],
};

describe('dashboard webview (browser)', function () {
  this.timeout(60_000);
  let served: Awaited<ReturnType<typeof serveDashboard>>;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    served = await serveDashboard();
    origin = served.origin;
    browser = await chromium.launch(chromiumOptions);
  });

  after(async () => {
    await browser?.close();
    await served?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage();
    problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    await page.addInitScript(stubVsCodeApi);
    await page.goto(`${origin}/`);
  });

  afterEach(async () => {
    await page.close();
  });

  const send = (message: HostToWebviewMessage | Record<string, unknown>) =>
    page.evaluate((data) => (globalThis as unknown as { postMessage(data: unknown, target: string): void }).postMessage(data, '*'), message);
  const snapshot = (peers: DashboardSnapshot['peers'], plan: DashboardPlan | null = null): HostToWebviewMessage =>
    ({ type: 'didChangeSnapshot', snapshot: { version: '9.8.7', peers, plan, debates: [], deltas: [], activity: [] } });
  const posted = () => page.evaluate('window.posted') as Promise<Array<Record<string, unknown>>>;
  const column = (status: string) => page.locator(`section.column[data-status="${status}"]`);
  const card = (id: string) => page.locator(`[data-task-id="${id}"]`);
  const peersTab = () => page.getByRole('tab', { name: /Peers/ }).click();

  it('posts ready once it has loaded', async () => {
    await page.waitForFunction('window.posted.length > 0');
    assert.deepEqual(await page.evaluate('window.posted'), [{ type: 'ready' }]);
    assert.deepEqual(problems, []);
  });

  it('renders the snapshot it is sent', async () => {
    await send(snapshot([
      { id: 'p-1', name: 'claude-1', kind: 'claude-code', status: 'working', summary: 'refactoring the store' },
      { id: 'p-2', name: 'cursor', kind: 'cursor', status: 'idle', summary: '' },
    ]));
    await page.locator('#app[data-version="9.8.7"]').waitFor();
    await peersTab();
    const text = await page.locator('#app').innerText();
    assert.match(text, /Peers\s*2/);
    assert.match(text, /claude-1/);
    assert.match(text, /refactoring the store/);
    assert.match(text, /PeerMesh 9\.8\.7/);
    assert.equal(await page.locator('li[data-peer-id="p-2"] .status.idle').count(), 1);
    assert.deepEqual(problems, []);
  });

  it('replaces the page with each new snapshot', async () => {
    await send(snapshot([{ id: 'p-1', name: 'claude-1', kind: 'claude-code', status: 'working', summary: '' }]));
    await peersTab();
    await page.locator('li[data-peer-id="p-1"]').waitFor();
    await send(snapshot([]));
    await page.getByText('No peers yet.').waitFor();
    assert.equal(await page.locator('li[data-peer-id]').count(), 0);
    assert.match(await page.locator('#app').innerText(), /Connect an agent/);
  });

  it('shows host text as text, never as HTML', async () => {
    const evil = { ...twoPhases, phases: [{ id: 'x', title: '<i>phase</i>', tasks: [task('t', 'x', 'todo', { title: '<img src=y onerror="window.pwned=2">' })] }] };
    await send(snapshot([{ id: 'p-x', name: '<img src=x onerror="window.pwned=1">', kind: 'unknown', status: 'working', summary: '<b>bold</b>' }], evil));
    await card('t').waitFor();
    assert.match(await card('t').innerText(), /<img src=y/);
    await peersTab();
    await page.locator('li[data-peer-id="p-x"]').waitFor();
    assert.equal(await page.locator('#app img, #app b, #app i:not(.codicon)').count(), 0);
    assert.match(await page.locator('#app').innerText(), /<img src=x/);
    assert.equal(await page.evaluate('window.pwned'), undefined);
  });

  it('ignores messages that are not part of the protocol', async () => {
    await send({ type: 'somethingElse' });
    await send({ hello: 'world' });
    await send(snapshot([]));
    await page.locator('#app[data-version]').waitFor();
    assert.deepEqual(problems, []);
  });

  it('says what to do next when there is no plan', async () => {
    await send(snapshot([]));
    await page.getByText('No plan for this project yet.').waitFor();
    assert.match(await page.locator('#app').innerText(), /Plan From Description/);
  });

  it('shows the plan as a board: a column per status, each card with its assignee, files and flags', async () => {
    await send(snapshot([], twoPhases));
    await column('in_progress').locator('[data-task-id="login-form"]').waitFor();
    assert.deepEqual((await page.locator('section.column h3').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')), ['To do 2', 'In progress 1', 'Review 0', 'Blocked 0', 'Done 1']);
    const form = await card('login-form').innerText();
    assert.match(form, /codex-web/);
    assert.match(form, /web\/login\.tsx, web\/form\.css \+1/);
    assert.match(form, /claimed by claude-server/);
    assert.match(form, /contract changed: login-api/);
    assert.match(form, /blocking delta not acked: #12/);
    assert.match(await card('link-page').innerText(), /waits for login-form/);
    assert.equal(await card('login-form').locator('.codicon-hubot').count(), 1, 'the assignee kind\'s icon');
    assert.deepEqual(problems, []);
  });

  it('shows the plan as a roadmap: phases with their progress, the current one open, contracts with version and status', async () => {
    await send(snapshot([], twoPhases));
    await page.getByRole('tab', { name: /Roadmap/ }).click();
    await page.locator('li.phase[data-phase-id="web"]').waitFor();
    assert.equal(await page.locator('li.phase[data-phase-id="server"] details').getAttribute('open'), null, 'a finished phase starts folded');
    assert.notEqual(await page.locator('li.phase[data-phase-id="web"] details').getAttribute('open'), null, 'the current phase starts open');
    assert.match(await page.locator('li.phase[data-phase-id="server"] summary').innerText(), /1\/1 done/);
    assert.match(await page.locator('li.phase[data-phase-id="web"] summary').innerText(), /0\/3 done/);
    assert.match(await page.locator('li.task[data-task-id="login-form"]').innerText(), /POST \/api\/login v2 · approved/);
  });

  it('moves a card with the keyboard, announces it, and puts it back with the reason when the host refuses', async () => {
    await send(snapshot([], twoPhases));
    await card('e2e').focus();
    await page.keyboard.press('Alt+ArrowRight');
    await column('in_progress').locator('[data-task-id="e2e"].pending').waitFor();
    const move = (await posted()).find((m) => m.type === 'moveTask');
    assert.deepEqual({ ...move, requestId: undefined }, { type: 'moveTask', requestId: undefined, taskId: 'e2e', status: 'in_progress' });
    assert.equal(await page.evaluate('document.activeElement?.dataset.taskId'), 'e2e', 'the focus stays on the moved card');
    await page.getByRole('status').filter({ hasText: 'Moving “End-to-end test” to In progress' }).waitFor();
    await send({ type: 'didMoveTask', requestId: move!.requestId as number, taskId: 'e2e', ok: false, reason: 'task e2e waits for login-form' });
    await column('todo').locator('[data-task-id="e2e"]:not(.pending)').waitFor();
    await page.getByRole('status').filter({ hasText: '“End-to-end test” stays where it was: task e2e waits for login-form' }).waitFor();
    assert.equal(await page.evaluate('document.activeElement?.dataset.taskId'), 'e2e', 'the focus goes back with the card');

    // Accepted, in the host's order: the task moved (the host's plan refreshed), then the answer.
    await card('e2e').focus();
    await page.keyboard.press('Alt+ArrowRight');
    const again = (await posted()).filter((m) => m.type === 'moveTask')[1];
    await send({ type: 'didChangeTasks', tasks: [{ ...twoPhases.phases[1].tasks[2], status: 'in_progress' }] });
    await column('in_progress').locator('[data-task-id="e2e"].pending').waitFor();
    await send({ type: 'didMoveTask', requestId: again.requestId as number, taskId: 'e2e', ok: true });
    await column('in_progress').locator('[data-task-id="e2e"]:not(.pending)').waitFor();
    await page.getByRole('status').filter({ hasText: 'Moved “End-to-end test” to In progress.' }).waitFor();
  });

  it('keeps how far a tab was scrolled when the page is reloaded', async () => {
    const long = Array.from({ length: 200 }, (_, i) => ({ seq: 200 - i, at: Date.now(), type: 'lock_acquired' as const, peer: 'p-a', peerName: 'alice', text: `alice locked src/a.ts:${i}` }));
    const withFeed: HostToWebviewMessage = { type: 'didChangeSnapshot', snapshot: { version: '9.8.7', peers: [], plan: null, debates: [], deltas: [], activity: long } };
    await send(withFeed);
    await page.getByRole('tab', { name: /Activity/ }).click();
    await page.locator('li.event').nth(199).waitFor();
    // Polled with evaluate: the page's CSP refuses the eval a string waitForFunction needs.
    const until = async (expression: string) => {
      for (let tries = 0; !(await page.evaluate(expression)); tries++) {
        if (tries === 100) throw new Error(`never true: ${expression} (${String(await page.evaluate('JSON.stringify([window.scrollY, document.documentElement.scrollHeight, window.innerHeight, sessionStorage.saved])'))})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await page.evaluate('window.scrollTo(0, 900)');
    await until('JSON.parse(sessionStorage.saved).scroll.activity === 900');
    await page.reload();
    await send(withFeed);
    // Where it was (the codicons' font arriving may shift it a line or two, and the page keeps its place).
    await until('window.scrollY > 800 && window.scrollY < 1100');
  });

  it('moves between its tabs with the arrow keys, as a tab list does', async () => {
    await send(snapshot([], twoPhases));
    await page.getByRole('tab', { name: /Board/ }).focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('li.phase').first().waitFor();
    assert.equal(await page.evaluate('document.activeElement?.id'), 'tab-roadmap');
    await page.keyboard.press('End');
    await page.locator('li[data-peer-id], .empty').first().waitFor();
    assert.equal(await page.evaluate('document.activeElement?.id'), 'tab-peers');
  });

  it('moves a card dragged to another column', async () => {
    await send(snapshot([], twoPhases));
    await card('link-page').dragTo(column('review'));
    await column('review').locator('[data-task-id="link-page"]').waitFor();
    assert.deepEqual((await posted()).filter((m) => m.type === 'moveTask').map((m) => [m.taskId, m.status]), [['link-page', 'review']]);
  });

  it('moves a card when the plan changes (another peer moved its task)', async () => {
    await send(snapshot([], twoPhases));
    await column('todo').locator('[data-task-id="link-page"]').waitFor();
    const moved = structuredClone(twoPhases);
    moved.phases[1].tasks[1].status = 'blocked';
    await send({ type: 'didChangePlan', plan: moved });
    await column('blocked').locator('[data-task-id="link-page"]').waitFor();
  });

  it('moves the one card whose task changed (didChangeTasks); the other cards stay where they were', async () => {
    await send(snapshot([], twoPhases));
    await column('todo').locator('[data-task-id="link-page"]').waitFor();
    const where = 'JSON.stringify([...document.querySelectorAll(".card")].map((el) => [el.dataset.taskId, el.closest("section.column").dataset.status]).sort())';
    const before = JSON.parse(await page.evaluate(where) as string) as Array<[string, string]>;
    const linkPage = twoPhases.phases[1].tasks[1];
    await send({ type: 'didChangeTasks', tasks: [{ ...linkPage, status: 'review', assignee: { id: 'p-b', name: 'bob', kind: 'codex' } }] });
    await column('review').locator('[data-task-id="link-page"]', { hasText: 'bob' }).waitFor();
    const after = JSON.parse(await page.evaluate(where) as string) as Array<[string, string]>;
    assert.deepEqual(after, before.map(([id, status]) => [id, id === 'link-page' ? 'review' : status]));
    await page.getByRole('tab', { name: /Roadmap/ }).click();
    await page.locator('li.phase', { hasText: 'Web' }).locator('li', { hasText: 'Link landing page' }).filter({ hasText: 'bob' }).waitFor();
  });

  it('asks for the whole again (ready) when told of a task it does not have', async () => {
    await send(snapshot([], twoPhases));
    await column('todo').locator('[data-task-id="link-page"]').waitFor();
    const readies = async () => (await posted()).filter((m) => m.type === 'ready').length;
    const before = await readies();
    const stranger = { ...twoPhases.phases[1].tasks[1], id: 'not-on-this-page', title: 'Not on this page' };
    await send({ type: 'didChangeTasks', tasks: [stranger] });
    for (const deadline = Date.now() + 10_000; (await readies()) === before && Date.now() < deadline;) await page.waitForTimeout(50);
    assert.equal(await readies(), before + 1, 'one ready, asking for a snapshot');
    assert.equal(await page.locator('[data-task-id="not-on-this-page"]').count(), 0, 'nothing drawn from a change it cannot place');
  });

  it('keeps its tab and filters when the page is reloaded, as when the view is hidden and shown', async () => {
    await send(snapshot([], twoPhases));
    await page.getByLabel('Peer').selectOption({ label: 'codex-web' });
    await page.getByRole('tab', { name: /Roadmap/ }).click();
    await page.reload();
    await send(snapshot([], twoPhases));
    await page.locator('li.phase').first().waitFor();
    assert.equal(await page.getByRole('tab', { name: /Roadmap/ }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.getByLabel('Peer').inputValue(), 'p-2');
    assert.equal(await page.locator('li.task[data-task-id]').count(), 1, 'only codex-web\'s task');
  });

  it('lists the debates awaiting a ruling first, shows one side by side round by round, and sends the person\'s ruling', async () => {
    await send({ type: 'didChangeSnapshot', snapshot: { version: '9.8.7', peers: [], plan: null, debates: [escalated, openDebate], deltas: [], activity: [] } });
    const tab = page.getByRole('tab', { name: /Debates/ });
    assert.match(await tab.innerText(), /Debates\s*1/, 'the tab counts what awaits the person');
    await tab.click();
    assert.deepEqual(await page.locator('li.debate').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-debate-id'))), ['7', '4']);
    assert.match(await page.locator('li.debate[data-debate-id="7"]').innerText(), /awaiting your ruling · round 3\/3 · alice, bob/);
    await page.getByRole('button', { name: 'Which date format for the API?' }).click();
    assert.deepEqual((await posted()).at(-1), { type: 'openDebate', debateId: 7 });
    await send({ type: 'didLoadDebate', debateId: 7, debate: escalatedWhole });
    await page.locator('table.rounds').waitFor();
    assert.deepEqual(await page.locator('table.rounds thead th').allInnerTexts(), ['Round', 'alice', 'bob']);
    assert.equal(await page.locator('table.rounds tbody tr').count(), 3);
    assert.match(await page.locator('table.rounds tbody tr').first().innerText(), /ISO 8601 strings \(round 1\)[\s\S]*Must keep: clients parse it[\s\S]*proposes 1[\s\S]*Unix milliseconds \(round 1\)[\s\S]*Alternatives: both/);

    await page.getByRole('button', { name: 'Rule for 2' }).click();
    const decided = (await posted()).at(-1)!;
    assert.deepEqual({ ...decided, requestId: 0 }, { type: 'decideDebate', requestId: 0, debateId: 7, pick: 2 });
    await send({ type: 'didDecideDebate', requestId: decided.requestId as number, debateId: 7, ok: true });
    await page.getByRole('status').filter({ hasText: 'Your ruling on debate #7 went to its participants.' }).waitFor();

    // A ruling in the person's own words; a refusal says why.
    await page.getByLabel('Or rule in your own words').fill('  ISO 8601, and milliseconds in the logs  ');
    await page.getByRole('button', { name: 'Rule', exact: true }).click();
    const own = (await posted()).at(-1)!;
    assert.equal(own.text, 'ISO 8601, and milliseconds in the logs');
    await send({ type: 'didDecideDebate', requestId: own.requestId as number, debateId: 7, ok: false, reason: 'debate 7 is decided already' });
    await page.getByRole('status').filter({ hasText: 'The ruling was not recorded: debate 7 is decided already.' }).waitFor();
  });

  it('shows the deltas newest first, who has not acked a blocking one, and filters them by kind and severity', async () => {
    const now = Date.now();
    const feed: DashboardDelta[] = [
      { id: 9, kind: 'decision', severity: 'blocking', summary: 'Ruling: cursor pagination', authorName: 'vscode:app', createdAt: now - 30_000, recipients: [{ name: 'alice', acked: true }, { name: 'bob', acked: false }] },
      { id: 8, kind: 'contract_change', severity: 'warning', summary: 'login-api v2: 422 carries a code', authorName: 'alice', createdAt: now - 600_000, recipients: [{ name: 'bob', acked: false }] },
      { id: 7, kind: 'discovery', severity: 'info', summary: 'The users table has 40k rows', authorName: 'bob', createdAt: now - 7_200_000, recipients: [] },
    ];
    await send({ type: 'didChangeSnapshot', snapshot: { version: '9.8.7', peers: [], plan: null, debates: [], deltas: feed, activity: [] } });
    const tab = page.getByRole('tab', { name: /Deltas/ });
    assert.match(await tab.innerText(), /Deltas\s*1/, 'the tab counts blocking deltas not acked by all');
    await tab.click();
    assert.deepEqual(await page.locator('li.delta').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-delta-id'))), ['9', '8', '7']);
    const ruling = await page.locator('li.delta[data-delta-id="9"]').innerText();
    assert.match(ruling, /not acked yet: bob/);
    assert.match(ruling, /acked: alice/);
    assert.match(ruling, /decision · blocking · by vscode:app · just now/);
    assert.doesNotMatch(await page.locator('li.delta[data-delta-id="8"]').innerText(), /acked/, 'acks are shown for blocking deltas');
    await page.getByLabel('Severity').selectOption('warning');
    assert.deepEqual(await page.locator('li.delta').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-delta-id'))), ['8']);
    await page.getByLabel('Severity').selectOption('');
    await page.getByLabel('Kind').selectOption('discovery');
    assert.deepEqual(await page.locator('li.delta').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-delta-id'))), ['7']);
    // An ack arrives: the feed changes in place.
    await page.getByLabel('Kind').selectOption('');
    await send({ type: 'didChangeDeltas', deltas: [{ ...feed[0], recipients: [{ name: 'alice', acked: true }, { name: 'bob', acked: true }] }, ...feed.slice(1)] });
    await page.locator('li.delta[data-delta-id="9"]', { hasText: 'acked: alice, bob' }).waitFor();
    assert.doesNotMatch(await tab.innerText(), /\d/);
  });

  it('shows the mesh\'s events as a feed, what agents tell each other included, filtered by peer and type', async () => {
    const at = Date.parse('2026-12-03T10:00:00Z');
    const activity = [
      { seq: 12, at: at + 2000, type: 'message_sent' as const, peer: 'p-a', peerName: 'alice', text: 'alice → bob: the parser is yours after lunch' },
      { seq: 11, at: at + 1000, type: 'task_updated' as const, peer: 'p-b', peerName: 'bob', text: 'bob moved task e2e "End-to-end test" from todo to in_progress' },
      { seq: 10, at, type: 'lock_acquired' as const, peer: 'p-a', peerName: 'alice', text: 'alice locked src/parser.ts:3-9' },
    ];
    await send({ type: 'didChangeSnapshot', snapshot: { version: '9.8.7', peers: [], plan: null, debates: [], deltas: [], activity } });
    await page.getByRole('tab', { name: /Activity/ }).click();
    const rows = () => page.locator('ol.feed > li').evaluateAll((items) => items.map((i) => i.getAttribute('data-seq')));
    assert.deepEqual(await rows(), ['12', '11', '10']);
    assert.match(await page.locator('li.event[data-seq="12"]').innerText(), /alice → bob: the parser is yours after lunch/);
    await page.getByLabel('Peer').selectOption({ label: 'alice' });
    assert.deepEqual(await rows(), ['12', '10']);
    await page.getByLabel('Type').selectOption('lock_acquired');
    assert.deepEqual(await rows(), ['10']);
    await page.getByLabel('Type').selectOption('');
    await page.getByLabel('Peer').selectOption('');
    await send({ type: 'didChangeActivity', activity: [{ seq: 13, at: at + 3000, type: 'peer_joined', peer: 'p-c', peerName: 'carol', text: 'carol joined (codex)' }, ...activity] });
    await page.locator('li.event[data-seq="13"]').waitFor();
    assert.deepEqual(await rows(), ['13', '12', '11', '10']);
    // A `peermesh` command comes back, works and goes: one line, which opens to show the rest.
    const cli = (seq: number, text: string) => ({ seq, at: at + seq * 1000, type: 'peer_status' as const, peer: 'p-cli', peerName: 'root-cli', text });
    await send({ type: 'didChangeActivity', activity: [
      cli(16, 'root-cli is disconnected'), cli(15, 'root-cli is working'), { ...cli(14, 'root-cli came back (cli)'), type: 'peer_joined' }, ...activity,
    ] });
    await page.locator('li[data-seq="16"]').waitFor();
    assert.deepEqual(await rows(), ['16', '12', '11', '10']);
    const run = page.locator('li[data-seq="16"]');
    assert.match(await run.innerText(), /root-cli is disconnected · \+2 before/);
    assert.equal(await run.locator('li.event[data-seq="15"]').isVisible(), false, 'folded');
    await run.getByText('+2 before').click();
    await run.locator('li.event[data-seq="14"]', { hasText: 'root-cli came back (cli)' }).waitFor();
    await run.locator('li.event[data-seq="15"]', { hasText: 'root-cli is working' }).waitFor();
  });
});
