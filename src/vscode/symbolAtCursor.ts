/**
 * The symbol at the cursor, from the editor's document symbols, free of `vscode` imports so it
 * is unit-tested in plain Node: the innermost symbol whose range holds the cursor's line, named
 * by the dotted path of the symbols it sits in (`AuthService.refresh`), the way the broker names
 * declarations (core/symbol-outline.ts). Language servers dress some names up: Go's methods come
 * as `(*Server).Handle`, Rust's impl blocks as `impl Cache for Store`, Java's methods with their
 * parameters; those are brought back to the bare names.
 */

/** What this needs of a `vscode.DocumentSymbol`: its name, its lines (0-based) and its children. */
export interface OutlineSymbol {
  readonly name: string;
  readonly range: { readonly start: { readonly line: number }; readonly end: { readonly line: number } };
  readonly children: readonly OutlineSymbol[];
}

/** A symbol found at the cursor: its dotted name and its lines (1-based, inclusive). */
export interface SymbolAtCursor {
  name: string;
  startLine: number;
  endLine: number;
}

/** The innermost symbol of `symbols` holding 0-based `line`, or undefined when none does. */
export function symbolAt(symbols: readonly OutlineSymbol[], line: number): SymbolAtCursor | undefined {
  let found: SymbolAtCursor | undefined;
  let level = symbols;
  const path: string[] = [];
  for (;;) {
    const holding = level.find((s) => s.range.start.line <= line && line <= s.range.end.line);
    if (!holding) return found;
    path.push(...bareName(holding.name));
    found = { name: path.join('.'), startLine: holding.range.start.line + 1, endLine: holding.range.end.line + 1 };
    level = holding.children;
  }
}

/** The name as declared: `(*Server).Handle` → Server, Handle; `impl Cache for Store` → Store; `add(String, int)` → add. */
export function bareName(name: string): string[] {
  const method = /^\(\*?([\w$]+)(?:\[[^\]]*\])?\)\.([\w$]+)$/.exec(name);
  if (method) return [method[1], method[2]];
  const impl = /^impl(?:<.*>)?\s+(?:.*\sfor\s+)?([\w$]+)/.exec(name);
  if (impl) return [impl[1]];
  return [name.replace(/\(.*$/s, '').trim()];
}
