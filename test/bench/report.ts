/** The bench's table: figure | PeerMesh | floor | note. */
import os from 'node:os';
import type { FailoverFigures, ReplayFigures } from './failover';
import type { FloodFigures, FloodPhase } from './flood';
import type { FloorFigures } from './floor';
import type { HookFigures } from './hooks';
import { followBudgetMs, type FollowingFigures } from './following';
import { reanchorBudgetMs, type ReanchorFigures } from './reanchor';
import type { RssFigures, WriteAckFigures } from './store';
import { symbolBudgetMs, symbolEditBudgetMs, type SymbolFigures } from './symbols';
import { dashboardBudgetMs, type DashboardFigures } from './dashboard';
import type { LockFigures, MessageFigures } from './traffic';
import { ms, pct, rate, summarize, type PhaseStats, type Summary } from './util';
import { activationBudgetMs, dashboardMoveBudgetMs, debounceMs, drawBudgetMs, type VsCodeFigures } from './vscode';

export interface Figures {
  floor?: FloorFigures; messages?: MessageFigures; locks?: LockFigures; writes?: WriteAckFigures;
  failover?: FailoverFigures; replay?: ReplayFigures; rss?: RssFigures; hooks?: HookFigures; vscode?: VsCodeFigures; dashboard?: DashboardFigures;
  flood?: FloodFigures; reanchor?: ReanchorFigures; following?: FollowingFigures;
  symbols?: SymbolFigures;
}

export type Row = [figure: string, peermesh: string, floor: string, note: string];

/** CPU use and background snapshots during a phase. */
function load(s: PhaseStats | undefined): string {
  if (!s) return '';
  const snaps = s.snapshots.length ? `; ${s.snapshots.length} snapshot${s.snapshots.length > 1 ? 's' : ''} (max ${Math.max(...s.snapshots.map((x) => x.ms))} ms)` : '';
  return `CPU broker ${Math.round(s.brokerCpu)}%, clients ${Math.round(s.benchCpu)}%${snaps}`;
}

