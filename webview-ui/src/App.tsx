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
      <nav class="tabs" role="tablist" aria-label="Dashboard" onKeyDown={onTabKey}>
        {tabs.map(([id, title, icon]) => (
          <button key={id} role="tab" id={`tab-${id}`} aria-selected={tab.value === id} aria-controls={tab.value === id ? `panel-${id}` : undefined}
            tabIndex={tab.value === id ? 0 : -1} class={tab.value === id ? 'tab selected' : 'tab'} onClick={() => { tab.value = id; }}>
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

/** ← / → (and Home / End) move between the tabs, as in any tab list; the focus follows. */
function onTabKey(event: KeyboardEvent): void {
  const at = tabs.findIndex(([id]) => id === tab.value);
  const to = event.key === 'ArrowRight' ? (at + 1) % tabs.length : event.key === 'ArrowLeft' ? (at + tabs.length - 1) % tabs.length
    : event.key === 'Home' ? 0 : event.key === 'End' ? tabs.length - 1 : -1;
  if (to < 0) return;
  event.preventDefault();
  tab.value = tabs[to][0];
  requestAnimationFrame(() => document.getElementById(`tab-${tabs[to][0]}`)?.focus());
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
