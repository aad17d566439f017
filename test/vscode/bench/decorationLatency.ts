/**
 * How long another agent's lock takes to show in the editor: an agent in its own process
 * (`peermesh mcp`, driven by a real MCP client; see ../suite/mcpAgent.ts) locks lines of the
 * open editor, and the time runs from just before its tools/call until the extension's own
 * record of what it drew (`peermesh._test.decorations`) shows the lock. Then the agent
 * releases it, and the time until the decoration is gone is measured the same way.
 *
 * Along the way it notes, per lock, when the agent's answer came back, when the
 * `lock_acquired` event reached this window, and when the window's lock list (fetched after the
 * views' debounce) held the lock, so the figures show where the time goes. The drawing is
 * observed by polling every {@link pollMs} ms (the extension announces nothing when it draws);
 * the event and the list are observed as they happen.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { MeshEvent } from '../../../src/protocol/entities';
import type { DecoratedLock, EditorDecorations } from '../../../src/vscode/decorations/lockDecorations';
import { summarize, type Summary } from '../../bench/stats';
import { joinedMesh, waitFor, workspaceFolder } from '../suite/helpers';
import { startMcpAgent } from '../suite/mcpAgent';

/** How often the drawn decorations are polled: the resolution of the drawn and cleared times. */
export const pollMs = 2;
/**
 * The file the agent locks lines of, in the workspace folder. Plain text: a .ts file would start
 * the built-in TypeScript server, whose start-up competes for the CPU with what is measured.
 */
const benchFile = 'bench-locks.txt';
const fileLines = 40;

export interface DecorationLatencyFigures {
  /** Locks measured (after the warm-up ones). */
  locks: number;
  warmup: number;
  pollMs: number;
  /** From tools/call to the agent's answer (the lock granted), as this extension host got it. */
  answer: Summary;
  /** From tools/call to the `lock_acquired` event reaching this window. */
  event: Summary;
  /** From tools/call to the window's lock list holding the lock (the views' debounce, then `locks/list`). */
  listed: Summary;
  /** From tools/call to the decoration drawn in the editor (the decorations' debounce). */
  drawn: Summary;
  /** From the release's tools/call to the `lock_released` event reaching this window. */
  releaseEvent: Summary;
  /** From the release's tools/call to the decoration gone from the editor. */
  cleared: Summary;
}

export interface MeasureOptions {
  locks: number;
  warmup?: number;
  log?: (line: string) => void;
}

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the extension draws in `file` now, from its internal query. */
async function drawnIn(file: string): Promise<EditorDecorations | undefined> {
  const all = await vscode.commands.executeCommand<EditorDecorations[]>('peermesh._test.decorations');
  return all?.find((editor) => editor.path === file);
}

/** Polls every {@link pollMs} ms until `probe` returns a value; the value and when it was seen. */
async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<{ value: T; at: number }> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await probe();
    const at = now();
    if (value !== undefined) return { value, at };
    if (at > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** When things happened to each lock, as this window saw them: `${what}:${lockId}` → time. */
class Stamps {
  private readonly times = new Map<string, number>();

  stamp(key: string, at = now()): void {
    if (!this.times.has(key)) this.times.set(key, at);
  }

  /** Milliseconds from `t0` to the stamp, or throws if it never came. */
  since(key: string, t0: number): number {
    const at = this.times.get(key);
    if (at === undefined) throw new Error(`the window never saw ${key}`);
    return at - t0;
  }
}

export async function measureDecorationLatency({ locks, warmup = 5, log = () => undefined }: MeasureOptions): Promise<DecorationLatencyFigures> {
  const api = await joinedMesh(60_000);
  const file = path.join(workspaceFolder(), benchFile);
  writeFileSync(file, Array.from({ length: fileLines }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  await vscode.window.showTextDocument(vscode.Uri.file(file));
  await waitFor('the bench file in the decorations query', () => drawnIn(file).then((d) => d && true), 30_000);

  const stamps = new Stamps();
  const onEvent = (event: MeshEvent): void => {
    if (event.type === 'lock_acquired' || event.type === 'lock_released') stamps.stamp(`${event.type}:${event.data.id}`);
  };
  let listed = new Set<number>();
  const onList = (): void => {
    const at = now();
    const ids = new Set(api.model.locks.items.map((lock) => lock.id));
    for (const id of ids) stamps.stamp(`listed:${id}`, at);
    for (const id of listed) if (!ids.has(id)) stamps.stamp(`unlisted:${id}`, at);
    listed = ids;
  };
  const subscriptions = [api.mesh.onDidReceiveEvent(onEvent), api.model.locks.onDidChange(onList)];
  const agent = await startMcpAgent('bench-agent', { timeoutMs: 60_000 });
  const samples = { answer: [] as number[], event: [] as number[], listed: [] as number[], drawn: [] as number[], releaseEvent: [] as number[], cleared: [] as number[] };
  try {
    for (let i = 0; i < warmup + locks; i++) {
      const startLine = 1 + ((i * 7) % (fileLines - 3));
      const endLine = startLine + 2;
      const isOurs = (d: DecoratedLock): boolean => d.holderName === agent.name && d.startLine === startLine && d.endLine === endLine;

      const t0 = now();
      const answered = agent.lock({ path: benchFile, startLine, endLine, reason: `bench lock ${i}` }).then((lock) => ({ lock, at: now() }));
      const drawn = await pollUntil(`lines ${startLine}-${endLine} drawn`, async () => (await drawnIn(file))?.others.find(isOurs), 30_000);
      const { lock, at: answeredAt } = await answered;
      if (drawn.value.lockId !== lock.id) throw new Error(`drew lock #${drawn.value.lockId} at lines ${startLine}-${endLine}; the agent holds #${lock.id}`);

      const t1 = now();
      const released = agent.unlock(lock.id);
      const cleared = await pollUntil(`lock #${lock.id} cleared`, async () => ((await drawnIn(file))?.others.some((d) => d.lockId === lock.id) ? undefined : true), 30_000);
      const count = await released;
      if (count !== 1) throw new Error(`the agent released ${count} locks, not lock #${lock.id} alone`);

      if (i < warmup) continue;
      samples.answer.push(answeredAt - t0);
      samples.event.push(stamps.since(`lock_acquired:${lock.id}`, t0));
      samples.listed.push(stamps.since(`listed:${lock.id}`, t0));
      samples.drawn.push(drawn.at - t0);
      samples.releaseEvent.push(stamps.since(`lock_released:${lock.id}`, t1));
      samples.cleared.push(cleared.at - t1);
      const done = i + 1 - warmup;
      if (done % 25 === 0) log(`${done}/${locks} locks: last drawn after ${Math.round(drawn.at - t0)} ms, cleared after ${Math.round(cleared.at - t1)} ms`);
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- bridge stderr ---\n${agent.stderr.slice(-2000)}`, { cause: error });
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
    await agent.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }
  return {
    locks, warmup, pollMs,
    answer: summarize(samples.answer),
    event: summarize(samples.event),
    listed: summarize(samples.listed),
    drawn: summarize(samples.drawn),
    releaseEvent: summarize(samples.releaseEvent),
    cleared: summarize(samples.cleared),
  };
}
