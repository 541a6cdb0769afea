import test from 'ava';
import {
  ALLOWED_DEPENDENCIES,
  checkBoundaries,
  type DependencyEdge,
  findCycles,
  PROJECT_TYPES,
  type ProjectNode,
  type ViolationKind,
} from '../src/boundary-rules.ts';

const projects: ProjectNode[] = [
  { name: 'errors', tags: ['npm:private', 'type:contract'] },
  { name: 'digest', tags: ['type:contract'] },
  { name: 'chunker', tags: ['type:lib'] },
  { name: 'cas', tags: ['type:lib'] },
  { name: 'cli', tags: ['type:app'] },
  { name: 'gateway', tags: ['type:app'] },
  { name: 'tools', tags: ['type:tool'] },
  { name: 'benchmarks', tags: ['type:bench'] },
];

function edge(source: string, target: string, kind: DependencyEdge['kind'] = 'import'): DependencyEdge {
  return { source, target, kind, file: `${source}/src/index.ts:1`, specifier: `@strata/${target}` };
}

function kinds(edges: DependencyEdge[], nodes: ProjectNode[] = projects): ViolationKind[] {
  return checkBoundaries({ projects: nodes, edges }).map((violation) => violation.kind);
}

test('the layered graph strata is built as has no violations', (t) => {
  const edges = [
    edge('digest', 'errors'),
    edge('chunker', 'errors'),
    edge('cas', 'chunker'),
    edge('cas', 'digest'),
    edge('cli', 'cas'),
    edge('gateway', 'digest'),
    edge('tools', 'chunker'),
    edge('benchmarks', 'cli'),
    edge('benchmarks', 'tools'),
    edge('cas', 'cas'),
  ];
  t.deepEqual(checkBoundaries({ projects, edges }), []);
});

test('every pair of types is allowed or forbidden as the rules table says', (t) => {
  for (const sourceType of PROJECT_TYPES) {
    for (const targetType of PROJECT_TYPES) {
      const nodes = [
        { name: 'a', tags: [`type:${sourceType}`] },
        { name: 'b', tags: [`type:${targetType}`] },
      ];
      const expected: ViolationKind[] = ALLOWED_DEPENDENCIES[sourceType].includes(targetType) ? [] : ['forbidden-dependency'];
      t.deepEqual(kinds([edge('a', 'b')], nodes), expected, `${sourceType} -> ${targetType}`);
    }
  }
});

test('contracts may not depend on libs, libs not on apps, nothing on an app but bench', (t) => {
  t.deepEqual(kinds([edge('errors', 'chunker')]), ['forbidden-dependency']);
  t.deepEqual(kinds([edge('cas', 'cli')]), ['forbidden-dependency']);
  t.deepEqual(kinds([edge('cli', 'gateway')]), ['forbidden-dependency']);
  t.deepEqual(kinds([edge('gateway', 'cli')]), ['forbidden-dependency']);
  t.deepEqual(kinds([edge('tools', 'cli')]), ['forbidden-dependency']);
  t.deepEqual(kinds([edge('cas', 'benchmarks')]), ['forbidden-dependency']);
  t.deepEqual(kinds([edge('benchmarks', 'gateway')]), []);
});

test('a forbidden dependency is one violation however many files show it, with every edge attached', (t) => {
  const edges = [edge('cas', 'cli'), { ...edge('cas', 'cli'), file: 'cas/src/other.ts:3' }, edge('cas', 'cli', 'declared')];
  const violations = checkBoundaries({ projects, edges });
  t.is(violations.length, 1);
  t.deepEqual(violations[0]!.projects, ['cas', 'cli']);
  t.is(violations[0]!.edges.length, 3);
});

test('declared and graph edges are held to the same rules as imports', (t) => {
  t.deepEqual(kinds([edge('chunker', 'cli', 'declared')]), ['forbidden-dependency']);
  t.deepEqual(kinds([edge('chunker', 'cli', 'graph')]), ['forbidden-dependency']);
});

test('a relative import into another project is a violation even where the layers allow it', (t) => {
  t.deepEqual(kinds([edge('cas', 'chunker', 'relative-import')]), ['relative-import']);
});

test('a cycle between allowed layers is found, in cycle order, with its edges', (t) => {
  const edges = [edge('cas', 'chunker'), edge('chunker', 'cas')];
  const violations = checkBoundaries({ projects, edges });
  t.deepEqual(
    violations.map((violation) => violation.kind),
    ['cycle'],
  );
  t.deepEqual(violations[0]!.projects, ['cas', 'chunker']);
  t.deepEqual(
    violations[0]!.edges.map((e) => [e.source, e.target]),
    [
      ['cas', 'chunker'],
      ['chunker', 'cas'],
    ],
  );
});

test('a cycle through test code or declarations counts too', (t) => {
  const edges = [edge('cas', 'chunker', 'declared'), { ...edge('chunker', 'cas'), file: 'chunker/test/x.test.ts:2' }];
  t.deepEqual(kinds(edges), ['cycle']);
});

test('findCycles reports one shortest cycle per strongly connected component', (t) => {
  const edges = [
    edge('a', 'b'),
    edge('b', 'c'),
    edge('c', 'a'),
    edge('b', 'a'),
    edge('x', 'y'),
    edge('y', 'z'),
    edge('z', 'x'),
    edge('c', 'x'),
    edge('q', 'q'),
  ];
  const found = findCycles(['a', 'b', 'c', 'x', 'y', 'z', 'q'], edges);
  t.deepEqual(
    found.map(({ component }) => [...component].sort()),
    [
      ['x', 'y', 'z'],
      ['a', 'b', 'c'],
    ],
  );
  const cycles = found.map(({ cycle }) => cycle);
  t.deepEqual(cycles, [
    ['x', 'y', 'z'],
    ['a', 'b'],
  ]);
  for (const cycle of cycles) {
    for (let i = 0; i < cycle.length; i++) {
      const next = cycle[(i + 1) % cycle.length]!;
      t.true(edges.some((e) => e.source === cycle[i] && e.target === next), `${cycle[i]} -> ${next} is an edge`);
    }
  }
});

test('findCycles handles a long chain without recursion limits', (t) => {
  const names = Array.from({ length: 20_000 }, (_, i) => `p${i}`);
  const edges = names.slice(1).map((name, i) => edge(names[i]!, name));
  t.deepEqual(findCycles(names, edges), []);
  t.is(findCycles(names, [...edges, edge(names.at(-1)!, names[0]!)])[0]!.cycle.length, names.length);
});

test('projects without exactly one known type tag are violations', (t) => {
  const nodes = [
    { name: 'untagged', tags: ['npm:private'] },
    { name: 'twice', tags: ['type:lib', 'type:app'] },
    { name: 'odd', tags: ['type:plugin'] },
  ];
  t.deepEqual(kinds([], nodes), ['missing-type-tag', 'multiple-type-tags', 'unknown-type-tag']);
});

test('an edge to a project the graph does not hold is a violation', (t) => {
  t.deepEqual(kinds([edge('cas', 'nowhere')]), ['unknown-project']);
});

test('the cli may host the gateway, and no other app pair is allowed', (t) => {
  const nodes = [
    { name: '@strata/cli', tags: ['type:app'] },
    { name: '@strata/gateway', tags: ['type:app'] },
  ];
  t.deepEqual(kinds([edge('@strata/cli', '@strata/gateway')], nodes), []);
  t.deepEqual(kinds([edge('@strata/gateway', '@strata/cli')], nodes), ['forbidden-dependency']);
});
