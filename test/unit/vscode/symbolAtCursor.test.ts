import assert from 'node:assert/strict';
import { bareName, symbolAt, type OutlineSymbol } from '../../../src/vscode/symbolAtCursor';

/** A document symbol on 0-based lines `start`..`end`. */
const sym = (name: string, start: number, end: number, children: OutlineSymbol[] = []): OutlineSymbol => ({
  name, range: { start: { line: start }, end: { line: end } }, children,
});

describe('the symbol at the cursor, from the editor\'s document symbols', () => {
  const outline = [
    sym('Token', 2, 6),
    sym('AuthService', 15, 38, [sym('login', 21, 26), sym('refresh', 28, 32), sym('sign', 34, 37, [sym('salted', 35, 35)])]),
    sym('parseConfig', 46, 49),
  ];

  it('is the innermost symbol holding the line, by its dotted name, with 1-based lines', () => {
    assert.deepEqual(symbolAt(outline, 30), { name: 'AuthService.refresh', startLine: 29, endLine: 33 });
    assert.deepEqual(symbolAt(outline, 35), { name: 'AuthService.sign.salted', startLine: 36, endLine: 36 });
    assert.deepEqual(symbolAt(outline, 17), { name: 'AuthService', startLine: 16, endLine: 39 });
    assert.deepEqual(symbolAt(outline, 46), { name: 'parseConfig', startLine: 47, endLine: 50 });
  });

  it('is none between symbols', () => {
    assert.equal(symbolAt(outline, 10), undefined);
    assert.equal(symbolAt([], 0), undefined);
  });

  it('brings language servers\' dressed-up names back to the declared ones', () => {
    assert.deepEqual(bareName('(*Server).Handle'), ['Server', 'Handle']);
    assert.deepEqual(bareName('(Server).Calls'), ['Server', 'Calls']);
    assert.deepEqual(bareName('impl Cache for Store'), ['Store']);
    assert.deepEqual(bareName('impl<T> Store<T>'), ['Store']);
    assert.deepEqual(bareName('add(String, int)'), ['add']);
    assert.deepEqual(bareName('refresh'), ['refresh']);
    assert.deepEqual(symbolAt([sym('(*Server).Handle', 18, 25)], 20), { name: 'Server.Handle', startLine: 19, endLine: 26 });
  });
});
