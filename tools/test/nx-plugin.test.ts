import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { projectTargets, projectWork } from '../src/nx-plugin.ts';

async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'strata-nx-plugin-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

test('an empty project has nothing to do and no targets', async (t) => {
  const root = await project({ 'package.json': '{}', 'tsconfig.json': '{}' });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const work = projectWork(root);
  t.deepEqual(work, { typecheck: false, build: false, test: false });
  t.deepEqual(projectTargets(work), {});
});

test('sources give typecheck and build; test files give test', async (t) => {
  const root = await project({ 'tsconfig.json': '{}', 'src/index.ts': 'export {};', 'test/deep/index.test.ts': '' });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  t.deepEqual(projectWork(root), { typecheck: true, build: true, test: true });
  t.deepEqual(Object.keys(projectTargets(projectWork(root))), ['typecheck', 'build', 'test']);
});

test('helpers in test/ without test files give no test target, declarations no build', async (t) => {
  const root = await project({ 'tsconfig.json': '{}', 'src/types.d.ts': '', 'test/helpers.ts': '' });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  t.deepEqual(projectWork(root), { typecheck: false, build: false, test: false });
});

test('without a tsconfig.json there is nothing to typecheck or build', async (t) => {
  const root = await project({ 'src/index.ts': '', 'test/a.test.ts': '' });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  t.deepEqual(projectWork(root), { typecheck: false, build: false, test: true });
});
