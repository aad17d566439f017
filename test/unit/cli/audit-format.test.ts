/**
 * The audit export's formats: CSV columns from the protocol's event schemas, cells, quoting
 * (read back with csv-parse, of the same project as csv-stringify), JSON lines, and the
 * `--since` and `--type` flags. The command runs end to end in test/integration/cli-plan.test.ts.
 */
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { auditColumns, auditCsv, auditJsonLines, auditRecord, exportTypes, parseSince, parseTypes, type AuditEntry } from '../../../src/cli/audit-format';
import { MeshEvent, eventTypes } from '../../../src/protocol/entities';

const at = Date.UTC(2025, 5, 1, 9, 30);

const claimed: AuditEntry = {
  event: MeshEvent.parse({
    seq: 7, type: 'task_claimed', peer: 'p-1', at,
    data: { project: '/w/app', task: 'login-form', title: 'Login, "the" form\nsecond line', forced: '=HYPERLINK("x")', overlaps: 1 },
  }),
  peerName: 'alice',
};
const edited: AuditEntry = {
  event: MeshEvent.parse({
    seq: 8, type: 'file_edited', peer: null, at: at + 1000,
    data: { path: '/w/app/a.ts', root: '/w/app', relPath: 'a.ts', ranges: [{ startLine: 1, endLine: 2 }], tool: 'Edit' },
  }),
  peerName: null,
};

describe('audit export formats', () => {
  it('has the fixed columns, then each data field of the types asked for, once, in protocol order', () => {
    assert.deepEqual(auditColumns(['task_claimed', 'task_updated']), [
      'seq', 'time', 'type', 'peer', 'peer_name',
      'project', 'task', 'title', 'forced', 'overlaps', 'byName', 'status', 'previous', 'assignee', 'assigneeName', 'note',
    ]);
    // Every field of every type has a column, whatever happened to be exported.
    const all = auditColumns();
    for (const o of MeshEvent.options) for (const field of Object.keys(o.shape.data.shape)) assert.ok(all.includes(field), field);
    assert.deepEqual(auditColumns([]), all);
    assert.equal(new Set(all).size, all.length);
  });

  it('makes one record an event: text as it is, lists as JSON, absent fields empty', () => {
    assert.deepEqual(auditRecord(edited), {
      seq: '8', time: '2025-06-01T09:30:01.000Z', type: 'file_edited', peer: '', peer_name: '',
      path: '/w/app/a.ts', root: '/w/app', relPath: 'a.ts', ranges: '[{"startLine":1,"endLine":2}]', tool: 'Edit',
    });
  });

  it('writes CSV that reads back whole (quotes, commas, line breaks), with formulas defused', () => {
    const columns = auditColumns(['task_claimed', 'file_edited']);
    const text = auditCsv([claimed, edited], columns, true);
    const rows: Array<Record<string, string>> = parse(text, { columns: true });
    assert.equal(rows.length, 2);
    assert.deepEqual(Object.keys(rows[0]), columns);
    assert.equal(rows[0].title, 'Login, "the" form\nsecond line');
    assert.equal(rows[0].forced, '\'=HYPERLINK("x")', 'a spreadsheet does not run it');
    assert.deepEqual([rows[0].peer_name, rows[0].time, rows[1].peer, rows[1].tool, rows[1].task], ['alice', '2025-06-01T09:30:00.000Z', '', 'Edit', '']);
    // Later pages carry no header; an empty first page is the header alone.
    assert.equal(parse(auditCsv([edited], columns, false)).length, 1);
    assert.equal(auditCsv([], columns, true), `${columns.join(',')}\n`);
    assert.equal(auditCsv([], columns, false), '');
  });

  it('writes JSON lines: one object an event, with its time and its peer\'s name', () => {
    const lines = auditJsonLines([claimed, edited]).split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(JSON.parse(lines[0]), {
      seq: 7, time: '2025-06-01T09:30:00.000Z', type: 'task_claimed', peer: 'p-1', peerName: 'alice', data: claimed.event.data,
    });
    assert.equal(JSON.parse(lines[1]).peerName, null);
    assert.equal(auditJsonLines([]), '');
  });

  it('reads --since as a duration back from now or an ISO date or time', () => {
    const now = Date.UTC(2025, 5, 10, 12);
    assert.equal(parseSince('2h', now), now - 7_200_000);
    assert.equal(parseSince('7d', now), now - 7 * 86_400_000);
    assert.equal(parseSince('2025-06-01T09:30Z', now), at);
    assert.equal(parseSince('2025-06-01T11:30+02:00', now), at);
    assert.equal(parseSince('2025-06-01', now), new Date(2025, 5, 1).getTime(), 'a date alone is the start of that day, local time');
    assert.equal(parseSince('2025-06-01T09:30', now), new Date(2025, 5, 1, 9, 30).getTime());
    for (const bad of ['yesterday', '2', '2025-13-01', '2025-06-01T25:00', '06/01/2025', '']) {
      assert.throws(() => parseSince(bad, now), /^BrokerError: --since takes a duration back from now/, bad);
    }
  });

  it('reads --type as event types, task_* for a family, refusing unknown names', () => {
    assert.deepEqual(parseTypes('task_updated, plan_*'), ['plan_proposed', 'plan_changed', 'plan_rejected', 'task_updated']);
    assert.deepEqual(parseTypes('*'), [...eventTypes]);
    assert.throws(() => parseTypes('task_claimed,tasks'), /^BrokerError: --type: no event type "tasks"; there are peer_joined, /);
    assert.throws(() => parseTypes(' , '), /names no event type/);
    assert.deepEqual(parseTypes('all'), [...eventTypes]);
    assert.deepEqual(parseTypes(' ALL '), [...eventTypes]);
  });

  it('exports the plan\'s audit trail unless --type says otherwise, in columns of its own fields only', () => {
    const types = exportTypes(undefined);
    assert.deepEqual(types, [
      'plan_proposed', 'plan_changed', 'plan_rejected', 'task_claimed', 'task_updated', 'task_released', 'contract_changed',
      'delta_pushed', 'delta_acked', 'debate_started', 'debate_turn', 'debate_changed', 'sync_acquired', 'sync_released', 'sync_stalled',
    ]);
    const columns = auditColumns(types);
    // A terminal's arrival and departure (peer_joined, peer_status) are not in it, nor their columns.
    for (const other of ['resumed', 'connected', 'holderName', 'threadId']) assert.ok(!columns.includes(other), `no ${other} column`);
    assert.deepEqual(exportTypes('all'), [...eventTypes]);
    assert.deepEqual(exportTypes('task_claimed'), ['task_claimed']);
  });
});
