/**
 * Where a named symbol is in a file's text now, found the simple way: its declaration line by
 * a regular expression per language, its end by the braces (or, in Python, the indentation)
 * that follow. Good enough to tell whether an edit touched a plan contract's function; it
 * does not parse, so a symbol declared by a macro, or braces inside a regex literal, can
 * mislead it. A dotted name (`AuthService.refresh`) is looked up part by part, each inside the
 * one before; in Go, `Type.Method` is the method with that receiver.
 */
import type { LineSpan } from '../protocol/entities';

export type SymbolLanguage = 'ts' | 'python' | 'go' | 'rust' | 'java';

const byExtension: Record<string, SymbolLanguage> = {
  ts: 'ts', tsx: 'ts', mts: 'ts', cts: 'ts', js: 'ts', jsx: 'ts', mjs: 'ts', cjs: 'ts',
  py: 'python', pyi: 'python', go: 'go', rs: 'rust', java: 'java',
};

/** The language the resolver reads a file as, by its extension; null for one it does not know. */
export function symbolLanguage(file: string): SymbolLanguage | null {
  const dot = file.lastIndexOf('.');
  return dot < 0 ? null : byExtension[file.slice(dot + 1).toLowerCase()] ?? null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The declaration of `name` in `lang`, as a regex over one line. */
function declaration(lang: SymbolLanguage, name: string): RegExp {
  const n = escape(name);
  switch (lang) {
    case 'ts': {
      const mods = '(?:(?:export|default|declare|abstract|public|private|protected|static|async|readonly|override|get|set)\\s+)*';
      return new RegExp(`^\\s*${mods}(?:(?:function\\*?|class|interface|type|enum|namespace|const|let|var)\\s+${n}\\b|\\*?${n}\\s*(?:<[^>]*>\\s*)?\\()`);
    }
    case 'python':
      return new RegExp(`^\\s*(?:async\\s+)?(?:def|class)\\s+${n}\\b`);
    case 'go':
      return new RegExp(`^\\s*(?:func\\s+(?:\\([^)]*\\)\\s*)?${n}\\s*[([]|type\\s+${n}\\b|(?:var|const)\\s+${n}\\b)`);
    case 'rust': {
      const mods = '(?:(?:pub(?:\\([^)]*\\))?|async|unsafe|const|extern\\s+"[^"]*")\\s+)*';
      return new RegExp(`^\\s*${mods}(?:fn|struct|enum|trait|type|mod|union)\\s+${n}\\b|^\\s*impl\\b[^{;]*?\\b${n}\\b(?:<[^>]*>)?\\s*(?:where\\b[^{]*)?\\{?\\s*$`);
    }
    case 'java': {
      const mods = '(?:(?:public|private|protected|static|final|abstract|synchronized|native|default|sealed|strictfp)\\s+)*';
      return new RegExp(`^\\s*${mods}(?:(?:class|interface|enum|record|@interface)\\s+${n}\\b|(?:<[^>]*>\\s+)?(?:[\\w.$<>\\[\\],?]+\\s+)?${n}\\s*\\()`);
    }
  }
}

/** Words that open a statement, never a declaration (`return foo(`, `new Foo(`). */
const notDeclarations = /^\s*(?:return|new|throw|await|yield|if|else|for|while|switch|case|do|typeof|delete|void)\b/;

/** A Go method `Type.Method`: its receiver names the type. */
function goMethod(type: string, name: string): RegExp {
  return new RegExp(`^func\\s*\\(\\s*(?:\\w+\\s+)?\\*?${escape(type)}\\b[^)]*\\)\\s*${escape(name)}\\s*[([]`);
}

/**
 * The lines (1-based) of `symbol` in `text` read as `lang`; null when it is not there. The
 * first match wins; for a dotted name, the first container that has the member.
 */
export function symbolSpan(text: string, symbol: string, lang: SymbolLanguage): LineSpan | null {
  const lines = text.split(/\r?\n/);
  const parts = symbol.split('.').map((p) => p.trim());
  if (parts.some((p) => !/^[\w$]+$/.test(p))) return null;
  if (lang === 'go' && parts.length === 2) {
    const found = findDeclaration(lines, goMethod(parts[0], parts[1]), 0, lines.length - 1, parts[1]);
    if (found !== null) return { startLine: found + 1, endLine: blockEnd(lines, found, lang) + 1 };
  }
  return within(lines, parts, lang, 0, lines.length - 1);
}

/** `parts` looked up from line `from` to `to` (0-based): each declaration of the first part in turn, until the rest is found inside one. */
function within(lines: readonly string[], parts: readonly string[], lang: SymbolLanguage, from: number, to: number): LineSpan | null {
  const re = declaration(lang, parts[0]);
  for (let at = findDeclaration(lines, re, from, to, parts[0]); at !== null; at = findDeclaration(lines, re, at + 1, to, parts[0])) {
    const end = Math.min(blockEnd(lines, at, lang), to);
    // The next part is a member: looked for after the declaration line, inside the block.
    const span = parts.length === 1 ? { startLine: at + 1, endLine: end + 1 } : within(lines, parts.slice(1), lang, at + 1, end);
    if (span) return span;
  }
  return null;
}

function findDeclaration(lines: readonly string[], re: RegExp, from: number, to: number, name: string): number | null {
  for (let i = from; i <= to; i++) if (re.test(lines[i]) && !notDeclarations.test(lines[i]) && !isCall(lines[i], name)) return i;
  return null;
}

/** `refresh();` or `refresh(a, b)` on a line of its own is a call, not a method declared. */
function isCall(line: string, name: string): boolean {
  const t = line.trim();
  return t.startsWith(`${name}(`) && /\)\s*;?$/.test(t);
}

