import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import * as z from 'zod';
import { requests } from '../../../src/protocol/methods';
import type { RequestSpec } from '../../../src/protocol/requests/spec';

// The request table is one file per domain (src/protocol/requests/<domain>.ts), merged in
// methods.ts. These tests hold that shape, so adding a method stays a change to one file.
const root = path.resolve(__dirname, '../../..');
const requestsDir = path.join(root, 'src/protocol/requests');
const domains = fs.readdirSync(requestsDir)
  .filter((f) => f.endsWith('.ts') && f !== 'spec.ts')
  .map((f) => f.slice(0, -'.ts'.length));

/** The request table a domain file exports (`<domain>Requests`). */
function domainTable(domain: string): Record<string, RequestSpec> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(requestsDir, domain)) as Record<string, unknown>;
  const table = mod[`${domain}Requests`];
  assert.ok(table && typeof table === 'object', `requests/${domain}.ts exports no ${domain}Requests table`);
  return table as Record<string, RequestSpec>;
}

describe('protocol: one request file per domain', () => {
  it('every spec carries its params, result and retry safety as data', () => {
    assert.equal(Object.keys(requests).length > 0, true);
    for (const [method, spec] of Object.entries(requests) as Array<[string, RequestSpec]>) {
      assert.ok(spec.params instanceof z.ZodType, `${method}: params is not a zod schema`);
      assert.ok(spec.result instanceof z.ZodType, `${method}: result is not a zod schema`);
      assert.ok(spec.retry === 'safe' || spec.retry === 'never' || typeof spec.retry === 'function', `${method}: retry is ${String(spec.retry)}`);
    }
  });

  it('each domain file holds only its own methods, and methods.ts merges every one of them', () => {
    assert.ok(domains.length >= 7, `domains: ${domains.join(', ')}`);
    const merged = new Map<string, string>();
    for (const domain of domains) {
      for (const [method, spec] of Object.entries(domainTable(domain))) {
        assert.ok(method.startsWith(`${domain}/`), `${method} is in requests/${domain}.ts`);
        assert.equal((requests as Record<string, RequestSpec>)[method], spec, `${method} is not merged into the requests table`);
        merged.set(method, domain);
      }
    }
    assert.deepEqual(Object.keys(requests).filter((m) => !merged.has(m)), [], 'methods declared outside requests/');
  });

  it('every request has its own JSDoc', () => {
    for (const domain of domains) {
      const file = path.join(requestsDir, `${domain}.ts`);
      const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      const undocumented: string[] = [];
      let seen = 0;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && node.expression.getText(source) === 'defineRequests') {
          const table = node.arguments[1];
          assert.ok(table && ts.isObjectLiteralExpression(table), `requests/${domain}.ts: defineRequests needs an object literal`);
          for (const prop of table.properties) {
            seen++;
            const docs = ts.getJSDocCommentsAndTags(prop).filter((d) => ts.isJSDoc(d) && (d.comment ?? '').length > 0);
            if (docs.length === 0) undocumented.push(prop.name?.getText(source) ?? '?');
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      assert.equal(seen, Object.keys(domainTable(domain)).length, `requests/${domain}.ts: one defineRequests table`);
      assert.deepEqual(undocumented, [], `requests/${domain}.ts: requests without JSDoc`);
    }
  });

  describe('the compiler rejects a malformed domain file', function () {
    this.timeout(30_000);
    const good = `  /** Releases every lock of the caller. */\n  'locks/releaseAll': { params: Ok, result: Ok, retry: 'never' },`;
    const probes = {
      wellFormed: good,
      otherDomain: `${good}\n  'state/clear': { params: Ok, result: Ok, retry: 'never' },`,
      noRetry: `  'locks/releaseAll': { params: Ok, result: Ok },`,
    };
    let errors: Record<keyof typeof probes, string[]>;

    // One program for all probes, each compiled as if it were src/protocol/requests/<probe>.ts.
    before(() => {
      const files = new Map(Object.entries(probes).map(([name, entries]) => [
        path.join(requestsDir, `${name}.ts`),
        `import type { z } from 'zod';\nimport { Ok, defineRequests } from './spec';\n` +
        `export const probeRequests = defineRequests('locks', {\n${entries}\n});\n` +
        `export const params: z.ZodType = probeRequests['locks/releaseAll'].params;\n`,
      ]));
      const options: ts.CompilerOptions = {
        strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [],
      };
      const host = ts.createCompilerHost(options);
      const { getSourceFile, fileExists, readFile } = host;
      const virtual = (name: string) => files.get(path.resolve(name));
      host.getSourceFile = (name, ...rest) => {
        const text = virtual(name);
        return text === undefined ? getSourceFile.call(host, name, ...rest) : ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true);
      };
      host.fileExists = (name) => virtual(name) !== undefined || fileExists.call(host, name);
      host.readFile = (name) => virtual(name) ?? readFile.call(host, name);
      const program = ts.createProgram([...files.keys()], options, host);
      errors = Object.fromEntries(Object.keys(probes).map((name) => [
        name,
        ts.getPreEmitDiagnostics(program, program.getSourceFile(path.join(requestsDir, `${name}.ts`)))
          .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
      ])) as typeof errors;
    });

    it('accepts a well-formed one', () => {
      assert.deepEqual(errors.wellFormed, []);
    });

    it('a method named after another domain', () => {
      assert.ok(errors.otherDomain.some((e) => e.includes('a locks request is named locks/')), errors.otherDomain.join('\n'));
    });

    it('a spec without retry safety', () => {
      assert.ok(errors.noRetry.some((e) => e.includes("'retry'")), errors.noRetry.join('\n'));
    });
  });
});
