import assert from 'node:assert/strict';
import { contentHash } from '../../../src/core/reanchor';
import type { Lock } from '../../../src/protocol/entities';
import { limits } from '../../../src/protocol/limits';
import { requests } from '../../../src/protocol/methods';
import type { TextChange } from '../../../src/protocol/requests/locks';
import { fitsInFrame, followedPaths, PendingEdits } from '../../../src/client/edit-reports';

function lock(id: number, path: string, lines?: [number, number], holder = 'p1'): Lock {
  return {
    id, path, root: '/', relPath: path.slice(1), holder, holderName: holder, reason: '',
    startLine: lines?.[0] ?? null, endLine: lines?.[1] ?? null, createdAt: 0, expiresAt: 1,
  };
}

/** An insertion of `text` at 0-based `line`, `character`. */
function insert(line: number, character: number, text: string): TextChange {
  return { range: { start: { line, character }, end: { line, character } }, text };
}

/** Checks `params` against the protocol's own schema, as the broker will. */
function valid(params: unknown): unknown {
  return requests['locks/fileChanged'].params.parse(params);
}

describe('which documents report their edits', () => {
  it('follows files with a ranged claim, anyone\'s, and not files claimed only whole', () => {
    const paths = followedPaths([
      lock(1, '/w/ranged.ts', [3, 5], 'agent'),
      lock(2, '/w/mine.ts', [1, 1], 'window'),
      lock(3, '/w/whole.ts'),
      lock(4, '/w/both.ts'),
      lock(5, '/w/both.ts', [7, 9]),
    ]);
    assert.deepEqual([...paths].sort(), ['/w/both.ts', '/w/mine.ts', '/w/ranged.ts']);
  });

  it('follows nothing when there are no claims', () => {
    assert.equal(followedPaths([]).size, 0);
  });
});

describe('the edits of a document, reported in batches', () => {
  const before = 'one\ntwo\nthree\n';
  const after = 'zero\none\ntwo\nthree\n';

  it('reports the collected changes, in order, from the hash it started from to the hash now', () => {
    const edits = new PendingEdits(contentHash(before));
    assert.equal(edits.isEmpty, true);
    edits.add([insert(0, 0, 'z')]);
    edits.add([insert(0, 1, 'ero'), insert(0, 4, '\n')]);
    assert.equal(edits.isEmpty, false);
    const report = edits.take('/w/a.ts', contentHash(after));
    assert.deepEqual(report, {
      path: '/w/a.ts',
      baseHash: contentHash(before),
      changes: [insert(0, 0, 'z'), insert(0, 1, 'ero'), insert(0, 4, '\n')],
      hash: contentHash(after),
    });
    valid(report);
    assert.equal(edits.isEmpty, true);
  });

  it('starts the next batch from the text the last one made', () => {
    const edits = new PendingEdits(contentHash(before));
    edits.add([insert(0, 0, 'zero\n')]);
    edits.take('/w/a.ts', contentHash(after));
    edits.add([insert(4, 0, 'four\n')]);
    const next = edits.take('/w/a.ts', contentHash(`${after}four\n`));
    assert.equal(next.baseHash, contentHash(after));
    assert.deepEqual(next.changes, [insert(4, 0, 'four\n')]);
  });

  it('keeps its own copy of the changes: a later batch does not grow an earlier report', () => {
    const edits = new PendingEdits(contentHash(before));
    edits.add([insert(0, 0, 'a')]);
    const first = edits.take('/w/a.ts', 'h1');
    edits.add([insert(0, 1, 'b')]);
    assert.deepEqual(first.changes, [insert(0, 0, 'a')]);
  });

  it('drops what is pending once the whole text was sent, and goes on from that text', () => {
    const edits = new PendingEdits(contentHash(before));
    edits.add([insert(0, 0, 'zero\n')]);
    edits.restart(contentHash(after));
    assert.equal(edits.isEmpty, true);
    assert.equal(edits.lastHash, contentHash(after));
    edits.add([insert(0, 0, 'x')]);
    assert.equal(edits.take('/w/a.ts', 'h2').baseHash, contentHash(after));
  });
});

describe('what fits in one request', () => {
  it('fits an ordinary report, and neither a text nor a batch of changes past the frame limit', () => {
    assert.equal(fitsInFrame({ path: '/w/a.ts', hash: 'h', baseHash: 'g', changes: [insert(0, 0, 'x')] }), true);
    const big = 'x'.repeat(limits.frameBytes);
    assert.equal(fitsInFrame({ path: '/w/a.ts', hash: 'h', text: big }), false);
    assert.equal(fitsInFrame({ path: '/w/a.ts', hash: 'h', baseHash: 'g', changes: [insert(0, 0, big)] }), false);
  });

  it('counts the bytes a text takes on the wire: escaped characters and multi-byte ones', () => {
    // Under the limit in characters, over it once quotes are escaped or characters encoded.
    const quotes = '"'.repeat(limits.frameBytes / 2 + 1);
    const accents = 'é'.repeat(limits.frameBytes / 2 + 1);
    assert.equal(fitsInFrame({ path: '/w/a.ts', hash: 'h', text: quotes }), false);
    assert.equal(fitsInFrame({ path: '/w/a.ts', hash: 'h', text: accents }), false);
  });
});
