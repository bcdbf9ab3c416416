import { ChildProcess, spawn } from 'child_process';
import { createHmac } from 'crypto';
import * as https from 'https';
import * as path from 'path';

import { LocalTls } from './tls';
import { OutputLog, stopChild, waitForLine } from './processes';

/** Azurite's well-known development account (public, documented by Azurite). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The Blob service version the deployer's requests use. */
export const BLOB_SERVICE_VERSION = '2024-11-04';

export interface Azurite {
  /** e.g. https://127.0.0.1:41234 */
  readonly origin: string;
  readonly port: number;
  /** The account's blob endpoint, path style: `${origin}/devstoreaccount1`. */
  readonly accountUrl: string;
  readonly output: OutputLog;
  stop(): Promise<void>;
}

export interface StartAzuriteOptions {
  readonly tls: LocalTls;
  /** Working directory of the process (nothing is persisted: in-memory mode). */
  readonly cwd: string;
  /** @default 20000 */
  readonly startTimeoutMs?: number;
}

/**
 * Starts Azurite's blob service on 127.0.0.1 and a free port, over HTTPS with
 * OAuth (basic) enabled, in memory, telemetry off.
 */
export async function startAzurite(
  options: StartAzuriteOptions,
): Promise<Azurite> {
  const main = path.join(
    path.dirname(require.resolve('azurite/package.json')),
    'dist/src/blob/main.js',
  );
  // prettier-ignore
  const args = [
    main,
    '--blobHost', '127.0.0.1',
    '--blobPort', '0',
    '--inMemoryPersistence',
    '--extentMemoryLimit', '64',
    '--oauth', 'basic',
    '--cert', options.tls.certFile,
    '--key', options.tls.keyFile,
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--silent',
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
  });
  // a failed spawn is reported by waitForLine below; keep it from throwing
  child.on('error', () => undefined);
  const output = new OutputLog(500);
  output.attach(child);
  let port: number;
  try {
    port = await waitForLine(
      child,
      (line) => {
        const m = /successfully listens on https:\/\/127\.0\.0\.1:(\d+)/.exec(
          line,
        );
        return m ? Number(m[1]) : undefined;
      },
      options.startTimeoutMs ?? 20_000,
      'Azurite',
    );
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}\n${output.text()}`);
  }
  const origin = `https://127.0.0.1:${port}`;
  return {
    origin,
    port,
    accountUrl: `${origin}/${DEV_ACCOUNT_NAME}`,
    output,
    stop: () => stopChild(child),
  };
}

export interface BlobResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/**
 * Data-plane requests signed with the account key (Shared Key), as the
 * deployer's tooling sends them.
 */
export class SharedKeyClient {
  private readonly agent: https.Agent;

  constructor(
    private readonly accountUrl: string,
    ca: Buffer,
    private readonly account = DEV_ACCOUNT_NAME,
    private readonly accountKey = DEV_ACCOUNT_KEY,
  ) {
    this.agent = new https.Agent({ ca, keepAlive: false });
  }

  /** Creates a private container; an existing one is fine. */
  async createContainer(container: string): Promise<void> {
    const res = await this.send('PUT', `/${container}?restype=container`);
    if (res.status !== 201 && res.status !== 409) {
      throw new Error(
        `creating container ${container}: HTTP ${res.status} ${res.body}`,
      );
    }
  }

  async putBlob(
    container: string,
    name: string,
    content: Buffer,
    contentType: string,
  ): Promise<void> {
    const res = await this.send(
      'PUT',
      `/${container}/${encodeURIComponent(name)}`,
      content,
      {
        'content-type': contentType,
        'x-ms-blob-type': 'BlockBlob',
      },
    );
    if (res.status !== 201) {
      throw new Error(
        `uploading ${container}/${name}: HTTP ${res.status} ${res.body}`,
      );
    }
  }

  send(
    method: string,
    pathAndQuery: string,
    body: Buffer = Buffer.alloc(0),
    extraHeaders: Record<string, string> = {},
  ): Promise<BlobResponse> {
    const url = new URL(this.accountUrl + pathAndQuery);
    const headers: Record<string, string> = {
      ...extraHeaders,
      'content-length': String(body.length),
      'x-ms-date': new Date().toUTCString(),
      'x-ms-version': BLOB_SERVICE_VERSION,
    };
    headers.authorization = `SharedKey ${this.account}:${this.sign(method, url, headers)}`;
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  // https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
  private sign(
    method: string,
    url: URL,
    headers: Record<string, string>,
  ): string {
    const header = (name: string) => {
      const value = headers[name] ?? '';
      return name === 'content-length' && value === '0' ? '' : value;
    };
    const canonicalHeaders = Object.keys(headers)
      .filter((name) => name.startsWith('x-ms-'))
      .sort()
      .map((name) => `${name}:${headers[name].trim()}\n`)
      .join('');
    const query = [...url.searchParams.keys()]
      .map((k) => k.toLowerCase())
      .sort()
      .map((k) => `\n${k}:${url.searchParams.get(k)}`)
      .join('');
    const stringToSign =
      [
        method,
        header('content-encoding'),
        header('content-language'),
        header('content-length'),
        header('content-md5'),
        header('content-type'),
        header('date'),
        header('if-modified-since'),
        header('if-match'),
        header('if-none-match'),
        header('if-unmodified-since'),
        header('range'),
      ].join('\n') +
      `\n${canonicalHeaders}/${this.account}${url.pathname}${query}`;
    return createHmac('sha256', Buffer.from(this.accountKey, 'base64'))
      .update(stringToSign, 'utf8')
      .digest('base64');
  }
}
