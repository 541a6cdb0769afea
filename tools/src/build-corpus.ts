/**
 * `npm run corpus -- [--size small|full] [--out DIR]`: builds the benchmark
 * corpus (tools/src/corpus-spec.ts) as one OCI image layout holding every
 * image by name, plus each layer's uncompressed tar for tools that take
 * plain files. Prints the path of the corpus's `corpus.json` on stdout.
 *
 * Inputs come from the two networks a build machine can count on: Debian's
 * package mirror (`apt-get download`, unpacked with `dpkg-deb -x`) and the
 * npm registry (`npm install --before`, so ranges resolve as on a fixed
 * day). Tars are deterministic (names sorted, owners 0, mtimes clamped), so
 * the same inputs give the same digests on every machine.
 *
 * Built corpora are kept under `$XDG_CACHE_HOME/strata/corpus` (else
 * `~/.cache/strata/corpus`) in a directory named by the corpus version, the
 * size and a hash of the specs; downloaded .debs and the npm cache are kept
 * beside them, so a rebuild after a spec change downloads only what is new.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { CORPUS_VERSION, corpusSpec, NPM_BEFORE, type Compression, type CorpusSize, type ImageSpec, type LayerSpec } from './corpus-spec.ts';

/** Every file in a layer is at most this old (2025-01-01T00:00:00Z): directories npm creates would carry the build's time. */
const CLAMP_MTIME = 1_735_689_600;

const MEDIA_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  pigz: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

/** The compressor command lines: `gzip -n` as most build tools' zlib path, pigz as parallel producers, zstd -3. */
const COMPRESSORS: Record<Compression, [string, string[]]> = {
  gzip: ['gzip', ['-n', '-6', '-c']],
  pigz: ['pigz', ['-n', '-6', '-c']],
  zstd: ['zstd', ['-3', '-c', '-q', '--no-progress']],
};

export interface CorpusLayer {
  digest: string;
  mediaType: string;
  size: number;
  diffId: string;
  uncompressedSize: number;
  /** The uncompressed tar, relative to the corpus directory. */
  tar: string;
  description: string;
}

export interface CorpusImage {
  name: string;
  series?: string;
  version?: number;
  compression: Compression;
  manifest: { digest: string; size: number };
  config: { digest: string; size: number };
  layers: CorpusLayer[];
}

export interface Corpus {
  corpusVersion: number;
  size: CorpusSize;
  key: string;
  /** The OCI layout, relative to the corpus directory; each image is tagged with its name. */
  layout: string;
  images: CorpusImage[];
  /** Debian packages used, name → version. */
  debs: Record<string, string>;
  npmBefore: string;
  /** Unique blobs of the layout and unique tars. */
  compressedBytes: number;
  tarBytes: number;
}

function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'strata', 'corpus');
}

function corpusKey(size: CorpusSize, specs: readonly ImageSpec[]): string {
  return createHash('sha256').update(JSON.stringify({ CORPUS_VERSION, size, NPM_BEFORE, CLAMP_MTIME, specs })).digest('hex').slice(0, 12);
}

function log(message: string): void {
  process.stderr.write(`corpus: ${message}\n`);
}

/** Runs a command; stdout goes to `stdout` when given, else is returned. Non-zero exit throws with stderr's tail. */
function run(command: string, args: readonly string[], options: { cwd?: string; stdout?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const written = options.stdout ? pipeline(child.stdout, createWriteStream(options.stdout)) : undefined;
    if (!written) child.stdout.on('data', (piece: Buffer) => out.push(piece));
    child.stderr.on('data', (piece: Buffer) => err.push(piece));
    child.once('error', reject);
    child.once('close', async (code) => {
      await written?.catch(reject);
      if (code === 0) resolvePromise(Buffer.concat(out).toString());
      else reject(new Error(`${command} ${args.slice(0, 3).join(' ')} failed (exit ${code}): ${Buffer.concat(err).toString().trim().slice(-800)}`));
    });
  });
}

async function sha256File(path: string): Promise<{ hex: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(piece as Buffer);
    size += (piece as Buffer).byteLength;
  }
  return { hex: hash.digest('hex'), size };
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

