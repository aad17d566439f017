import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BrokerError } from '../../../src/protocol/errors';
import { closeMatches, declarationsIn, resolveSymbol } from '../../../src/core/symbols';
import { grammarFor, syntaxParsers, textEdit } from '../../../src/core/symbol-parser';
import { seeded } from './reanchor-fixture';

const fixtures = path.join(__dirname, '../../fixtures/symbols');

/** One real source file per language, and what the tests expect of it. */
interface LanguageCase {
  file: string;
  /** A method of a class (dotted), with its lines (decorators / doc comments included). */
  method: { name: string; startLine: number; endLine: number };
  /** A function nested in a method, by its dotted name. */
  nested: { name: string; startLine: number; endLine: number };
  /** A top-level function: moved to the end of the file, then renamed. */
  moved: { name: string; startLine: number; endLine: number; renamed: string };
  /** A misspelling and the name it should suggest. */
  typo: [string, string];
  /** A line to replace with broken syntax, inside another symbol than `method`. */
  broken: { line: number; text: string };
}

const cases: LanguageCase[] = [
  {
    file: 'auth.ts',
    method: { name: 'AuthService.refresh', startLine: 29, endLine: 33 },
    nested: { name: 'AuthService.sign.salted', startLine: 36, endLine: 36 },
    moved: { name: 'parseConfig', startLine: 47, endLine: 50, renamed: 'readConfig' },
    typo: ['AuthService.refesh', 'AuthService.refresh'],
    broken: { line: 43, text: '    return `${new Date(' },
  },
  {
    file: 'cart.js',
    method: { name: 'Cart.add', startLine: 9, endLine: 12 },
    nested: { name: 'Cart.total.priceOf', startLine: 15, endLine: 17 },
    moved: { name: 'checkout', startLine: 26, endLine: 29, renamed: 'payFor' },
    typo: ['Cart.totl', 'Cart.total'],
    broken: { line: 23, text: '  return $${amount.toFixed(2)}`;{{' },
  },
  {
    file: 'config.py',
    method: { name: 'ConfigLoader.load', startLine: 12, endLine: 19 },
    nested: { name: 'ConfigLoader.load.strip_comment', startLine: 14, endLine: 15 },
    moved: { name: 'parse_config', startLine: 26, endLine: 28, renamed: 'read_config' },
    typo: ['ConfigLoader.relaod', 'ConfigLoader.reload'],
    broken: { line: 22, text: '        self.cache.pop(name, None' },
  },
  {
    file: 'server.go',
    method: { name: 'Server.Handle', startLine: 19, endLine: 26 },
    nested: { name: 'Server', startLine: 8, endLine: 12 },
    moved: { name: 'New', startLine: 32, endLine: 35, renamed: 'Make' },
    typo: ['Server.Handel', 'Server.Handle'],
    broken: { line: 29, text: '\treturn s.calls +' },
  },
  {
    file: 'store.rs',
    method: { name: 'Store.put', startLine: 19, endLine: 25 },
    nested: { name: 'Store.put.normalize', startLine: 21, endLine: 23 },
    moved: { name: 'parse_config', startLine: 35, endLine: 40, renamed: 'read_config' },
    typo: ['Store.pt', 'Store.put'],
    broken: { line: 30, text: '        self.reads += ;' },
  },
  {
    file: 'Inventory.java',
    method: { name: 'Inventory.add', startLine: 13, endLine: 17 },
    nested: { name: 'Inventory.Level.of', startLine: 28, endLine: 30 },
    moved: { name: 'Inventory.count', startLine: 19, endLine: 21, renamed: 'amount' },
    typo: ['Inventory.cont', 'Inventory.count'],
    broken: { line: 24, text: '        EMPTY,,' },
  },
];

function lines(text: string): string[] {
  return text.split('\n');
}

/** `text` with lines `startLine`..`endLine` cut out and put at the end. */
function moveToEnd(text: string, startLine: number, endLine: number): { text: string; startLine: number; endLine: number } {
  const all = lines(text.replace(/\n$/, ''));
  const block = all.splice(startLine - 1, endLine - startLine + 1);
  // Java's method must stay inside its class: it goes before the class's last brace.
  const at = all[all.length - 1] === '}' ? all.length - 1 : all.length;
  all.splice(at, 0, '', ...block);
  return { text: all.join('\n') + '\n', startLine: at + 2, endLine: at + 1 + block.length };
}

