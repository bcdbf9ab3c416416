import * as http from 'http';

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly agent?: http.Agent;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/** One HTTP request to a local server; resolves with status, headers and body. */
export function request(
  url: string,
  options: RequestOptions = {},
): Promise<HttpResult> {
  const body =
    options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        headers,
        agent: options.agent,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`request to ${url} timed out`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POST a scoring request with the endpoint key, as a client of the endpoint does. */
export function invoke(
  scoringUri: string,
  key: string,
  body: string,
  agent?: http.Agent,
): Promise<HttpResult> {
  return request(scoringUri, {
    method: 'POST',
    body,
    agent,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
    },
  });
}
