import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** A throw-away certificate authority and a server certificate for 127.0.0.1. */
export interface LocalTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

const SERVER_EXTENSIONS = [
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
].join('\n');

/**
 * Creates, with the openssl CLI, a CA valid for two days and a certificate
 * for 127.0.0.1/localhost signed by it, in `dir`. The CA key is deleted once
 * the server certificate is signed.
 */
export function createLocalTls(dir: string): LocalTls {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const detail = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(
        `openssl ${args[0]} failed (${detail || (error as Error).message}); ` +
          'the local emulators need the openssl CLI (apt-get install openssl)',
      );
    }
  };

  // prettier-ignore
  openssl(
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-subj', '/CN=scoring local test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', file('ca.key'), '-out', file('ca.pem'),
  );
  // prettier-ignore
  openssl(
    'req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', '/CN=127.0.0.1',
    '-keyout', file('server.key'), '-out', file('server.csr'),
  );
  fs.writeFileSync(file('server.ext'), SERVER_EXTENSIONS);
  // prettier-ignore
  openssl(
    'x509', '-req', '-sha256', '-days', '2',
    '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
    '-set_serial', `0x${Date.now().toString(16)}`,
    '-extfile', file('server.ext'), '-out', file('server.pem'),
  );
  fs.rmSync(file('ca.key'));
  fs.rmSync(file('server.csr'));

  return {
    caFile: file('ca.pem'),
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    ca: fs.readFileSync(file('ca.pem')),
    cert: fs.readFileSync(file('server.pem')),
    key: fs.readFileSync(file('server.key')),
  };
}
