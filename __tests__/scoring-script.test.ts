import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { CODE_DIR, MODEL_DIR, SCORING_DIR } from '../scoring/local/stack';
import { scoringTestEnvironment } from '../scoring/local/testing';
import {
  TokenEndpoint,
  TokenIssuer,
  newIdentity,
} from '../scoring/local/token-endpoint';

const { python, skipReason } = scoringTestEnvironment();
const describeWithPython = python ? describe : describe.skip;
if (skipReason) {
  process.stderr.write(`skipping the scoring script tests: ${skipReason}\n`);
}

const MARKER = 'RESULT:';

/**
 * Runs Python code with score.py importable as `score`; the code ends with
 * `emit(value)`. Async, so that servers of this process keep answering.
 */
function runPython(
  code: string,
  env: Record<string, string> = {},
  extraPath: string[] = [],
): Promise<unknown> {
  const prelude = [
    'import json, os, sys',
    `sys.path[:0] = ${JSON.stringify([...extraPath, CODE_DIR])}`,
    `def emit(value): print(${JSON.stringify(MARKER)} + json.dumps(value), flush=True)`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(python!.executable, ['-c', `${prelude}\n${code}`], {
      env: {
        PATH: process.env.PATH ?? '',
        PYTHONDONTWRITEBYTECODE: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
      if (status !== 0 || !line) {
        reject(new Error(`python exited ${status}\n${stdout}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(line.slice(MARKER.length)));
    });
  });
}

/** The environment a deployment gives the script, minus what a case removes. */
const VALID_ENV: Record<string, string> = {
  STORAGE_ACCOUNT_NAME: 'datastore1',
  STORAGE_CONTAINER_NAME: 'scoring-data',
  FILE_NAME: 'hello.txt',
  AZUREML_MODEL_DIR: '/var/azureml-app/azureml-models/m/1',
  MSI_ENDPOINT: 'http://127.0.0.1:1/msi/token',
  MSI_SECRET: 'secret-value',
};

const SETTINGS_ERROR = `
import score
try:
    score.Settings(os.environ)
    emit("no error")
except score.ScoringConfigError as error:
    emit(str(error))
`;

describeWithPython('score.py', () => {
  describe('Settings', () => {
    test.each<[string, Record<string, string | undefined>, RegExp]>([
      [
        'STORAGE_ACCOUNT_NAME is missing',
        { STORAGE_ACCOUNT_NAME: undefined },
        /environment variable STORAGE_ACCOUNT_NAME, which is missing or empty/,
      ],
      [
        'FILE_NAME is blank',
        { FILE_NAME: '  ' },
        /environment variable FILE_NAME, which is missing or empty/,
      ],
      [
        'AZUREML_MODEL_DIR is missing',
        { AZUREML_MODEL_DIR: undefined },
        /AZUREML_MODEL_DIR/,
      ],
      [
        'IDENTITY_KIND is unknown',
        { IDENTITY_KIND: 'UserAssigned' },
        /IDENTITY_KIND must be 'system_assigned' or 'user_assigned', got 'UserAssigned'/,
      ],
      [
        'a user-assigned identity has no UAI_CLIENT_ID',
        { IDENTITY_KIND: 'user_assigned' },
        /UAI_CLIENT_ID is missing or empty: set UAI_CLIENT_ID to the client id \(not the principal id\)/,
      ],
      [
        'MSI_SECRET is missing',
        { MSI_SECRET: undefined },
        /MSI_ENDPOINT is set but MSI_SECRET is missing or empty/,
      ],
      [
        'IDENTITY_ENDPOINT has no IDENTITY_HEADER',
        {
          MSI_ENDPOINT: undefined,
          MSI_SECRET: undefined,
          IDENTITY_ENDPOINT: 'http://127.0.0.1:1/',
        },
        /IDENTITY_ENDPOINT is set but IDENTITY_HEADER is missing/,
      ],
      [
        'no identity endpoint is set',
        { MSI_ENDPOINT: undefined, MSI_SECRET: undefined },
        /No managed identity endpoint in the environment/,
      ],
      [
        'STORAGE_BLOB_ENDPOINT is plain http',
        { STORAGE_BLOB_ENDPOINT: 'http://127.0.0.1:10000/devstoreaccount1' },
        /STORAGE_BLOB_ENDPOINT must be an https URL .* got 'http:\/\/127.0.0.1:10000\/devstoreaccount1'/,
      ],
      [
        'BLOB_READ_MAX_ATTEMPTS is 0',
        { BLOB_READ_MAX_ATTEMPTS: '0' },
        /BLOB_READ_MAX_ATTEMPTS must be a whole number of at least 1, got '0'/,
      ],
      [
        'BLOB_READ_BACKOFF_SECONDS is negative',
        { BLOB_READ_BACKOFF_SECONDS: '-1' },
        /BLOB_READ_BACKOFF_SECONDS must be a number of seconds of at least 0, got '-1'/,
      ],
    ])(
      'init() fails before any request when %s',
      async (_name, change, message) => {
        const env = { ...VALID_ENV, ...change };
        for (const [name, value] of Object.entries(env))
          if (value === undefined) delete env[name];
        await expect(
          runPython(SETTINGS_ERROR, env as Record<string, string>),
        ).resolves.toMatch(message);
      },
      20_000,
    );

    test('builds the blob URL of the account, or of STORAGE_BLOB_ENDPOINT when set', async () => {
      const code = 'import score\nemit(score.Settings(os.environ).blob_url)';
      await expect(runPython(code, VALID_ENV)).resolves.toBe(
        'https://datastore1.blob.core.windows.net/scoring-data/hello.txt',
      );
      await expect(
        runPython(code, {
          ...VALID_ENV,
          STORAGE_BLOB_ENDPOINT: 'https://127.0.0.1:10000/devstoreaccount1/',
        }),
      ).resolves.toBe(
        'https://127.0.0.1:10000/devstoreaccount1/scoring-data/hello.txt',
      );
    }, 20_000);

    test('treats UAI_CLIENT_ID without IDENTITY_KIND as a user-assigned identity', async () => {
      const code =
        'import score\ns = score.Settings(os.environ)\nemit([s.identity_kind, s.client_id])';
      await expect(
        runPython(code, { ...VALID_ENV, UAI_CLIENT_ID: 'abc' }),
      ).resolves.toEqual(['user_assigned', 'abc']);
    }, 20_000);

    test('prefers IDENTITY_ENDPOINT (2019-08-01) over MSI_ENDPOINT (2017-09-01) when both are set', async () => {
      const code = [
        'import score',
        'e = score.Settings(os.environ).identity_endpoint',
        'emit([e.api_version, e.secret_header, e.client_id_param, e.token_url("https://storage.azure.com/", "cid")])',
      ].join('\n');
      const env = {
        ...VALID_ENV,
        IDENTITY_ENDPOINT: 'http://127.0.0.1:2/token',
        IDENTITY_HEADER: 'h',
      };
      await expect(runPython(code, env)).resolves.toEqual([
        '2019-08-01',
        'X-IDENTITY-HEADER',
        'client_id',
        'http://127.0.0.1:2/token?api-version=2019-08-01&resource=https%3A%2F%2Fstorage.azure.com%2F&client_id=cid',
      ]);
    }, 20_000);
  });

  describe('token', () => {
    test('reads expires_on as a number, a numeric string or a date, and expires_in otherwise', async () => {
      const code = [
        'import score',
        'emit([',
        '  score._expiry({"expires_on": 1700000000}, 0),',
        '  score._expiry({"expires_on": "1700000000"}, 0),',
        '  score._expiry({"expires_on": "11/14/2023 22:13:20 +00:00"}, 0),',
        '  score._expiry({"expires_in": "3599"}, 100),',
        '])',
      ].join('\n');
      await expect(runPython(code)).resolves.toEqual([
        1700000000, 1700000000, 1700000000, 3699,
      ]);
    }, 20_000);

    test('is reused until near expiry, then fetched again', async () => {
      // GIVEN a token endpoint issuing 10-minute tokens
      const identity = newIdentity('system_assigned');
      const endpoint = await TokenEndpoint.start({
        issuer: new TokenIssuer(),
        systemAssigned: identity,
        tokenLifetimeSeconds: 600,
      });
      try {
        // WHEN the cache is asked at +0 s, +200 s, +290 s and +310 s (a fake clock)
        const code = [
          'import time, score',
          'now = [time.time()]',
          'cache = score.TokenCache(score.Settings(os.environ), clock=lambda: now[0])',
          'fetches = []',
          'for offset in (0, 200, 90, 20):',
          '    now[0] += offset',
          '    cache.get()',
          '    fetches.append(cache.fetch_count)',
          'emit(fetches)',
        ].join('\n');
        const fetches = await runPython(code, {
          ...VALID_ENV,
          MSI_ENDPOINT: endpoint.url,
          MSI_SECRET: endpoint.secret,
        });

        // THEN it fetches once, reuses the token, and fetches again 5 minutes before expiry
        expect(fetches).toEqual([1, 1, 1, 2]);
        expect(endpoint.tokensIssued).toBe(2);
      } finally {
        await endpoint.stop();
      }
    }, 20_000);
  });

  describe('bad requests', () => {
    const BAD_REQUEST = `
import score
response = score.client_error("data[0] has 9 values")
emit([type(response).__module__ + "." + type(response).__name__, response.status_code,
      json.loads(response.get_data())])
`;
    let fakes: string;

    beforeAll(() => {
      // stand-ins for the inference server's AMLResponse, in its two module layouts
      fakes = fs.mkdtempSync(path.join(os.tmpdir(), 'scoring-fake-server-'));
      const aml = [
        'import json',
        'class AMLResponse:',
        '    def __init__(self, message, status_code, response_headers={}, json_str=False):',
        '        self.status_code = status_code',
        '        self.headers = {"Content-Type": "application/json"}',
        '        self._body = json.dumps(message) if json_str else message',
        '    def get_data(self):',
        '        return self._body.encode()',
      ].join('\n');
      const contrib = path.join(
        fakes,
        'contrib',
        'azureml',
        'contrib',
        'services',
      );
      const server = path.join(
        fakes,
        'server',
        'azureml_inference_server_http',
        'api',
      );
      for (const dir of [contrib, server])
        fs.mkdirSync(dir, { recursive: true });
      for (const dir of [
        'azureml',
        'azureml/contrib',
        'azureml/contrib/services',
      ]) {
        fs.writeFileSync(path.join(fakes, 'contrib', dir, '__init__.py'), '');
      }
      fs.writeFileSync(path.join(contrib, 'aml_response.py'), aml);
      fs.writeFileSync(
        path.join(
          fakes,
          'server',
          'azureml_inference_server_http',
          '__init__.py',
        ),
        '',
      );
      fs.writeFileSync(path.join(server, '__init__.py'), '');
      fs.writeFileSync(path.join(server, 'aml_response.py'), aml);
    });

    afterAll(() => fs.rmSync(fakes, { recursive: true, force: true }));

    test('get an AMLResponse(400) from azureml.contrib.services when the server provides it', async () => {
      await expect(
        runPython(BAD_REQUEST, {}, [path.join(fakes, 'contrib')]),
      ).resolves.toEqual([
        'azureml.contrib.services.aml_response.AMLResponse',
        400,
        { message: 'data[0] has 9 values' },
      ]);
    }, 20_000);

    test('get an AMLResponse(400) from azureml_inference_server_http when only that exists', async () => {
      await expect(
        runPython(BAD_REQUEST, {}, [path.join(fakes, 'server')]),
      ).resolves.toEqual([
        'azureml_inference_server_http.api.aml_response.AMLResponse',
        400,
        { message: 'data[0] has 9 values' },
      ]);
    }, 20_000);

    test('get a ClientErrorResponse(400) without the inference server', async () => {
      await expect(runPython(BAD_REQUEST)).resolves.toEqual([
        'score.ClientErrorResponse',
        400,
        { message: 'data[0] has 9 values' },
      ]);
    }, 20_000);

    test('are rejected before the model is called, a good one is predicted', async () => {
      const code = [
        'import joblib, score',
        `score._MODEL = joblib.load(${JSON.stringify(path.join(MODEL_DIR, 'sklearn_regression_model.pkl'))})`,
        'score._N_FEATURES = 10',
        'emit([repr(score.run(\'{"data": [[1]]}\')), score.run(\'{"data": [[0,0,0,0,0,0,0,0,0,0]]}\')])',
      ].join('\n');
      const [bad, good] = (await runPython(code)) as [string, number[]];
      expect(bad).toBe(
        "ClientErrorResponse(400, 'data[0] has 1 values; each row needs exactly 10 numbers.')",
      );
      expect(good).toHaveLength(1);
      expect(typeof good[0]).toBe('number');
    }, 20_000);
  });
});

describeWithPython('scoring/train.py', () => {
  let out: string;

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'scoring-train-'));
  });

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('reproduces the committed model byte for byte', async () => {
    const code = [
      'import runpy',
      `sys.argv = ["train.py", "--output-dir", ${JSON.stringify(out)}]`,
      `runpy.run_path(${JSON.stringify(path.join(SCORING_DIR, 'train.py'))}, run_name="__main__")`,
    ].join('\n');
    // train.py exits through sys.exit(0): emit after catching it
    await runPython(
      `try:\n    ${code.split('\n').join('\n    ')}\nexcept SystemExit as e:\n    emit(e.code)`,
    );

    const committed = fs.readFileSync(
      path.join(MODEL_DIR, 'sklearn_regression_model.pkl'),
    );
    expect(
      fs
        .readFileSync(path.join(out, 'sklearn_regression_model.pkl'))
        .equals(committed),
    ).toBe(true);
    expect(
      JSON.parse(fs.readFileSync(path.join(out, 'training-info.json'), 'utf8')),
    ).toEqual(
      JSON.parse(
        fs.readFileSync(path.join(MODEL_DIR, 'training-info.json'), 'utf8'),
      ),
    );
  }, 60_000);

  test('was trained with the library versions that conda.yaml pins', () => {
    const conda = fs.readFileSync(
      path.join(SCORING_DIR, 'environment', 'conda.yaml'),
      'utf8',
    );
    const pins = Object.fromEntries(
      [...conda.matchAll(/^\s*-\s*([a-z-]+)=([\d.]+)\s*$/gm)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    const info = JSON.parse(
      fs.readFileSync(path.join(MODEL_DIR, 'training-info.json'), 'utf8'),
    );
    const trained = info.trained_with as Record<string, string>;

    expect(pins).toEqual({
      python: trained.python.split('.').slice(0, 2).join('.'),
      'scikit-learn': trained['scikit-learn'],
      numpy: trained.numpy,
      scipy: trained.scipy,
      joblib: trained.joblib,
    });
    expect(conda).toMatch(
      /^\s*- azureml-inference-server-http==\d+\.\d+\.\d+\s*$/m,
    );
  });
});