const mb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(0)} MB` : `${(bytes / 1024).toFixed(0)} KB`);
const join = (...parts: Array<string | false | undefined>) => parts.filter(Boolean).join('; ');

export function rows(f: Figures): Row[] {
  const { floor: fl, messages: m, locks: l, writes: w, failover: fo, replay: rp, rss: r } = f;
  const out: Row[] = [];
  if (m || fl) {
    out.push(['1. message send → push, 1 sender, 2 peers', m ? pct(m.pair) : '', fl ? pct(fl.relay['1']) : '', join('floor: ws relay A → server → B', load(m?.stats.pair))]);
    out.push(['   1 sender, 50 peers connected', m ? pct(m.pairAmong50) : '', fl ? pct(fl.relay['1']) : '', join('49 idle', load(m?.stats.pairAmong50))]);
    out.push(['   10 peers in a ring, all sending', m ? pct(m.ring10) : '', fl ? pct(fl.relay['10']) : '', join('1 in flight each', load(m?.stats.ring10))]);
    out.push(['   50 peers in a ring, all sending', m ? pct(m.ring50) : '', fl ? pct(fl.relay['50']) : '', join(m && `send ack ${pct(m.ackRing50)}`, load(m?.stats.ring50))]);
  }
  if (l || fl) {
    const durable = fl && `with fsync ${rate(1000 / (2 * fl.syncRt.p50))}/s`;
    out.push(['2. lock acquire+release pairs/s, 1 client', l ? `${rate(l.single.pairsPerSec)}/s` : '', fl ? `${rate(fl.rtPerSec1 / 2)}/s` : '',
      join(l && `pair ${pct(l.single.pair)}`, 'floor: ws RT/s ÷ 2', durable, load(l?.single.stats))]);
    out.push([`   ${l?.clients ?? 50} clients, ${l?.files ?? 5} files, queued (waitMs)`, l ? `${rate(l.queued.pairsPerSec)}/s` : '', fl ? `${rate(fl.rtPerSec50 / 2)}/s` : '',
      join(l && `${l.queued.timeouts} timeouts`, 'floor: 50 ws clients', load(l?.queued.stats))]);
    out.push([`   ${l?.clients ?? 50} clients, ${l?.files ?? 5} files, fail fast + retry`, l ? `${rate(l.retry.pairsPerSec)}/s` : '', fl ? `${rate(fl.rtPerSec50 / 2)}/s` : '',
      join(l && `${rate(l.retry.conflictsPerSec)} conflicts/s`, load(l?.retry.stats))]);
  }
  if (w || fl) {
    const syncFloor = fl ? pct(fl.syncRt) : '';
    out.push([`3. state/set ack, ${w ? mb(w.small.dbBytes) : '~100 KB'} db`, w ? pct(w.small.ack) : '', syncFloor,
      join('floor: ws RT + append + fdatasync', fl && `bare RT ${pct(fl.rt)}`, w && `max ${ms(w.small.ack.max)} ms`, load(w?.small.stats))]);
    out.push([`   ${w ? mb(w.large.dbBytes) : '~50 MB'} db (alternating with the above)`, w ? pct(w.large.ack) : '', syncFloor,
      join(w && `max ${ms(w.large.ack.max)} ms`, w && `store loaded in ${ms(w.large.storeOpenMs)} ms`, load(w?.large.stats))]);
    const s = w?.large.stall;
    out.push(['   same, while the db is snapshotted', s ? pct(s.during) : '', syncFloor,
      s ? join(`max ${ms(s.during.max)} ms over ${s.during.n} writes`, s.snapshot ? `snapshot of ${mb(s.snapshot.bytes)} took ${s.snapshot.ms} ms` : 'no snapshot seen') : '']);
    out.push(['   fdatasync of a small append alone', '', fl ? pct(fl.fdatasync) : '', `${os.tmpdir()}, same file system as the store`]);
  }
  if (fo || fl) {
    out.push([`4. fail-over after SIGKILL, ${fo?.peers ?? 5} peer procs`, fo ? `${ms(fo.summary.p50)} / ${ms(fo.summary.max)} ms` : '', fl ? `${ms(fl.reconnect.p50)} / ${ms(fl.reconnect.max)} ms` : '',
      join('p50 / max', fo && `rounds [${fo.rounds.join(', ')}]`, fo && `loss noticed ≤ ${ms(Math.max(...fo.noticed))} ms`, fo && `new broker's own peer back at [${fo.hosted.join(', ')}]`,
        fo && `${fo.failedWrites} writes cut off`, fo && fo.hostAnomalies > 0 && `${fo.hostAnomalies} rounds without exactly one host`, 'floor: notice close + connect + RT to a standby ws server')]);
  }
  if (rp) {
    out.push([`   store open after SIGKILL, ${mb(rp.dbBytes)} db + journal`, `${ms(rp.storeOpenMs)} ms`, '',
      join(`${rp.replayed} journal entries replayed`, `new broker process serving after ${ms(rp.startMs)} ms`,
        `after a ${rp.cleanStop ? 'clean stop' : 'stop that needed SIGKILL'}: ${ms(rp.cleanOpenMs)} ms, ${rp.cleanReplayed} replayed`)]);
  }
  if (r || fl || m) {
    out.push([`5. broker RSS, ${r?.peers ?? 100} peers, ${r ? `${Math.round(r.events / 1000)}k` : '100k'} events`, r ? `${Math.round(r.connectedMb)} MB` : '', fl ? `${Math.round(fl.rss.connectedMb)} MB` : '',
      join(r && `peak ${Math.round(r.hwmMb)} MB`, r && `db ${mb(r.dbBytes)}`, 'floor: idle ws server, 100 sockets')]);
    out.push(['   broker RSS, 0 peers, same store', r ? `${Math.round(r.idleMb)} MB` : '', fl ? `${Math.round(fl.rss.idleMb)} MB` : '',
      join(r && `store loaded in ${ms(r.storeOpenMs)} ms`, 'floor: ws server, no sockets')]);
    out.push(['   broker RSS, 0 peers, empty store', m ? `${Math.round(m.freshRssMb)} MB` : '', fl ? `${Math.round(fl.rss.idleMb)} MB` : '', '']);
  }
  if (f.hooks) out.push(...hookRows(f.hooks));
  if (f.flood) out.push(...floodRows(f.flood));
  if (f.reanchor || f.following) out.push(...reanchorRows(f.reanchor, f.following));
  if (f.symbols) out.push(...symbolRows(f.symbols));
  if (f.dashboard) out.push(...dashboardRows(f.dashboard));
  if (f.vscode) out.push(...vscodeRows(f.vscode));
  return out;
}

