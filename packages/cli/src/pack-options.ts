import { Option, type Command } from 'commander';
import type { S3PackLocation } from '@strata/cas';
import { isInvalidArgument } from '@strata/errors';
import { parseSizeArgument } from './arguments.ts';

export interface PackOptions {
  packs?: string;
  s3Endpoint?: string;
  s3Region?: string;
  packCache?: number;
}

/** Adds the options that put an embedded engine's packs in S3-compatible object storage. */
export function withPackOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--packs <url>',
        'keep packs in S3-compatible object storage at s3://BUCKET/PREFIX instead of the data directory (credentials from the standard AWS variables and files; one data directory per prefix)',
      ).env('STRATA_PACKS'),
    )
    .addOption(new Option('--s3-endpoint <url>', 'S3 endpoint of --packs (radosgw, MinIO: path-style); AWS when absent').env('STRATA_S3_ENDPOINT'))
    .option('--s3-region <region>', 'region of --packs (default AWS_REGION, else us-east-1)')
    .option('--pack-cache <size>', 'bytes of hot pack ranges cached in the data directory with --packs (default 1GiB, 0 turns it off)', parseSizeArgument);
}

/**
 * The pack location the options name: undefined without --packs (the data
 * directory decides: local, or the location it recorded). A malformed URL
 * or an S3 flag without --packs is a usage error.
 */
export async function packLocation(options: PackOptions, command: Command): Promise<S3PackLocation | undefined> {
  if (options.packs === undefined) {
    if (options.s3Endpoint !== undefined || options.s3Region !== undefined || options.packCache !== undefined) {
      command.error('--s3-endpoint, --s3-region and --pack-cache go with --packs', { exitCode: 2, code: 'strata.usage' });
    }
    return undefined;
  }
  const { parsePackLocation } = await import('@strata/cas');
  let location: S3PackLocation;
  try {
    location = parsePackLocation(options.packs);
  } catch (error) {
    if (!isInvalidArgument(error)) throw error;
    command.error(`--packs: ${(error as Error).message}`, { exitCode: 2, code: 'strata.usage' });
  }
  if (options.s3Endpoint !== undefined) {
    if (!URL.canParse(options.s3Endpoint) || !/^https?:$/.test(new URL(options.s3Endpoint).protocol)) {
      command.error('--s3-endpoint: expected an http:// or https:// URL', { exitCode: 2, code: 'strata.usage' });
    }
    location.endpoint = options.s3Endpoint;
  }
  if (options.s3Region !== undefined) location.region = options.s3Region;
  if (options.packCache !== undefined) location.cacheBytes = options.packCache;
  return location;
}
