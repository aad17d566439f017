/**
 * The project's debates: those awaiting the person's ruling first. Opening one shows each
 * participant's turns side by side, round by round (position, constraints, alternatives, what
 * it proposed or accepted), its proposals, and — while it is open or escalated — where the
 * person rules: pick a proposal, or write a ruling.
 */
import { useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { Empty } from './Controls';
import type { DashboardDebate, DashboardDebateDetail } from '../../src/protocol/webview';
import { debates, openDebate, openDebateId, pendingRulings, rule, showDebate } from './state';

const statusText: Record<DashboardDebate['status'], string> = { escalated: 'awaiting your ruling', open: 'open', resolved: 'agreed', decided: 'decided' };
const statusIcon: Record<DashboardDebate['status'], string> = { escalated: 'law', open: 'comment-discussion', resolved: 'pass', decided: 'check-all' };

export function Debates(): JSX.Element {
  if (openDebateId.value !== null) return <DebatePage />;
  if (debates.value.length === 0) {
    return (
      <Empty icon="comment-discussion" title="No debates.">
        When agents disagree (<code>mesh_debate</code>), their debate appears here, and comes to you if they cannot agree.
      </Empty>
    );
  }
  return (
    <ul class="debates">
      {debates.value.map((d) => (
        <li key={d.id} class={`debate ${d.status}`} data-debate-id={d.id}>
          <button class="link" onClick={() => showDebate(d.id)}>
            <i class={`codicon codicon-${statusIcon[d.status]}`} aria-hidden="true" /> <strong>{d.topic}</strong>
          </button>
          <span class="muted">#{d.id} · {statusText[d.status]} · round {d.round}/{d.maxRounds} · {d.participants.join(', ')}</span>
          {d.status === 'open' && d.awaiting.length > 0 && <span class="muted"> · waiting for {d.awaiting.join(', ')}</span>}
        </li>
      ))}
    </ul>
  );
}

function DebatePage(): JSX.Element {
  const d = openDebate.value;
  const [own, setOwn] = useState('');
  if (!d) {
    return (
      <>
        <button class="link" onClick={() => showDebate(null)}><i class="codicon codicon-arrow-left" aria-hidden="true" /> All debates</button>
        <p class="muted">Loading the debate…</p>
      </>
    );
  }
  const sending = [...pendingRulings.value.values()].includes(d.id);
  const canRule = d.status === 'escalated' || d.status === 'open';
  return (
    <article class="debate-page" data-debate-id={d.id}>
      <button class="link" onClick={() => showDebate(null)}><i class="codicon codicon-arrow-left" aria-hidden="true" /> All debates</button>
      <h2><i class={`codicon codicon-${statusIcon[d.status]}`} aria-hidden="true" /> {d.topic}</h2>
      <p class="muted">#{d.id} · {statusText[d.status]}{d.escalation ? ` (${escalationText[d.escalation]})` : ''} · round {d.round} of {d.maxRounds}</p>
      <Rounds debate={d} />
      <h3>Proposals</h3>
      <ol class="proposals">
        {d.proposals.map((p) => (
          <li key={p.n} value={p.n} data-proposal={p.n}>
            <span class="proposal-text">{p.text}</span> <span class="muted">— {p.peerName}, round {p.round}</span>
            {canRule && <button class="primary" disabled={sending} onClick={() => rule(d.id, { pick: p.n })}>Rule for {p.n}</button>}
          </li>
        ))}
      </ol>
      {d.ruling && <p class="ruling"><i class="codicon codicon-law" aria-hidden="true" /> Ruled by {d.ruling.byName}: {d.ruling.text}</p>}
      {canRule && (
        <form class="own-ruling" onSubmit={(event) => { event.preventDefault(); if (own.trim()) rule(d.id, { text: own.trim() }); }}>
          <label for="own-ruling">Or rule in your own words</label>
          <textarea id="own-ruling" rows={3} value={own} onInput={(event) => setOwn((event.currentTarget as HTMLTextAreaElement).value)} />
          <button type="submit" class="primary" disabled={sending || !own.trim()}>Rule</button>
        </form>
      )}
    </article>
  );
}

const escalationText = { rounds: 'no agreement after its rounds', idle: 'nobody answered', asked: 'a participant asked for you' } as const;

/** The turns side by side: a column per participant, a row per round. */
function Rounds({ debate }: { debate: DashboardDebateDetail }): JSX.Element {
  return (
    <table class="rounds">
      <thead><tr><th scope="col">Round</th>{debate.participants.map((name) => <th key={name} scope="col">{name}</th>)}</tr></thead>
      <tbody>
        {debate.rounds.map(({ round, turns }) => (
          <tr key={round}>
            <th scope="row">{round}</th>
            {debate.participants.map((name) => {
              const turn = turns.find((t) => t.peerName === name);
              return (
                <td key={name}>
                  {!turn ? <span class="muted">no turn</span> : (
                    <>
                      <p>{turn.position}</p>
                      {turn.constraints.length > 0 && <p class="muted">Must keep: {turn.constraints.join('; ')}</p>}
                      {turn.alternatives.length > 0 && <p class="muted">Alternatives: {turn.alternatives.join('; ')}</p>}
                      {turn.proposal !== null && <p><i class="codicon codicon-lightbulb" aria-hidden="true" /> proposes {turn.proposal}</p>}
                      {turn.accepts !== null && turn.proposal === null && <p><i class="codicon codicon-pass" aria-hidden="true" /> accepts {turn.accepts}</p>}
                    </>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
