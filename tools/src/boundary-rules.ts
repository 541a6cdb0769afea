/**
 * strata's module-boundary rules, as a pure function over a project graph.
 *
 * Every project carries exactly one `type:` tag in its package.json
 * (`nx.tags`). Layers, from the bottom:
 *
 *   contract  errors, digest, proto: the shared vocabulary. May use other
 *             contracts (digest reports failures as @strata/errors codes),
 *             nothing else.
 *   lib       chunker, cas, cas-client, cas-testsuite: contracts and libs.
 *   app       gateway, cli: libs and contracts. Nothing depends on an app,
 *             except that the cli hosts the gateway (`strata serve` runs it
 *             in-process): the one app-to-app edge, listed in HOSTED_APPS.
 *   tool      setup, test runner, codegen, corpus builders: contracts and
 *             libs (a corpus builder may chunk). Nothing depends on a tool.
 *   bench     benchmarks: anything.
 *
 * And no cycles between projects, whatever their layers: a cycle through
 * test code is still a cycle for Nx's task graph.
 */

export const PROJECT_TYPES = ['contract', 'lib', 'app', 'tool', 'bench'] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

/** For each project type, the types of project it may depend on. */
export const ALLOWED_DEPENDENCIES: Readonly<Record<ProjectType, readonly ProjectType[]>> = {
  contract: ['contract'],
  lib: ['contract', 'lib'],
  app: ['contract', 'lib'],
  tool: ['contract', 'lib'],
  bench: ['contract', 'lib', 'app', 'tool', 'bench'],
};

/** App-to-app edges allowed by name: a command-line app that hosts a server app. */
export const HOSTED_APPS: readonly (readonly [string, string])[] = [['@strata/cli', '@strata/gateway']];

function isHostedApp(source: string, target: string): boolean {
  return HOSTED_APPS.some(([host, hosted]) => host === source && hosted === target);
}

export interface ProjectNode {
  name: string;
  tags: readonly string[];
}

/**
 * How one project came to depend on another. `import` is a bare
 * `@strata/...` specifier in a source file, `relative-import` a relative path
 * from one project's file into another project's tree, `declared` an entry in
 * package.json, `graph` an edge Nx's project graph holds.
 */
export type EdgeKind = 'import' | 'relative-import' | 'declared' | 'graph';

export interface DependencyEdge {
  source: string;
  target: string;
  kind: EdgeKind;
  /** Where the dependency shows: a file path, or package.json. */
  file?: string;
  /** The import specifier or dependency name. */
  specifier?: string;
}

export interface ProjectGraphInput {
  projects: readonly ProjectNode[];
  edges: readonly DependencyEdge[];
}

export type ViolationKind =
  | 'missing-type-tag'
  | 'multiple-type-tags'
  | 'unknown-type-tag'
  | 'unknown-project'
  | 'forbidden-dependency'
  | 'relative-import'
  | 'cycle';

export interface Violation {
  kind: ViolationKind;
  /** The projects involved; for a cycle, in cycle order. */
  projects: string[];
  /** The edges that show the violation. */
  edges: DependencyEdge[];
  message: string;
}

const TYPE_TAG_PREFIX = 'type:';

/** The project's type, or the reason it has none. */
export function projectType(project: ProjectNode): ProjectType | 'missing' | 'multiple' | 'unknown' {
  const types = project.tags.filter((tag) => tag.startsWith(TYPE_TAG_PREFIX)).map((tag) => tag.slice(TYPE_TAG_PREFIX.length));
  if (types.length === 0) return 'missing';
  if (types.length > 1) return 'multiple';
  const [type] = types;
  return (PROJECT_TYPES as readonly string[]).includes(type!) ? (type as ProjectType) : 'unknown';
}

/** Every violation in the graph, projects' own first, then dependencies, then cycles. */
export function checkBoundaries(graph: ProjectGraphInput): Violation[] {
  const violations: Violation[] = [];
  const types = new Map<string, ProjectType>();

  for (const project of graph.projects) {
    const type = projectType(project);
    if (type === 'missing') {
      violations.push(projectViolation('missing-type-tag', project, `${project.name} has no ${TYPE_TAG_PREFIX} tag; give it one of ${typeTags()}`));
    } else if (type === 'multiple') {
      violations.push(projectViolation('multiple-type-tags', project, `${project.name} has more than one ${TYPE_TAG_PREFIX} tag (${project.tags.join(', ')})`));
    } else if (type === 'unknown') {
      violations.push(projectViolation('unknown-type-tag', project, `${project.name} has an unknown type tag (${project.tags.join(', ')}); use one of ${typeTags()}`));
    } else {
      types.set(project.name, type);
    }
  }

  const known = new Set(graph.projects.map((project) => project.name));
  const edges = graph.edges.filter((edge) => edge.source !== edge.target);

  for (const edge of edges) {
    for (const end of [edge.source, edge.target]) {
      if (!known.has(end)) {
        violations.push({ kind: 'unknown-project', projects: [end], edges: [edge], message: `${describeEdge(edge)}: ${end} is not a workspace project` });
      }
    }
    if (edge.kind === 'relative-import') {
      violations.push({
        kind: 'relative-import',
        projects: [edge.source, edge.target],
        edges: [edge],
        message: `${describeEdge(edge)}: reach ${edge.target} through its package name, not a relative path`,
      });
    }
  }

  for (const [pair, pairEdges] of groupByPair(edges)) {
    const [source, target] = pair;
    const sourceType = types.get(source);
    const targetType = types.get(target);
    if (sourceType === undefined || targetType === undefined) continue;
    if (!ALLOWED_DEPENDENCIES[sourceType].includes(targetType) && !isHostedApp(source, target)) {
      violations.push({
        kind: 'forbidden-dependency',
        projects: [source, target],
        edges: pairEdges,
        message: `${source} (type:${sourceType}) must not depend on ${target} (type:${targetType}); type:${sourceType} may depend on ${allowedList(sourceType)}. Seen in: ${describeEdges(pairEdges)}`,
      });
    }
  }

  for (const { cycle, component } of findCycles(graph.projects.map((project) => project.name), edges)) {
    const cycleEdges = cycle.map((source, i) => firstEdge(edges, source, cycle[(i + 1) % cycle.length]!));
    const tangle = component.length > cycle.length ? ` (one of the cycles among ${[...component].sort().join(', ')})` : '';
    violations.push({
      kind: 'cycle',
      projects: cycle,
      edges: cycleEdges,
      message: `import cycle ${[...cycle, cycle[0]].join(' -> ')}${tangle}. Seen in: ${cycleEdges.map(describeEdge).join('; ')}`,
    });
  }

  return violations;
}

