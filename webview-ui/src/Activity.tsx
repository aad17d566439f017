/**
 * The mesh as it happens, newest first: who joined, claimed, moved a task, pushed a delta —
 * and what the agents tell each other — filterable by peer and by type.
 */
import type { JSX } from 'preact';
import { Choice, Empty } from './Controls';
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
      <ol class="activity" reversed>
        {shown.map((a) => <Entry key={a.seq} entry={a} />)}
        {shown.length === 0 && <li class="muted">Nothing matches the filters.</li>}
      </ol>
    </>
  );
}

function Entry({ entry: a }: { entry: DashboardActivity }): JSX.Element {
  return (
    <li class={`event ${a.type}`} data-seq={a.seq} data-type={a.type}>
      <time class="muted" dateTime={new Date(a.at).toISOString()}>{new Date(a.at).toLocaleTimeString()}</time>
      <i class={`codicon codicon-${icons[a.type.split('_')[0]] ?? 'circle-small'}`} aria-hidden="true" />
      <span class="text">{a.text}</span>
    </li>
  );
}
