/** Show only one peer's tasks, or one phase's: kept with the view's state. */
import type { JSX } from 'preact';
import { Choice } from './Controls';
import { peerFilter, phaseFilter, plan, tasks } from './state';

export function Filters(): JSX.Element {
  const assignees = new Map(tasks.value.flatMap((task) => (task.assignee ? [[task.assignee.id, task.assignee.name] as const] : [])));
  return (
    <div class="filters">
      <Choice label="Peer" value={peerFilter} all="everyone" options={[...assignees]} />
      <Choice label="Phase" value={phaseFilter} all="all" options={(plan.value?.phases ?? []).map((phase) => [phase.id, phase.title] as const)} />
    </div>
  );
}
