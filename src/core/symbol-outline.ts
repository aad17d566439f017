/**
 * The named declarations of a syntax tree, each by its dotted name: the names of the
 * declarations it sits in (classes, interfaces, enums, namespaces, modules, structs, impls,
 * traits, and functions, for nested ones) and its own. Go methods sit in their receiver's type
 * (`Server.Handle`), Rust functions of `impl Foo` / `impl Trait for Foo` in `Foo`.
 *
 * A declaration's lines are its whole text, with what belongs to it around it: an `export`,
 * Python's decorators (tree-sitter wraps them around the definition), a `const x = () => …`
 * statement of one declarator, and the decorators, attributes and comments right above it with
 * no blank line between (doc comments, `@Override`, `#[derive]`): an edit of those is an edit
 * of the symbol.
 */
import type { Language, Node, Query } from '@vscode/tree-sitter-wasm';
import type { Grammar } from './symbol-parser';

/** A declaration: its dotted name and its lines (1-based, inclusive). */
export interface Declaration {
  name: string;
  startLine: number;
  endLine: number;
}

/** How a node of a grammar names a declaration; undefined: it is not one (or has no name). */
type Namer = (node: Node) => string | undefined;

const byName: Namer = (node) => node.childForFieldName('name')?.text;

/** `const f = () => …`, `let C = class {…}`, a class field holding a function. */
const holdingCode = new Set(['arrow_function', 'function_expression', 'function', 'generator_function', 'class']);
const byValue = (field: string): Namer => (node) => {
  const value = node.childForFieldName('value');
  return value && holdingCode.has(value.type) ? node.childForFieldName(field)?.text : undefined;
};

const script: Record<string, Namer> = {
  class_declaration: byName, abstract_class_declaration: byName, interface_declaration: byName,
  enum_declaration: byName, type_alias_declaration: byName, internal_module: byName,
  function_declaration: byName, generator_function_declaration: byName, function_signature: byName,
  method_definition: byName, method_signature: byName, abstract_method_signature: byName,
  variable_declarator: byValue('name'), public_field_definition: byValue('name'), field_definition: byValue('property'),
};

/** The type a Go method's receiver or a Rust impl is for, without pointer or type arguments. */
function typeName(node: Node | null): string | undefined {
  if (!node) return undefined;
  if (node.type === 'type_identifier') return node.text;
  if (node.type === 'generic_type' || node.type === 'scoped_type_identifier') {
    return typeName(node.childForFieldName('type') ?? node.childForFieldName('name'));
  }
  return typeName(node.descendantsOfType('type_identifier')[0] ?? null);
}

const declarations: Record<Grammar, Record<string, Namer>> = {
  typescript: script,
  tsx: script,
  javascript: script,
  python: { class_definition: byName, function_definition: byName },
  go: {
    function_declaration: byName,
    method_declaration: (node) => {
      const name = byName(node);
      const receiver = typeName(node.childForFieldName('receiver'));
      return name && (receiver ? `${receiver}.${name}` : name);
    },
    type_spec: byName, type_alias: byName,
  },
  rust: {
    function_item: byName, function_signature_item: byName, struct_item: byName, enum_item: byName,
    union_item: byName, trait_item: byName, mod_item: byName, type_item: byName, macro_definition: byName,
    impl_item: (node) => typeName(node.childForFieldName('type')),
  },
  java: {
    class_declaration: byName, interface_declaration: byName, enum_declaration: byName, record_declaration: byName,
    annotation_type_declaration: byName, method_declaration: byName, constructor_declaration: byName,
  },
};

/** Nodes that wrap one declaration: its range is theirs. */
const wrappers = new Set(['export_statement', 'decorated_definition', 'lexical_declaration', 'variable_declaration', 'type_declaration']);

/** What may sit right above a declaration and belongs to it. */
const leading = new Set(['comment', 'line_comment', 'block_comment', 'decorator', 'attribute_item', 'annotation']);

/** Each grammar's query for the node types that may be declarations, made once per language. */
const queries = new WeakMap<Language, Query>();

/** Compiles a query (the runtime's `Query`, which this module does not load). */
export type QueryMaker = (language: Language, source: string) => Query;

function declarationQuery(grammar: Grammar, language: Language, newQuery: QueryMaker): Query {
  let query = queries.get(language);
  if (!query) {
    // Only the types this grammar has: a query naming another grammar's type does not compile.
    const types = Object.keys(declarations[grammar]).filter((type) => language.idForNodeType(type, true) !== null);
    query = newQuery(language, `[${types.map((type) => `(${type})`).join(' ')}] @declaration`);
    queries.set(language, query);
  }
  return query;
}

/**
 * Every named declaration in `root`, in document order (nested ones after their parent).
 *
 * A query finds the candidates inside the parser (a walk of every node from here would cost
 * more than the parse); each one's scope is the nearest declaration it sits in, and its lines
 * are its own and those of the comments, decorators and attributes right above it, or, when
 * it is alone in a wrapper (an `export`, a decorated definition, a one-declarator `const`), the
 * wrapper's with what sits above that.
 */
export function outline(grammar: Grammar, root: Node, newQuery: QueryMaker): Declaration[] {
  const namers = declarations[grammar];
  const found: Declaration[] = [];
  const open: Array<{ name: string; endIndex: number }> = [];
  for (const { node } of declarationQuery(grammar, root.tree.language, newQuery).captures(root)) {
    const name = namers[node.type](node);
    if (!name) continue;
    while (open.length > 0 && node.startIndex >= open[open.length - 1].endIndex) open.pop();
    const full = open.length > 0 ? `${open[open.length - 1].name}.${name}` : name;
    found.push({ name: full, ...(wrappedLines(node) ?? linesOf(node)) });
    open.push({ name: full, endIndex: node.endIndex });
  }
  return found;
}

/** The lines of the outermost wrapper(s) `node` is alone in, or undefined when it is in none. */
function wrappedLines(node: Node): Lines | undefined {
  let outer: Node | undefined;
  for (let up = node.parent; up && wrappers.has(up.type) && aloneIn(up); up = up.parent) outer = up;
  return outer && linesOf(outer);
}

/** Whether `wrapper` holds one declaration (with its decorators and comments). */
function aloneIn(wrapper: Node): boolean {
  return wrapper.namedChildren.filter((c) => c && !leading.has(c.type)).length === 1;
}

interface Lines {
  startLine: number;
  endLine: number;
}

/** The lines of `node` and of the comments, decorators and attributes right above it (its earlier named siblings). */
function linesOf(node: Node): Lines {
  let start = node.startPosition.row;
  for (let above = node.previousNamedSibling; above && leading.has(above.type) && lastRow(above) >= start - 1;) {
    const before = above.previousNamedSibling;
    // A comment at the end of the line above, after code, belongs to that code.
    if (before && lastRow(before) === above.startPosition.row) break;
    start = above.startPosition.row;
    above = before;
  }
  return { startLine: start + 1, endLine: lastRow(node) + 1 };
}

/** The last row of a node's text (0-based): one ending after a line break (a line comment may) ends on the line before. */
function lastRow(node: Node): number {
  const { startPosition: start, endPosition: end } = node;
  return end.column === 0 && end.row > start.row ? end.row - 1 : end.row;
}
