/**
 * Claims that follow their code: an edit written on disk (a temporary file renamed over the
 * claimed file, as an agent's edit tool writes) until another client hears `lock_moved`. The
 * broker is a process of its own; the time includes the broker's settle window for a burst
 * of writes (claim-anchors.ts), the read, the diff and the push.
 */
import { writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { MeshEvent } from '../../src/protocol/entities';
import { settleMs } from '../../src/core/claim-anchors';
import { benchHome, closeClients, connectClients, now, removeDir, startBroker, stopProc, summarize, tempDir, type Summary } from './util';

/** What a person watching another agent's claim would notice as lag; the settle window is most of it. */
export const followBudgetMs = { p50: 150, p99: 400 };

export interface FollowingFigures {
  /** Edit on disk → `lock_moved` at a subscribed client. */
  moved: Summary;
  /** Lines in the edited file, edits made, and the broker's settle window. */
  lines: number;
  rounds: number;
  settleMs: number;
}

export async function measureFollowing(quick: boolean, log: (s: string) => void): Promise<FollowingFigures> {
  const rounds = quick ? 30 : 150;
  const lines = 2000;
  const h = benchHome();
  const dir = tempDir('pm-bench-follow-');
  const file = path.join(dir, 'claimed.ts');
  const body = Array.from({ length: lines }, (_, i) => `export const line${i} = ${i};`);
  writeFileSync(file, `${body.join('\n')}\n`);
  const broker = await startBroker(h);
  const [holder, watcher] = await connectClients(h, 2, 'follow', dir);
  try {
    await watcher.request('mesh/subscribe', { events: true });
    await holder.request('locks/acquire', { target: { path: file, startLine: 1000, endLine: 1010 } });
    let top = 0;
    const samples: number[] = [];
    log(`following: ${rounds} edits on disk above a claim in a ${lines}-line file`);
    for (let i = 0; i < rounds; i++) {
      top += 1;
      const heard = new Promise<void>((resolve) => {
        const off = watcher.onEvent((e: MeshEvent) => {
          if (e.type === 'lock_moved' && e.data.startLine === 1000 + top) {
            off();
            resolve();
          }
        });
      });
      const started = now();
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, `${Array.from({ length: top }, (_, j) => `// added ${j}`).join('\n')}\n${body.join('\n')}\n`);
      renameSync(tmp, file);
      await heard;
      samples.push(now() - started);
    }
    return { moved: summarize(samples), lines, rounds, settleMs };
  } finally {
    await closeClients([holder, watcher]);
    await stopProc(broker.proc);
    removeDir(dir);
    removeDir(h.dir);
  }
}
