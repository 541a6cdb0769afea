import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig, sharedCeph, sharedPostgres, type CephCluster, type PostgresServer } from '@strata/test-services';
import { RoundRobinBalancer } from './balancer.ts';
import { startDaemon, waitForLog, type Daemon } from './processes.ts';
import type { Workspace } from './workspace.ts';

/**
 * The backing services of the scale-out setup: the test run's PostgreSQL
 * (a database of this worker's own) and Ceph, or when the file runs alone,
 * servers started by the first case that needs them and stopped when the
 * worker's tests are done. Each case gets schemas and an object prefix of
 * its own, so cases never see each other's data.
 */
export interface BackingServices {
  postgres: PostgresServer;
  ceph: CephCluster;
  bucket: string;
}

let services: Promise<BackingServices> | undefined;

export function backingServices(): Promise<BackingServices> {
  services ??= (async () => {
    const [postgres, ceph] = await Promise.all([sharedPostgres(), sharedCeph()]);
    const bucket = `strata-clients-${randomBytes(6).toString('hex')}`;
    const s3 = new S3Client(s3ClientConfig(ceph));
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      s3.destroy();
    }
    return { postgres, ceph, bucket };
  })();
  return services;
}

// Every client test file loads this module; the services live as long as the file's tests.
test.after.always(() => stopBackingServices());

/** Stops the services if a case started them. */
async function stopBackingServices(): Promise<void> {
  if (!services) return;
  const started = await services.catch(() => undefined);
  services = undefined;
  await Promise.all([started?.postgres.stop(), started?.ceph.stop()]);
}

/** The AWS SDK's standard environment for the cluster's S3 user. */
export function awsEnvironment(ceph: CephCluster): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: ceph.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ceph.secretAccessKey,
    AWS_REGION: ceph.region,
  };
}

export interface ScaleOutCluster {
  cas: Daemon;
  casAddress: string;
  gateways: { daemon: Daemon; url: string }[];
  balancer: RoundRobinBalancer;
}

/**
 * `strata cas` with its packs in S3 and its index in PostgreSQL, two
 * stateless `strata serve` gateways over another PostgreSQL schema and that
 * store, and a round-robin balancer in front of them.
 */
export async function startScaleOut(
  t: ExecutionContext,
  workspace: Workspace,
  strataBin: string,
  backing: BackingServices,
  serveArgs: string[],
): Promise<ScaleOutCluster> {
  const id = randomBytes(6).toString('hex');
  const env = awsEnvironment(backing.ceph);
  const cas = await startDaemon(
    t,
    process.execPath,
    [
      strataBin,
      'cas',
      '--data',
      await workspace.dir('strata-cas'),
      '--packs',
      `s3://${backing.bucket}/case-${id}`,
      '--s3-endpoint',
      backing.ceph.endpoint,
      '--metadata',
      `${backing.postgres.url}?schema=cas_${id}`,
      '--listen',
      '127.0.0.1:0',
    ],
    { logFile: workspace.path('strata-cas.log'), env },
  );
  const casAddress = await waitForLog(cas, /listening on (\S+)/);
  const metadata = `${backing.postgres.url}?schema=gateway_${id}`;
  const gateways = await Promise.all(
    ['a', 'b'].map(async (name) => {
      const daemon = await startDaemon(
        t,
        process.execPath,
        [strataBin, 'serve', '--data', await workspace.dir(`gateway-${name}`), '--cas', casAddress, '--metadata', metadata, ...serveArgs, '--listen', '127.0.0.1:0'],
        { logFile: workspace.path(`strata-serve-${name}.log`), env },
      );
      return { daemon, url: await waitForLog(daemon, /strata: serving (http:\/\/\S+)/) };
    }),
  );
  const balancer = await RoundRobinBalancer.start(gateways.map((gateway) => new URL(gateway.url).host));
  t.teardown(() => balancer.stop());
  return { cas, casAddress, gateways, balancer };
}
