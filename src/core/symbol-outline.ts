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
import type { Node, Point } from '@vscode/tree-sitter-wasm';
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

/**
 * Every named declaration in `root`, in document order (nested ones after their parent). One
 * walk of a tree cursor, which makes a node object only for the declarations and wrappers it
 * meets: tree-sitter finds a node's parent or previous sibling by searching from the root, and
 * a node object for every token would cost more than the parse.
 */
export function outline(grammar: Grammar, root: Node): Declaration[] {
  const namers = declarations[grammar];
  const found: Declaration[] = [];
  const cursor = root.walk();
  /** Walks the children of the cursor's node; `wrapped`: the lines of the wrapper(s) it is alone in, which the declaration in it spans. */
  const walk = (scope: string, wrapped?: Lines): void => {
    if (!cursor.gotoFirstChild()) return;
    const before: Sibling[] = [];
    do {
      if (!cursor.nodeIsNamed) continue;
      const type = cursor.nodeType;
      const here: Sibling = { type, start: cursor.startPosition.row, last: lastRow(cursor.startPosition, cursor.endPosition) };
      const name = Object.hasOwn(namers, type) ? namers[type](cursor.currentNode) : undefined;
      if (name) {
        const full = scope ? `${scope}.${name}` : name;
        found.push({ name: full, ...(wrapped ?? linesOf(before, here)) });
        walk(full);
      } else if (wrappers.has(type)) {
        // A wrapper of one declaration (with its decorators and comments) lends it its lines.
        const alone = cursor.currentNode.namedChildren.filter((c) => c && !leading.has(c.type)).length === 1;
        walk(scope, alone ? wrapped ?? linesOf(before, here) : undefined);
      } else {
        walk(scope);
      }
      before.push(here);
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };
  try {
    walk('');
  } finally {
    cursor.delete();
  }
  return found;
}

interface Lines {
  startLine: number;
  endLine: number;
}

/** A named node met on the walk: its type, first and last rows (0-based). */
interface Sibling {
  type: string;
  start: number;
  last: number;
}

/** The lines of `node` and of the comments, decorators and attributes right above it among `before` (its earlier siblings). */
function linesOf(before: readonly Sibling[], node: Sibling): Lines {
  let start = node.start;
  for (let j = before.length - 1; j >= 0 && leading.has(before[j].type) && before[j].last >= start - 1; j--) {
    // A comment at the end of the line above, after code, belongs to that code.
    if (j > 0 && before[j - 1].last === before[j].start) break;
    start = before[j].start;
  }
  return { startLine: start + 1, endLine: node.last + 1 };
}

/** The last row of a node's text (0-based): one ending after a line break (a line comment may) ends on the line before. */
function lastRow(start: Point, end: Point): number {
  return end.column === 0 && end.row > start.row ? end.row - 1 : end.row;
}
