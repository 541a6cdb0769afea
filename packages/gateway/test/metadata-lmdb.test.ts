import { join } from 'node:path';
import test from 'ava';
import { LmdbMetadata } from '@strata/gateway';
import { runMetadataSuite } from './metadata-suite.ts';
import { tempDir } from './support.ts';

runMetadataSuite(test, 'lmdb', async (t) => LmdbMetadata.open(join(await tempDir(t), 'gateway')));
