/**
 * Checks the workspace against strata's module-boundary rules (see
 * boundary-rules.ts for the rules themselves). Prints each violation and
 * exits 1 when there is any; `--json` prints `{ violations, warnings }`
 * instead, for tools.
 *
 * Usage: node tools/src/check-boundaries.ts [--json]
 */
import { checkBoundaries, type Violation } from './boundary-rules.ts';
import { loadWorkspaceGraph, type ScanWarning } from './workspace-graph.ts';

export interface BoundaryReport {
  projects: number;
  edges: number;
  violations: Violation[];
  warnings: ScanWarning[];
}

export async function checkWorkspaceBoundaries(): Promise<BoundaryReport> {
  const graph = await loadWorkspaceGraph();
  return {
    projects: graph.projects.length,
    edges: graph.edges.length,
    violations: checkBoundaries(graph),
    warnings: graph.warnings,
  };
}

async function main(args: readonly string[]): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.filter((arg) => arg !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`check-boundaries: unknown argument ${unknown[0]}\nusage: check-boundaries.ts [--json]\n`);
    return 2;
  }

  const report = await checkWorkspaceBoundaries();
  if (json) {
    process.stdout.write(`${JSON.stringify({ violations: report.violations, warnings: report.warnings }, null, 2)}\n`);
  } else {
    for (const warning of report.warnings) {
      process.stdout.write(`warning: ${warning.file}${warning.line === undefined ? '' : `:${warning.line}`} ${warning.message}\n`);
    }
    for (const violation of report.violations) process.stdout.write(`boundary violation (${violation.kind}): ${violation.message}\n`);
    process.stdout.write(
      report.violations.length === 0
        ? `module boundaries hold: ${report.projects} projects, ${report.edges} dependency edges checked\n`
        : `${report.violations.length} module-boundary violation(s)\n`,
    );
  }
  return report.violations.length === 0 ? 0 : 1;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`check-boundaries: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
