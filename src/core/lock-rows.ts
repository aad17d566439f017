/** The `locks` table's rows, and the lock and event payloads made from them. */
import type { EventData, Lock } from '../protocol/entities';

export interface LockRow {
  id: number; path: string; root: string | null; rel_path: string; start_line: number | null;
  end_line: number | null; holder: string; holder_name: string; reason: string; created_at: number; expires_at: number;
  repo: string | null; anchor: string | null; anchor_lost: number; named_start: number | null; named_end: number | null;
  symbol: string | null; symbol_blocked: number;
}

/**
 * Whether `row` is the claim on exactly `span`: its lines now, or the lines its holder named
 * when it took it (the claim may have moved with its code since).
 */
export function claimsSpan(row: LockRow, span: { startLine: number | null; endLine: number | null; symbol?: string }): boolean {
  if (span.symbol !== undefined) return row.symbol === span.symbol;
  if (row.start_line === span.startLine && row.end_line === span.endLine) return true;
  return span.startLine !== null && row.named_start === span.startLine && row.named_end === span.endLine;
}

export function toLock(r: LockRow): Lock {
  return {
    id: r.id, path: r.path, root: r.root, relPath: r.rel_path, startLine: r.start_line, endLine: r.end_line,
    holder: r.holder, holderName: r.holder_name, reason: r.reason, createdAt: r.created_at, expiresAt: r.expires_at,
    ...(r.repo !== null && { repo: r.repo }),
    ...(r.anchor_lost !== 0 && { anchorLost: true }),
    ...(r.symbol !== null && { symbol: r.symbol }),
    ...(r.symbol_blocked !== 0 && { symbolBlocked: true }),
  };
}

/** What lock events carry: where, who, until when (the UI keeps badges from these). */
export function eventData(l: Lock): EventData<'lock_acquired'> {
  return {
    id: l.id, path: l.path, root: l.root, relPath: l.relPath, startLine: l.startLine, endLine: l.endLine,
    holder: l.holder, holderName: l.holderName, expiresAt: l.expiresAt,
    ...(l.symbol !== undefined && { symbol: l.symbol }),
  };
}
