/**
 * Emits one project's `src/` as JavaScript and declarations into its
 * `dist/`. A project's tsconfig.json also covers `test/` (so typecheck sees
 * the tests), which would put the tests in the emitted tree; the build
 * therefore compiles through a throwaway config that extends the project's
 * own and narrows it to `src/`.
 *
 * Usage: node tools/src/build-project.ts PROJECT_ROOT
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export function buildConfig(projectRoot: string): object {
  return {
    extends: join(projectRoot, 'tsconfig.json'),
    include: [join(projectRoot, 'src', '**', '*.ts')],
    exclude: [join(projectRoot, 'src', '**', '*.d.ts')],
    compilerOptions: {
      rootDir: join(projectRoot, 'src'),
      outDir: join(projectRoot, 'dist'),
      declaration: true,
      noEmit: false,
      // Type packages are found from the config's own directory, which for
      // the throwaway config is outside the workspace.
      typeRoots: typeRoots(projectRoot),
    },
  };
}

function typeRoots(projectRoot: string): string[] {
  const roots: string[] = [];
  for (let dir = projectRoot; ; dir = dirname(dir)) {
    const types = join(dir, 'node_modules', '@types');
    if (existsSync(types)) roots.push(types);
    if (dirname(dir) === dir) return roots;
  }
}

function main(args: string[]): number {
  const [root] = args;
  if (root === undefined || args.length !== 1) {
    process.stderr.write('usage: build-project.ts PROJECT_ROOT\n');
    return 2;
  }
  const projectRoot = resolve(root);
  const scratch = mkdtempSync(join(tmpdir(), 'strata-build-'));
  try {
    const config = join(scratch, 'tsconfig.build.json');
    writeFileSync(config, JSON.stringify(buildConfig(projectRoot), null, 2));
    const tsc = spawnSync('tsc', ['-p', config], { stdio: 'inherit' });
    if (tsc.error) throw tsc.error;
    return tsc.status ?? 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