async function notFound(promise: Promise<unknown>): Promise<BrokerError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(BrokerError.is(e, 'notFound'), `expected notFound, got ${String(e)}`);
    return e;
  }
  assert.fail('expected notFound');
}

describe('core/symbols: symbols of a file by dotted name', () => {
  for (const c of cases) {
    describe(c.file, () => {
      const text = readFileSync(path.join(fixtures, c.file), 'utf8');
      const resolve = (name: string, body = text) => resolveSymbol(c.file, c.file, body, name);

      it('resolves a method by Class.method, with its doc comment and decorators', async () => {
        assert.deepEqual(await resolve(c.method.name), c.method);
      });

      it('resolves a nested declaration by its dotted path', async () => {
        assert.deepEqual(await resolve(c.nested.name), c.nested);
      });

      it('follows a symbol moved to the end of the file', async () => {
        const moved = moveToEnd(text, c.moved.startLine, c.moved.endLine);
        const found = await resolve(c.moved.name, moved.text);
        assert.deepEqual(found, { name: c.moved.name, startLine: moved.startLine, endLine: moved.endLine });
        assert.deepEqual(lines(moved.text).slice(found.startLine - 1, found.endLine), lines(text).slice(c.moved.startLine - 1, c.moved.endLine));
      });

      it('does not find a renamed symbol', async () => {
        const last = c.moved.name.split('.').pop()!;
        const renamed = text.replace(new RegExp(`\\b${last}\\b`, 'g'), c.moved.renamed);
        const e = await notFound(resolve(c.moved.name, renamed));
        assert.match(e.message, new RegExp(`no symbol ${c.moved.name.replace('.', '\\.')} in ${c.file}`));
        assert.ok(Array.isArray(e.data?.closeMatches));
      });

      it('still finds symbols in a file with a syntax error', async () => {
        const broken = lines(text);
        broken[c.broken.line - 1] = c.broken.text;
        const parsers = await syntaxParsers();
        await parsers.load(grammarFor(c.file)!);
        const tree = parsers.parse(grammarFor(c.file)!, broken.join('\n'));
        assert.ok(tree.rootNode.hasError, 'the broken text has a syntax error');
        tree.delete();
        assert.deepEqual(await resolve(c.method.name, broken.join('\n')), c.method);
      });

      it('names close matches for an unknown symbol, in the message and the data', async () => {
        const e = await notFound(resolve(c.typo[0]));
        assert.match(e.message, new RegExp(`close matches: .*${c.typo[1].replace('.', '\\.')}`));
        assert.equal((e.data?.closeMatches as string[])[0], c.typo[1]);
      });
    });
  }

  it('names a class, its methods and top-level code in TypeScript', async () => {
    const text = readFileSync(path.join(fixtures, 'auth.ts'), 'utf8');
    const names = (await declarationsIn('auth.ts', text))!.map((d) => d.name);
    assert.deepEqual(names, [
      'Token', 'Refresher', 'Scope', 'AuthService', 'AuthService.constructor', 'AuthService.login', 'AuthService.refresh',
      'AuthService.sign', 'AuthService.sign.salted', 'Audit', 'Audit.record', 'parseConfig', 'isExpired',
    ]);
  });

  it('a class spans its methods; a Rust type spans its impl blocks; a Go method sits in its receiver type', async () => {
    const ts = readFileSync(path.join(fixtures, 'auth.ts'), 'utf8');
    assert.deepEqual(await resolveSymbol('auth.ts', 'auth.ts', ts, 'AuthService'), { name: 'AuthService', startLine: 16, endLine: 39 });
    const rs = readFileSync(path.join(fixtures, 'store.rs'), 'utf8');
    assert.deepEqual(await resolveSymbol('store.rs', 'store.rs', rs, 'Store'), { name: 'Store', startLine: 3, endLine: 33 });
    const go = readFileSync(path.join(fixtures, 'server.go'), 'utf8');
    assert.deepEqual(await resolveSymbol('server.go', 'server.go', go, 'Server.Calls'), { name: 'Server.Calls', startLine: 28, endLine: 30 });
  });

  it('reads .tsx and .jsx with the tsx grammar', async () => {
    const tsx = 'export function Button(props: { label: string }) {\n  return <button>{props.label}</button>;\n}\n';
    assert.deepEqual(await resolveSymbol('b.tsx', 'b.tsx', tsx, 'Button'), { name: 'Button', startLine: 1, endLine: 3 });
    assert.deepEqual(await resolveSymbol('b.jsx', 'b.jsx', tsx.replace(': { label: string }', ''), 'Button'), { name: 'Button', startLine: 1, endLine: 3 });
  });

  it('a file in a language without a grammar is invalidInput naming the extensions', async () => {
    await assert.rejects(resolveSymbol('/w/notes.txt', 'notes.txt', 'hello', 'hello'), (e: unknown) =>
      BrokerError.is(e, 'invalidInput') && /\.ts .*\.py .*\.go .*\.rs .*\.java/.test(e.message) && /notes\.txt has \.txt/.test(e.message));
  });

  it('a name that cannot be a symbol is invalidInput', async () => {
    for (const bad of ['', 'a..b', 'two words', '.lead', 'x'.repeat(501)]) {
      await assert.rejects(resolveSymbol('a.ts', 'a.ts', 'function a() {}', bad), (e: unknown) => BrokerError.is(e, 'invalidInput'), bad);
    }
  });

  it('with no close match, the message names the top-level symbols', async () => {
    const text = readFileSync(path.join(fixtures, 'server.go'), 'utf8');
    const e = await notFound(resolveSymbol('server.go', 'server.go', text, 'Zebra'));
    assert.match(e.message, /it declares Server, Handler, New/);
    assert.deepEqual(e.data?.closeMatches, []);
  });

  it('closeMatches ranks the same last segment and small edits first', () => {
    assert.deepEqual(closeMatches(['A.refresh', 'B.refresh', 'refreshAll', 'zzz'], 'refresh'), ['A.refresh', 'B.refresh']);
    assert.deepEqual(closeMatches(['parse_config', 'parse_conf', 'other'], 'parse_configg'), ['parse_config', 'parse_conf']);
  });
});

