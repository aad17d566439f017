// The dashboard's part of the VS Code bench, run by run-bench.mjs through the workbench once the
// bench inside the extension host has its figures: two agents in their own OS process
// (out/test/vscode/plan-peers.js) put a plan in place, as large as a plan may be (its six tasks
// and a backlog up to planLimits.tasks); the dashboard opens as an editor panel;
// then one agent moves a task back and forth, and each move is timed from its `plan/update`
// leaving the agent to the card standing in its new column in the dashboard's page (seen at
// the page's next frame, on the same clock: one machine).
import { dashboardPanel } from './dashboard-checks.mjs';
import { runCommand } from './lock-screenshots.mjs';
import { startPeers } from './peer-process.mjs';

/** The plan's size: the most tasks a plan may have (mirrors planLimits.tasks in src/protocol/plan.ts). */
export const benchPlanTasks = 300;
/** How long the dashboard's part may take (a full run, 33 moves, takes ~20 s); past it, it fails. */
export const dashboardLimitMs = 120_000;
/** How long one move may take to show before the part fails. */
const moveLimitMs = 30_000;

/**
 * @param {import('playwright-core').Page} page the workbench
 * @param {{ repo: string, workspace: string, home: string, nodeBin: string, moves: number, warmup?: number, log: (line: string) => void }} ctx
 * @returns {Promise<{ moves: number, tasks: number, answerMs: number[], shownMs: number[] }>}
 */
export async function measureDashboardMoves(page, { repo, workspace, home, nodeBin, moves, warmup = 3, log }) {
  const deadline = Date.now() + dashboardLimitMs;
  // The plan agents' own six tasks, and the backlog.
  const agents = await startPeers('plan-peers.js', { repo, workspace, home, nodeBin, env: { PEERMESH_PLAN_BACKLOG: String(benchPlanTasks - 6) } });
  try {
    await runCommand(page, /^PeerMesh: Open Dashboard in Editor$/, 'Open Dashboard in Editor');
    const board = dashboardPanel(page).locator('.board');
    // The web agent's login form, in review: it goes to in progress and back.
    await board.locator('section.column[data-status="review"] [data-task-id="login-form"]').waitFor({ timeout: 60_000 });
    const tasks = await board.locator('.card').count();
    if (tasks !== benchPlanTasks) throw new Error(`the board shows ${tasks} tasks, not the plan's ${benchPlanTasks}`);
    log(`dashboard: ${moves} moves of an agent's task on a board of ${tasks}, timed to the card in the dashboard's page`);
    const answerMs = [];
    const shownMs = [];
    for (let i = 0; i < warmup + moves; i++) {
      if (Date.now() > deadline) throw new Error(`${i} moves took longer than ${dashboardLimitMs / 1000} s`);
      const to = i % 2 === 0 ? 'in_progress' : 'review';
      // Watching before the move: the page stamps the first frame that has the card in its new
      // column, and stops looking after moveLimitMs.
      await board.evaluate((el, { id, status, limitMs }) => {
        globalThis.peermeshBenchSeen = new Promise((resolve, reject) => {
          let frame;
          const timer = setTimeout(() => {
            globalThis.cancelAnimationFrame(frame);
            reject(new Error(`the card did not move in ${limitMs / 1000} s`));
          }, limitMs);
          const look = () => {
            if (!el.querySelector(`section.column[data-status="${status}"] [data-task-id="${id}"]`)) frame = globalThis.requestAnimationFrame(look);
            else {
              clearTimeout(timer);
              resolve(Date.now());
            }
          };
          look();
        });
      }, { id: 'login-form', status: to, limitMs: moveLimitMs });
      const [sent, answered] = (await agents.command(`web login-form ${to}`)).split(' ').map(Number);
      const shown = await board.evaluate(() => globalThis.peermeshBenchSeen);
      if (i < warmup) continue;
      answerMs.push(answered - sent);
      shownMs.push(shown - sent);
    }
    return { moves, tasks, answerMs, shownMs };
  } finally {
    await agents.leave();
  }
}