/** Hook start-up and answer above a bare Node start, beside its target. */
export const hookTargetMs = 30;

/** Figure 7: an agent's hook, a new process per tool call, beside `node -e 0`. */
function hookRows(k: HookFigures): Row[] {
  const above = (s: Summary) => s.p50 - k.bare.p50;
  const verdict = above(k.free) <= hookTargetMs ? 'within target' : 'OVER TARGET';
  return [
    ['7. hook PreToolUse (Edit), free file: wall time', pct(k.free), pct(k.bare),
      join(`+${ms(above(k.free))} ms over bare node at p50 (target ≤ +${hookTargetMs}): ${verdict}`, 'floor: node -e 0, in turns with the hook', `${k.runs} runs each`)],
    ['   same, lines another peer claims (denied)', pct(k.claimed), pct(k.bare), `+${ms(above(k.claimed))} ms over bare node at p50`],
  ];
}

/** Figure 8: floods of connections from another process; the floor column is the same with no flood. */
function floodRows(d: FloodFigures): Row[] {
  const k = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));
  const within = (p: FloodPhase) => `${k(p.stats.opened.tcp + p.stats.opened.ws)} sockets opened in ${(p.ms / 1000).toFixed(1)} s`;
  const { silent: s, hellos: g } = d;
  const sessions = `${d.sessionsAfter} session${d.sessionsAfter === 1 ? '' : 's'} left after them (the registered peer's)`;
  return [
    [`8. newcomer joins, ${s.shape.tcp} silent TCP + ${s.shape.ws} silent WebSockets`, `${ms(s.join.p50)} / ${ms(s.join.max)} ms`, `${ms(d.quiet.join.p50)} / ${ms(d.quiet.join.max)} ms`,
      join('p50 / max', `${s.join.n} joins`, 'each socket the broker closes is opened again', within(s), `CPU broker ${Math.round(s.brokerCpu)}%`, 'floor: the same with no flood')],
    ['   registered peer round-trip meanwhile', pct(s.rt), pct(d.quiet.rt), join(`state/get, max ${ms(s.rt.max)} ms`, 'floor: the same with no flood')],
    [`   newcomer joins, ${g.shape.hellers} sockets sending hellos without a proof`, `${ms(g.join.p50)} / ${ms(g.join.max)} ms`, `${ms(d.quiet.join.p50)} / ${ms(d.quiet.join.max)} ms`,
      join('p50 / max', `hellos: ${k(g.stats.hellos.sent)} sent, ${k(g.stats.hellos.answered)} answered, ${k(g.stats.hellos.refused)} refused in ${(g.ms / 1000).toFixed(1)} s`, `CPU broker ${Math.round(g.brokerCpu)}%`)],
    ['   registered peer round-trip meanwhile', pct(g.rt), pct(d.quiet.rt), `state/get, max ${ms(g.rt.max)} ms`],
    ['   broker RSS before / in each flood / after', `${Math.round(d.rssMb.before)} / ${Math.round(s.rssMb)} / ${Math.round(g.rssMb)} / ${Math.round(d.rssMb.after)} MB`, '',
      join(`peak ${Math.round(d.rssMb.hwm)} MB`, sessions)],
  ];
}

