/** Builds throwaway workspaces for the tools' end-to-end tests. */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const repositoryRoot = join(import.meta.dirname, '..', '..');

/** Writes `files` (path → text) into a new temp directory whose node_modules is this repository's. */
export async function createWorkspace(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'strata-tools-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await symlink(join(repositoryRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

export function packageJson(name: string, type: string, dependencies: Record<string, string> = {}): string {
  return JSON.stringify({ name, version: '0.0.0', private: true, type: 'module', exports: { '.': './src/index.ts' }, dependencies, nx: { tags: [`type:${type}`] } });
}
