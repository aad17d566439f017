/**
 * The mesh as it happens, newest first: who joined, claimed, moved a task, pushed a delta —
 * and what the agents tell each other — filterable by peer and by type. One peer's comings and
 * goings in a row (each `peermesh` command comes back, works and goes: three events) are one
 * line, the newest, which opens to show the rest.
 */
import type { JSX } from 'preact';
import { Choice, Empty } from './Controls';
import type { EventType } from '../../src/protocol/entities';
import type { DashboardActivity } from '../../src/protocol/webview';
import { activity, activityPeerFilter, activityTypeFilter } from './state';

/** The codicon of an event, by the first word of its type. */
const icons: Record<string, string> = {
  peer: 'person', summary: 'note', message: 'mail', state: 'database', lock: 'lock', save: 'save', file: 'edit',
  plan: 'list-tree', task: 'tasklist', contract: 'symbol-interface', delta: 'megaphone', debate: 'comment-discussion', sync: 'git-merge',
};

export function Activity(): JSX.Element {
  if (activity.value.length === 0) {
    return (
      <Empty icon="pulse" title="Nothing has happened in the mesh yet.">
        Connect an agent: run <strong>PeerMesh: Set Up MCP for Other Agents…</strong>; what it does appears here.
      </Empty>
    );
  }
  const peers = new Map(activity.value.filter((a) => a.peer !== null).map((a) => [a.peer!, a.peerName]));
  const types = [...new Set(activity.value.map((a) => a.type))].sort();
  const shown = activity.value.filter((a) => (activityPeerFilter.value === null || a.peer === activityPeerFilter.value) && (activityTypeFilter.value === null || a.type === activityTypeFilter.value));
  return (
    <>
      <div class="filters">
        <Choice label="Peer" value={activityPeerFilter} all="everyone" options={[...peers]} />
        <Choice label="Type" value={activityTypeFilter} all="all" options={types.map((t) => [t, t.replace(/_/g, ' ')] as const)} />
      </div>
      <ol class="activity feed" reversed>
        {foldPresence(shown).map((run) => (run.length === 1 ? <Entry key={run[0].seq} entry={run[0]} /> : <PresenceRun key={run[0].seq} run={run} />))}
        {shown.length === 0 && <li class="muted">Nothing matches the filters.</li>}
      </ol>
    </>
  );
}

/** Events that only say a peer joined (or came back) or how it is now: working, idle, disconnected. Leaving is not one: it is said alone. */
const presence: ReadonlySet<EventType> = new Set(['peer_joined', 'peer_status']);

/** The feed in runs, each of one event or more (newest first): one peer's presence events in a row are one run, every other event is alone. */
function foldPresence(feed: readonly DashboardActivity[]): [DashboardActivity, ...DashboardActivity[]][] {
  const runs: [DashboardActivity, ...DashboardActivity[]][] = [];
  for (const entry of feed) {
    const run = runs.at(-1);
    if (run && presence.has(run[0].type) && presence.has(entry.type) && run[0].peer === entry.peer) run.push(entry);
    else runs.push([entry]);
  }
  return runs;
}

function Entry({ entry: a }: { entry: DashboardActivity }): JSX.Element {
  return (
    <li class={`event ${a.type}`} data-seq={a.seq} data-type={a.type}>
      <Line entry={a} />
    </li>
  );
}

function PresenceRun({ run: [newest, ...earlier] }: { run: [DashboardActivity, ...DashboardActivity[]] }): JSX.Element {
  return (
    <li class={`event-run ${newest.type}`} data-seq={newest.seq} data-type={newest.type}>
      <details>
        <summary class="event">
          <Line entry={newest} more={`+${earlier.length} before`} />
        </summary>
        <ol class="activity">
          {earlier.map((a) => <Entry key={a.seq} entry={a} />)}
        </ol>
      </details>
    </li>
  );
}

function Line({ entry: a, more }: { entry: DashboardActivity; more?: string }): JSX.Element {
  return (
    <>
      <time class="muted" dateTime={new Date(a.at).toISOString()}>{new Date(a.at).toLocaleTimeString()}</time>
      <i class={`codicon codicon-${icons[a.type.split('_')[0]] ?? 'circle-small'}`} aria-hidden="true" />
      <span class="text">{a.text}{more && <span class="muted more"> · {more}</span>}</span>
    </>
  );
}
