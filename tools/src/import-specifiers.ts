/**
 * The module specifiers a source file refers to, found by parsing it (oxc)
 * rather than by pattern matching, so that specifiers in strings and
 * comments are not mistaken for imports and type-only imports are not
 * missed: a type import is still a dependency for typecheck and for the
 * boundary rules.
 */
import { parseSync, Visitor } from 'oxc-parser';

export interface ImportSpecifier {
  specifier: string;
  /** 1-based line of the import. */
  line: number;
}

export interface FileImports {
  /** Specifiers written as string literals: static imports, re-exports, `import()`, `require()`, `import('x').T` types. */
  specifiers: ImportSpecifier[];
  /** `import()` or `require()` calls whose specifier is computed at run time; the line of each. */
  computed: number[];
  /** Parse errors, if the file is not valid TypeScript; its imports are then those oxc could recover. */
  errors: string[];
}

interface Span {
  start: number;
}

interface StringLiteral extends Span {
  type: 'Literal';
  value: unknown;
}

interface TemplateLiteral extends Span {
  type: 'TemplateLiteral';
  expressions: unknown[];
  quasis: Array<{ value: { cooked: string | null } }>;
}

type Expression = Span & { type: string };

/** Every import of `source` (TypeScript or JavaScript), named by `fileName` for the parser's dialect. */
export function findImports(fileName: string, source: string): FileImports {
  const result = parseSync(fileName, source);
  const lineStarts = lineStartOffsets(source);
  const specifiers: ImportSpecifier[] = [];
  const computed: number[] = [];

  const literal = (node: Expression | null | undefined): void => {
    const value = stringValue(node);
    if (node && value !== undefined) specifiers.push({ specifier: value, line: lineOf(lineStarts, node.start) });
  };
  const call = (node: Expression | null | undefined, at: Span): void => {
    if (stringValue(node) !== undefined) literal(node);
    else computed.push(lineOf(lineStarts, at.start));
  };

  new Visitor({
    ImportDeclaration: (node) => literal(node.source as Expression),
    ExportNamedDeclaration: (node) => literal(node.source as Expression | null),
    ExportAllDeclaration: (node) => literal(node.source as Expression),
    ImportExpression: (node) => call(node.source as Expression, node),
    TSImportType: (node) => literal((node as unknown as { source: Expression }).source),
    TSExternalModuleReference: (node) => literal(node.expression as Expression),
    CallExpression: (node) => {
      const callee = node.callee as { type: string; name?: string };
      if (callee.type === 'Identifier' && callee.name === 'require') call(node.arguments[0] as Expression | undefined, node);
    },
  }).visit(result.program);

  specifiers.sort((a, b) => a.line - b.line);
  return { specifiers, computed, errors: result.errors.map((error) => error.message) };
}

function stringValue(node: Expression | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'Literal') {
    const { value } = node as StringLiteral;
    return typeof value === 'string' ? value : undefined;
  }
  if (node.type === 'TemplateLiteral') {
    const template = node as TemplateLiteral;
    if (template.expressions.length === 0) return template.quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}

function lineStartOffsets(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}
