import test from 'ava';
import { importEdges, packageNameOf, type ScannedFile, type WorkspaceProject } from '../src/workspace-graph.ts';

const projects: WorkspaceProject[] = [
  { name: '@strata/errors', packageName: '@strata/errors', root: 'packages/errors', tags: ['type:contract'] },
  { name: '@strata/cas', packageName: '@strata/cas', root: 'packages/cas', tags: ['type:lib'] },
  { name: '@strata/cas-testsuite', packageName: '@strata/cas-testsuite', root: 'packages/cas-testsuite', tags: ['type:lib'] },
  { name: 'bench', packageName: '@strata/benchmarks', root: 'benchmarks', tags: ['type:bench'] },
];

function file(project: string, path: string, specifiers: string[], computed: number[] = []): ScannedFile {
  return { project, file: path, imports: { specifiers: specifiers.map((specifier, i) => ({ specifier, line: i + 1 })), computed, errors: [] } };
}

test('bare specifiers name projects by package name, subpaths included; npm packages and builtins are no edge', (t) => {
  const { edges } = importEdges(projects, [
    file('@strata/cas', 'packages/cas/src/store.ts', ['@strata/errors', '@strata/errors/codes', 'node:fs', 'lmdb', '@strata/benchmarks', '@other/errors']),
  ]);
  t.deepEqual(
    edges.map((edge) => [edge.target, edge.kind, edge.file]),
    [
      ['@strata/errors', 'import', 'packages/cas/src/store.ts:1'],
      ['@strata/errors', 'import', 'packages/cas/src/store.ts:2'],
      ['bench', 'import', 'packages/cas/src/store.ts:5'],
    ],
  );
});

test('relative specifiers that leave the project become relative-import edges; inside it, none', (t) => {
  const { edges } = importEdges(projects, [
    file('@strata/cas', 'packages/cas/test/store.test.ts', ['../src/store.ts', '../../errors/src/codes.ts', '../../cas-testsuite/src/index.ts', '../../../outside.ts']),
  ]);
  t.deepEqual(
    edges.map((edge) => [edge.target, edge.kind]),
    [
      ['@strata/errors', 'relative-import'],
      ['@strata/cas-testsuite', 'relative-import'],
    ],
  );
});

test('a root that is a prefix of another root does not capture its files', (t) => {
  const { edges } = importEdges(projects, [file('@strata/errors', 'packages/errors/src/x.ts', ['../../cas-testsuite/src/y.ts'])]);
  t.deepEqual(
    edges.map((edge) => edge.target),
    ['@strata/cas-testsuite'],
  );
});

test('computed imports and parse errors become warnings', (t) => {
  const scanned = file('@strata/cas', 'packages/cas/src/plugins.ts', [], [7]);
  scanned.imports.errors.push('Unexpected token');
  const { edges, warnings } = importEdges(projects, [scanned]);
  t.deepEqual(edges, []);
  t.deepEqual(
    warnings.map((warning) => [warning.file, warning.line]),
    [
      ['packages/cas/src/plugins.ts', undefined],
      ['packages/cas/src/plugins.ts', 7],
    ],
  );
});

test('packageNameOf keeps the scope', (t) => {
  t.is(packageNameOf('@strata/cas/sub/path.ts'), '@strata/cas');
  t.is(packageNameOf('lmdb/dist/x.js'), 'lmdb');
  t.is(packageNameOf('node:fs'), 'node:fs');
});
