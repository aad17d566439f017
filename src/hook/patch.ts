/**
 * Codex's apply_patch text, read into one {@link FileEdit} per file. Codex sends the raw patch as
 * `tool_input.command` on PreToolUse/PostToolUse for `apply_patch`:
 *
 *     *** Begin Patch
 *     *** Update File: src/app.ts
 *     *** Move to: src/main.ts        (optional)
 *     @@ function main                (optional locating hint)
 *      context
 *     -removed
 *     +added
 *     *** End of File                 (optional: the hunk ends the file)
 *     *** Add File: notes.md
 *     +a new line
 *     *** Delete File: old.txt
 *     *** End Patch
 *
 * Like Codex's own parser (codex-rs/apply-patch), marker lines may carry surrounding whitespace,
 * the first hunk of an update may omit its `@@` line, and an empty line inside a hunk is an empty
 * context line. Text before `*** Begin Patch` (a heredoc `apply_patch <<'EOF'`) is skipped.
 */
import path from 'node:path';
import type { FileEdit, PatchHunk } from './clients';

const begin = '*** Begin Patch';
const end = '*** End Patch';
const addFile = '*** Add File: ';
const deleteFile = '*** Delete File: ';
const updateFile = '*** Update File: ';
const moveTo = '*** Move to: ';
const endOfFile = '*** End of File';

/** Reads `text` into per-file edits, paths made absolute against `cwd`; `fail` throws. */
export function parseApplyPatch(text: string, cwd: string, fail: (message: string) => never): FileEdit[] {
  const lines = text.split(/\r?\n/);
  let i = lines.findIndex((line) => line.trim() === begin);
  if (i < 0) fail(`no "${begin}" line`);
  const edits: FileEdit[] = [];
  for (i += 1; i < lines.length; ) {
    const marker = lines[i].trim();
    if (marker === end) return edits;
    if (marker === '') { i += 1; continue; }
    const resolve = (p: string) => path.resolve(cwd, p.trim());
    if (marker.startsWith(addFile)) {
      const added: string[] = [];
      for (i += 1; i < lines.length && lines[i].startsWith('+'); i += 1) added.push(lines[i].slice(1));
      edits.push({ path: resolve(marker.slice(addFile.length)), kind: 'patch', op: 'add', hunks: [{ before: [], after: added }] });
    } else if (marker.startsWith(deleteFile)) {
      edits.push({ path: resolve(marker.slice(deleteFile.length)), kind: 'patch', op: 'delete', hunks: [] });
      i += 1;
    } else if (marker.startsWith(updateFile)) {
      const edit: FileEdit = { path: resolve(marker.slice(updateFile.length)), kind: 'patch', op: 'update', hunks: [] };
      i += 1;
      if (lines[i]?.trim().startsWith(moveTo)) {
        edit.moveTo = resolve(lines[i].trim().slice(moveTo.length));
        i += 1;
      }
      i = readHunks(lines, i, edit.hunks, fail);
      if (edit.hunks.length === 0) fail(`"${marker}" has no hunk`);
      edits.push(edit);
    } else {
      fail(`line ${i + 1} is not a patch header: ${JSON.stringify(marker.slice(0, 80))}`);
    }
  }
  return fail(`no "${end}" line`);
}

/** Reads the hunks of one update from `lines[start]` into `hunks`; returns the next header's index. */
function readHunks(lines: string[], start: number, hunks: PatchHunk[], fail: (message: string) => never): number {
  let hunk: PatchHunk | undefined;
  let i = start;
  for (; i < lines.length; i += 1) {
    const line = lines[i];
    const marker = line.trim();
    if (marker === endOfFile) {
      if (hunk) hunk.eof = true;
      continue;
    }
    if (marker.startsWith('*** ')) break;
    if (marker === '@@' || marker.startsWith('@@ ')) {
      hunk = { before: [], after: [] };
      const anchor = marker.slice(2).trim();
      if (anchor) hunk.anchor = anchor;
      hunks.push(hunk);
      continue;
    }
    if (!hunk) {
      hunk = { before: [], after: [] };
      hunks.push(hunk);
    }
    addHunkLine(hunk, line, i, fail);
  }
  return i;
}

function addHunkLine(hunk: PatchHunk, line: string, index: number, fail: (message: string) => never): void {
  const text = line.slice(1);
  switch (line[0]) {
    case ' ': hunk.before.push(text); hunk.after.push(text); return;
    case '-': hunk.before.push(text); return;
    case '+': hunk.after.push(text); return;
    case undefined: hunk.before.push(''); hunk.after.push(''); return;
    default: fail(`line ${index + 1} of a hunk starts with neither " ", "-" nor "+": ${JSON.stringify(line.slice(0, 80))}`);
  }
}
