import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Violation } from '../src/boundary-rules.ts';
import { createWorkspace, packageJson, repositoryRoot } from './workspace-fixture.ts';

const script = join(repositoryRoot, 'tools', 'src', 'check-boundaries.ts');

function checkBoundaries(cwd: string): { status: number | null; violations: Violation[] } {
  const result = spawnSync(process.execPath, [script, '--json'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  if (result.status !== 0 && result.status !== 1) throw new Error(`check-boundaries failed: ${result.stderr}`);
  return { status: result.status, violations: (JSON.parse(result.stdout) as { violations: Violation[] }).violations };
}

const base = {
  'package.json': JSON.stringify({ name: 'fixture', private: true, type: 'module', workspaces: ['packages/*'] }),
  'nx.json': '{}',
  'packages/words/package.json': packageJson('@fx/words', 'contract'),
  'packages/words/src/index.ts': 'export const word = "chunk";\n',
  'packages/engine/package.json': packageJson('@fx/engine', 'lib', { '@fx/words': '*' }),
  'packages/engine/src/index.ts': "import { word } from '@fx/words';\nexport const engine = word;\n",
  'packages/app/package.json': packageJson('@fx/app', 'app', { '@fx/engine': '*' }),
  'packages/app/src/index.ts': "export { engine } from '@fx/engine';\n",
};

test('a workspace that keeps its layers passes', async (t) => {
  const root = await createWorkspace(base);
  t.teardown(() => rm(root, { recursive: true, force: true }));
  t.deepEqual(checkBoundaries(root), { status: 0, violations: [] });
});

test('imports from tests, relative reaches and the cycle they make are all found', async (t) => {
  const root = await createWorkspace({
    ...base,
    // A lib's test importing the app: forbidden, and a cycle with app -> engine.
    'packages/engine/test/engine.test.ts': "import type { engine } from '@fx/app';\nexport type E = typeof engine;\n",
    // A contract reaching into a lib's sources by path.
    'packages/words/src/more.ts': "export { engine } from '../../engine/src/index.ts';\n",
  });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const { status, violations } = checkBoundaries(root);
  t.is(status, 1);
  const found = violations.map((violation) => `${violation.kind} ${violation.projects.join(',')}`).sort();
  // One strongly connected component, so one cycle shown for it.
  t.deepEqual(found, [
    'cycle @fx/app,@fx/engine',
    'forbidden-dependency @fx/engine,@fx/app',
    'forbidden-dependency @fx/words,@fx/engine',
    'relative-import @fx/words,@fx/engine',
  ]);
});