export interface Cycle {
  /** The projects along the cycle; the edge from the last back to the first closes it. */
  cycle: string[];
  /** Every project of the strongly connected component the cycle lies in. */
  component: string[];
}

/**
 * One cycle per strongly connected component that has one. Components are
 * found with Tarjan's algorithm; the cycle shown is the shortest one through
 * the component's first project (by name), so reports are stable.
 */
export function findCycles(nodes: readonly string[], edges: readonly DependencyEdge[]): Cycle[] {
  const successors = new Map<string, string[]>();
  const allNodes = new Set(nodes);
  for (const edge of edges) {
    if (edge.source === edge.target) continue;
    allNodes.add(edge.source);
    allNodes.add(edge.target);
    const next = successors.get(edge.source) ?? [];
    if (!next.includes(edge.target)) next.push(edge.target);
    successors.set(edge.source, next);
  }

  const cycles: Cycle[] = [];
  for (const component of stronglyConnectedComponents([...allNodes].sort(), successors)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    cycles.push({ cycle: shortestCycle(start, members, successors), component });
  }
  return cycles;
}

function stronglyConnectedComponents(nodes: readonly string[], successors: ReadonlyMap<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  // Iterative, so a long dependency chain cannot overflow the call stack.
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    lowLink.set(root, counter);
    counter++;
    stack.push(root);
    onStack.add(root);

    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const next = successors.get(frame.node) ?? [];
      if (frame.next < next.length) {
        const target = next[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter);
          counter++;
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) {
        lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      }
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/** Breadth-first from `start` back to itself, staying inside the component. */
function shortestCycle(start: string, members: ReadonlySet<string>, successors: ReadonlyMap<string, string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const target of successors.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  // A strongly connected component of two or more nodes always has a cycle through each member.
  throw new Error(`no cycle through ${start}`);
}

function groupByPair(edges: readonly DependencyEdge[]): Map<readonly [string, string], DependencyEdge[]> {
  const byKey = new Map<string, { pair: readonly [string, string]; edges: DependencyEdge[] }>();
  for (const edge of edges) {
    const key = `${edge.source}\0${edge.target}`;
    const group = byKey.get(key) ?? { pair: [edge.source, edge.target] as const, edges: [] };
    group.edges.push(edge);
    byKey.set(key, group);
  }
  return new Map([...byKey.values()].map((group) => [group.pair, group.edges]));
}

function firstEdge(edges: readonly DependencyEdge[], source: string, target: string): DependencyEdge {
  // Evidence from source files reads best, so prefer it over declarations.
  const matching = edges.filter((edge) => edge.source === source && edge.target === target);
  const rank: Record<EdgeKind, number> = { import: 0, 'relative-import': 1, declared: 2, graph: 3 };
  return matching.sort((a, b) => rank[a.kind] - rank[b.kind])[0]!;
}

const EDGES_SHOWN = 3;

function describeEdges(edges: readonly DependencyEdge[]): string {
  const shown = edges.slice(0, EDGES_SHOWN).map(describeEdge).join('; ');
  return edges.length > EDGES_SHOWN ? `${shown}; and ${edges.length - EDGES_SHOWN} more` : shown;
}

export function describeEdge(edge: DependencyEdge): string {
  const where = edge.file ?? edge.source;
  switch (edge.kind) {
    case 'import':
    case 'relative-import':
      return `${where} imports ${edge.specifier ?? edge.target}`;
    case 'declared':
      return `${where} declares ${edge.specifier ?? edge.target}`;
    case 'graph':
      return `Nx project graph: ${edge.source} -> ${edge.target}`;
  }
}

function projectViolation(kind: ViolationKind, project: ProjectNode, message: string): Violation {
  return { kind, projects: [project.name], edges: [], message };
}

function typeTags(): string {
  return PROJECT_TYPES.map((type) => TYPE_TAG_PREFIX + type).join(', ');
}

function allowedList(type: ProjectType): string {
  return ALLOWED_DEPENDENCIES[type].map((allowed) => TYPE_TAG_PREFIX + allowed).join(', ');
}
