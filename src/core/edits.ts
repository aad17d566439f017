/**
 * Who changed which lines. An agent's hook reports each edit after it happened, as a
 * `file_edited` event (path and line ranges, never contents); the event log is the record, so
 * it lives as long as the event retention and costs no table of its own. An edit that touches
 * a plan contract drafts a contract change for its peer (contract-drift.ts).
 */
import type { EventData, LineSpan } from '../protocol/entities';
import type { EditRecord } from '../protocol/requests/edits';
import { limits } from '../protocol/limits';
import type { EditsService } from './api';
import type { MeshContext } from './context';
import { draftOnEdit } from './contract-drift';
import type { FileAccess } from './files';
import { mergeSpans, normalizeTarget } from './paths';
import type { Peers } from './peers';

interface EditRow {
  seq: number; peer: string; at: number; data: string;
}

export class Edits implements EditsService {
  constructor(
    private readonly ctx: MeshContext,
    private readonly peers: Peers,
    private readonly files: FileAccess,
  ) {}

  async record(peerId: string, file: string, ranges: readonly LineSpan[], tool: string): Promise<void> {
    const spans = mergeSpans(ranges);
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, peerId);
      const { path, root, relPath } = normalizeTarget({ path: file }, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe);
      await t.emit('file_edited', peerId, { path, root, relPath, ranges: spans, tool });
      // An edit of a plan contract's file or symbol drafts a contract change for its peer.
      await draftOnEdit(t, peer, path, spans, this.files, this.ctx.clock.now());
    });
  }

  list(callerId: string, file: string, line: number | undefined, limit: number): Promise<EditRecord[]> {
    const n = Math.min(Math.max(1, Math.floor(limit) || 1), limits.page);
    return this.ctx.tx(async (t) => {
      const caller = await this.peers.requireIn(t, callerId);
      const { path } = normalizeTarget({ path: file }, caller.cwd ?? caller.workspace, caller.workspace, this.ctx.probe);
      // A line filter is applied after the query: ask for as many as a page may hold.
      const rows = await t.db.all<EditRow>(
        "SELECT seq, peer, at, data FROM events WHERE type = 'file_edited' AND json_extract(data, '$.path') = ? ORDER BY seq DESC LIMIT ?",
        [path, line === undefined ? n : limits.page],
      );
      const edits: EditRecord[] = [];
      for (const row of rows) {
        const data = JSON.parse(row.data) as EventData<'file_edited'>;
        if (line !== undefined && data.ranges.length > 0 && !data.ranges.some((r) => r.startLine <= line && line <= r.endLine)) continue;
        const peerName = (await this.peers.getIn(t, row.peer))?.name ?? row.peer;
        edits.push({ seq: row.seq, peer: row.peer, peerName, at: row.at, path: data.path, relPath: data.relPath, ranges: data.ranges, tool: data.tool });
        if (edits.length === n) break;
      }
      return edits;
    });
  }
}
