/**
 * The touch rule of contract drift: which plan contracts an edit touches, by file alone, or by
 * the symbol's lines now (per language a grammar reads); an edit outside the symbol, or of
 * another file, touches nothing.
 */
import assert from 'node:assert/strict';
import { touchedContracts } from '../../../src/core/contract-touch';
import type { LineSpan } from '../../../src/protocol/entities';
import type { Contract } from '../../../src/protocol/plan';

const root = '/repo';

const contract = (id: string, file: string | null, symbol: string | null = null): Contract => ({
  id, kind: 'api', name: id, file, symbol, spec: '', version: 1, status: 'approved', updatedAt: 0, updatedBy: null,
});

const span = (startLine: number, endLine: number): LineSpan => ({ startLine, endLine });

const touched = async (contracts: Contract[], rel: string, spans: LineSpan[], text: string | null = null) =>
  (await touchedContracts(contracts, root, rel, spans, () => text)).map((t) => [t.contract.id, t.symbolLines && [t.symbolLines.startLine, t.symbolLines.endLine]]);

const sources: Record<string, { file: string; text: string; symbol: string; inside: number; outside: number; lines: [number, number] }> = {
  TypeScript: { file: 'src/auth.ts', text: 'export class Auth {\n  refresh() {\n    return 1;\n  }\n}\n\nexport const other = 2;\n', symbol: 'Auth.refresh', inside: 3, outside: 7, lines: [2, 4] },
  Python: { file: 'auth.py', text: 'class Auth:\n    def refresh(self):\n        return 1\n\nOTHER = 2\n', symbol: 'Auth.refresh', inside: 3, outside: 5, lines: [2, 3] },
  Go: { file: 'auth.go', text: 'package a\n\nfunc (a *Auth) Refresh() int {\n\treturn 1\n}\n\nvar other = 2\n', symbol: 'Auth.Refresh', inside: 4, outside: 7, lines: [3, 5] },
  Rust: { file: 'auth.rs', text: 'impl Auth {\n    pub fn refresh(&self) -> i32 {\n        1\n    }\n}\n\nconst OTHER: i32 = 2;\n', symbol: 'Auth.refresh', inside: 3, outside: 7, lines: [2, 4] },
  Java: { file: 'Auth.java', text: 'class Auth {\n    int refresh() {\n        return 1;\n    }\n\n    int other = 2;\n}\n', symbol: 'Auth.refresh', inside: 3, outside: 6, lines: [2, 4] },
};

describe('core/contract-touch', () => {
  it('a contract with a file alone: any edit of that file, by path or glob; not another file, not a contract without a file', async () => {
    const cs = [contract('types', 'src/types.ts'), contract('api', 'src/api/**'), contract('none', null)];
    assert.deepEqual(await touched(cs, 'src/types.ts', [span(40, 41)]), [['types', null]]);
    assert.deepEqual(await touched(cs, 'src/api/login.ts', []), [['api', null]]);
    assert.deepEqual(await touched(cs, 'src/other.ts', [span(1, 1)]), []);
  });

  for (const [language, s] of Object.entries(sources)) {
    it(`${language}: an edit inside the symbol touches it; one outside does not`, async () => {
      const cs = [contract('c', s.file, s.symbol)];
      assert.deepEqual(await touched(cs, s.file, [span(s.inside, s.inside)], s.text), [['c', s.lines]]);
      assert.deepEqual(await touched(cs, s.file, [span(s.outside, s.outside)], s.text), []);
      assert.deepEqual(await touched(cs, s.file, [span(s.outside, s.outside), span(s.lines[1], s.lines[1] + 1)], s.text), [['c', s.lines]], 'one range of several overlaps');
    });
  }

  it('an edit whose lines are unknown (the whole file) touches the symbol when the file declares it', async () => {
    const s = sources.TypeScript;
    assert.deepEqual(await touched([contract('c', s.file, s.symbol)], s.file, [], s.text), [['c', [2, 4]]]);
  });

  it('a symbol the file does not declare touches nothing; one that cannot be looked for falls back to the file', async () => {
    const s = sources.TypeScript;
    assert.deepEqual(await touched([contract('c', s.file, 'Auth.gone')], s.file, [], s.text), []);
    assert.deepEqual(await touched([contract('c', s.file, s.symbol)], s.file, [span(1, 1)], null), [['c', null]], 'unreadable or deleted');
    assert.deepEqual(await touched([contract('c', 'main.c', 'refresh')], 'main.c', [span(1, 1)], 'int refresh() {}'), [['c', null]], 'a language it does not read');
  });

  it('reads the file once, and only when a symbol must be found', async () => {
    let reads = 0;
    const text = () => {
      reads++;
      return sources.TypeScript.text;
    };
    await touchedContracts([contract('a', 'src/auth.ts')], root, 'src/auth.ts', [], text);
    assert.equal(reads, 0);
    await touchedContracts([contract('a', 'src/auth.ts', 'Auth'), contract('b', 'src/auth.ts', 'other')], root, 'src/auth.ts', [], text);
    assert.equal(reads, 1);
  });
});
