#!/usr/bin/env node
// Plain JavaScript on purpose: it must parse on any Node, so that an old one
// gets a clear message instead of a syntax error from the TypeScript sources.
const [major, minor] = process.versions.node.split('.').map(Number);
const stripsTypes = major >= 24 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
if (!stripsTypes) {
  process.stderr.write(
    `strata: needs Node 24 (this is Node ${process.versions.node}): run it through npx strata / npm run strata\n`,
  );
  process.exit(1);
}
import('../src/main.ts').then(
  async ({ main }) => {
    process.exitCode = await main(process.argv);
  },
  (error) => {
    process.stderr.write(`strata: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
