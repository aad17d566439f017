import assert from 'node:assert/strict';
import { parseTarget } from '../../../src/cli/format';
import { BrokerError } from '../../../src/protocol/errors';

describe('cli/format parseTarget: a file, lines of it, or a symbol in it', () => {
  it('reads path, path:12, path:10-20 and path#Symbol', () => {
    assert.deepEqual(parseTarget('src/a.ts'), { path: 'src/a.ts' });
    assert.deepEqual(parseTarget('src/a.ts:12'), { path: 'src/a.ts', startLine: 12, endLine: 12 });
    assert.deepEqual(parseTarget('src/a.ts:10-20'), { path: 'src/a.ts', startLine: 10, endLine: 20 });
    assert.deepEqual(parseTarget('src/auth.ts#AuthService.refresh'), { path: 'src/auth.ts', symbol: 'AuthService.refresh' });
    assert.deepEqual(parseTarget('lib/config.py#parse_config'), { path: 'lib/config.py', symbol: 'parse_config' });
    assert.deepEqual(parseTarget('src/cart.js#Cart.#secret'), { path: 'src/cart.js', symbol: 'Cart.#secret' });
  });

  it('a # not followed by a dotted name is part of the path', () => {
    assert.deepEqual(parseTarget('notes/#draft#'), { path: 'notes/#draft#' });
    assert.deepEqual(parseTarget('a#b c'), { path: 'a#b c' });
  });

  it('a symbol without a file is refused like an empty path', () => {
    assert.throws(() => parseTarget('#AuthService'), (e: unknown) => BrokerError.is(e, 'invalidInput') && /the path is empty/.test(e.message));
  });
});