describe('core/symbol-parser: an edit parsed from the last tree', () => {
  it('textEdit spans what changed, in rows and UTF-16 columns', () => {
    assert.equal(textEdit('same', 'same'), undefined);
    assert.deepEqual(textEdit('a\nbc\nd', 'a\nbXYc\nd'), {
      startIndex: 3, oldEndIndex: 3, newEndIndex: 5,
      startPosition: { row: 1, column: 1 }, oldEndPosition: { row: 1, column: 1 }, newEndPosition: { row: 1, column: 3 },
    });
    // Two lines removed: the old end is two rows down.
    assert.deepEqual(textEdit('x\n1\n2\ny', 'x\ny'), {
      startIndex: 2, oldEndIndex: 6, newEndIndex: 2,
      startPosition: { row: 1, column: 0 }, oldEndPosition: { row: 3, column: 0 }, newEndPosition: { row: 1, column: 0 },
    });
    // 😀 and 😃 share their high surrogate: the edit starts before it, not between the halves.
    const emoji = textEdit('a😀b', 'a😃b')!;
    assert.deepEqual([emoji.startIndex, emoji.oldEndIndex, emoji.newEndIndex], [1, 3, 3]);
  });

  it('finds the same declarations as a parse from nothing, through 60 seeded edits of each language', async () => {
    for (const file of ['auth.ts', 'cart.js', 'config.py', 'server.go', 'store.rs', 'Inventory.java']) {
      const random = seeded(file.length * 7919);
      let text = readFileSync(path.join(fixtures, file), 'utf8');
      const followed = `/followed/${file}`;
      await declarationsIn(followed, text);
      for (let round = 0; round < 60; round++) {
        const at = Math.floor(random() * text.length);
        const cut = Math.floor(random() * 40);
        const pieces = ['\n', '}', '{', '\n\n// note\n', 'x', '"', '😀', '\tdef f():\n\t\tpass\n', 'function g() { return 1; }\n'];
        text = text.slice(0, at) + (random() < 0.7 ? pieces[Math.floor(random() * pieces.length)] : '') + text.slice(at + cut);
        const fresh = await declarationsIn(`/fresh/${round}/${file}`, text);
        assert.deepEqual(await declarationsIn(followed, text), fresh, `${file}, edit ${round}`);
      }
    }
  });
});