interface Deb {
  name: string;
  version: string;
  file: string;
}

/** Debian packages: dependency closures resolved by apt as on an empty system, .debs downloaded once into `dir`. */
class DebSource {
  readonly #dir: string;
  readonly #emptyStatus: string;
  readonly used = new Map<string, string>();

  constructor(dir: string, emptyStatus: string) {
    this.#dir = dir;
    this.#emptyStatus = emptyStatus;
  }

  /** The packages `names` pull in with their dependencies (no recommends), downloaded. */
  async closure(names: readonly string[]): Promise<Deb[]> {
    const simulated = await run('apt-get', [
      '-s', '-q', '-o', `Dir::State::status=${this.#emptyStatus}`, '-o', 'Debug::NoLocking=1', '--no-install-recommends', 'install', ...names,
    ]);
    const debs: Deb[] = [];
    for (const line of simulated.split('\n')) {
      const match = /^Inst (\S+) \((\S+) .*\[(\S+)\]\)/.exec(line);
      if (!match) continue;
      const [, name, version, arch] = match as unknown as [string, string, string, string];
      debs.push({ name, version, file: join(this.#dir, `${name}_${version.replaceAll(':', '%3a')}_${arch}.deb`) });
    }
    if (debs.length === 0) throw new Error(`apt resolved nothing for ${names.join(' ')}`);
    const missing: Deb[] = [];
    for (const deb of debs) if (!(await exists(deb.file))) missing.push(deb);
    if (missing.length > 0) {
      log(`downloading ${missing.length} .debs`);
      await run('apt-get', ['-q', 'download', ...missing.map((deb) => `${deb.name}=${deb.version}`)], { cwd: this.#dir });
    }
    for (const deb of debs) this.used.set(deb.name, deb.version);
    return debs.sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** A deterministic pseudo-random byte source: SHA-256 in counter mode over a seed. */
function* seededBytes(seed: string): Generator<number> {
  for (let counter = 0; ; counter++) yield* createHash('sha256').update(`${seed}/${counter}`).digest();
}

const WORDS = (
  'const let return if else for while await async function import export from class new this value result error ' +
  'request response handler config options user session token cache store layer digest blob manifest index ' +
  'def self None True False yield lambda with as try except raise pass print len range dict list str int'
).split(' ');

/** One source file: code-like lines drawn from `seed`, 1 to 12 KiB. */
function sourceText(seed: string, language: 'node' | 'python'): string {
  const bytes = seededBytes(seed);
  const next = (): number => bytes.next().value as number;
  const target = 1024 + ((next() << 8) | next()) % (11 * 1024);
  const lines: string[] = [];
  let length = 0;
  while (length < target) {
    const indent = ' '.repeat((next() % 4) * (language === 'python' ? 4 : 2));
    const words = Array.from({ length: 3 + (next() % 8) }, () => WORDS[next() % WORDS.length]);
    const line = `${indent}${words.join(' ')}${language === 'node' ? ';' : ''}`;
    lines.push(line);
    length += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** The revision at which file `index` last changed: about a fifth of the files change in each revision. */
function lastChange(language: string, index: number, revision: number): number {
  for (let at = revision; at > 1; at--) {
    if (createHash('sha256').update(`${language}/${index}/${at}`).digest()[0]! % 5 === 0) return at;
  }
  return 1;
}

async function writeAppSource(root: string, layer: Extract<LayerSpec, { kind: 'app' }>): Promise<void> {
  const dir = join(root, 'app', layer.language === 'node' ? 'src' : 'service');
  await mkdir(dir, { recursive: true });
  const extension = layer.language === 'node' ? 'js' : 'py';
  for (let index = 0; index < layer.files; index++) {
    const changed = lastChange(layer.language, index, layer.revision);
    await writeFile(join(dir, `module-${String(index).padStart(3, '0')}.${extension}`), sourceText(`${layer.language}/${index}/${changed}`, layer.language));
  }
  const about = layer.language === 'node' ? 'app.json' : 'VERSION';
  await writeFile(join(root, 'app', about), `${JSON.stringify({ name: `strata-corpus-${layer.language}-app`, revision: layer.revision })}\n`);
}

interface BuiltTar {
  tar: string;
  diffId: string;
  size: number;
  description: string;
}

interface Blob {
  digest: string;
  size: number;
}

class CorpusBuilder {
  readonly #dir: string;
  readonly #work: string;
  readonly #debs: DebSource;
  readonly #npmCache: string;
  readonly #tars = new Map<string, BuiltTar>();
  readonly #blobs = new Map<string, Blob>();

  constructor(dir: string, work: string, debs: DebSource, npmCache: string) {
    this.#dir = dir;
    this.#work = work;
    this.#debs = debs;
    this.#npmCache = npmCache;
  }

  get blobDir(): string {
    return join(this.#dir, 'layout', 'blobs', 'sha256');
  }

  async image(spec: ImageSpec): Promise<CorpusImage> {
    log(`image ${spec.name}`);
    const layers: CorpusLayer[] = [];
    const debsSoFar: string[] = [];
    const installed = new Set<string>();
    for (const layer of spec.layers) {
      let built: BuiltTar;
      if (layer.kind === 'debs') {
        debsSoFar.push(...layer.packages);
        const closure = await this.#debs.closure(debsSoFar);
        const fresh = closure.filter((deb) => !installed.has(deb.file));
        for (const deb of fresh) installed.add(deb.file);
        built = await this.#tar(`debs:${fresh.map((deb) => deb.file).join(',')}`, `${layer.packages.join(' ')}: ${fresh.length} .debs`, async (root) => {
          for (const deb of fresh) await run('dpkg-deb', ['-x', deb.file, root]);
        });
      } else if (layer.kind === 'npm') {
        built = await this.#tar(`npm:${layer.packages.join(',')}`, `npm install ${layer.packages.join(' ')}`, (root) => this.#npmInstall(root, layer.packages));
      } else {
        built = await this.#tar(`app:${layer.language}:${layer.revision}:${layer.files}`, `${layer.language} app source, revision ${layer.revision}`, (root) =>
          writeAppSource(root, layer),
        );
      }
      const blob = await this.#compressed(built, spec.compression);
      layers.push({
        digest: blob.digest,
        mediaType: MEDIA_TYPES[spec.compression],
        size: blob.size,
        diffId: built.diffId,
        uncompressedSize: built.size,
        tar: built.tar,
        description: built.description,
      });
    }
    const config = await this.#jsonBlob({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/app' },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: layers.map((layer) => ({ created: '2025-01-01T00:00:00Z', created_by: `strata corpus: ${layer.description}` })),
    });
    const manifest = await this.#jsonBlob({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    });
    return {
      name: spec.name,
      ...(spec.series ? { series: spec.series, version: spec.version } : {}),
      compression: spec.compression,
      manifest,
      config,
      layers,
    };
  }

  async #npmInstall(root: string, packages: readonly string[]): Promise<void> {
    const app = join(root, 'app');
    await mkdir(app, { recursive: true });
    // The user's npm configuration stays in force: it says how this machine reaches the registry (mirror, CA).
    await run('npm', [
      'install', '--prefix', app, '--cache', this.#npmCache, `--before=${NPM_BEFORE}`, '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev',
      '--no-update-notifier', ...packages,
    ]);
  }

  /** The layer `key` (built by `fill` into an empty root) as a deterministic tar, once per corpus. */
  async #tar(key: string, description: string, fill: (root: string) => Promise<void>): Promise<BuiltTar> {
    const known = this.#tars.get(key);
    if (known) return known;
    const root = await mkdtemp(join(this.#work, 'root-'));
    const partial = join(this.#dir, 'tars', `partial-${this.#tars.size}.tar`);
    try {
      await fill(root);
      await run('tar', [
        '--create', `--file=${partial}`, `--directory=${root}`, '--sort=name', '--format=gnu', '--numeric-owner', '--owner=0', '--group=0',
        `--mtime=@${CLAMP_MTIME}`, '--clamp-mtime', '.',
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    const { hex, size } = await sha256File(partial);
    const tar = join('tars', `${hex}.tar`);
    await rename(partial, join(this.#dir, tar));
    const built = { tar, diffId: `sha256:${hex}`, size, description };
    this.#tars.set(key, built);
    return built;
  }

  async #compressed(built: BuiltTar, compression: Compression): Promise<Blob> {
    const key = `${built.diffId}:${compression}`;
    const known = this.#blobs.get(key);
    if (known) return known;
    const [command, args] = COMPRESSORS[compression];
    const partial = join(this.blobDir, `partial-${this.#blobs.size}`);
    await run(command, [...args, join(this.#dir, built.tar)], { stdout: partial });
    const { hex, size } = await sha256File(partial);
    await rename(partial, join(this.blobDir, hex));
    const blob = { digest: `sha256:${hex}`, size };
    this.#blobs.set(key, blob);
    return blob;
  }

  async #jsonBlob(value: unknown): Promise<Blob> {
    const bytes = Buffer.from(JSON.stringify(value));
    const hex = createHash('sha256').update(bytes).digest('hex');
    await writeFile(join(this.blobDir, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.byteLength };
  }
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

/** Builds the corpus of `size` under `cacheDir` unless it is there already; returns the path of its corpus.json. */
export async function buildCorpus(size: CorpusSize, cacheDir: string = defaultCacheDir()): Promise<string> {
  const specs = corpusSpec(size);
  const key = corpusKey(size, specs);
  const dir = join(cacheDir, `v${CORPUS_VERSION}-${size}-${key}`);
  const manifestPath = join(dir, 'corpus.json');
  if (await exists(manifestPath)) return manifestPath;

  const debDir = join(cacheDir, 'debs');
  const npmCache = join(cacheDir, 'npm-cache');
  await mkdir(debDir, { recursive: true });
  await mkdir(npmCache, { recursive: true });
  const building = `${dir}.partial-${process.pid}`;
  const work = await mkdtemp(join(tmpdir(), 'strata-corpus-'));
  try {
    await mkdir(join(building, 'layout', 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(building, 'tars'), { recursive: true });
    const emptyStatus = join(work, 'dpkg-status');
    await writeFile(emptyStatus, '');
    const debs = new DebSource(debDir, emptyStatus);
    const builder = new CorpusBuilder(building, work, debs, npmCache);
    const images: CorpusImage[] = [];
    for (const spec of specs) images.push(await builder.image(spec));

    await writeFile(join(building, 'layout', 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(
      join(building, 'layout', 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: images.map((image) => ({
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...image.manifest,
          annotations: { 'org.opencontainers.image.ref.name': image.name },
        })),
      }),
    );
    const corpus: Corpus = {
      corpusVersion: CORPUS_VERSION,
      size,
      key,
      layout: 'layout',
      images,
      debs: Object.fromEntries([...debs.used].sort(([a], [b]) => a.localeCompare(b))),
      npmBefore: NPM_BEFORE,
      compressedBytes: await directoryBytes(builder.blobDir),
      tarBytes: await directoryBytes(join(building, 'tars')),
    };
    // Written last: its presence marks the corpus complete.
    await writeFile(join(building, 'corpus.json'), `${JSON.stringify(corpus, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(building, dir);
  } finally {
    await rm(building, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
  return manifestPath;
}

/** Reads a corpus.json, with its paths made absolute. */
export async function readCorpus(manifestPath: string): Promise<Corpus & { dir: string }> {
  const corpus = JSON.parse(await readFile(manifestPath, 'utf8')) as Corpus;
  return { ...corpus, dir: resolve(manifestPath, '..') };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { size: { type: 'string', default: 'small' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('usage: npm run corpus -- [--size small|full] [--out DIR]\nPrints the path of the corpus.json it built or found.\n');
    return;
  }
  if (values.size !== 'small' && values.size !== 'full') throw new Error(`--size is small or full, not ${values.size}`);
  const started = Date.now();
  const path = await buildCorpus(values.size, values.out ? resolve(values.out) : undefined);
  const corpus = await readCorpus(path);
  log(
    `${corpus.images.length} images, ${(corpus.compressedBytes / 1e6).toFixed(1)} MB of blobs, ${(corpus.tarBytes / 1e6).toFixed(1)} MB of tars ` +
      `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  process.stdout.write(`${path}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`corpus: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
