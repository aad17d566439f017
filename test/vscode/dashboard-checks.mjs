// The dashboard in a real VS Code, reached through Playwright's frames (the workbench's webview
// iframe, then the page's own): opened as an editor panel while the plan agents of
// plan-screenshots.mjs are still at work. The board renders the broker's plan; a keyboard move
// and a drag change the task in the broker (read back with `peermesh plan show --json`, not
// from the page); a move the broker refuses puts the card back with the reason; an agent's move
// (from its own OS process) moves the card; switching away and back keeps the filters. Then screenshots of
// the board, the roadmap and the activity feed (what the agents tell each other included) in
// each theme: dashboard-{board,roadmap,activity}-{dark,light,hc}.png.
// Each check is [title, async () => void].
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, pickColorTheme, runCommand, themes } from './lock-screenshots.mjs';

const run = promisify(execFile);

/**
 * @param {import('playwright-core').Page} page
 * @param {{ repo: string, name: string, workspace: string, home: string, artifacts: string, nodeBin: string, shownThemes?: typeof themes }} ctx
 * @param {() => { command(line: string): Promise<void> }} agents the plan agents' process, started by an earlier check
 */
export function dashboardChecks(page, { repo, name, workspace, home, artifacts, nodeBin, shownThemes = themes }, agents) {
  const dashboard = dashboardPanel(page);
  const column = (status) => dashboard.locator(`section.column[data-status="${status}"]`);
  const card = (id) => dashboard.locator(`[data-task-id="${id}"]`);
  /** The task's status as the broker has it. */
  const brokerStatus = async (id) => {
    const { stdout } = await run(nodeBin, [path.join(repo, 'dist', 'cli.js'), 'plan', 'show', '--json'], { cwd: workspace, env: { ...cleanEnv(), PEERMESH_HOME: home } });
    return JSON.parse(stdout).plan.phases.flatMap((phase) => phase.tasks).find((task) => task.id === id)?.status;
  };
  const until = async (what, probe, timeoutMs = 30_000) => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
      if (await probe()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const suffix = (short) => `${short}${name === 'dev' ? '' : `-${name}`}`;

  return [
    ['the dashboard, opened in an editor, shows the broker\'s plan on its board', async () => {
      await runCommand(page, /^PeerMesh: Open Dashboard in Editor$/, 'Open Dashboard in Editor');
      await column('done').locator('[data-task-id="login-route"]').waitFor({ timeout: 30_000 });
      await column('blocked').locator('[data-task-id="rate-limit"]').waitFor();
      await column('review').locator('[data-task-id="login-form"]').waitFor();
      const mail = await card('mail').innerText();
      if (!/claude-server/.test(mail) || !/src\/server\/mail/.test(mail)) throw new Error(`the Mail card reads: ${mail}`);
    }],
    ['a keyboard move on the board changes the task\'s status in the broker', async () => {
      await card('e2e').focus();
      await page.keyboard.press('Alt+ArrowRight');
      await until('e2e in progress in the broker', async () => (await brokerStatus('e2e')) === 'in_progress');
      await column('in_progress').locator('[data-task-id="e2e"]:not(.pending)').waitFor();
    }],
    ['a move the broker refuses puts the card back, saying why', async () => {
      // The landing page waits for the login form, which is in review, not done.
      await card('link-page').focus();
      await page.keyboard.press('Alt+ArrowRight');
      await dashboard.getByRole('status').filter({ hasText: /“Link landing page” stays where it was: .*login-form/ }).waitFor({ timeout: 30_000 });
      await column('todo').locator('[data-task-id="link-page"]:not(.pending)').waitFor();
      if ((await brokerStatus('link-page')) !== 'todo') throw new Error('the broker moved the landing page');
    }],
    ['dragging a card to another column changes the task\'s status in the broker', async () => {
      // The drag's events, one DataTransfer from dragstart to drop, dispatched in the page's own
      // frame: inside the workbench's webview frames (out-of-process iframes), Playwright's pointer
      // drag is not reliably taken as a drag. The pointer's drag is the browser e2e's
      // (test/e2e/dashboard.test.ts); this is the page's drop reaching the broker.
      const dataTransfer = await card('login-form').evaluateHandle(() => new globalThis.DataTransfer());
      await card('login-form').dispatchEvent('dragstart', { dataTransfer });
      for (const type of ['dragenter', 'dragover', 'drop']) await column('done').dispatchEvent(type, { dataTransfer });
      await card('login-form').dispatchEvent('dragend', { dataTransfer });
      await until('login-form done in the broker', async () => (await brokerStatus('login-form')) === 'done');
      await column('done').locator('[data-task-id="login-form"]:not(.pending)').waitFor();
    }],
    ['an agent\'s move, in another process, moves the card', async () => {
      await agents().command('web rate-limit review');
      await column('review').locator('[data-task-id="rate-limit"]').waitFor({ timeout: 60_000 });
    }],
    ['switching away and back keeps the dashboard\'s filters, and what an agent did meanwhile shows', async () => {
      await dashboard.getByLabel('Phase').selectOption({ label: 'Web' });
      await until('only the Web tasks', async () => (await dashboard.locator('.card').count()) === 3);
      // A mark on the page, gone once the page is built afresh: the filter comes back from the view's state, not a page kept.
      await dashboard.locator('#app').evaluate((app) => { app.dataset.shownBefore = 'yes'; });
      // Another editor in the dashboard's place (its group's, the active one) hides it and its
      // page is unloaded; closing that editor shows the dashboard again, on a new page.
      await runCommand(page, /^File: New Untitled Text File$/, 'New Untitled Text File');
      await page.locator('.editor-group-container.active .tab.active', { hasText: /^Untitled/ }).first().waitFor({ timeout: 10_000 });
      // While it is hidden an agent starts the landing page (its login form is done): no page hears it.
      await agents().command('web link-page in_progress');
      await runCommand(page, /^View: Close Editor$/, 'View: Close Editor');
      await page.locator('.editor-group-container.active .tab.active', { hasText: 'PeerMesh Dashboard' }).first().waitFor({ timeout: 10_000 });
      await until('the dashboard on a page built afresh (not the one kept while hidden)', async () =>
        (await dashboard.locator('#app[data-version]').count()) === 1 && (await dashboard.locator('#app[data-shown-before]').count()) === 0);
      await until('the filter still set', async () => (await dashboard.getByLabel('Phase').inputValue().catch(() => '')) === 'web');
      await until('only the Web tasks again', async () => (await dashboard.locator('.card').count()) === 3);
      await column('in_progress').locator('[data-task-id="link-page"]').waitFor({ timeout: 30_000 });
      // The page shown again hears the moves after it.
      await agents().command('web link-page review');
      await column('review').locator('[data-task-id="link-page"]').waitFor({ timeout: 30_000 });
      await dashboard.getByLabel('Phase').selectOption({ label: 'all' });
    }],
    ['the dashboard gets the window to itself for its screenshots', () => dashboardAlone(page, true)],
    ...shownThemes.map(([short, theme, filter]) => [`dashboard screenshots in ${short} theme: the board, the roadmap, the activity feed`, async () => {
      await pickColorTheme(page, theme, filter);
      await dashboard.getByRole('tab', { name: /Board/ }).click();
      await column('review').locator('[data-task-id="rate-limit"]').waitFor();
      await page.mouse.move(900, 850);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifacts, `dashboard-board-${suffix(short)}.png`) });
      await dashboard.getByRole('tab', { name: /Roadmap/ }).click();
      await dashboard.locator('li.phase').first().waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifacts, `dashboard-roadmap-${suffix(short)}.png`) });
      await dashboard.getByRole('tab', { name: /Activity/ }).click();
      await dashboard.locator('li.event.message_sent', { hasText: 'claude-server → codex-web: The login route is done' }).first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifacts, `dashboard-activity-${suffix(short)}.png`) });
      await dashboard.getByRole('tab', { name: /Board/ }).click();
    }]),
    ['the sidebar and the other editors come back', () => dashboardAlone(page, false)],
  ];
}

/** The dashboard's editor panel: the workbench's webview iframe (the newest), and inside it the page's own. */
export function dashboardPanel(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/**
 * `alone`: opens (or reveals) the dashboard panel, maximizes its editor group and hides the
 * sidebar, so a screenshot shows it whole; else brings the sidebar and the other editors back.
 */
export async function dashboardAlone(page, alone) {
  if (alone) await runCommand(page, /^PeerMesh: Open Dashboard in Editor$/, 'Open Dashboard in Editor');
  await runCommand(page, /^View: Toggle Maximize Editor Group$/, 'Toggle Maximize Editor Group');
  await page.keyboard.press('Control+B');
  await page.locator('.sidebar').first().waitFor({ state: alone ? 'hidden' : 'visible', timeout: 10_000 });
}
