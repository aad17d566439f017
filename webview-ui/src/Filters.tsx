/** Show only one peer's tasks, or one phase's: kept with the view's state. */
import type { JSX } from 'preact';
import { peerFilter, phaseFilter, plan, tasks } from './state';

export function Filters(): JSX.Element {
  const assignees = new Map(tasks.value.flatMap((task) => (task.assignee ? [[task.assignee.id, task.assignee.name] as const] : [])));
  return (
    <div class="filters">
      <label>
        Peer{' '}
        <select value={peerFilter.value ?? ''} onChange={(event) => { peerFilter.value = (event.currentTarget as HTMLSelectElement).value || null; }}>
          <option value="">everyone</option>
          {[...assignees].map(([id, name]) => <option key={id} value={id}>{name}</option>)}
        </select>
      </label>
      <label>
        Phase{' '}
        <select value={phaseFilter.value ?? ''} onChange={(event) => { phaseFilter.value = (event.currentTarget as HTMLSelectElement).value || null; }}>
          <option value="">all</option>
          {(plan.value?.phases ?? []).map((phase) => <option key={phase.id} value={phase.id}>{phase.title}</option>)}
        </select>
      </label>
    </div>
  );
}
