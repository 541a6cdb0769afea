import { join } from 'node:path';

/** The names of the one-of-each daemons of a test cluster. */
export const MON_ID = 'a';
export const OSD_ID = 0;
export const RGW_NAME = 'client.rgw.a';

export interface CephConfigInput {
  dir: string;
  fsid: string;
  monPort: number;
  rgwPort: number;
  osdSizeBytes: number;
  /** More [global] settings, by Ceph option name. */
  settings?: Readonly<Record<string, string>>;
}

/** Where everything of a cluster lives, all under its one directory. */
export function cephPaths(dir: string) {
  return {
    conf: join(dir, 'ceph.conf'),
    adminKeyring: join(dir, 'client.admin.keyring'),
    monKeyring: join(dir, 'mon.keyring'),
    rgwKeyring: join(dir, `${RGW_NAME}.keyring`),
    monmap: join(dir, 'monmap'),
    monData: join(dir, 'mon', MON_ID),
    osdData: join(dir, 'osd', String(OSD_ID)),
    rgwData: join(dir, 'rgw'),
    run: join(dir, 'run'),
    crash: join(dir, 'crash'),
    logs: join(dir, 'log'),
  };
}

/**
 * ceph.conf for a one-machine cluster that touches nothing outside `dir`:
 * every data, run, crash and log path points into it (Ceph's defaults are
 * under /var/lib/ceph, /var/run/ceph and /var/log/ceph). One copy of each
 * object is enough for tests, so pools have size 1 and few placement groups,
 * and the placement rule picks among OSDs, not hosts. msgr2 only, on
 * loopback: the monitor needs one port, the OSD takes free ones of its own.
 */
export function renderCephConfig(input: CephConfigInput): string {
  const paths = cephPaths(input.dir);
  const global: Record<string, string> = {
    fsid: input.fsid,
    'mon host': `v2:127.0.0.1:${input.monPort}`,
    'mon initial members': MON_ID,
    'public addr': '127.0.0.1',
    'ms bind ipv6': 'false',
    'ms bind msgr1': 'false',
    'auth cluster required': 'cephx',
    'auth service required': 'cephx',
    'auth client required': 'cephx',
    'auth allow insecure global id reclaim': 'false',
    keyring: paths.adminKeyring,
    'run dir': paths.run,
    'crash dir': paths.crash,
    'log file': join(paths.logs, '$name.log'),
    'log to stderr': 'false',
    'err to stderr': 'true',
    'mon cluster log file': `default=${join(paths.logs, '$cluster.$channel.log')} cluster=${join(paths.logs, '$cluster.log')}`,
    'mon data': join(input.dir, 'mon', '$id'),
    'osd data': join(input.dir, 'osd', '$id'),
    'osd objectstore': 'bluestore',
    // A sparse file: the size is a ceiling, not what it takes on disk.
    'bluestore block create': 'true',
    'bluestore block size': String(input.osdSizeBytes),
    'bluestore fsck on mkfs': 'false',
    // Bluestore's cache grows toward this; Ceph's floor for it is 896 MiB.
    'osd memory target': String(896 * 1024 * 1024),
    'osd pool default size': '1',
    'osd pool default min size': '1',
    'osd pool default pg num': '8',
    'osd pool default pgp num': '8',
    'osd pool default pg autoscale mode': 'off',
    'osd crush chooseleaf type': '0',
    'mon allow pool size one': 'true',
    'mon allow pool delete': 'true',
    'mon warn on pool no redundancy': 'false',
    'mon max pg per osd': '1000',
    // Changes to the maps commit in tens of milliseconds instead of a second:
    // radosgw's start is a series of them (pools, crush placement).
    'paxos propose interval': '0.05',
    'paxos min wait': '0.01',
    // A test machine's disk may be fuller than a production one's may be.
    'mon data avail warn': '1',
    'mon data avail crit': '0',
    ...input.settings,
  };
  const sections: Record<string, Record<string, string>> = {
    global,
    mon: { keyring: join(paths.monData, 'keyring') },
    osd: { keyring: join(paths.osdData, 'keyring') },
    // Command-line clients (ceph, radosgw-admin) keep no log and no admin socket.
    client: { 'log file': '', 'admin socket': '' },
    [RGW_NAME]: {
      keyring: paths.rgwKeyring,
      'log file': join(paths.logs, '$name.log'),
      'admin socket': join(paths.run, '$name.asok'),
      'rgw data': paths.rgwData,
      'rgw frontends': `beast endpoint=127.0.0.1:${input.rgwPort}`,
    },
  };
  return Object.entries(sections)
    .map(([section, values]) => `[${section}]\n${Object.entries(values).map(([key, value]) => `${key} = ${value}`).join('\n')}\n`)
    .join('\n');
}
