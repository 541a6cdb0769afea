import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { createWorkspace, repositoryRoot } from './workspace-fixture.ts';

const script = join(repositoryRoot, 'tools', 'src', 'run-tests.ts');

const manifest = JSON.stringify({ name: 'fixture', private: true, type: 'module', ava: { extensions: ['ts'], files: ['test/**/*.test.ts'] } });

function runTests(cwd: string, args: string[]): { status: number | null; lastLine: string } {
  const result = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
  const lines = result.stdout.trimEnd().split('\n');
  return { status: result.status, lastLine: lines.at(-1) ?? '' };
}

test('--only runs the matching files and ends with the counts', async (t) => {
  const root = await createWorkspace({
    'package.json': manifest,
    'test/good.test.ts': "import test from 'ava';\ntest('one', (t) => t.pass());\ntest('two', (t) => t.pass());\n",
    'test/bad.test.ts': "import test from 'ava';\ntest('right', (t) => t.pass());\ntest('wrong', (t) => t.is(1, 2));\n",
  });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  t.deepEqual(runTests(root, ['--only', 'good']), { status: 0, lastLine: '2 passed, 0 failed' });
  t.deepEqual(runTests(root, ['--only', 'test/*.test.ts']), { status: 1, lastLine: '3 passed, 1 failed' });
});

test('a test process that exits mid-run counts as failed, not as 0 failed', async (t) => {
  const root = await createWorkspace({
    'package.json': manifest,
    'test/exits.test.ts': "import test from 'ava';\ntest('leaves', async () => { process.exit(0); });\n",
  });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const { status, lastLine } = runTests(root, ['--only', 'exits']);
  t.is(status, 1);
  const counts = /^(\d+) passed, (\d+) failed$/.exec(lastLine);
  t.truthy(counts, lastLine);
  t.is(counts![1], '0');
  t.true(Number(counts![2]) >= 1);
});

test('a pattern that matches no test file is a failure', async (t) => {
  const root = await createWorkspace({ 'package.json': manifest, 'test/good.test.ts': "import test from 'ava';\ntest('one', (t) => t.pass());\n" });
  t.teardown(() => rm(root, { recursive: true, force: true }));
  t.deepEqual(runTests(root, ['--only', 'nothing-like-this']), { status: 1, lastLine: '0 passed, 1 failed' });
});
