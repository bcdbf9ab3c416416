import * as https from 'https';

import { request } from '../scoring/local/client';
import { BLOB_SERVICE_VERSION } from '../scoring/local/azurite';
import { Emulators } from '../scoring/local/stack';
import { scoringTestEnvironment } from '../scoring/local/testing';
import {
  LocalIdentity,
  TokenEndpoint,
  TokenIssuer,
  newIdentity,
} from '../scoring/local/token-endpoint';

const { python, skipReason } = scoringTestEnvironment();
const describeWithTools = python ? describe : describe.skip;
if (skipReason) {
  process.stderr.write(`skipping the emulator tests: ${skipReason}\n`);
}

const STORAGE = 'https://storage.azure.com/';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(
    Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
  );
}

describe('TokenEndpoint', () => {
  const issuer = new TokenIssuer();
  let system: LocalIdentity;
  let user: LocalIdentity;
  let endpoint: TokenEndpoint;

  beforeAll(async () => {
    system = newIdentity('system_assigned');
    user = newIdentity('user_assigned');
    endpoint = await TokenEndpoint.start({
      issuer,
      systemAssigned: system,
      userAssigned: [user],
      tokenLifetimeSeconds: 600,
    });
  });

  afterAll(() => endpoint.stop());

  const ask = (query: string, headers: Record<string, string>) =>
    request(`${endpoint.url}?${query}`, { headers });

  test('issues a storage token for the system-assigned identity (2017-09-01, secret header)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await ask(`api-version=2017-09-01&resource=${STORAGE}`, {
      secret: endpoint.secret,
    });

    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(body).toMatchObject({
      resource: STORAGE,
      token_type: 'Bearer',
      client_id: system.clientId,
    });
    expect(typeof body.expires_on).toBe('number');
    expect(body.expires_on - before).toBeGreaterThanOrEqual(600);
    expect(claimsOf(body.access_token)).toMatchObject({
      aud: STORAGE,
      iss: `https://sts.windows.net/${issuer.tenantId}/`,
      oid: system.principalId,
      appid: system.clientId,
      exp: body.expires_on,
    });
  });

  test('issues a token for a user-assigned identity named by client_id (2019-08-01, X-IDENTITY-HEADER)', async () => {
    const response = await ask(
      `api-version=2019-08-01&resource=${STORAGE}&client_id=${user.clientId}`,
      {
        'x-identity-header': endpoint.secret,
      },
    );

    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(typeof body.expires_on).toBe('string');
    expect(claimsOf(body.access_token)).toMatchObject({
      oid: user.principalId,
      xms_mirid: user.resourceId,
    });
  });

  test.each([
    ['2017-09-01', 'x-identity-header'],
    ['2019-08-01', 'secret'],
  ])(
    'answers 401 when api-version %s comes without its secret header (%s sent instead)',
    async (version, header) => {
      const response = await ask(`api-version=${version}&resource=${STORAGE}`, {
        [header]: endpoint.secret,
      });
      expect(response.status).toBe(401);
      expect(endpoint.requests.at(-1)).toMatchObject({
        secretAccepted: false,
        status: 401,
      });
    },
  );

  test('answers 400 Identity not found to an unknown client id', async () => {
    const response = await ask(
      `api-version=2017-09-01&resource=${STORAGE}&clientid=${newIdentity('user_assigned').clientId}`,
      {
        secret: endpoint.secret,
      },
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error_description).toBe(
      'Identity not found',
    );
  });

  test('ignores client_id under api-version 2017-09-01, as the older protocol does', async () => {
    const response = await ask(
      `api-version=2017-09-01&resource=${STORAGE}&client_id=${user.clientId}`,
      {
        secret: endpoint.secret,
      },
    );
    expect(response.status).toBe(200);
    expect(claimsOf(JSON.parse(response.text).access_token).oid).toBe(
      system.principalId,
    );
  });

  test('answers 400 without resource or with an unknown api-version', async () => {
    expect(
      (await ask('api-version=2017-09-01', { secret: endpoint.secret })).status,
    ).toBe(400);
    expect(
      (
        await ask(`api-version=2018-02-01&resource=${STORAGE}`, {
          secret: endpoint.secret,
        })
      ).status,
    ).toBe(400);
  });

  test('answers 400 to a request without client id when the endpoint has no system-assigned identity', async () => {
    const onlyUser = await TokenEndpoint.start({
      issuer,
      userAssigned: [user],
    });
    try {
      const response = await request(
        `${onlyUser.url}?api-version=2017-09-01&resource=${STORAGE}`,
        {
          headers: { secret: onlyUser.secret },
        },
      );
      expect(response.status).toBe(400);
    } finally {
      await onlyUser.stop();
    }
  });
});

