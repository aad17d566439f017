/**
 * What an editor tells the broker about edits of claimed files, so that ranged claims follow
 * their code before anything is saved (`locks/fileChanged`). The language server (src/lsp),
 * which every editor runs (the VS Code extension included), feeds it the editor's changes and
 * sends what it makes; unit-tested in plain Node.
 */
import type { Lock } from '../protocol/entities';
import { limits } from '../protocol/limits';
import type { RequestParams } from '../protocol/methods';
import type { TextChange } from '../protocol/requests/locks';

/** One report: the changes made since the last one, or the whole text. */
export type FileChangedParams = RequestParams<'locks/fileChanged'>;

/**
 * Real paths of the files that carry a ranged claim, anyone's (this window's too): only their
 * edits move anything. A whole-file claim has no lines to follow.
 */
export function followedPaths(locks: readonly Lock[]): Set<string> {
  return new Set(locks.filter((lock) => lock.startLine !== null).map((lock) => lock.path));
}

/** Room kept in a frame for the rest of the request: the JSON-RPC envelope, the method, `_meta`. */
const envelopeBytes = 4 * 1024;

/** Whether `params` can go in one request (the broker reads no frame over `limits.frameBytes`). */
export function fitsInFrame(params: FileChangedParams): boolean {
  return Buffer.byteLength(JSON.stringify(params)) <= limits.frameBytes - envelopeBytes;
}

/**
 * One document's edits not yet reported. The broker keys the texts it knows by content hash:
 * each report names the text its changes apply to (`baseHash`, the text the last report made)
 * and the text they make (`hash`), so it can tell a report it cannot apply (it asks for the
 * whole text) from one it has already seen (the same change, from the disk).
 */
export class PendingEdits {
  private changes: TextChange[] = [];

  /** @param last content hash of the document's text when it began to be followed */
  constructor(private last: string) {}

  /** The hash of the text the next report's changes start from. */
  get lastHash(): string {
    return this.last;
  }

  get isEmpty(): boolean {
    return this.changes.length === 0;
  }

  /** Adds the changes of one edit, in the order the editor applied them. */
  add(changes: readonly TextChange[]): void {
    this.changes.push(...changes);
  }

  /** The report of everything collected, which made a text hashing `hash`; the next batch starts from there. */
  take(path: string, hash: string): FileChangedParams {
    const report = { path, baseHash: this.last, changes: this.changes, hash };
    this.changes = [];
    this.last = hash;
    return report;
  }

  /** The whole text, hashing `hash`, went instead of the changes (or could not go): the next batch starts from it. */
  restart(hash: string): void {
    this.changes = [];
    this.last = hash;
  }
}