/** The last line (0-based) of the block declared on line `at`. */
function blockEnd(lines: readonly string[], at: number, lang: SymbolLanguage): number {
  return lang === 'python' ? indentEnd(lines, at) : braceEnd(lines, at, lang === 'rust');
}

/**
 * Python: the lines after the header indented deeper than it (blank lines inside count; those
 * at the end do not). A header over several lines ends at its last bracket's close.
 */
function indentEnd(lines: readonly string[], at: number): number {
  const indent = (s: string) => s.length - s.trimStart().length;
  const own = indent(lines[at]);
  let i = at;
  let depth = 0;
  // The header: until its brackets close.
  for (; i < lines.length; i++) {
    for (const ch of lines[i]) depth += ch === '(' || ch === '[' ? 1 : ch === ')' || ch === ']' ? -1 : 0;
    if (depth <= 0) break;
  }
  let last = Math.min(i, lines.length - 1);
  for (let j = last + 1; j < lines.length; j++) {
    if (lines[j].trim() === '') continue;
    if (indent(lines[j]) <= own) break;
    last = j;
  }
  return last;
}

/**
 * Brace languages: from the declaration, the line where the first `{` closes again; the
 * declaration's own line when a `;` ends it before any `{` (an abstract method, a type alias
 * on one line). Strings and comments are skipped. A block that never closes (a syntax error)
 * runs to the end of the file: better too much than a touch missed.
 */
function braceEnd(lines: readonly string[], at: number, rust: boolean): number {
  let depth = 0;
  let opened = false;
  let inBlockComment = false;
  for (let i = at; i < lines.length; i++) {
    const line = lines[i];
    let quote: string | null = null;
    for (let c = 0; c < line.length; c++) {
      const ch = line[c];
      if (inBlockComment) {
        if (ch === '*' && line[c + 1] === '/') { inBlockComment = false; c++; }
        continue;
      }
      if (quote) {
        if (ch === '\\') c++;
        else if (ch === quote) quote = null;
        continue;
      }
      if (ch === '/' && line[c + 1] === '/') break;
      if (ch === '/' && line[c + 1] === '*') { inBlockComment = true; c++; continue; }
      if (ch === '"' || ch === '`' || (ch === '\'' && !(rust && isRustLifetime(line, c)))) { quote = ch; continue; }
      if (ch === '{') { depth++; opened = true; }
      else if (ch === '}') {
        depth--;
        if (opened && depth === 0) return i;
      } else if (ch === ';' && !opened && depth === 0) return i;
    }
  }
  return lines.length - 1;
}

/** `'a` in Rust is a lifetime, not a character literal (`'a'`, `'\n'`). */
function isRustLifetime(line: string, at: number): boolean {
  return /^'[A-Za-z_]/.test(line.slice(at, at + 2)) && line[at + 2] !== '\'';
}
