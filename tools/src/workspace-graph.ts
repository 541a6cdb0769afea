/**
 * The workspace's projects and the dependencies between them, from three
 * sources that must agree with the rules: Nx's project graph, each
 * project's package.json, and the import specifiers of every source file.
 * Nx's own import analysis is not relied on alone: it resolves specifiers
 * its own way, and a relative path into another project's tree is no
 * dependency to it at all.
 */
import { readFile } from 'node:fs/promises';
import { extname, posix } from 'node:path';
import {
  createProjectFileMapUsingProjectGraph,
  createProjectGraphAsync,
  type ProjectGraph,
  workspaceRoot,
} from 'nx/src/devkit-exports.js';
import type { DependencyEdge, ProjectGraphInput, ProjectNode } from './boundary-rules.ts';
import { findImports, type FileImports } from './import-specifiers.ts';

export interface WorkspaceProject extends ProjectNode {
  /** Directory relative to the workspace root, `/`-separated. */
  root: string;
  /** The npm package name other projects import it by. */
  packageName: string;
}

export interface ScannedFile {
  project: string;
  /** Path relative to the workspace root, `/`-separated. */
  file: string;
  imports: FileImports;
}

export interface ScanWarning {
  file: string;
  line?: number;
  message: string;
}

export interface WorkspaceGraph extends ProjectGraphInput {
  projects: WorkspaceProject[];
  warnings: ScanWarning[];
}

const SOURCE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx']);
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** Reads the graph of the workspace Nx finds from the current directory. */
export async function loadWorkspaceGraph(): Promise<WorkspaceGraph> {
  const graph = await createProjectGraphAsync({ exitOnError: false });
  const projects = workspaceProjects(graph);
  const edges: DependencyEdge[] = [...nxEdges(graph), ...(await declaredEdges(projects))];

  const fileMap = await createProjectFileMapUsingProjectGraph(graph);
  const scanned: ScannedFile[] = [];
  for (const project of projects) {
    for (const { file } of fileMap[project.name] ?? []) {
      if (!SOURCE_EXTENSIONS.has(extname(file))) continue;
      const source = await readSource(posix.join(workspaceRoot, file));
      // A file removed since Nx listed it has no imports left to check.
      if (source === undefined) continue;
      scanned.push({ project: project.name, file, imports: findImports(file, source) });
    }
  }
  const resolved = importEdges(projects, scanned);
  return { projects, edges: [...edges, ...resolved.edges], warnings: resolved.warnings };
}

async function readSource(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function workspaceProjects(graph: ProjectGraph): WorkspaceProject[] {
  return Object.values(graph.nodes)
    .map((node) => {
      const js = (node.data.metadata as { js?: { packageName?: string } } | undefined)?.js;
      return { name: node.name, root: node.data.root, tags: node.data.tags ?? [], packageName: js?.packageName ?? node.name };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function nxEdges(graph: ProjectGraph): DependencyEdge[] {
  return Object.values(graph.dependencies)
    .flat()
    .filter((dependency) => dependency.target in graph.nodes)
    .map((dependency) => ({ source: dependency.source, target: dependency.target, kind: 'graph' as const }));
}

async function declaredEdges(projects: readonly WorkspaceProject[]): Promise<DependencyEdge[]> {
  const byPackage = new Map(projects.map((project) => [project.packageName, project]));
  const edges: DependencyEdge[] = [];
  for (const project of projects) {
    const file = posix.join(project.root, 'package.json');
    let manifest: Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>;
    try {
      manifest = JSON.parse(await readFile(posix.join(workspaceRoot, file), 'utf8'));
    } catch {
      continue;
    }
    for (const field of DEPENDENCY_FIELDS) {
      for (const name of Object.keys(manifest[field] ?? {})) {
        const target = byPackage.get(name);
        if (target) edges.push({ source: project.name, target: target.name, kind: 'declared', file, specifier: name });
      }
    }
  }
  return edges;
}

/**
 * The project edges the scanned files' imports make: a bare specifier names
 * a workspace package (or not: npm packages and node: builtins are no
 * edge); a relative one names a file, which belongs to some project.
 */
export function importEdges(
  projects: readonly WorkspaceProject[],
  files: readonly ScannedFile[],
): { edges: DependencyEdge[]; warnings: ScanWarning[] } {
  const byPackage = new Map(projects.map((project) => [project.packageName, project]));
  // Longest root first, so a file goes to the innermost project that holds it.
  const byRoot = [...projects].sort((a, b) => b.root.length - a.root.length);
  const edges: DependencyEdge[] = [];
  const warnings: ScanWarning[] = [];

  for (const { project, file, imports } of files) {
    for (const error of imports.errors) warnings.push({ file, message: `does not parse, imports may be missed: ${error}` });
    for (const line of imports.computed) {
      warnings.push({ file, line, message: 'computes an import specifier at run time; its target cannot be checked' });
    }
    for (const { specifier, line } of imports.specifiers) {
      const at = `${file}:${line}`;
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        const target = posix.normalize(posix.join(posix.dirname(file), specifier));
        const owner = byRoot.find((candidate) => isWithin(target, candidate.root));
        if (owner && owner.name !== project) {
          edges.push({ source: project, target: owner.name, kind: 'relative-import', file: at, specifier });
        }
        continue;
      }
      const target = byPackage.get(packageNameOf(specifier));
      if (target) edges.push({ source: project, target: target.name, kind: 'import', file: at, specifier });
    }
  }
  return { edges, warnings };
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isWithin(file: string, root: string): boolean {
  return root === '.' || root === '' || file === root || file.startsWith(`${root}/`);
}