describeWithTools('RoleGate in front of Azurite', () => {
  let emulators: Emulators;
  let agent: https.Agent;
  const blobPath = '/devstoreaccount1/scoring-data/hello.txt';

  beforeAll(async () => {
    emulators = await Emulators.start();
    agent = new https.Agent({ ca: emulators.tls.ca, keepAlive: false });
  }, 60_000);

  afterAll(async () => {
    agent?.destroy();
    await emulators?.stop();
  }, 30_000);

  function read(
    token: string,
    method = 'GET',
    path = blobPath,
  ): Promise<{ status: number; code?: string; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${emulators.gate.origin}${path}`,
        {
          method,
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            'x-ms-version': BLOB_SERVICE_VERSION,
            'x-ms-date': new Date().toUTCString(),
            ...(method === 'PUT'
              ? { 'x-ms-blob-type': 'BlockBlob', 'content-length': '1' }
              : {}),
          },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              code: res.headers['x-ms-error-code'] as string,
              body,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(method === 'PUT' ? 'x' : undefined);
    });
  }

  function tokenFor(
    identity: LocalIdentity,
    audience = STORAGE,
    lifetime = 600,
    now = Math.floor(Date.now() / 1000),
  ) {
    return emulators.issuer.issue(identity, audience, lifetime, now);
  }

  test('passes a read of an identity with Storage Blob Data Reader on the container to Azurite', async () => {
    const identity = newIdentity('system_assigned');
    emulators.gate.assign({
      principalId: identity.principalId,
      account: 'devstoreaccount1',
      container: 'scoring-data',
    });

    const response = await read(tokenFor(identity));

    expect(response.status).toBe(200);
    expect(response.body).toContain('Hello from the blob');
  }, 20_000);

  test('denies the first N reads while the assignment propagates, with 403 AuthorizationPermissionMismatch', async () => {
    const identity = newIdentity('system_assigned');
    emulators.gate.assign({
      principalId: identity.principalId,
      account: 'devstoreaccount1',
      propagationDenials: 2,
    });

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await read(tokenFor(identity)));

    expect(statuses.map((s) => [s.status, s.code])).toEqual([
      [403, 'AuthorizationPermissionMismatch'],
      [403, 'AuthorizationPermissionMismatch'],
      [200, undefined],
    ]);
    expect(statuses[0].body).toMatch(
      /^<\?xml .*<Error><Code>AuthorizationPermissionMismatch<\/Code><Message>This request is not authorized/s,
    );
  }, 20_000);

  test('denies an identity without an assignment, or with one on another container', async () => {
    const none = newIdentity('system_assigned');
    const elsewhere = newIdentity('user_assigned');
    emulators.gate.assign({
      principalId: elsewhere.principalId,
      account: 'devstoreaccount1',
      container: 'other',
    });

    for (const identity of [none, elsewhere]) {
      const response = await read(tokenFor(identity));
      expect([response.status, response.code]).toEqual([
        403,
        'AuthorizationPermissionMismatch',
      ]);
    }
  }, 20_000);

  test('denies a write to a reader', async () => {
    const identity = newIdentity('system_assigned');
    emulators.gate.assign({
      principalId: identity.principalId,
      account: 'devstoreaccount1',
    });

    const response = await read(
      tokenFor(identity),
      'PUT',
      '/devstoreaccount1/scoring-data/new.txt',
    );

    expect([response.status, response.code]).toEqual([
      403,
      'AuthorizationPermissionMismatch',
    ]);
  }, 20_000);

  test('refuses a token it did not issue', async () => {
    const identity = newIdentity('system_assigned');
    emulators.gate.assign({
      principalId: identity.principalId,
      account: 'devstoreaccount1',
    });
    const forged = new TokenIssuer().issue(
      identity,
      STORAGE,
      600,
      Math.floor(Date.now() / 1000),
    );

    const response = await read(forged);

    expect([response.status, response.code]).toEqual([
      403,
      'AuthenticationFailed',
    ]);
  }, 20_000);

  test.each([
    [
      'a wrong audience',
      { audience: 'https://vault.azure.net' },
      /Invalid token audience/,
    ],
    [
      'an expired token',
      { lifetime: 60, now: Math.floor(Date.now() / 1000) - 3600 },
      /token is expired/,
    ],
  ])(
    'leaves Azurite to reject %s',
    async (_name, change, detail) => {
      const identity = newIdentity('system_assigned');
      emulators.gate.assign({
        principalId: identity.principalId,
        account: 'devstoreaccount1',
      });
      const token = tokenFor(
        identity,
        (change as { audience?: string }).audience,
        (change as { lifetime?: number }).lifetime,
        (change as { now?: number }).now,
      );

      const response = await read(token);

      expect([response.status, response.code]).toEqual([
        403,
        'AuthenticationFailed',
      ]);
      expect(response.body).toMatch(detail);
    },
    20_000,
  );
});
