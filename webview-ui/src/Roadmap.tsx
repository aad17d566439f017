/**
 * The roadmap: phases as a vertical tree, each with its progress, its tasks (status, assignee,
 * what each waits for) and the contracts they touch (version and status). The current phase
 * (the first with work left) is open by default; what the person opens or closes is kept.
 */
import type { JSX } from 'preact';
import { kindLooks } from '../../src/core/kind-looks';
import type { DashboardContract, DashboardPhase, DashboardTask } from '../../src/protocol/webview';
import { Filters } from './Filters';
import { columnTitles, phaseOpen, plan, shownTasks, statusIcons } from './state';

export function Roadmap(): JSX.Element {
  const current = plan.value!.phases.find((phase) => phase.tasks.some((task) => task.status !== 'done'))?.id;
  const contracts = new Map(plan.value!.contracts.map((c) => [c.id, c]));
  const shown = new Set(shownTasks.value.map((task) => task.id));
  return (
    <>
      <Filters />
      <h2 class="plan-title">{plan.value!.title}</h2>
      <ol class="roadmap">
        {plan.value!.phases.map((phase) => (
          <Phase key={phase.id} phase={phase} open={phaseOpen.value[phase.id] ?? phase.id === current} tasks={phase.tasks.filter((t) => shown.has(t.id))} contracts={contracts} />
        ))}
      </ol>
    </>
  );
}

function Phase({ phase, open, tasks, contracts }: { phase: DashboardPhase; open: boolean; tasks: DashboardTask[]; contracts: Map<string, DashboardContract> }): JSX.Element {
  const done = phase.tasks.filter((task) => task.status === 'done').length;
  const percent = phase.tasks.length === 0 ? 100 : Math.round((done / phase.tasks.length) * 100);
  return (
    <li class="phase" data-phase-id={phase.id}>
      <details open={open} onToggle={(event) => {
        // Drawing it open fires a toggle too: only a change from what is shown is the person's.
        const now = (event.currentTarget as HTMLDetailsElement).open;
        if (now !== open) phaseOpen.value = { ...phaseOpen.value, [phase.id]: now };
      }}>
        <summary>
          <i class="codicon codicon-chevron-right chevron" aria-hidden="true" />
          <span class="phase-title">{phase.title}</span>
          <span class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={phase.tasks.length} aria-valuenow={done} aria-label={`${done} of ${phase.tasks.length} done`}>
            <span class="bar" style={{ width: `${percent}%` }} />
          </span>
          <span class="muted">{done}/{phase.tasks.length} done</span>
        </summary>
        <ul class="tasks">
          {tasks.map((task) => (
            <li key={task.id} class={`task ${task.status}`} data-task-id={task.id}>
              <i class={`codicon codicon-${statusIcons[task.status]}`} title={columnTitles[task.status]} role="img" aria-label={columnTitles[task.status]} />
              <span class="title">{task.title}</span>
              {task.assignee && <span class="assignee"><i class={`codicon codicon-${task.assignee.kind ? kindLooks[task.assignee.kind].icon : 'account'}`} aria-hidden="true" /> {task.assignee.name}</span>}
              {task.waitingFor.length > 0 && <span class="flag waiting"><i class="codicon codicon-clock" aria-hidden="true" /> waits for {task.waitingFor.join(', ')}</span>}
              {task.contracts.map((id) => {
                const contract = contracts.get(id);
                return <span key={id} class={`contract ${contract?.status ?? ''}`}><i class="codicon codicon-symbol-interface" aria-hidden="true" /> {contract ? `${contract.name} v${contract.version} · ${contract.status}` : id}</span>;
              })}
            </li>
          ))}
          {tasks.length === 0 && <li class="muted">No tasks here match the filters.</li>}
        </ul>
      </details>
    </li>
  );
}
