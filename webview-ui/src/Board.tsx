/**
 * The Kanban board: a column per status, a card per task. A card moves by dragging it to
 * another column, or from the keyboard: focus it (Tab) and press Alt+→ / Alt+← for the next or
 * previous column. The card moves at once; the host's answer keeps it there or puts it back
 * with the reason, and both are read out (the live region in App).
 */
import { Component, type JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { kindLooks } from '../../src/core/kind-looks';
import type { TaskStatus } from '../../src/protocol/plan';
import type { DashboardTask } from '../../src/protocol/webview';
import { Filters } from './Filters';
import { columns, columnTitles, focusAfterRender, moveCard, pendingMoves, shownTasks, statusIcons } from './state';

export function Board(): JSX.Element {
  const board = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const id = focusAfterRender.taskId;
    if (!id) return;
    board.current?.querySelector<HTMLElement>(`[data-task-id="${CSS.escape(id)}"]`)?.focus();
    focusAfterRender.taskId = undefined;
  });
  return (
    <>
      <Filters />
      <p id="card-keys" class="visually-hidden">Alt+Right or Alt+Left moves the card to the next or previous column.</p>
      <div class="board" ref={board}>
        {columns.map((status) => <Column key={status} status={status} tasks={shownTasks.value.filter((t) => t.status === status)} />)}
      </div>
    </>
  );
}

function Column({ status, tasks }: { status: TaskStatus; tasks: DashboardTask[] }): JSX.Element {
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    (event.currentTarget as HTMLElement).classList.remove('drop-target');
    const id = event.dataTransfer?.getData('application/x-peermesh-task');
    const task = shownTasks.value.find((t) => t.id === id);
    if (task) moveCard(task, status);
  };
  return (
    <section class={`column ${status}`} data-status={status} aria-label={`${columnTitles[status]}, ${tasks.length} tasks`}
      onDragOver={(event) => { event.preventDefault(); (event.currentTarget as HTMLElement).classList.add('drop-target'); }}
      onDragLeave={(event) => (event.currentTarget as HTMLElement).classList.remove('drop-target')}
      onDrop={onDrop}>
      <h3><i class={`codicon codicon-${statusIcons[status]}`} aria-hidden="true" /> {columnTitles[status]} <span class="count">{tasks.length}</span></h3>
      <div role="list" class="cards">
        {tasks.map((task) => <Card key={task.id} task={task} pending={pendingMoves.value.has(task.id)} />)}
        {tasks.length === 0 && <p class="muted drop-hint">Drop a card here</p>}
      </div>
    </section>
  );
}

/**
 * One card. Drawn again only when its task or its pending state changes: an agent's move brings
 * the task that moved (`didChangeTasks`), the others keep their objects (state.ts), so one move
 * redraws one card, not five hundred.
 */
class Card extends Component<{ task: DashboardTask; pending: boolean }> {
  override shouldComponentUpdate(next: { task: DashboardTask; pending: boolean }): boolean {
    return next.task !== this.props.task || next.pending !== this.props.pending;
  }

  override render(): JSX.Element {
    return <CardBody task={this.props.task} pending={this.props.pending} />;
  }
}

function CardBody({ task, pending }: { task: DashboardTask; pending: boolean }): JSX.Element {
  const onKeyDown = (event: KeyboardEvent) => {
    if (!event.altKey || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
    event.preventDefault();
    const next = columns[columns.indexOf(task.status) + (event.key === 'ArrowRight' ? 1 : -1)];
    if (!next) return;
    focusAfterRender.taskId = task.id;
    moveCard(task, next);
  };
  const shownFiles = task.files.slice(0, 2);
  return (
    <div role="listitem" tabIndex={0} draggable class={pending ? 'card pending' : 'card'} data-task-id={task.id}
      aria-describedby="card-keys" aria-busy={pending}
      onKeyDown={onKeyDown}
      onDragStart={(event) => event.dataTransfer?.setData('application/x-peermesh-task', task.id)}>
      <div class="title">{task.title}</div>
      <div class="meta">
        {task.assignee
          ? <span class="assignee"><i class={`codicon codicon-${task.assignee.kind ? kindLooks[task.assignee.kind].icon : 'account'}`} aria-hidden="true" /> {task.assignee.name}</span>
          : <span class="muted">unassigned</span>}
        <span class="muted id">{task.id}</span>
      </div>
      {shownFiles.length > 0 && (
        <div class="files muted"><i class="codicon codicon-file" aria-hidden="true" /> {shownFiles.join(', ')}{task.files.length > 2 && ` +${task.files.length - 2}`}</div>
      )}
      {task.waitingFor.length > 0 && <div class="flag waiting"><i class="codicon codicon-clock" aria-hidden="true" /> waits for {task.waitingFor.join(', ')}</div>}
      {task.overlaps.length > 0 && <div class="flag overlap"><i class="codicon codicon-lock" aria-hidden="true" /> claimed by {task.overlaps.join(', ')}</div>}
      {task.changedContracts.length > 0 && <div class="flag delta"><i class="codicon codicon-bell-dot" aria-hidden="true" /> contract changed: {task.changedContracts.join(', ')}</div>}
      {task.unackedDeltas.length > 0 && <div class="flag blocking"><i class="codicon codicon-error" aria-hidden="true" /> blocking {task.unackedDeltas.length === 1 ? 'delta' : 'deltas'} not acked: {task.unackedDeltas.map((id) => `#${id}`).join(', ')}</div>}
      {task.note && <div class="note muted">{task.note}</div>}
    </div>
  );
}
