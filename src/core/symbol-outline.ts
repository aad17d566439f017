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
import type { Node } from '@vscode/tree-sitter-wasm';
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

/** Every named declaration in `root`, in document order (nested ones after their parent). */
export function outline(grammar: Grammar, root: Node): Declaration[] {
  const namers = declarations[grammar];
  const found: Declaration[] = [];
  const walk = (node: Node, scope: string): void => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      const name = Object.hasOwn(namers, child.type) ? namers[child.type](child) : undefined;
      if (name) {
        const full = scope ? `${scope}.${name}` : name;
        found.push({ name: full, ...linesOf(outer(child)) });
        walk(child, full);
      } else {
        walk(child, scope);
      }
    }
  };
  walk(root, '');
  return found;
}

/** The node whose text is the whole declaration: `node` climbed through the wrappers it is alone in. */
function outer(node: Node): Node {
  let at = node;
  while (at.parent && wrappers.has(at.parent.type) && at.parent.namedChildren.filter((c) => c && !leading.has(c.type)).length === 1) at = at.parent;
  return at;
}

/** The lines of `node` and of the comments, decorators and attributes right above it. */
function linesOf(node: Node): { startLine: number; endLine: number } {
  let start = node.startPosition.row;
  for (let prev = node.previousNamedSibling; prev && leading.has(prev.type) && lastRow(prev) >= start - 1; prev = prev.previousNamedSibling) {
    // A comment at the end of the line above, after code, belongs to that code.
    const before = prev.previousNamedSibling;
    if (before && lastRow(before) === prev.startPosition.row) break;
    start = prev.startPosition.row;
  }
  return { startLine: start + 1, endLine: lastRow(node) + 1 };
}

/** The last row of `node`'s text (0-based): one ending after a line break (a line comment may) ends on the line before. */
function lastRow(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}