/** Figure 9: claims following their code: the re-anchoring alone in a large file, and an edit on disk until a peer hears of it. */
function reanchorRows(r: ReanchorFigures | undefined, f: FollowingFigures | undefined): Row[] {
  const out: Row[] = [];
  if (r) {
    const k = `${(r.lines / 1000).toFixed(0)},000`;
    const budget = `≤ ${reanchorBudgetMs} ms p99`;
    const verdict = (s: Summary) => (s.p99 <= reanchorBudgetMs ? 'within budget' : 'OVER BUDGET');
    const note = (s: Summary, what: string) => join(verdict(s), `max ${ms(s.max)} ms`, what);
    out.push(
      [`9. re-anchor, ${k}-line file, one edit`, pct(r.edit), budget, note(r.edit, `${r.claims} claims, ${r.runs} runs; floor column: the budget`)],
      [`   re-anchor, ${k}-line file, reformatted`, pct(r.reformat), budget, note(r.reformat, 'every line re-indented')],
      [`   re-anchor, ${k}-line file, rewritten`, pct(r.rewrite), budget, note(r.rewrite, 'too large to diff: each claim re-found by its lines')],
    );
  }
  if (f) {
    const verdict = f.moved.p99 <= followBudgetMs.p99 && f.moved.p50 <= followBudgetMs.p50 ? 'within budget' : 'OVER BUDGET';
    out.push([`   edit on disk → lock_moved at another peer, ${f.lines}-line file`, pct(f.moved), `≤ ${followBudgetMs.p50} / ${followBudgetMs.p99} ms`,
      join(verdict, `max ${ms(f.moved.max)} ms`, `${f.rounds} edits (temp file renamed over)`, `includes the ${f.settleMs} ms settle window`, 'broker in its own process')]);
  }
  return out;
}

/** Figure 10: a symbol resolved by name (a claim taken, or re-resolved after an edit), per file size. */
function symbolRows(s: SymbolFigures): Row[] {
  return s.sizes.flatMap((z, i) => {
    const what = `${z.lines.toLocaleString('en-US')}-line TypeScript file`;
    const largest = z.lines === 50_000;
    const verdict = (t: Summary, budget: number) => largest && (t.p99 <= budget ? 'within budget' : 'OVER BUDGET');
    return [
      [`${i === 0 ? '10.' : '   '} symbol resolve, ${what}`, pct(z.resolve), largest ? `≤ ${symbolBudgetMs} ms p99` : '',
        join(verdict(z.resolve, symbolBudgetMs), `max ${ms(z.resolve.max)} ms`, `${z.declarations} declarations`, i === 0 && `${s.runs} runs each; parser loaded once in ${ms(s.loadMs)} ms`)],
      ['      after a one-line edit (from the last tree)', pct(z.edited), largest ? `≤ ${symbolEditBudgetMs} ms p99` : '',
        join(verdict(z.edited, symbolEditBudgetMs), `max ${ms(z.edited.max)} ms`)],
    ];
  });
}

/** Figure 11: the dashboard webview with 500 tasks, in headless Chromium. */
function dashboardRows(d: DashboardFigures): Row[] {
  const verdict = (s: Summary, budget: number) => (s.p99 <= budget ? 'within budget' : 'OVER BUDGET');
  return [
    [`11. dashboard: first render, ${d.tasks} tasks (+200 deltas, 20 debates)`, pct(d.firstRender), `≤ ${dashboardBudgetMs.firstRender} ms p99`,
      join(verdict(d.firstRender, dashboardBudgetMs.firstRender), `max ${ms(d.firstRender.max)} ms`, `${d.runs} page loads, headless Chromium, snapshot posted → cards drawn`)],
    ['    one task moved (an agent\'s status change)', pct(d.update), `≤ ${dashboardBudgetMs.update} ms p99`,
      join(verdict(d.update, dashboardBudgetMs.update), `max ${ms(d.update.max)} ms`, 'the task posted (didChangeTasks) → the card drawn in its new column')],
    ['    one task moved in the plan sent whole', pct(d.wholePlan), `≤ ${dashboardBudgetMs.wholePlan} ms p99`,
      join(verdict(d.wholePlan, dashboardBudgetMs.wholePlan), `max ${ms(d.wholePlan.max)} ms`, 'the plan posted (didChangePlan, as after a missed change) → the card drawn')],
    ['    webview bundle', `${Math.round(d.bundleBytes / 1024)} KB`, '', `${Math.round(d.bundleGzipBytes / 1024)} KB gzipped; Preact, signals, the dashboard (codicons' font apart)`],
  ];
}

