/**
 * Nx plugin that gives every strata project its typecheck, build and test
 * targets, each only once the project has something for it to do: a project
 * with no tests yet has no test target, rather than a test run that fails
 * on an empty directory. Caching, inputs and outputs come from the
 * targetDefaults in nx.json.
 *
 * Registered in nx.json as `"plugins": ["./tools/src/nx-plugin.ts"]`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CreateNodesV2, type TargetConfiguration, workspaceRoot } from 'nx/src/devkit-exports.js';

export interface ProjectWork {
  /** Has TypeScript to check: sources or tests, and a tsconfig.json. */
  typecheck: boolean;
  /** Has sources under src/ to emit. */
  build: boolean;
  /** Has test/**\/*.test.ts files. */
  test: boolean;
}

/** What there is to do in the project whose root is `absoluteRoot`. */
export function projectWork(absoluteRoot: string): ProjectWork {
  const sources = listFiles(join(absoluteRoot, 'src')).some(isTypeScriptSource);
  const tests = listFiles(join(absoluteRoot, 'test')).some((name) => name.endsWith('.test.ts'));
  const tsconfig = listFiles(absoluteRoot, false).includes('tsconfig.json');
  return { typecheck: tsconfig && (sources || tests), build: tsconfig && sources, test: tests };
}

/** The Nx targets for a project with `work` to do; `{projectRoot}` is Nx's placeholder. */
export function projectTargets(work: ProjectWork): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  if (work.typecheck) targets['typecheck'] = { command: 'tsc -p {projectRoot}/tsconfig.json --noEmit' };
  if (work.build) targets['build'] = { command: 'node tools/src/build-project.ts {projectRoot}' };
  if (work.test) targets['test'] = { command: 'ava --tap {projectRoot}/test' };
  return targets;
}

/** The npm workspaces' package.json files are the projects. */
function projectManifests(): string {
  const { workspaces = [] } = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8')) as { workspaces?: string[] };
  const patterns = workspaces.length === 1 ? workspaces[0] : `{${workspaces.join(',')}}`;
  return `${patterns}/package.json`;
}

export const createNodesV2: CreateNodesV2 = [
  projectManifests(),
  (manifests, _options, context) =>
    manifests.map((manifest) => {
      const root = dirname(manifest);
      const targets = projectTargets(projectWork(join(context.workspaceRoot, root)));
      return [manifest, { projects: { [root]: { targets } } }] as const;
    }),
];

function isTypeScriptSource(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.d.ts');
}

function listFiles(dir: string, recursive = true): string[] {
  try {
    return readdirSync(dir, { recursive, encoding: 'utf8' });
  } catch {
    return [];
  }
}
