import test from 'ava';
import { findImports } from '../src/import-specifiers.ts';

test('finds every literal import form with its line, and nothing in strings or comments', (t) => {
  const source = [
    "// import fake from '@strata/comment'; é 日本",
    "import type { A } from '@strata/errors';",
    'import { b } from "@strata/digest";',
    "export { c } from '@strata/cas';",
    "export * from '@strata/chunker';",
    "import '@strata/side-effect';",
    "const m = await import('@strata/dynamic');",
    'const n = await import(`@strata/template`);',
    "const r = require('@strata/required');",
    "type T = import('@strata/type-import').X;",
    "const s = \"import x from '@strata/string'\";",
    'function id<T>(value: T): T { return value; }',
    "import './local.ts';",
  ].join('\n');
  const found = findImports('example.ts', source);
  t.deepEqual(found.specifiers, [
    { specifier: '@strata/errors', line: 2 },
    { specifier: '@strata/digest', line: 3 },
    { specifier: '@strata/cas', line: 4 },
    { specifier: '@strata/chunker', line: 5 },
    { specifier: '@strata/side-effect', line: 6 },
    { specifier: '@strata/dynamic', line: 7 },
    { specifier: '@strata/template', line: 8 },
    { specifier: '@strata/required', line: 9 },
    { specifier: '@strata/type-import', line: 10 },
    { specifier: './local.ts', line: 13 },
  ]);
  t.deepEqual(found.computed, []);
  t.deepEqual(found.errors, []);
});

test('imports whose specifier is computed are reported by line', (t) => {
  const source = ["const name = 'cas';", 'await import(`@strata/${name}`);', 'await import(name);', 'require(name);'].join('\n');
  const found = findImports('computed.ts', source);
  t.deepEqual(found.specifiers, []);
  t.deepEqual(found.computed, [2, 3, 4]);
});

test('a file that does not parse reports errors instead of throwing', (t) => {
  const found = findImports('broken.ts', "import { from '@strata/errors'");
  t.true(found.errors.length > 0);
});

test('plain JavaScript files are read too', (t) => {
  const found = findImports('bin.js', "#!/usr/bin/env node\nimport { main } from '@strata/cli';\nawait main();\n");
  t.deepEqual(found.specifiers, [{ specifier: '@strata/cli', line: 2 }]);
});