/** Figure 6: the VS Code stage, beside its budget; the steps on the way say where the time goes. */
function vscodeRows(v: VsCodeFigures): Row[] {
  const title = '6. another process\'s lock → drawn in the editor';
  if (!v.figures) return [[title, 'skipped', '', v.skipped ?? 'no figures']];
  const d = v.figures;
  const budget = `≤ ${drawBudgetMs.p50} / ${drawBudgetMs.p99} ms`;
  const verdict = (s: Summary) => (s.p50 <= drawBudgetMs.p50 && s.p99 <= drawBudgetMs.p99 ? 'within budget' : 'OVER BUDGET');
  const maxOf = (s: Summary) => `max ${ms(s.max)} ms`;
  return [
    [`${title}, ${d.locks} locks`, pct(d.drawn), budget,
      join(verdict(d.drawn), maxOf(d.drawn), 'floor column: the budget', `${v.appName} ${v.vscodeVersion}`, `drawing polled every ${d.pollMs} ms`,
        `load average ${v.loadavg.map((l) => l.toFixed(1)).join(' → ')}`)],
    ['   tools/call → the agent\'s answer', pct(d.answer), '', join(maxOf(d.answer), 'MCP over stdio, bridge, broker (in the window\'s extension host)')],
    ['   tools/call → lock_acquired in the window', pct(d.event), '', join(maxOf(d.event), 'the broker\'s push to the window')],
    ['   tools/call → the window\'s lock list', pct(d.listed), '', join(maxOf(d.listed), `views debounce ${debounceMs.views} ms, then locks/list`)],
    ['   release → decoration cleared', pct(d.cleared), budget,
      join(verdict(d.cleared), maxOf(d.cleared), `lock_released in the window after ${pct(d.releaseEvent)}`, `both debounces: ${debounceMs.views} + ${debounceMs.decorations} ms`)],
    ...dashboardMoveRows(v.dashboard),
    ...activationRows(v.activation),
  ];
}

/** Figure 11, in VS Code: an agent's task move until its card moves on the dashboard. */
function dashboardMoveRows(d: VsCodeFigures['dashboard']): Row[] {
  const title = '11. dashboard in VS Code: an agent\'s move → card moved';
  if (!d) return [];
  if (d.error !== undefined) return [[title, 'failed', '', d.error]];
  const shown = summarize(d.shownMs);
  const ok = shown.p50 <= dashboardMoveBudgetMs.p50 && shown.p99 <= dashboardMoveBudgetMs.p99;
  return [
    [`${title}, ${d.moves} moves, ${d.tasks} tasks`, pct(shown), `≤ ${dashboardMoveBudgetMs.p50} / ${dashboardMoveBudgetMs.p99} ms`,
      join(ok ? 'within budget' : 'OVER BUDGET', `max ${ms(shown.max)} ms`, 'agent process: plan/update sent → the card in its new column in the page (next frame)', `views debounce ${debounceMs.views} ms, then plan/get`)],
    ['    plan/update → the agent\'s answer', pct(summarize(d.answerMs)), '', 'broker in the window\'s extension host'],
  ];
}

/** The extension's activation in that run: one sample, beside its budget; the language server comes after it. */
function activationRows(a: VsCodeFigures['activation']): Row[] {
  if (a?.activatedInMs === undefined) return [['7. activation', 'no timing line', '', 'the PeerMesh log had no [activation] line']];
  return [
    ['7. activation: activate()', `${ms(a.activatedInMs)} ms`, `≤ ${activationBudgetMs} ms`,
      join(a.activatedInMs <= activationBudgetMs ? 'within budget' : 'OVER BUDGET', 'one sample', a.totalMs !== undefined && `${a.totalMs} ms with loading the bundle`)],
    ['   activation → lock language server running', a.lspAfterMs === undefined ? 'not started' : `${a.lspAfterMs} ms`, '',
      'after activation, once the window is in the mesh: starts peermesh lsp, initialize'],
  ];
}

export function table(rs: Row[]): string {
  const head: Row = ['figure', 'PeerMesh', 'floor', 'note'];
  const widths = [0, 1, 2].map((i) => Math.max(...[head, ...rs].map((r) => r[i].length)));
  const line = (r: Row) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join(' | ');
  return [line(head), widths.map((n) => '-'.repeat(n)).join('-|-') + '-|-----', ...rs.map(line)].join('\n');
}
