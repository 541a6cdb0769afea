import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/errors';
import { BlobDirectoryInput } from './blob-directory.ts';
import { DockerArchiveInput } from './docker-archive.ts';
import { parseImageReference } from './image-reference.ts';
import type { ImageInput } from './input.ts';
import { OciLayoutInput } from './oci-layout.ts';
import { RegistryInput } from './registry-input.ts';

export interface OpenInputOptions {
  /** For registry references: verify TLS, no plain http except on loopback (true by default). */
  tlsVerify?: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * What an argument of `strata analyze` names: `docker://...` is always a
 * registry reference; an existing directory is an OCI layout when it holds
 * `oci-layout`, else a directory of blobs; an existing file is a
 * docker-archive; otherwise a `host/repository[:tag]` reference. Anything
 * else is InvalidArgument, before any work starts.
 */
export async function openInput(argument: string, options: OpenInputOptions = {}): Promise<ImageInput> {
  const tlsVerify = options.tlsVerify ?? true;
  if (!argument.startsWith('docker://')) {
    const info = await stat(argument).catch(() => undefined);
    if (info?.isDirectory()) {
      return (await exists(join(argument, 'oci-layout'))) ? new OciLayoutInput(argument) : new BlobDirectoryInput(argument);
    }
    if (info?.isFile()) return new DockerArchiveInput(argument);
  }
  const ref = parseImageReference(argument);
  if (ref) return new RegistryInput(argument, ref, tlsVerify);
  throw new StrataError('InvalidArgument', `${argument}: no such file or directory, and not an image reference (host/repository:tag or docker://...)`);
}
