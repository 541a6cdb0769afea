import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Paths of a throwaway PKI: a CA, a server certificate and a client certificate it signed. */
export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/**
 * Creates, with the `openssl` command, a one-day CA in `dir` and signs a
 * server certificate for localhost and 127.0.0.1 and a client certificate
 * for mTLS: what tests of TLS servers need, never a real secret.
 */
export async function createTestPki(dir: string): Promise<TestPki> {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=strata test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  const extensions = { server: 'subjectAltName=DNS:localhost,IP:127.0.0.1\n', client: 'extendedKeyUsage=clientAuth\n' };
  for (const [name, extension] of Object.entries(extensions)) {
    const subject = name === 'server' ? '/CN=localhost' : '/CN=strata client';
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    await writeFile(join(dir, `${name}.ext`), extension);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }
  return {
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
}
