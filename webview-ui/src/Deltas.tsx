/**
 * The feed of context deltas, newest first: what each says, who pushed it, when; filterable
 * by kind and severity. A blocking delta shows who has acked it and who has not yet.
 */
import type { JSX } from 'preact';
import { Choice, Empty } from './Controls';
import type { DashboardDelta } from '../../src/protocol/webview';
import { deltaKindFilter, deltas, deltaSeverityFilter } from './state';

const kinds = ['discovery', 'contract_change', 'dependency', 'scope_change', 'decision'] as const satisfies readonly DashboardDelta['kind'][];
const severities = ['info', 'warning', 'blocking'] as const satisfies readonly DashboardDelta['severity'][];
const severityIcon: Record<DashboardDelta['severity'], string> = { info: 'info', warning: 'warning', blocking: 'error' };

export function Deltas(): JSX.Element {
  if (deltas.value.length === 0) {
    return (
      <Empty icon="megaphone" title="No deltas yet.">
        When an agent finds something out or changes a contract (<code>mesh_delta</code>), the agents it affects hear of it, and it shows here.
      </Empty>
    );
  }
  const shown = deltas.value.filter((d) => (deltaKindFilter.value === null || d.kind === deltaKindFilter.value) && (deltaSeverityFilter.value === null || d.severity === deltaSeverityFilter.value));
  return (
    <>
      <div class="filters">
        <Choice label="Kind" value={deltaKindFilter} all="all" options={kinds.map((k) => [k, k.replace('_', ' ')] as const)} />
        <Choice label="Severity" value={deltaSeverityFilter} all="all" options={severities.map((s) => [s, s] as const)} />
      </div>
      <ul class="deltas">
        {shown.map((d) => <Delta key={d.id} delta={d} />)}
        {shown.length === 0 && <li class="muted">No deltas match the filters.</li>}
      </ul>
    </>
  );
}

function Delta({ delta: d }: { delta: DashboardDelta }): JSX.Element {
  const acked = d.recipients.filter((r) => r.acked).map((r) => r.name);
  const waiting = d.recipients.filter((r) => !r.acked).map((r) => r.name);
  return (
    <li class={`delta ${d.severity}`} data-delta-id={d.id}>
      <div>
        <i class={`codicon codicon-${severityIcon[d.severity]}`} role="img" aria-label={d.severity} /> <strong>{d.summary}</strong>
      </div>
      <div class="muted">#{d.id} · {d.kind.replace('_', ' ')} · {d.severity} · by {d.authorName} · <time dateTime={new Date(d.createdAt).toISOString()}>{ago(d.createdAt)}</time></div>
      {d.severity === 'blocking' && (
        <div class="acks">
          {waiting.length > 0 && <span class="not-acked"><i class="codicon codicon-circle-large-outline" aria-hidden="true" /> not acked yet: {waiting.join(', ')}</span>}
          {acked.length > 0 && <span class="acked"><i class="codicon codicon-check" aria-hidden="true" /> acked: {acked.join(', ')}</span>}
        </div>
      )}
    </li>
  );
}

function ago(at: number): string {
  const s = Math.max(0, Math.round((Date.now() - at) / 1000));
  return s < 60 ? 'just now' : s < 3600 ? `${Math.floor(s / 60)}m ago` : s < 86_400 ? `${Math.floor(s / 3600)}h ago` : `${Math.floor(s / 86_400)}d ago`;
}
