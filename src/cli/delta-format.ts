/**
 * Context deltas as the command line shows them: each delta in a few lines (who pushed it,
 * when, how urgent, what it affects, its detail cut short) and who has acked it and who has
 * not. Pure: text in, text out; other peers' words go through `printable`.
 */
import { formatDuration } from '../core/duration';
import { printable } from '../core/printable';
import type { Delta } from '../protocol/coordination';

/** Characters of a detail shown (`--json` has it whole). */
const detailWidth = 200;

/** `login-api v2`: a contract with its version after a contract change. */
const contractText = (d: Delta, id: string) => (d.contractVersions[id] === undefined ? printable(id) : `${printable(id)} v${d.contractVersions[id]}`);

/** What the delta affects: `contracts login-api v2; files src/api/**; tasks form`, empty when nothing. */
function affectsText(d: Delta): string {
  const { contracts, files, tasks } = d.affects;
  return [
    contracts.length > 0 ? `contracts ${contracts.map((c) => contractText(d, c)).join(', ')}` : '',
    files.length > 0 ? `files ${files.map(printable).join(', ')}` : '',
    tasks.length > 0 ? `tasks ${tasks.map(printable).join(', ')}` : '',
  ].filter(Boolean).join('; ');
}

/** `acked: bob; not acked: carol`, or that it went to nobody. */
export function acksText(d: Delta): string {
  if (d.recipients.length === 0) return 'sent to nobody (no peer\'s task, claim or recent edit touched it)';
  const names = (acked: boolean) => d.recipients.filter((r) => (r.ackedAt !== null) === acked).map((r) => printable(r.peerName));
  const [yes, no] = [names(true), names(false)];
  return [yes.length > 0 ? `acked: ${yes.join(', ')}` : '', no.length > 0 ? `not acked: ${no.join(', ')}` : ''].filter(Boolean).join('; ');
}

/**
 * One delta: `#3 blocking contract_change by alice, 5m ago: "login answers 202"`, then
 * indented what it affects, its detail, and its acks.
 */
export function formatDelta(d: Delta, now: number): string {
  const when = `${formatDuration(Math.max(0, now - d.createdAt), { rounding: 'nearest' })} ago`;
  const detail = printable(d.detail.trim().replace(/\s+/g, ' '));
  const lines = [
    `#${d.id} ${d.severity} ${d.kind} by ${printable(d.authorName)}, ${when}: ${printable(JSON.stringify(d.summary))}`,
    affectsText(d),
    detail.length > detailWidth ? `${detail.slice(0, detailWidth - 1)}…` : detail,
    acksText(d),
  ];
  return lines.filter(Boolean).map((l, i) => (i === 0 ? l : `    ${l}`)).join('\n');
}

/** Deltas one after another, a blank line between. */
export function formatDeltas(deltas: readonly Delta[], now: number): string {
  return deltas.map((d) => formatDelta(d, now)).join('\n\n');
}
