/**
 * What the benchmark corpus holds: real images built from Debian packages
 * and npm packages, in series the way a team's registry receives them (a
 * base, variants over it, successive versions of an app, a multi-stage
 * build whose final image shares files with its builder).
 *
 * Bump CORPUS_VERSION whenever the meaning of a spec changes in a way the
 * spec text itself does not show (how layers are cut, tar settings): the
 * cache key is the version plus the specs.
 */

export const CORPUS_VERSION = 1;

/** How a layer is compressed, as the producers registries see do it. */
export type Compression = 'gzip' | 'pigz' | 'zstd';

export type LayerSpec =
  /** The files of these Debian packages and their dependencies, minus what earlier deb layers of the image hold. */
  | { kind: 'debs'; packages: readonly string[] }
  /** `npm install` of these packages into /app (node_modules and all). */
  | { kind: 'npm'; packages: readonly string[] }
  /** The app's own source at one revision: generated files, a share of them changed per revision. */
  | { kind: 'app'; language: 'node' | 'python'; revision: number; files: number };

export interface ImageSpec {
  name: string;
  /** Successive versions of one app share a series; `version` orders them. */
  series?: string;
  version?: number;
  compression: Compression;
  layers: readonly LayerSpec[];
}

export type CorpusSize = 'small' | 'full';

/** npm resolves ranges as of this day, so reruns install the same trees. */
export const NPM_BEFORE = '2025-06-01';

/** Debian's `Priority: required` set, which debootstrap's minbase variant installs. */
const MINBASE = [
  'apt', 'base-files', 'base-passwd', 'bash', 'bsdutils', 'coreutils', 'dash', 'debconf', 'debianutils', 'diffutils',
  'dpkg', 'findutils', 'grep', 'gzip', 'hostname', 'init-system-helpers', 'libc-bin', 'login', 'mawk', 'mount',
  'ncurses-base', 'ncurses-bin', 'passwd', 'perl-base', 'sed', 'sysvinit-utils', 'tar', 'tzdata', 'util-linux',
];

/** The small corpus's base: a shell, coreutils and libc, about a third of minbase. */
const SLIM_BASE = ['base-files', 'base-passwd', 'bash', 'coreutils', 'dash', 'debianutils', 'findutils', 'grep', 'gzip', 'mawk', 'sed', 'tar'];

const fullBase: LayerSpec = { kind: 'debs', packages: MINBASE };
const slimBase: LayerSpec = { kind: 'debs', packages: SLIM_BASE };
const nodejs: LayerSpec = { kind: 'debs', packages: ['nodejs'] };

function series(
  name: string,
  compression: Compression,
  versions: readonly (readonly LayerSpec[])[],
): ImageSpec[] {
  return versions.map((layers, index) => ({ name: `${name}-v${index + 1}`, series: name, version: index + 1, compression, layers }));
}

const PYTHON_LIBS_SMALL = [['python3-flask'], ['python3-flask', 'python3-yaml'], ['python3-flask', 'python3-yaml', 'python3-six']];
const PYTHON_LIBS_FULL = [
  ...PYTHON_LIBS_SMALL,
  ['python3-flask', 'python3-requests', 'python3-yaml', 'python3-sqlalchemy'],
  ['python3-flask', 'python3-requests', 'python3-yaml', 'python3-sqlalchemy', 'python3-numpy'],
];
const EXPRESS_SMALL = ['4.18.2', '4.19.2', '4.21.2'];
const EXPRESS_FULL = ['4.16.4', '4.17.1', '4.17.3', '4.18.2', '4.19.2', '4.21.2'];
const FASTIFY_FULL = ['4.24.3', '4.26.2', '4.28.1', '5.1.0'];

function pythonApp(base: LayerSpec, python: string, libs: readonly (readonly string[])[]): ImageSpec[] {
  return series(
    'python-app',
    'pigz',
    libs.map((packages, index) => [base, { kind: 'debs', packages: [python] }, { kind: 'debs', packages }, { kind: 'app', language: 'python', revision: index + 1, files: 160 }]),
  );
}

function nodeApp(base: LayerSpec, name: string, framework: string, versions: readonly string[], runtime: readonly LayerSpec[]): ImageSpec[] {
  return series(
    name,
    'gzip',
    versions.map((version, index) => [
      base,
      ...runtime,
      { kind: 'npm', packages: [`${framework}@${version}`] },
      { kind: 'app', language: 'node', revision: index + 1, files: 200 },
    ]),
  );
}

/**
 * A multi-stage build: the builder holds dev dependencies and the sources,
 * the slim final image only the runtime dependencies (the same files as the
 * builder's) and the built app. The final image is the zstd one.
 */
function multiStage(base: LayerSpec, runtime: readonly LayerSpec[]): ImageSpec[] {
  return [
    {
      name: 'node-builder',
      compression: 'gzip',
      layers: [base, ...runtime, { kind: 'npm', packages: ['express@4.21.2', 'typescript@5.8.3'] }, { kind: 'app', language: 'node', revision: 7, files: 200 }],
    },
    {
      name: 'node-final',
      compression: 'zstd',
      layers: [base, ...runtime, { kind: 'npm', packages: ['express@4.21.2'] }, { kind: 'app', language: 'node', revision: 7, files: 200 }],
    },
  ];
}

export function corpusSpec(size: CorpusSize): ImageSpec[] {
  if (size === 'small') {
    return [
      { name: 'debian-base', compression: 'gzip', layers: [slimBase] },
      ...nodeApp(slimBase, 'node-app', 'express', EXPRESS_SMALL, []),
      ...pythonApp(slimBase, 'python3-minimal', PYTHON_LIBS_SMALL),
      ...multiStage(slimBase, []),
    ];
  }
  const base = fullBase;
  return [
    { name: 'debian-base', compression: 'gzip', layers: [base] },
    { name: 'debian-curl', compression: 'gzip', layers: [base, { kind: 'debs', packages: ['curl', 'ca-certificates'] }] },
    { name: 'debian-git', compression: 'pigz', layers: [base, { kind: 'debs', packages: ['git', 'ca-certificates'] }] },
    { name: 'debian-build', compression: 'gzip', layers: [base, { kind: 'debs', packages: ['build-essential'] }] },
    ...nodeApp(base, 'node-app', 'express', EXPRESS_FULL, [nodejs]),
    ...nodeApp(base, 'fastify-app', 'fastify', FASTIFY_FULL, [nodejs]),
    ...pythonApp(base, 'python3', PYTHON_LIBS_FULL),
    ...multiStage(base, [nodejs]),
  ];
}
