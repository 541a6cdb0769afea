import test from 'ava';
import { summarizeTap, TapCounter } from '../src/tap-summary.ts';

const passingRun = ['TAP version 13', 'ok 1 - a › one', 'ok 2 - a › two', '', '1..2', '# tests 2', '# pass 2', '# fail 0', ''].join('\n');

test('a clean run counts its ok lines', async (t) => {
  t.deepEqual(await summarizeTap(passingRun, { exitCode: 0 }), { passed: 2, failed: 0, skipped: 0, failures: [] });
});

test('not ok lines are failures, with YAML diagnostics ignored', async (t) => {
  const tap = [
    'TAP version 13',
    'ok 1 - a › one',
    'not ok 2 - a › two',
    '  ---',
    '    name: AssertionError',
    "    message: 'ok 3 - not a result'",
    '  ...',
    'not ok 3 - b.test.ts exited with a non-zero exit code: 1',
    '',
    '1..3',
  ].join('\n');
  const summary = await summarizeTap(tap, { exitCode: 1 });
  t.is(summary.passed, 1);
  t.is(summary.failed, 2);
  t.deepEqual(summary.failures, ['a › two', 'b.test.ts exited with a non-zero exit code: 1']);
});

test('skip and todo are neither passed nor failed', async (t) => {
  const tap = ['TAP version 13', 'ok 1 - a', 'ok 2 - b # SKIP', 'not ok 3 - c # TODO', '', '1..3'].join('\n');
  t.deepEqual(await summarizeTap(tap, { exitCode: 0 }), { passed: 1, failed: 0, skipped: 2, failures: [] });
});

test('a run that dies before its plan line counts as failed, not as 0 failed', async (t) => {
  const tap = ['TAP version 13', 'ok 1 - a', 'ok 2 - b'].join('\n');
  const summary = await summarizeTap(tap, { exitCode: 1 });
  t.is(summary.passed, 2);
  t.is(summary.failed, 1);
});

test('a run with no output at all counts as failed, whatever its exit code', async (t) => {
  t.is((await summarizeTap('', { exitCode: 0 })).failed, 1);
  t.is((await summarizeTap('', { exitCode: null, signal: 'SIGKILL' })).failed, 1);
});

test('tests the plan promised but that never reported count as failed', async (t) => {
  const tap = ['TAP version 13', '1..5', 'ok 1 - a', 'ok 2 - b'].join('\n');
  t.is((await summarizeTap(tap, { exitCode: 1 })).failed, 3);
});

test('a bail out is a failure', async (t) => {
  const tap = ['TAP version 13', 'ok 1 - a', 'Bail out! database gone'].join('\n');
  const summary = await summarizeTap(tap, { exitCode: 1 });
  t.is(summary.passed, 1);
  t.is(summary.failed, 1);
});

test('a non-zero exit with a clean stream is a failure', async (t) => {
  t.is((await summarizeTap(passingRun, { exitCode: 1 })).failed, 1);
  t.is((await summarizeTap('TAP version 13\n\n1..0\n', { exitCode: 1 })).failed, 1);
});

test('a stream fed in arbitrary pieces counts the same', async (t) => {
  const counter = new TapCounter();
  for (let i = 0; i < passingRun.length; i += 3) counter.write(Buffer.from(passingRun.slice(i, i + 3)));
  t.deepEqual(await counter.end({ exitCode: 0 }), { passed: 2, failed: 0, skipped: 0, failures: [] });
});
