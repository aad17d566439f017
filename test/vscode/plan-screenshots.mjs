// The Plan view as a person sees it: two agents in a separate OS process (out/test/vscode/
// plan-peers.js, built from test/vscode/planPeers.ts) put a small plan in place and move its
// tasks into every status (done, in progress, blocked, in review, to do, one waiting for
// another) with one approved contract. The launcher gives the Plan view the sidebar's room and
// saves per color theme (dark, light, high contrast) a screenshot of it, and one hovering the
// blocked task, to .test-artifacts/vscode/plan-{dark,light,hc}.png and plan-hover-*.png.
// Each check is [title, async () => void].
import path from 'node:path';
import { pickColorTheme, runCommand, themes } from './lock-screenshots.mjs';
import { dashboardChecks } from './dashboard-checks.mjs';
import { startPeers } from './peer-process.mjs';

/** The views that give the Plan view their room while it is photographed. */
const collapsed = ['Locks', 'Messages', 'Debates', 'Dashboard'];

/** What the rows read once the agents are done: [title, description]. */
const expectedRows = [
  ['Login route', 'claude-server · done'],
  ['Mail the link', 'claude-server · in progress'],
  ['Rate-limit the route', 'codex-web · blocked'],
  ['Login form', 'codex-web · in review'],
  ['Link landing page', 'to do · waits for login-form'],
  ['End-to-end test', 'to do'],
  ['POST /api/login', 'api · v1 · approved'],
];

/**
 * @param {import('playwright-core').Page} page
 * @param {{ repo: string, name: string, workspace: string, home: string, artifacts: string, nodeBin: string, shownThemes?: typeof themes }} ctx
 *   `shownThemes`: the themes to photograph in (default all three).
 */
export function planScreenshotChecks(page, { repo, name, workspace, home, artifacts, nodeBin, shownThemes = themes }) {
  const sidebar = page.locator('.sidebar');
  // A view's header by its title alone (the description beside it, "Passwordless sign-in · v3", is other text).
  const titled = (title) => page.locator('.pane-header', { has: page.locator('h3.title', { hasText: new RegExp(`^${title}$`) }) });
  const header = (title) => sidebar.locator(titled(title)).first();
  const planPane = sidebar.locator('.pane', { has: titled('Plan') }).first();
  /** The agents' process; ended by the last check (or when the launcher exits). */
  let agents;
  return [
    ['two agents (another OS process) put a small plan in place and move its tasks into every status', async () => {
      agents = await startPeers('plan-peers.js', { repo, workspace, home, nodeBin });
    }],
    ['the Plan view shows the phases, every status and the approved contract', async () => {
      await page.mouse.move(700, 700);
      await runCommand(page, /^View: Show PeerMesh$/, 'Show PeerMesh');
      for (const title of collapsed) {
        if ((await header(title).getAttribute('aria-expanded')) === 'true') await header(title).click();
      }
      if ((await header('Plan').getAttribute('aria-expanded')) !== 'true') await header('Plan').click();
      await widenSidebar(page, sidebar, 560);
      // The focus leaves the last header clicked (its outline is no part of the view).
      await page.keyboard.press('Control+1');
      for (const [title, description] of expectedRows) {
        await planPane.locator('.monaco-list-row', { hasText: title }).filter({ hasText: description }).first()
          .waitFor({ state: 'visible', timeout: 10_000 });
      }
    }],
    ...shownThemes.map(([short, theme, filter]) => [`Plan view screenshots in ${short} theme, then hovering the blocked task`, async () => {
      const suffix = `${short}${name === 'dev' ? '' : `-${name}`}`;
      await pickColorTheme(page, theme, filter);
      await page.mouse.move(900, 700);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifacts, `plan-${suffix}.png`) });
      await planPane.locator('.monaco-list-row', { hasText: 'Rate-limit the route' }).first().hover();
      const hover = page.locator('.monaco-hover', { hasText: 'waiting for the limits' }).first();
      const hovered = await hover.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
      await page.waitForTimeout(400); // the hover fades in
      const file = path.join(artifacts, `plan-hover-${suffix}.png`);
      await page.screenshot({ path: file });
      if (!hovered) throw new Error(`no tooltip with the blocked task's note (screenshot ${path.basename(file)})`);
    }]),
    // The dashboard, while the agents are still at work (dashboard-checks.mjs). The installed
    // .vsix only shows that its packaged page renders the plan and moves a card in the broker:
    // the rest is the same code, checked in the development pass.
    ...dashboardChecks(page, { repo, name, workspace, home, artifacts, nodeBin, shownThemes }, () => agents).slice(0, name === 'dev' ? undefined : 3),
    ['the plan agents leave', async () => {
      await page.mouse.move(900, 700);
      await agents?.leave();
    }],
  ];
}

/** Drags the sash on the sidebar's right edge until the sidebar is `width` pixels wide, so descriptions fit. */
export async function widenSidebar(page, sidebar, width) {
  const box = await sidebar.boundingBox();
  if (!box || box.width >= width) return;
  const edge = box.x + box.width;
  await page.mouse.move(edge + 1, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
}
