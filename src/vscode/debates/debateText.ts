/**
 * Debates in words, for the Debates view, its notification and the debate document: where a
 * debate stands in one line, and the whole of it as Markdown, round by round, with the
 * proposals numbered as the ruling picks them. Free of `vscode` imports, so it is unit-tested
 * in plain Node. Every word of a peer goes through {@link mdText}: a debate cannot put a link,
 * an image or markup into the editor.
 */
import type { Debate, DebateStatus, DebateSummary, EscalationReason, Turn } from '../../protocol/coordination';
import { mdText } from '../plan/planText';

export const debateStatusLabels: Record<DebateStatus, string> = {
  open: 'open',
  resolved: 'agreed',
  escalated: 'awaiting your ruling',
  decided: 'decided',
};

const escalationWords: Record<EscalationReason, string> = {
  rounds: 'no agreement after the last round',
  idle: 'nobody took a turn for too long',
  asked: 'a participant asked for your ruling',
};

function names(debate: DebateSummary, ids: readonly string[]): string {
  return ids.map((id) => debate.participants.find((p) => p.peer === id)?.peerName ?? id).join(', ');
}

/** Where the debate stands, in one line: "round 2 of 5, awaiting bob", "awaiting your ruling: no agreement after…". */
export function debateState(debate: DebateSummary): string {
  switch (debate.status) {
    case 'open':
      return `round ${debate.round} of ${debate.maxRounds}${debate.awaiting.length > 0 ? `, awaiting ${names(debate, debate.awaiting)}` : ''}`;
    case 'escalated':
      return `awaiting your ruling: ${escalationWords[debate.escalation?.reason ?? 'rounds']}`;
    case 'resolved':
      return `agreed on proposal ${debate.agreed ?? '?'}`;
    case 'decided':
      return debate.ruling ? `decided by ${debate.ruling.peerName}` : 'decided';
  }
}

/** What the notification of an escalated debate says. */
export function escalationNotificationText(debate: DebateSummary): string {
  const who = debate.participants.map((p) => p.peerName).join(' and ');
  return `PeerMesh: ${who} could not agree on "${debate.topic}" (${escalationWords[debate.escalation?.reason ?? 'rounds']}). Your ruling is needed.`;
}

/** Literal text over several lines: each line escaped, line breaks kept. */
function mdLines(text: string): string {
  return text.split(/\r?\n/).map(mdText).join('  \n');
}

function turnMarkdown(turn: Turn, debate: Debate): string[] {
  const lines = [`### ${mdText(turn.peerName)}`, '', mdLines(turn.position), ''];
  if (turn.constraints.length > 0) lines.push('**Constraints**', '', ...turn.constraints.map((c) => `- ${mdText(c)}`), '');
  if (turn.alternatives.length > 0) lines.push('**Alternatives**', '', ...turn.alternatives.map((a) => `- ${mdText(a)}`), '');
  const stance = turn.proposal !== null
    ? `Proposes **${turn.proposal}**.`
    : turn.accepts !== null ? `Accepts proposal **${turn.accepts}**${proposer(debate, turn.accepts)}.` : 'Accepts no proposal yet.';
  lines.push(`*${stance}${turn.escalate ? ' Asks for your ruling.' : ''}*`, '');
  return lines;
}

function proposer(debate: Debate, n: number): string {
  const p = debate.proposals.find((x) => x.n === n);
  return p ? ` (${mdText(p.peerName)}'s)` : '';
}

/** The whole debate as Markdown: where it stands, the proposals, each round's turns, the ruling. */
export function debateMarkdown(debate: Debate): string {
  const lines = [`# Debate ${debate.id}: ${mdText(debate.topic)}`, ''];
  const state = debateState(debate);
  lines.push(`**${mdText(state.charAt(0).toUpperCase() + state.slice(1))}**`, '');
  lines.push(`Participants: ${debate.participants.map((p) => mdText(p.peerName)).join(', ')}`, '');
  const concerns = [
    debate.concerns.contract && `contract ${mdText(debate.concerns.contract)}`,
    debate.concerns.task && `task ${mdText(debate.concerns.task)}`,
    debate.origin !== null && `started from delta ${debate.origin}`,
  ].filter(Boolean);
  if (concerns.length > 0) lines.push(`About: ${concerns.join(', ')}`, '');
  if (debate.ruling) {
    const picked = debate.ruling.proposal === null ? 'in their own words' : `picking proposal ${debate.ruling.proposal}`;
    lines.push('## Ruling', '', `${mdText(debate.ruling.peerName)} ruled, ${picked}:`, '', `> ${mdLines(debate.ruling.text).replace(/ {2}\n/g, '  \n> ')}`, '');
  }
  lines.push(`## Proposals (${debate.proposals.length})`, '');
  if (debate.proposals.length === 0) lines.push('None yet.', '');
  for (const p of debate.proposals) {
    const accepted = acceptedBy(debate, p.n);
    const who = accepted.length > 0 ? ` — accepted by ${accepted.map(mdText).join(', ')}` : '';
    lines.push(`**${p.n}.** ${mdText(p.peerName)}, round ${p.round}${who}`, '', `> ${mdLines(p.text).replace(/ {2}\n/g, '  \n> ')}`, '');
  }
  const rounds = [...new Set(debate.turns.map((t) => t.round))];
  for (const round of rounds) {
    lines.push(`## Round ${round} of ${debate.maxRounds}`, '');
    for (const turn of debate.turns.filter((t) => t.round === round)) lines.push(...turnMarkdown(turn, debate));
  }
  return lines.join('\n');
}

/** The participants whose latest turn accepts proposal `n`. */
export function acceptedBy(debate: Debate, n: number): string[] {
  return debate.participants.filter((p) => {
    const last = [...debate.turns].reverse().find((t) => t.peer === p.peer);
    return last?.accepts === n;
  }).map((p) => p.peerName);
}
