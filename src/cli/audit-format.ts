/**
 * The audit trail as files: JSON lines (one event each, as the broker keeps it) or CSV for a
 * spreadsheet. Generic over event types: the CSV has five fixed columns (seq, time, type, peer,
 * peer_name) and then one column per field of the events' data, taken from the protocol's own
 * event schemas for the types exported, so a type added to the protocol (debates, deltas,
 * landings) gets its columns without a change here, and the columns of an export depend on the
 * types asked for, never on which events happened to be in it. A field of the same name in two
 * types shares a column; the row's `type` says which it is.
 */
import { stringify } from 'csv-stringify/sync';
import { parseDuration } from '../core/duration';
import { auditTypes } from '../core/events';
import { printable } from '../core/printable';
import { MeshEvent, eventTypes, type EventType } from '../protocol/entities';
import { BrokerError } from '../protocol/errors';

/** One entry of `events/audit`. */
export interface AuditEntry {
  event: MeshEvent;
  /** The display name its peer had (or has); null for the broker's own events. */
  peerName: string | null;
}

export const auditFormats = ['jsonl', 'csv'] as const;
export type AuditFormat = (typeof auditFormats)[number];

const fixedColumns = ['seq', 'time', 'type', 'peer', 'peer_name'] as const;

/** Each event type's data fields, in the order its schema declares them. */
const dataFields: ReadonlyMap<EventType, readonly string[]> = new Map(
  MeshEvent.options.map((o) => [o.shape.type.value, Object.keys(o.shape.data.shape)]),
);

/** A data field's column: its own name, or `data.NAME` where that is a fixed column's. */
const columnOf = (field: string): string => ((fixedColumns as readonly string[]).includes(field) ? `data.${field}` : field);

/** The CSV's columns for events of `types` (all when none): the fixed ones, then each data field once, in protocol order. */
export function auditColumns(types?: readonly EventType[]): string[] {
  const wanted = new Set(types && types.length > 0 ? types : eventTypes);
  const fields = eventTypes.filter((t) => wanted.has(t)).flatMap((t) => dataFields.get(t) ?? []);
  return [...fixedColumns, ...new Set(fields.map(columnOf))];
}

/** A data value as one cell: text as it is, numbers and booleans as written, lists and objects as JSON, nothing as empty. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** One entry as a CSV record, by column. */
export function auditRecord(entry: AuditEntry): Record<string, string> {
  const { event } = entry;
  const record: Record<string, string> = {
    seq: String(event.seq), time: new Date(event.at).toISOString(), type: event.type, peer: event.peer ?? '', peer_name: entry.peerName ?? '',
  };
  for (const [field, value] of Object.entries(event.data)) record[columnOf(field)] = cell(value);
  return record;
}

/**
 * Entries as CSV text (RFC 4180 quoting by csv-stringify), with the header line when asked (the
 * first page of an export). Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
 * first: other peers' words can be anything) are written with a `'` before them.
 */
export function auditCsv(entries: readonly AuditEntry[], columns: readonly string[], header: boolean): string {
  if (entries.length === 0 && !header) return '';
  return stringify(entries.map(auditRecord), { header, columns: [...columns], escape_formulas: true });
}

/** Entries as JSON lines: `{ seq, time, type, peer, peerName, data }`, one an event. */
export function auditJsonLines(entries: readonly AuditEntry[]): string {
  return entries.map(({ event, peerName }) => JSON.stringify({
    seq: event.seq, time: new Date(event.at).toISOString(), type: event.type, peer: event.peer, peerName, data: event.data,
  }) + '\n').join('');
}

const isoDate = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `--since`: a duration back from `now` (`2h`, `7d`, `1d 12h`) or an ISO date or time
 * (`2025-06-01`, `2025-06-01T09:30`; local time unless it ends in `Z` or an offset), as epoch ms.
 */
export function parseSince(text: string, now: number): number {
  const ms = parseDuration(text);
  if (ms !== undefined) return Math.max(0, now - ms);
  const trimmed = text.trim();
  // A date alone is the start of that day here, as a date and time without a zone is.
  const at = isoDate.test(trimmed) ? Date.parse(trimmed.length === 10 ? `${trimmed}T00:00` : trimmed.replace(' ', 'T')) : NaN;
  if (Number.isFinite(at)) return Math.max(0, at);
  throw new BrokerError('invalidInput', `--since takes a duration back from now (2h, 7d, 1d 12h) or an ISO date or time (2025-06-01, 2025-06-01T09:30Z), not "${printable(text)}"`);
}

/**
 * The types an export holds: those `--type` names, else the plan's audit trail (plan, task and
 * contract events). Every event would bury the trail under each terminal command's arrival and
 * departure, and spread a CSV over a column for every field of every type; `--type all` asks for it.
 */
export function exportTypes(text: string | undefined): EventType[] {
  return text === undefined ? [...auditTypes] : parseTypes(text);
}

/**
 * `--type`: event types, comma-separated; `task_*` stands for every type that begins `task_`,
 * `all` for every type. Unknown names are refused, naming the types there are.
 */
export function parseTypes(text: string): EventType[] {
  if (text.trim().toLowerCase() === 'all') return [...eventTypes];
  const types = new Set<EventType>();
  for (const word of text.split(',').map((w) => w.trim()).filter(Boolean)) {
    const matches = word.endsWith('*') ? eventTypes.filter((t) => t.startsWith(word.slice(0, -1))) : eventTypes.filter((t) => t === word);
    if (matches.length === 0) throw new BrokerError('invalidInput', `--type: no event type "${printable(word)}"; there are ${eventTypes.join(', ')}`);
    matches.forEach((t) => types.add(t));
  }
  if (types.size === 0) throw new BrokerError('invalidInput', '--type names no event type');
  return eventTypes.filter((t) => types.has(t));
}
