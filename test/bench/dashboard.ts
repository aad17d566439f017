/**
 * Figure 11: the dashboard webview at the size the person may meet: a plan of 500 tasks in 10
 * phases, 200 deltas, 20 debates and 300 events, in headless Chromium (the real bundle in its
 * real page, test/e2e/dashboard-page.ts). Timed inside the page, from the host's message to
 * the frame that shows it: the first render of the board, and one task's status change (as an
 * agent's move arrives: the host's `didChangeTasks` with that task), and one task's change in
 * the plan sent whole (`didChangePlan`, as after a page missed a change). And the bundle's size.
 */
import { statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { DashboardPlan, DashboardSnapshot, DashboardTask } from '../../src/protocol/webview';
import { chromiumOptions, serveDashboard, stubVsCodeApi, webviewDir } from '../e2e/dashboard-page';
import { summarize, type Summary } from './util';

export interface DashboardFigures {
  tasks: number;
  runs: number;
  /** The snapshot posted → every card drawn. */
  firstRender: Summary;
  /** One task moved (`didChangeTasks`) posted → that card drawn in its new column. */
  update: Summary;
  /** The plan sent whole (`didChangePlan`) with one task moved → that card drawn in its new column. */
  wholePlan: Summary;
  bundleBytes: number;
  bundleGzipBytes: number;
}

/** Budgets at p99: the first render of 500 tasks, one task's update, and the plan sent whole with one task moved. */
export const dashboardBudgetMs = { firstRender: 1000, update: 150, wholePlan: 300 };

const statuses = ['todo', 'in_progress', 'review', 'blocked', 'done'] as const;

function bigPlan(tasks: number): DashboardPlan {
  const phases = Array.from({ length: 10 }, (_, p) => ({
    id: `phase-${p}`, title: `Phase ${p + 1}`,
    tasks: Array.from({ length: tasks / 10 }, (_, i): DashboardTask => {
      const n = p * (tasks / 10) + i;
      return {
        id: `task-${n}`, phase: `phase-${p}`, title: `Task ${n}: wire the part ${n} of the feature`, status: statuses[n % 5],
        assignee: n % 3 === 0 ? null : { id: `p-${n % 7}`, name: `agent-${n % 7}`, kind: 'claude-code' },
        files: [`src/part${n}/index.ts`, `src/part${n}/view.tsx`], dependsOn: n > 0 ? [`task-${n - 1}`] : [], waitingFor: [],
        contracts: n % 10 === 0 ? ['api'] : [], note: n % 5 === 3 ? 'waits for the fixtures' : null, overlaps: n % 11 === 0 ? ['agent-9'] : [], changedContracts: [], unackedDeltas: n % 13 === 0 ? [n] : [],
      };
    }),
  }));
  return { title: 'A large plan', phases, contracts: [{ id: 'api', kind: 'api', name: 'The API', version: 3, status: 'approved' }] };
}

function bigSnapshot(tasks: number): DashboardSnapshot {
  const now = Date.now();
  return {
    version: 'bench', peers: Array.from({ length: 8 }, (_, i) => ({ id: `p-${i}`, name: `agent-${i}`, kind: 'claude-code', status: 'working', summary: '' })),
    plan: bigPlan(tasks),
    debates: Array.from({ length: 20 }, (_, i) => ({ id: i + 1, topic: `Question ${i + 1}`, status: i < 3 ? 'escalated' : 'open', round: 1, maxRounds: 5, participants: ['agent-1', 'agent-2'], awaiting: [], escalation: null })),
    deltas: Array.from({ length: 200 }, (_, i) => ({ id: 200 - i, kind: 'discovery', severity: i % 10 === 0 ? 'blocking' : 'info', summary: `Found ${i}`, authorName: 'agent-1', createdAt: now - i * 1000, recipients: [{ name: 'agent-2', acked: i % 2 === 0 }] })),
    activity: Array.from({ length: 300 }, (_, i) => ({ seq: 300 - i, at: now - i * 1000, type: 'task_updated', peer: 'p-1', peerName: 'agent-1', text: `agent-1 moved task task-${i}` })),
  };
}

export async function measureDashboard(quick: boolean, log: (s: string) => void): Promise<DashboardFigures> {
  const tasks = 500;
  const runs = quick ? 5 : 20;
  const bundle = path.join(webviewDir, 'dashboard.js');
  const served = await serveDashboard();
  const browser = await chromium.launch(chromiumOptions);
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript(stubVsCodeApi);
    const snapshot = bigSnapshot(tasks);
    const first: number[] = [];
    const update: number[] = [];
    const wholePlan: number[] = [];
    log(`dashboard: ${tasks} tasks, 200 deltas, 20 debates, 300 events; ${runs} page loads`);
    for (let run = 0; run < runs; run++) {
      await page.goto(`${served.origin}/`);
      await page.waitForFunction('window.posted.length > 0');
      // Posted and awaited inside the page: the time is the page's, from the message to the frame that shows it.
      // (Strings, not functions: the page has none of the helpers a transpiled function may call.)
      first.push(await page.evaluate(`(async () => {
        const t0 = performance.now();
        window.postMessage(${JSON.stringify({ type: 'didChangeSnapshot', snapshot })}, '*');
        while (document.querySelectorAll('.card').length < ${tasks}) await new Promise((resolve) => requestAnimationFrame(resolve));
        return performance.now() - t0;
      })()`) as number);
      // The page settled (the work a first render leaves for later done): the moves are timed as
      // they come in a dashboard open a while, not in the frames right after its load.
      await page.evaluate('new Promise((resolve) => requestIdleCallback(resolve, { timeout: 2000 }))');
      // One task moves, as an agent's move arrives: the host sends that task.
      const task = snapshot.plan!.phases[run % 10].tasks[0];
      const to = task.status === 'done' ? 'todo' : 'done';
      update.push(await page.evaluate(`(async () => {
        const t0 = performance.now();
        window.postMessage(${JSON.stringify({ type: 'didChangeTasks', tasks: [{ ...task, status: to }] })}, '*');
        while (!document.querySelector('section.column[data-status="${to}"] [data-task-id="${task.id}"]')) await new Promise((resolve) => requestAnimationFrame(resolve));
        return performance.now() - t0;
      })()`) as number);
      // Another task moves, in the plan sent whole: every task compared, one card redrawn.
      const plan = structuredClone(snapshot.plan!);
      const phase = plan.phases[run % 10];
      phase.tasks[0] = { ...task, status: to };
      const other = phase.tasks[1];
      other.status = other.status === 'done' ? 'todo' : 'done';
      wholePlan.push(await page.evaluate(`(async () => {
        const t0 = performance.now();
        window.postMessage(${JSON.stringify({ type: 'didChangePlan', plan })}, '*');
        while (!document.querySelector('section.column[data-status="${other.status}"] [data-task-id="${other.id}"]')) await new Promise((resolve) => requestAnimationFrame(resolve));
        return performance.now() - t0;
      })()`) as number);
    }
    const bytes = readFileSync(bundle);
    return { tasks, runs, firstRender: summarize(first), update: summarize(update), wholePlan: summarize(wholePlan), bundleBytes: statSync(bundle).size, bundleGzipBytes: gzipSync(bytes).length };
  } finally {
    await browser.close();
    await served.close();
  }
}
