// The Debates view as a person sees it: two agents in a separate OS process (out/test/vscode/
// debate-peers.js, built from test/vscode/debatePeers.ts) argue two rounds without agreeing, so
// their debate escalates. The launcher gives the Debates view the sidebar's room, photographs
// the escalated debate (highlighted, counted on the view's badge, told in a notification) in
// the dark and light themes; opens it on the dashboard (its rounds side by side, photographed in
// every theme), rules there for a proposal, reads the decision in both agents' news, and
// photographs the ruling in the view: .test-artifacts/vscode/debates-escalated-{dark,light}.png,
// dashboard-debate-{dark,light,hc}.png and debates-ruling-{dark,light}.png.
// Each check is [title, async () => void].
import path from 'node:path';
import { pickColorTheme, runCommand, themes } from './lock-screenshots.mjs';
import { widenSidebar } from './plan-screenshots.mjs';
import { dashboardAlone, dashboardPanel } from './dashboard-checks.mjs';
import { startPeers } from './peer-process.mjs';

const topic = 'Paginate /users: cursor or pages?';
/** The views that give the Debates view their room while it is photographed. */
const collapsed = ['Peers', 'Locks', 'Plan', 'Messages', 'Dashboard'];
const shown = themes.filter(([short]) => short === 'dark' || short === 'light');

/**
 * @param {import('playwright-core').Page} page
 * @param {{ repo: string, name: string, workspace: string, home: string, artifacts: string, nodeBin: string }} ctx
 */
export function debateScreenshotChecks(page, { repo, name, workspace, home, artifacts, nodeBin }) {
  const sidebar = page.locator('.sidebar');
  const titled = (title) => page.locator('.pane-header', { has: page.locator('h3.title', { hasText: new RegExp(`^${title}$`) }) });
  const header = (title) => sidebar.locator(titled(title)).first();
  const debatesPane = sidebar.locator('.pane', { has: titled('Debates') }).first();
  const row = (text) => debatesPane.locator('.monaco-list-row', { hasText: topic }).filter({ hasText: text }).first();
  const suffix = (short) => `${short}${name === 'dev' ? '' : `-${name}`}`;
  const dashboard = dashboardPanel(page);
  let agents;
  const shoot = async (what, short) => {
    await page.mouse.move(900, 700);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(artifacts, `debates-${what}-${suffix(short)}.png`) });
  };
  return [
    ['two agents (another OS process) argue two rounds without agreeing: their debate escalates', async () => {
      agents = await startPeers('debate-peers.js', { repo, workspace, home, nodeBin });
    }],
    ['the Debates view shows the escalated debate, highlighted and counted, and a notification asks for a ruling', async () => {
      await page.mouse.move(700, 700);
      await runCommand(page, /^View: Show PeerMesh$/, 'Show PeerMesh');
      for (const title of collapsed) {
        if ((await header(title).getAttribute('aria-expanded')) === 'true') await header(title).click();
      }
      if ((await header('Debates').getAttribute('aria-expanded')) !== 'true') await header('Debates').click();
      await widenSidebar(page, sidebar, 560);
      await page.keyboard.press('Control+1');
      await row('awaiting your ruling').waitFor({ state: 'visible', timeout: 10_000 });
      // The notification, in the notification center (a toast hides itself after a while).
      await runCommand(page, /^Notifications: Show Notifications$/, 'Show Notifications');
      await page.locator('.notifications-center', { hasText: 'could not agree on' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    }],
    ...shown.map(([short, theme, filter]) => [`escalated debate screenshot in ${short} theme`, async () => {
      await pickColorTheme(page, theme, filter);
      await shoot('escalated', short);
    }]),
    // The dashboard's Debates tab shows the escalated debate side by side, round by round, and
    // the person rules there (Decide Debate… from the palette is the suite's, debates.test.ts).
    ['the dashboard shows the escalated debate round by round, each agent side by side', async () => {
      await runCommand(page, /^Notifications: Hide Notifications$/, 'Hide Notifications');
      await dashboardAlone(page, true);
      await dashboard.getByRole('tab', { name: /Debates/ }).click();
      await dashboard.locator('li.debate.escalated', { hasText: topic }).waitFor({ timeout: 30_000 });
      await dashboard.getByRole('button', { name: topic }).click();
      await dashboard.locator('table.rounds tbody tr').nth(1).waitFor({ timeout: 30_000 });
      const heads = await dashboard.locator('table.rounds thead th').allInnerTexts();
      if (heads.join('|') !== 'Round|codex-web|claude-api') throw new Error(`the rounds' columns: ${heads.join(', ')}`);
    }],
    ...themes.map(([short, theme, filter]) => [`dashboard escalated debate screenshot in ${short} theme`, async () => {
      await pickColorTheme(page, theme, filter);
      await page.mouse.move(900, 850);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifacts, `dashboard-debate-${suffix(short)}.png`) });
    }]),
    ['ruling from the dashboard delivers the decision to both agents', async () => {
      await dashboard.getByRole('button', { name: 'Rule for 2' }).click();
      await dashboard.locator('.ruling', { hasText: 'Cursor pagination' }).waitFor({ timeout: 30_000 });
      for (const who of ['api', 'web']) {
        const news = JSON.parse(await agents.command(`news ${who}`));
        if (!news.some((d) => d.kind === 'decision' && /Cursor pagination/.test(d.summary))) throw new Error(`${who} has no decision to ack: ${JSON.stringify(news)}`);
      }
      // The deltas feed shows the decision, blocking, and that neither agent has acked it yet.
      await dashboard.getByRole('tab', { name: /Deltas/ }).click();
      const decision = dashboard.locator('li.delta.blocking', { hasText: 'Cursor pagination' }).first();
      await decision.waitFor({ timeout: 30_000 });
      const acks = await decision.locator('.not-acked').innerText();
      if (!/claude-api/.test(acks) || !/codex-web/.test(acks)) throw new Error(`the decision's acks read: ${acks}`);
      await dashboardAlone(page, false);
      await runCommand(page, /^View: Close All Editors$/, 'Close All Editors');
      await row('decided by').waitFor({ state: 'visible', timeout: 10_000 });
    }],
    ...[...shown].reverse().map(([short, theme, filter]) => [`ruling screenshot in ${short} theme`, async () => {
      await pickColorTheme(page, theme, filter);
      await shoot('ruling', short);
    }]),
    ['the debating agents leave', async () => {
      await page.mouse.move(900, 700);
      await agents?.leave();
      await runCommand(page, /^View: Close All Editors$/, 'Close All Editors');
    }],
  ];
}
