/** The dashboard: tabs for the board, the roadmap and the peers, and a live region for what happened. */
import type { JSX } from 'preact';
import { Activity } from './Activity';
import { Board } from './Board';
import { Empty } from './Controls';
import { Debates } from './Debates';
import { Deltas } from './Deltas';
import { Peers } from './Peers';
import { Roadmap } from './Roadmap';
import { announcement, debates, deltas, loaded, peers, plan, tab, version, type Tab } from './state';

const tabs: Array<[Tab, string, string]> = [['board', 'Board', 'project'], ['roadmap', 'Roadmap', 'list-tree'], ['debates', 'Debates', 'comment-discussion'], ['deltas', 'Deltas', 'megaphone'], ['activity', 'Activity', 'pulse'], ['peers', 'Peers', 'organization']];

export function App(): JSX.Element {
  if (!loaded.value) return <p class="muted">Loading…</p>;
  return (
    <>
      <nav class="tabs" role="tablist" aria-label="Dashboard">
        {tabs.map(([id, title, icon]) => (
          <button key={id} role="tab" id={`tab-${id}`} aria-selected={tab.value === id} aria-controls={`panel-${id}`} class={tab.value === id ? 'tab selected' : 'tab'} onClick={() => { tab.value = id; }}>
            <i class={`codicon codicon-${icon}`} aria-hidden="true" /> {title}
            {id === 'peers' && <span class="count">{peers.value.length}</span>}
            {id === 'debates' && awaiting() > 0 && <span class="count attention" title="awaiting your ruling">{awaiting()}</span>}
            {id === 'deltas' && unacked() > 0 && <span class="count attention" title="blocking deltas not acked by everyone">{unacked()}</span>}
          </button>
        ))}
      </nav>
      <section role="tabpanel" id={`panel-${tab.value}`} aria-labelledby={`tab-${tab.value}`}>
        {tab.value === 'peers' ? <Peers /> : tab.value === 'debates' ? <Debates /> : tab.value === 'deltas' ? <Deltas /> : tab.value === 'activity' ? <Activity /> : !plan.value ? <NoPlan /> : tab.value === 'board' ? <Board /> : <Roadmap />}
      </section>
      <p class="announcement" role="status" aria-live="polite">{announcement.value}</p>
      <p class="muted version">PeerMesh {version.value}</p>
    </>
  );
}

/** Blocking deltas some recipient has not acked. */
const unacked = (): number => deltas.value.filter((d) => d.severity === 'blocking' && d.recipients.some((r) => !r.acked)).length;

/** Debates that wait for the person's ruling. */
const awaiting = (): number => debates.value.filter((d) => d.status === 'escalated').length;

function NoPlan(): JSX.Element {
  return (
    <Empty icon="list-tree" title="No plan for this project yet.">
      Run <strong>PeerMesh: Plan From Description…</strong> from the command palette, or <code>peermesh plan import plan.json</code>, and the phases and tasks appear here.
    </Empty>
  );
}
