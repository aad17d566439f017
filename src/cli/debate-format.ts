/**
 * Debates as the command line shows them: a listing (one line each, the ones that wait for
 * the person first to catch the eye), and one debate round by round, ending with what the
 * person can do about it. Pure: text in, text out; agents' words go through `printable`.
 */
import { plural } from '../core/plural';
import { printable } from '../core/printable';
import type { Debate, DebateSummary } from '../protocol/coordination';
import { table } from './format';

/** Where a debate stands, in a few words: `round 2 of 5, awaiting bob`, `escalated (idle)`. */
export function debateState(d: DebateSummary): string {
  switch (d.status) {
    case 'open':
      return `open, round ${d.round} of ${d.maxRounds}, awaiting ${d.awaiting.map((p) => nameOf(d, p)).join(', ')}`;
    case 'resolved':
      return `resolved on proposal ${d.agreed}`;
    case 'escalated':
      return `escalated (${d.escalation!.reason === 'asked' ? `${nameOf(d, d.escalation!.peer ?? '')} asked` : d.escalation!.reason === 'idle' ? 'nobody took a turn' : `no agreement after ${plural(d.round, 'round')}`})`;
    case 'decided':
      return `decided by ${printable(d.ruling!.peerName)}`;
  }
}

/** The debates as a table: id, state, participants, topic. */
export function formatDebates(debates: readonly DebateSummary[]): string {
  return table(['ID', 'STATE', 'WHO', 'TOPIC'], debates.map((d) => [
    `#${d.id}`, debateState(d), d.participants.map((p) => printable(p.peerName)).join(', '), printable(d.topic),
  ]));
}

/** One debate, round by round, then its outcome or what the person can do. */
export function formatDebate(d: Debate): string {
  const lines = [`#${d.id} "${printable(d.topic)}": ${debateState(d)}`, `participants: ${d.participants.map((p) => printable(p.peerName)).join(', ')}`];
  const concerns = [d.concerns.contract && `contract ${d.concerns.contract}`, d.concerns.task && `task ${d.concerns.task}`].filter(Boolean);
  if (concerns.length > 0 || d.origin !== null) lines.push(`concerns: ${[...concerns, ...(d.origin === null ? [] : [`delta #${d.origin}`])].join(', ')}`);
  const proposals = new Map(d.proposals.map((p) => [p.n, p.text]));
  for (let round = 1; round <= d.round; round++) {
    const turns = d.turns.filter((t) => t.round === round);
    if (turns.length === 0) continue;
    lines.push(`round ${round}`);
    for (const t of turns) {
      lines.push(`  ${printable(t.peerName)}: ${printable(t.position)}`);
      for (const c of t.constraints) lines.push(`    must: ${printable(c)}`);
      for (const a of t.alternatives) lines.push(`    or: ${printable(a)}`);
      if (t.proposal !== null) lines.push(`    proposes ${t.proposal}: ${printable(proposals.get(t.proposal) ?? '')}`);
      else lines.push(t.accepts === null ? '    accepts nothing' : `    accepts ${t.accepts}`);
      if (t.escalate) lines.push('    asks you to rule');
    }
  }
  if (d.ruling) lines.push(`ruling (delta #${d.ruling.delta}): ${printable(d.ruling.text)}`);
  else if (d.status === 'resolved') lines.push(`agreed: ${d.agreed}. ${printable(proposals.get(d.agreed!) ?? '')}`);
  else lines.push(`rule with: peermesh decide ${d.id} --pick N, or peermesh decide ${d.id} "your ruling"`);
  return lines.join('\n');
}

function nameOf(d: DebateSummary, peer: string): string {
  return printable(d.participants.find((p) => p.peer === peer)?.peerName ?? peer);
}
