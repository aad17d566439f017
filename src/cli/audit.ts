/**
 * `peermesh audit export`: the audit trail (who changed the plan, claimed and moved tasks; with
 * `--type`, any event the log keeps) as JSON lines or CSV, to stdout or a file. Read a page at
 * a time and written as it comes, so a long trail never sits in memory whole.
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { PeerClient } from '../client/peer';
import { plural } from '../core/plural';
import type { EventType } from '../protocol/entities';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { auditColumns, auditCsv, auditFormats, auditJsonLines, exportTypes, parseSince, type AuditEntry, type AuditFormat } from './audit-format';
import { defineCommand, option, type TableEntry } from './command-spec';
import { looking, print, withClient } from './run-command';

/** Where the export goes: stdout, or a file written beside its final name and renamed into place when complete. */
interface Sink {
  write(text: string): Promise<void>;
  /** Finishes the file (renamed into place) or, after a failure, removes what was written. */
  close(ok: boolean): Promise<void>;
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!text) return Promise.resolve();
  return new Promise((resolve, reject) => {
    // Waits for the stream to take it: a slow pipe (| less) holds the export back, not memory.
    stream.write(text, (e) => (e ? reject(e) : resolve()));
  });
}

/** The reader of stdout went away (`| head`): the export stops there, quietly, as a pipe's writer does. */
const readerGone = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';

function stdoutSink(): Sink {
  // Without a listener, a closed pipe's error event would end the process with a stack trace.
  const ignore = (e: unknown) => {
    if (!readerGone(e)) throw e;
  };
  process.stdout.on('error', ignore);
  return { write: (text) => write(process.stdout, text), close: async () => void process.stdout.off('error', ignore) };
}

async function fileSink(file: string): Promise<Sink> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const stream: WriteStream = createWriteStream(partial, { flags: 'wx' });
  await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', (e: NodeJS.ErrnoException) => {
    reject(new BrokerError('invalidInput', `--out: cannot write ${file}: ${e.code === 'ENOENT' ? 'there is no such folder' : e.code === 'EACCES' ? 'permission denied' : e.message}`));
  }));
  return {
    write: (text) => write(stream, text),
    async close(ok) {
      await new Promise<void>((resolve) => stream.end(resolve));
      if (ok) await fs.rename(partial, file);
      else await fs.rm(partial, { force: true });
    },
  };
}

/** Progress on stderr, only for a person watching a long export that is not going to their screen. */
function progress(toScreen: boolean): (count: number, done: boolean) => void {
  if (!process.stderr.isTTY || toScreen) return () => undefined;
  let shown = false;
  return (count, done) => {
    if (done) {
      if (shown) process.stderr.write('\r\x1b[K');
      return;
    }
    if (count < limits.page) return;
    shown = true;
    process.stderr.write(`\rexported ${count} events…`);
  };
}

/** Every entry after `since`, a page at a time, each page written as it arrives; returns how many. */
async function exportTrail(c: PeerClient, filter: { since: number; types?: EventType[] }, format: AuditFormat, sink: Sink, onPage: (count: number) => void): Promise<number> {
  const columns = auditColumns(filter.types);
  let after = 0;
  let count = 0;
  for (;;) {
    const { entries, cursor } = await c.request('events/audit', { since: filter.since, after, types: filter.types, limit: limits.page });
    const page: AuditEntry[] = entries;
    await sink.write(format === 'csv' ? auditCsv(page, columns, after === 0) : auditJsonLines(page));
    count += page.length;
    onPage(count);
    // The cursor stays put when nothing is left; a page may be short and still not the last.
    if (page.length === 0 || cursor <= after) return count;
    after = cursor;
  }
}

const auditExport = defineCommand({
  name: 'export',
  description: 'Write the audit trail: every plan change, task claim and status move with who did it (other events with --type), as JSON lines or CSV.',
  arguments: {},
  options: {
    since: option.text('--since <when>', 'only events since then: a duration back from now (2h, 7d) or an ISO date or time (2025-06-01, 2025-06-01T09:30Z)'),
    format: option.oneOf('--format <format>', 'jsonl: one JSON object a line; csv: seq, time, type, peer, peer_name, then a column per data field', auditFormats, 'jsonl'),
    out: option.text('--out <file>', 'write to this file (made whole, or not at all) instead of stdout'),
    type: option.text('--type <types>', 'these event types, comma-separated (task_* for every task_ type, all for every event); default the plan\'s: plan_*, task_*, contract_changed'),
  },
  examples: [
    'peermesh audit export --since 7d --format csv --out audit.csv',
    'peermesh audit export --type task_* --since 2025-06-01',
    'peermesh audit export --type all --since 1h',
  ],
  async run(ctx, _args, opts) {
    const since = opts.since === undefined ? 0 : parseSince(opts.since, Date.now());
    const types = exportTypes(opts.type);
    const out = opts.out === undefined ? undefined : path.resolve(opts.out);
    const sink = out === undefined ? stdoutSink() : await fileSink(out);
    const show = progress(out === undefined && process.stdout.isTTY === true);
    let ok = false;
    try {
      const count = await withClient(ctx, (c) => exportTrail(c, { since, types }, opts.format, sink, (n) => show(n, false)), looking);
      ok = true;
      show(count, true);
      if (out !== undefined) print(`exported ${plural(count, 'event')} to ${opts.out}`);
    } catch (e) {
      if (!(out === undefined && readerGone(e))) throw e;
    } finally {
      await sink.close(ok);
    }
  },
});

export const audit: TableEntry = {
  name: 'audit',
  description: 'The audit trail: who changed what in the mesh, and when.',
  subcommands: [auditExport],
};
