/**
 * The shared services a scale-out deployment runs on, started once for a
 * suite: a one-node Ceph with radosgw (S3) behind a request-counting proxy,
 * and a PostgreSQL server, both on loopback, both from @strata/test-services.
 * Every store under test reaches S3 through the proxy, so requests and bytes
 * are counted the same way for all of them; the suite's own bookkeeping
 * (creating buckets, listing what they hold) goes to radosgw directly and is
 * not counted.
 */
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_POSTGRES_BIN_DIR, sharedCeph, sharedPostgres, s3ClientConfig, type CephCluster, type PostgresServer } from '@strata/test-services';
import { join } from 'node:path';
import { StrataError } from '@strata/errors';
import { startHttpCountingProxy, type HttpCountingProxy } from './http-counting-proxy.ts';
import { firstLine, runCommand } from './measure.ts';
import { environmentWithoutAws, type S3Target } from './registries.ts';

export interface BackingServices {
  ceph: CephCluster;
  postgres: PostgresServer;
  /** In front of radosgw: what every store is given as its S3 endpoint. */
  proxy: HttpCountingProxy;
  /** Milliseconds each took to start. */
  startMs: { ceph: number; postgres: number };
  /** An empty bucket, reached through the proxy. */
  bucket(name: string): Promise<S3Target>;
  /** Objects and their bytes under `prefix` of `bucket`, listed from radosgw directly. */
  bucketUsage(bucket: string, prefix?: string): Promise<{ objects: number; bytes: number }>;
  /** A new database on the PostgreSQL server; its `postgresql://` URL. */
  database(name: string): Promise<string>;
  /** Bytes of each named database (`pg_database_size`). */
  databaseBytes(names: readonly string[]): Promise<Record<string, number>>;
  /** An environment with the S3 credentials in the standard AWS variables and nothing else of AWS's. */
  awsEnvironment(): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * Ceph and PostgreSQL side by side (Ceph takes the longer, about 12 s; under
 * `npm test` the run's shared servers); if one fails, the other is stopped.
 */
export async function startBackingServices(): Promise<BackingServices> {
  const [ceph, postgres] = await Promise.allSettled([sharedCeph(), sharedPostgres()]);
  if (ceph.status === 'rejected' || postgres.status === 'rejected') {
    if (ceph.status === 'fulfilled') await ceph.value.stop();
    if (postgres.status === 'fulfilled') await postgres.value.stop();
    throw ceph.status === 'rejected' ? ceph.reason : (postgres as PromiseRejectedResult).reason;
  }
  return assemble(ceph.value, postgres.value);
}

async function assemble(ceph: CephCluster, postgres: PostgresServer): Promise<BackingServices> {
  const proxy = await startHttpCountingProxy(ceph.endpoint);
  const s3 = new S3Client(s3ClientConfig(ceph));
  const psql = (args: readonly string[]) =>
    runCommand(join(postgres.binDir, args[0]!), ['-h', postgres.host, '-p', String(postgres.port), '-U', postgres.user, ...args.slice(1)], {
      env: { ...process.env, PGPASSWORD: postgres.password },
    });
  return {
    ceph,
    postgres,
    proxy,
    startMs: { ceph: ceph.startMs, postgres: postgres.startMs },
    async bucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      return { endpoint: proxy.url, region: ceph.region, accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey, bucket: name };
    },
    async bucketUsage(bucket, prefix) {
      let objects = 0;
      let bytes = 0;
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
          objects++;
          bytes += object.Size ?? 0;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return { objects, bytes };
    },
    async database(name) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new StrataError('InvalidArgument', `not a plain database name: ${name}`);
      await psql(['createdb', name]);
      const url = new URL(postgres.url);
      url.pathname = `/${name}`;
      return url.href;
    },
    async databaseBytes(names) {
      const sizes: Record<string, number> = {};
      for (const name of names) {
        const { stdout } = await psql(['psql', '-d', postgres.database, '-tAc', `SELECT pg_database_size('${name}')`]);
        sizes[name] = Number(stdout.trim());
      }
      return sizes;
    },
    awsEnvironment: () => ({
      ...environmentWithoutAws(),
      AWS_ACCESS_KEY_ID: ceph.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ceph.secretAccessKey,
      AWS_REGION: ceph.region,
    }),
    async stop() {
      s3.destroy();
      await proxy.close();
      await Promise.all([ceph.stop(), postgres.stop()]);
    },
  };
}

/** radosgw's and PostgreSQL's versions, for the report. */
export async function backingVersions(): Promise<Record<string, string>> {
  const unavailable = (error: Error): string => `unavailable: ${error.message}`;
  return {
    radosgw: await firstLine('radosgw', ['--version']).catch(unavailable),
    postgresql: await firstLine(join(process.env.STRATA_PG_BINDIR ?? DEFAULT_POSTGRES_BIN_DIR, 'postgres'), ['--version']).catch(unavailable),
  };
}
