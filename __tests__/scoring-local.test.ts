import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

import { invoke, request } from '../scoring/local/client';
import { ScoringHost } from '../scoring/local/host';
import {
  BLOB_FILE,
  Deployment,
  DeploymentProps,
  Emulators,
  MODEL_DIR,
  SAMPLE_REQUEST_FILE,
  deploy,
} from '../scoring/local/stack';
import { scoringTestEnvironment } from '../scoring/local/testing';

const { python, skipReason } = scoringTestEnvironment();
const describeWithPython = python ? describe : describe.skip;
if (skipReason) {
  // outside CI only: scoringTestEnvironment throws under CI=true
  process.stderr.write(`skipping the scoring host tests: ${skipReason}\n`);
}

const SAMPLE = fs.readFileSync(SAMPLE_REQUEST_FILE, 'utf8');
const BLOB_TEXT = fs.readFileSync(BLOB_FILE, 'utf8');
// short waits: the retry logic is the same, the test just takes less time
const FAST_RETRIES = {
  BLOB_READ_BACKOFF_SECONDS: '0.05',
  BLOB_READ_BACKOFF_MAX_SECONDS: '0.2',
};

describeWithPython('the scoring script on the local host', () => {
  let emulators: Emulators;
  const deployments: Deployment[] = [];

  beforeAll(async () => {
    emulators = await Emulators.start();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(deployments.map((d) => d.stop()));
    await emulators?.stop();
  }, 30_000);

  async function start(
    props: Omit<DeploymentProps, 'python'> = {},
  ): Promise<Deployment> {
    const deployment = await deploy(emulators, {
      python: python!.executable,
      ...props,
      env: { ...FAST_RETRIES, ...props.env },
    });
    deployments.push(deployment);
    return deployment;
  }

  function hostOf(deployment: Deployment): ScoringHost {
    if (!deployment.result.ok) {
      throw new Error(
        `init() failed: ${deployment.result.error}\n${deployment.result.output.text()}`,
      );
    }
    return deployment.result.host;
  }

  describe('with a system-assigned identity whose role is in effect', () => {
    let deployment: Deployment;
    let host: ScoringHost;

    beforeAll(async () => {
      deployment = await start();
      host = hostOf(deployment);
    }, 60_000);

    test('init() reads the blob with a token of the identity and logs its content', () => {
      // THEN the host log shows the blob's text
      expect(host.output.text()).toContain(
        JSON.stringify(BLOB_TEXT.trim()).slice(0, -1),
      );

      // AND one token was asked for storage, the MSI way, without a client id
      expect(deployment.tokenEndpoint.requests).toEqual([
        {
          apiVersion: '2017-09-01',
          resource: 'https://storage.azure.com/',
          secretAccepted: true,
          status: 200,
          principalId: deployment.identity.principalId,
        },
      ]);

      // AND the blob was read once, as that principal, through Azurite
      expect(
        emulators.gate.recordsFor(deployment.identity.principalId),
      ).toEqual([
        {
          method: 'GET',
          path: '/devstoreaccount1/scoring-data/hello.txt',
          principalId: deployment.identity.principalId,
          outcome: 'forwarded',
          status: 200,
        },
      ]);
    }, 10_000);

    test('never logs the token or the identity secret', () => {
      const log = host.output.text();
      expect(log).not.toContain(deployment.env.MSI_SECRET);
      expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    }, 10_000);

    test('answers the sample request with the predictions of the model loaded in-process', async () => {
      // GIVEN the model's own predictions, computed with joblib directly
      const inProcess = JSON.parse(
        execFileSync(
          python!.executable,
          [
            '-c',
            [
              'import json, sys, joblib, numpy',
              'model = joblib.load(sys.argv[1])',
              'rows = json.load(open(sys.argv[2]))["data"]',
              'print(json.dumps(model.predict(numpy.asarray(rows, dtype=float)).tolist()))',
            ].join('\n'),
            path.join(MODEL_DIR, 'sklearn_regression_model.pkl'),
            SAMPLE_REQUEST_FILE,
          ],
          {
            encoding: 'utf8',
            env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' },
          },
        ),
      );

      // WHEN the sample request is sent with the key
      const response = await invoke(host.scoringUri, host.key, SAMPLE);

      // THEN two numbers come back, equal to the in-process ones
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      const predictions = JSON.parse(response.text);
      expect(predictions).toHaveLength(2);
      expect(predictions).toEqual(inProcess);
    }, 30_000);

    test('answers the liveness route GET / with 200 Healthy, without a key', async () => {
      const response = await request(`${host.origin}/`);
      expect(response.status).toBe(200);
      expect(response.text).toBe('Healthy');
    }, 10_000);

    test.each([
      ['no Authorization header', (): Record<string, string> => ({})],
      ['a wrong key', () => ({ authorization: 'Bearer not-the-key' })],
      [
        'the key without the Bearer scheme',
        () => ({ authorization: host.key }),
      ],
    ])(
      'answers 401 to a scoring request with %s',
      async (_name, headers) => {
        const response = await request(host.scoringUri, {
          method: 'POST',
          body: SAMPLE,
          headers: { 'content-type': 'application/json', ...headers() },
        });
        expect(response.status).toBe(401);
        expect(JSON.parse(response.text).message).toMatch(/key/);

        const next = await invoke(host.scoringUri, host.key, SAMPLE);
        expect(next.status).toBe(200);
      },
      10_000,
    );

    test.each([
      ['not JSON', '{"data": [[1, 2', /not valid JSON/],
      [
        'a JSON array',
        '[[1,2,3,4,5,6,7,8,9,10]]',
        /JSON object with a 'data' field/,
      ],
      ['no data field', '{"rows": [[1,2,3,4,5,6,7,8,9,10]]}', /'data' field/],
      ['an empty data list', '{"data": []}', /non-empty list/],
      [
        'a row of 9 values',
        '{"data": [[1,2,3,4,5,6,7,8,9]]}',
        /data\[0\] has 9 values; each row needs exactly 10/,
      ],
      ['a row that is not a list', '{"data": [5]}', /data\[0\] must be a list/],
      [
        'a string value',
        '{"data": [[1,2,3,"x",5,6,7,8,9,10]]}',
        /data\[0\]\[3\] must be a number, got a string/,
      ],
      [
        'a boolean value',
        '{"data": [[1,2,3,true,5,6,7,8,9,10]]}',
        /data\[0\]\[3\] must be a number, got a boolean/,
      ],
      [
        'a null value',
        '{"data": [[1,2,3,4,5,6,7,8,9,null]]}',
        /data\[0\]\[9\] must be a number, got null/,
      ],
      [
        'NaN',
        '{"data": [[1,2,3,4,5,6,7,8,9,NaN]]}',
        /data\[0\]\[9\] must be a finite number/,
      ],
      [
        'a huge integer',
        `{"data": [[1,2,3,4,5,6,7,8,9,1${'0'.repeat(400)}]]}`,
        /must be a finite number/,
      ],
      [
        'deep nesting',
        `{"data": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
        /not valid JSON|must be a list/,
      ],
      ['an empty body', '', /not valid JSON/],
    ])(
      'answers 400 with a clear message to %s, and keeps serving',
      async (_name, body, message) => {
        const response = await invoke(host.scoringUri, host.key, body);
        expect(response.status).toBe(400);
        expect(JSON.parse(response.text).message).toMatch(message);

        const next = await invoke(host.scoringUri, host.key, SAMPLE);
        expect(next.status).toBe(200);
      },
      10_000,
    );

    test('answers 400 to a body that is not UTF-8', async () => {
      const response = await request(host.scoringUri, {
        method: 'POST',
        body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
        headers: { authorization: `Bearer ${host.key}` },
      });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text).message).toMatch(/UTF-8/);
    }, 10_000);

    test('serves 2,000 requests over 8 concurrent connections with no error and one token fetch', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      const failures: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < 2000) {
          next += 1;
          try {
            const response = await invoke(
              host.scoringUri,
              host.key,
              SAMPLE,
              agent,
            );
            if (
              response.status !== 200 ||
              JSON.parse(response.text).length !== 2
            ) {
              failures.push(`HTTP ${response.status} ${response.text}`);
            }
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: 8 }, worker));
      } finally {
        agent.destroy();
      }
      expect(failures).toEqual([]);
      expect(deployment.tokenEndpoint.tokensIssued).toBe(1);
      expect(deployment.tokenEndpoint.requests).toHaveLength(1);
    }, 90_000);
  });

  describe('role propagation (FR-4)', () => {
    test('retries a 403 until the role assignment takes effect', async () => {
      // GIVEN a role assignment that denies the first 3 reads
      const deployment = await start({ propagationDenials: 3 });

      // THEN init() succeeds on the 4th read, with the same token
      const host = hostOf(deployment);
      const outcomes = emulators.gate
        .recordsFor(deployment.identity.principalId)
        .map((r) => r.outcome);
      expect(outcomes).toEqual([
        'denied: role not yet effective',
        'denied: role not yet effective',
        'denied: role not yet effective',
        'forwarded',
      ]);
      expect(deployment.tokenEndpoint.tokensIssued).toBe(1);
      expect(host.output.text()).toMatch(
        /403 AuthorizationPermissionMismatch\), attempt 3 of 10/,
      );
      expect((await invoke(host.scoringUri, host.key, SAMPLE)).status).toBe(
        200,
      );
      await deployment.stop();
    }, 60_000);

    test('gives up after BLOB_READ_MAX_ATTEMPTS denied reads, naming account, container, file and role', async () => {
      // GIVEN no role assignment at all, 4 attempts, waits of 0.05 s doubling
      const started = Date.now();
      const deployment = await start({
        propagationDenials: 'none',
        env: { BLOB_READ_MAX_ATTEMPTS: '4' },
      });

      // THEN init() fails, the host exits, within a bounded time
      expect(deployment.result.ok).toBe(false);
      if (deployment.result.ok) return;
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(deployment.result.exitCode).toBe(3);
      expect(deployment.result.error).toMatch(/^BlobReadError: /);
      for (const part of [
        "storage account 'devstoreaccount1'",
        "container 'scoring-data'",
        "blob 'hello.txt'",
        "role 'Storage Blob Data Reader'",
        'HTTP 403 AuthorizationPermissionMismatch',
        'on all 4 attempts',
        'system-assigned identity',
      ]) {
        expect(deployment.result.error).toContain(part);
      }
      expect(
        emulators.gate.recordsFor(deployment.identity.principalId),
      ).toHaveLength(4);
    }, 60_000);

    test('does not retry a blob that does not exist', async () => {
      const deployment = await start({ env: { FILE_NAME: 'missing.txt' } });
      expect(deployment.result.ok).toBe(false);
      if (deployment.result.ok) return;
      expect(deployment.result.error).toMatch(
        /blob 'missing.txt' .* does not exist \(HTTP 404 BlobNotFound\)/,
      );
      expect(
        emulators.gate.recordsFor(deployment.identity.principalId),
      ).toHaveLength(1);
    }, 60_000);
  });

  describe('identities (FR-1)', () => {
    test('fails init() naming UAI_CLIENT_ID when a user-assigned deployment lacks it', async () => {
      const deployment = await start({
        identityKind: 'user_assigned',
        omitClientId: true,
      });

      expect(deployment.result.ok).toBe(false);
      if (deployment.result.ok) return;
      expect(deployment.result.error).toMatch(
        /^ScoringConfigError: IDENTITY_KIND is 'user_assigned' but UAI_CLIENT_ID is missing or empty/,
      );
      // no token was asked for (it would have been for the wrong identity)
      expect(deployment.tokenEndpoint.requests).toEqual([]);
    }, 60_000);

    test('sends the client id as clientid to MSI_ENDPOINT (api-version 2017-09-01)', async () => {
      const deployment = await start({ identityKind: 'user_assigned' });

      hostOf(deployment);
      expect(deployment.tokenEndpoint.requests).toEqual([
        {
          apiVersion: '2017-09-01',
          resource: 'https://storage.azure.com/',
          clientId: deployment.identity.clientId,
          clientIdParameter: 'clientid',
          secretAccepted: true,
          status: 200,
          principalId: deployment.identity.principalId,
        },
      ]);
      await deployment.stop();
    }, 60_000);

    test('sends the client id as client_id to IDENTITY_ENDPOINT (api-version 2019-08-01)', async () => {
      const deployment = await start({
        identityKind: 'user_assigned',
        identityProtocol: 'identity',
      });

      hostOf(deployment);
      expect(deployment.tokenEndpoint.requests).toEqual([
        expect.objectContaining({
          apiVersion: '2019-08-01',
          clientId: deployment.identity.clientId,
          clientIdParameter: 'client_id',
          status: 200,
        }),
      ]);
      await deployment.stop();
    }, 60_000);

    test('fails init() with the token endpoint answer when the client id is unknown', async () => {
      const deployment = await start({
        identityKind: 'user_assigned',
        env: { UAI_CLIENT_ID: '11111111-2222-3333-4444-555555555555' },
      });

      expect(deployment.result.ok).toBe(false);
      if (deployment.result.ok) return;
      expect(deployment.result.error).toMatch(
        /^IdentityError: .*HTTP 400 Identity not found/,
      );
      expect(deployment.result.error).toContain(
        'Check that UAI_CLIENT_ID is the client id',
      );
    }, 60_000);

    test('retries a token endpoint that is not ready yet', async () => {
      const deployment = await start({ tokenEndpointUnavailableForFirst: 2 });

      hostOf(deployment);
      expect(deployment.tokenEndpoint.requests.map((r) => r.status)).toEqual([
        503, 503, 200,
      ]);
      await deployment.stop();
    }, 60_000);
  });
});
