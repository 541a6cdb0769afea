/**
 * Compressed samples from the producers registry layers come from, made at
 * test time with the real tools on this machine.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A tar of real files under `root`, capped at about `limit` bytes. */
export function tarOf(root: string, limit: number, dir: string): Uint8Array {
  const files: string[] = [];
  let total = 0;
  const walk = (path: string): void => {
    if (total >= limit) return;
    let entries: string[];
    try {
      entries = readdirSync(path).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (total >= limit) return;
      const full = join(path, name);
      let stats;
      try {
        stats = lstatSync(full, { throwIfNoEntry: false });
      } catch {
        continue;
      }
      if (stats === undefined) continue;
      if (stats.isDirectory()) walk(full);
      else if (stats.isFile() && stats.size < 64 << 20) {
        files.push(full.slice(1));
        total += stats.size + 512;
      }
    }
  };
  walk(root);
  const list = join(dir, 'files.list');
  writeFileSync(list, files.join('\n'));
  return execFileSync('tar', ['-C', '/', '--no-recursion', '--hard-dereference', '-cf', '-', '-T', list], {
    maxBuffer: 2 * limit + (64 << 20),
  });
}

function run(command: string, args: string[], input: Uint8Array, env?: NodeJS.ProcessEnv): Uint8Array {
  return execFileSync(command, args, { input, maxBuffer: 1 << 30, env: env ?? process.env });
}

export const gnuGzip = (level: number, input: Uint8Array): Uint8Array => run('gzip', ['-n', `-${level}`, '-c'], input);
export const pigz = (level: number, input: Uint8Array): Uint8Array => run('pigz', ['-n', `-${level}`, '-c'], input);

export function pythonGzip(level: number, input: Uint8Array): Uint8Array {
  const script = 'import gzip,sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read(), compresslevel=int(sys.argv[1]), mtime=0))';
  return run('python3', ['-c', script, String(level)], input);
}

/** Raw deflate from canonical zlib through Python. */
export function pythonRawDeflate(level: number, input: Uint8Array, memLevel = 8, windowBits = 15): Uint8Array {
  const script =
    'import zlib,sys; a=sys.argv; c=zlib.compressobj(int(a[1]), zlib.DEFLATED, -int(a[3]), int(a[2])); d=sys.stdin.buffer.read(); sys.stdout.buffer.write(c.compress(d)+c.flush())';
  return run('python3', ['-c', script, String(level), String(memLevel), String(windowBits)], input);
}

export const nodeGzip = (level: number, input: Uint8Array): Uint8Array => gzipSync(input, { level });

const GO_PROGRAM = `package main

import (
	"compress/gzip"
	"io"
	"os"
	"strconv"
)

func main() {
	level, _ := strconv.Atoi(os.Args[1])
	w, err := gzip.NewWriterLevel(os.Stdout, level)
	if err != nil {
		panic(err)
	}
	if _, err := io.Copy(w, os.Stdin); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
}
`;

/** Builds the Go compress/gzip writer into `dir` (Debian's golang-go), returning its path. */
export function buildGoGzip(dir: string): string {
  const source = join(dir, 'gogzip');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'main.go'), GO_PROGRAM);
  writeFileSync(join(source, 'go.mod'), 'module gogzip\n\ngo 1.19\n');
  const binary = join(dir, 'gogzip-bin');
  const env = { ...process.env, HOME: dir, GOCACHE: join(dir, 'gocache'), GOPATH: join(dir, 'gopath'), GOFLAGS: '-mod=mod', GO111MODULE: 'on' };
  execFileSync('go', ['build', '-o', binary, '.'], { cwd: source, env, stdio: 'ignore' });
  return binary;
}

export const goGzip = (binary: string, level: number, input: Uint8Array): Uint8Array => run(binary, [String(level)], input);

/**
 * klauspost/pgzip output as skopeo writes it: an OCI layout holding `tar`
 * uncompressed, copied to `dir:` with gzip compression.
 */
export function skopeoPgzip(tar: Uint8Array, dir: string): Uint8Array {
  const sha = (data: Uint8Array | string): string =>
    execFileSync('sha256sum', { input: data }).toString().slice(0, 64);
  const layout = join(dir, 'layout');
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const put = (data: Uint8Array | string): { digest: string; size: number } => {
    const hex = sha(data);
    writeFileSync(join(layout, 'blobs', 'sha256', hex), data);
    return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
  };
  const layer = put(tar);
  const config = put(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      config: {},
    }),
  );
  const manifest = put(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    }),
  );
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'sample' },
        },
      ],
    }),
  );
  const out = join(dir, 'out');
  execFileSync(
    'skopeo',
    ['copy', '--quiet', '--dest-compress', '--dest-compress-format', 'gzip', `oci:${layout}:sample`, `dir:${out}`],
    { stdio: 'ignore' },
  );
  for (const name of readdirSync(out)) {
    const data = readFileSync(join(out, name));
    if (data[0] === 0x1f && data[1] === 0x8b) return data;
  }
  throw new Error('skopeo wrote no gzip layer');
}
