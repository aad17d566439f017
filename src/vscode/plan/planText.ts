/**
 * The plan in words, for the Plan view, its notifications and the proposal document: status
 * labels, overlap warnings, and a proposal's changes as Markdown with the fields that change.
 * Free of `vscode` imports, so it is unit-tested in plain Node.
 *
 * Titles, names and notes come from other peers and from language models: in Markdown they go
 * through {@link mdText}, which escapes every character Markdown or HTML would act on, so a
 * plan cannot put a link, an image or markup into the editor.
 */
import path from 'node:path';
import { isInside } from '../../core/paths';
import { printable } from '../../core/printable';
import type {
  Contract, ContractInput, Overlap, PlanChange, PlanInput, PlanView, Proposal, Task, TaskInput, TaskStatus,
} from '../../protocol/plan';

export const statusLabels: Record<TaskStatus, string> = {
  todo: 'to do',
  in_progress: 'in progress',
  review: 'in review',
  blocked: 'blocked',
  done: 'done',
};

/** Literal text in Markdown: one line, control characters shown escaped, markup characters escaped. */
export function mdText(text: string): string {
  return printable(text).replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, '\\$&');
}

/**
 * "bob holds a lock on src/api.ts; carol works on task login-form (web/**)": what a claim was
 * warned about, one clause per overlap, for a notification.
 */
export function describeOverlaps(overlaps: readonly Overlap[]): string {
  return overlaps.map((o) => (o.kind === 'lock'
    ? `${o.peerName} holds a lock on ${o.path}`
    : `${o.peerName} works on task ${o.task ?? '?'} (${o.path})`)).join('; ');
}

/**
 * The current plan as a plan input, for a language model that revises it: the same ids keep
 * what stays, so a proposal's changes are only the real ones.
 */
export function planAsInput(plan: PlanView): PlanInput {
  return {
    title: plan.title,
    description: plan.description,
    phases: plan.phases.map((p) => ({
      id: p.id, title: p.title, detail: p.detail,
      tasks: p.tasks.map((t) => ({ id: t.id, title: t.title, detail: t.detail, files: t.files, dependsOn: t.dependsOn, contracts: t.contracts })),
    })),
    contracts: plan.contracts.map((c) => ({ id: c.id, kind: c.kind, name: c.name, file: c.file, symbol: c.symbol, spec: c.spec })),
  };
}

type Item = { title?: string; name?: string; [field: string]: unknown };

/** One item of a plan input or view by kind and id, with its phase for tasks. */
function itemOf(plan: PlanInput | PlanView | undefined, what: PlanChange['what'], id: string): Item | undefined {
  if (!plan) return undefined;
  switch (what) {
    case 'plan': return { title: plan.title, description: plan.description };
    case 'phase': return plan.phases.find((p) => p.id === id) as Item | undefined;
    case 'task':
      for (const phase of plan.phases) {
        const task = (phase.tasks as Array<Task | TaskInput>).find((t) => t.id === id);
        if (task) return { ...task, phase: phase.id } as Item;
      }
      return undefined;
    case 'contract': return (plan.contracts as Array<Contract | ContractInput>).find((c) => c.id === id) as Item | undefined;
  }
}

/** How one changed field reads: lists by what they gain and lose, long text by "changed", the rest old → new. */
function fieldChange(field: string, before: unknown, after: unknown): string {
  if (Array.isArray(before) || Array.isArray(after)) {
    const was = new Set((before as string[] | undefined) ?? []);
    const now = new Set((after as string[] | undefined) ?? []);
    const gained = [...now].filter((x) => !was.has(x)).map((x) => `+${mdText(x)}`);
    const lost = [...was].filter((x) => !now.has(x)).map((x) => `−${mdText(x)}`);
    const order = gained.length + lost.length === 0 ? ['reordered'] : [];
    return `${field}: ${[...gained, ...lost, ...order].join(', ')}`;
  }
  if (field === 'detail' || field === 'spec' || field === 'description') return `${field} rewritten`;
  const show = (v: unknown) => (v === null || v === undefined || v === '' ? '(none)' : `“${mdText(String(v))}”`);
  return `${field}: ${show(before)} → ${show(after)}`;
}

const sections: Array<[PlanChange['change'], string]> = [['added', 'Added'], ['changed', 'Changed'], ['removed', 'Removed']];

/**
 * A proposal as a Markdown document: who proposed it and against which version, then what it
 * adds, changes (each field: old → new, lists as +gained −lost) and removes, with what a
 * removal costs ("in progress by bob: goes with it").
 */
export function proposalMarkdown(proposal: Proposal, current: PlanView | null): string {
  const count = (c: PlanChange['change']) => proposal.changes.filter((x) => x.change === c).length;
  const lines = [
    `# Proposal ${proposal.id}: ${mdText(proposal.plan.title)}`,
    '',
    `From **${mdText(proposal.authorName)}** (${sourceWords[proposal.source]}), against plan version ${proposal.baseVersion}`
      + (current && current.version !== proposal.baseVersion ? ` — the plan is at version ${current.version} now, so accepting it will fail: propose again` : '')
      + '.',
    '',
    `${count('added')} added · ${count('changed')} changed · ${count('removed')} removed`,
  ];
  if (proposal.changes.length === 0) lines.push('', 'Accepting it changes nothing.');
  for (const [change, heading] of sections) {
    const rows = proposal.changes.filter((c) => c.change === change);
    if (rows.length === 0) continue;
    lines.push('', `## ${heading}`, '');
    for (const row of rows) lines.push(`- ${changeLine(row, proposal.plan, current)}`);
  }
  return `${lines.join('\n')}\n`;
}

const sourceWords: Record<Proposal['source'], string> = {
  agent: 'written by an agent',
  sampling: "decomposed by an agent's model",
  editor: "decomposed by the editor's language model",
  file: 'imported from a plan file',
};

function changeLine(row: PlanChange, next: PlanInput, current: PlanView | null): string {
  const after = itemOf(next, row.what, row.id);
  const before = itemOf(current ?? undefined, row.what, row.id);
  const shown = after ?? before;
  const label = shown?.title ?? shown?.name;
  const head = row.what === 'plan' ? 'the plan' : `${row.what} \`${row.id}\`${label ? ` ${mdText(String(label))}` : ''}`;
  const parts = [head];
  if (row.change === 'added' && row.what === 'task' && after) {
    parts.push(`in phase \`${String(after.phase)}\``);
    const files = (after.files as string[] | undefined) ?? [];
    if (files.length > 0) parts.push(`files ${files.map(mdText).join(', ')}`);
  }
  if (row.change === 'changed') parts.push(row.fields.map((f) => fieldChange(f, before?.[f], after?.[f])).join('; '));
  if (row.note) parts.push(`*${mdText(row.note)}*`);
  return parts.join(' — ');
}

/** Characters that make a task's file a glob. */
export const globCharacters = /[*?[\]{}]/;

/**
 * Whether a task's file or glob stays inside the project `root`: an agent writes the plan, so
 * `../secrets` or an absolute path elsewhere is never opened on its word. A glob is judged by
 * its folder before the first glob character.
 */
export function insideProject(root: string, pattern: string): boolean {
  const base = globCharacters.test(pattern) ? pattern.slice(0, pattern.search(globCharacters)) : pattern;
  return isInside(path.resolve(root, base), root);
}
