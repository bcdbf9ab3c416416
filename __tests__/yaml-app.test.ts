import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { buildApp } from '../main';

const TUTORIAL = path.join(__dirname, 'fixtures', 'yaml', 'tutorial');
const ENDPOINT = path.join(TUTORIAL, 'endpoint.yml');
const BLUE = path.join(TUTORIAL, 'blue-deployment.yml');
const GREEN = path.join(TUTORIAL, 'green-deployment.yml');

/** Synthesizes the default app with these variables; returns the stack's JSON text. */
function synthText(env: NodeJS.ProcessEnv): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-app-'));
  try {
    buildApp(env, outdir).synth();
    return fs.readFileSync(
      path.join(outdir, 'stacks', 'azureml-endpoint', 'cdk.tf.json'),
      'utf8',
    );
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function synthJson(env: NodeJS.ProcessEnv): any {
  return JSON.parse(synthText(env));
}

/** The single azapi_resource whose Terraform name starts with the prefix. */
function azapi(out: any, prefix: string): any {
  const found = Object.entries(out.resource.azapi_resource).filter(([n]) =>
    new RegExp(`^${prefix}_[0-9A-F]{8}$`).test(n),
  );
  expect(found).toHaveLength(1);
  return found[0][1];
}

describe('the default app with az ml YAML files', () => {
  test("synthesizes exactly the constructs-built app's Terraform from the tutorial's files", () => {
    // GIVEN the constructs-built app, with the endpoint name the YAML file has
    const built = synthText({ ENDPOINT_NAME: 'tutorial-endpoint' });

    // WHEN
    const fromYaml = synthText({
      ENDPOINT_YAML: ENDPOINT,
      DEPLOYMENT_YAML: BLUE,
    });

    // THEN
    expect(JSON.parse(fromYaml)).toEqual(JSON.parse(built));
    expect(fromYaml).toBe(built);
  });

  test('takes relative file paths from the working directory', () => {
    const relative = (p: string) => path.relative(process.cwd(), p);
    const out = synthJson({
      ENDPOINT_YAML: relative(ENDPOINT),
      DEPLOYMENT_YAML: relative(BLUE),
    });
    expect(azapi(out, 'Endpoint').name).toBe('tutorial-endpoint');
  });

  test("merges the blob's variables over the file's placeholders", () => {
    const out = synthJson({
      ENDPOINT_YAML: ENDPOINT,
      DEPLOYMENT_YAML: BLUE,
      DEPLOYMENT_SET: 'environment_variables.EXTRA=1',
    });
    expect(
      azapi(out, 'Endpoint_blue').body.properties.environmentVariables,
    ).toEqual({
      STORAGE_ACCOUNT_NAME: expect.stringMatching(
        /^\$\{azurerm_storage_account\.Data_/,
      ),
      STORAGE_CONTAINER_NAME: expect.stringMatching(
        /^\$\{azurerm_storage_container\.Data_/,
      ),
      FILE_NAME: 'hello.txt',
      EXTRA: '1',
      IDENTITY_KIND: 'system_assigned',
    });
  });

  test('runs as the user-assigned identity of the endpoint file, with a registry in the new workspace', () => {
    // WHEN
    const out = synthJson({
      ENDPOINT_YAML: path.join(TUTORIAL, 'uai-endpoint.yml'),
      DEPLOYMENT_YAML: BLUE,
      DEPLOYMENT_SET: 'endpoint_name=tutorial-uai-endpoint',
    });

    // THEN
    expect(
      Object.keys(out.resource.azurerm_container_registry ?? {}),
    ).toHaveLength(1);
    expect(azapi(out, 'Endpoint').identity).toEqual([
      {
        type: 'UserAssigned',
        identity_ids: [
          expect.stringMatching(/userAssignedIdentities\/endpoint-identity$/),
        ],
      },
    ]);
    expect(
      azapi(out, 'Endpoint_blue').body.properties.environmentVariables
        .UAI_CLIENT_ID,
    ).toMatch(
      /^\$\{data\.azapi_resource\.Endpoint_Identity_Lookup_[0-9A-F]{8}\.output\.properties\.clientId\}$/,
    );
  });

  test('sends all traffic to the first of several deployment files', () => {
    const out = synthJson({
      ENDPOINT_YAML: ENDPOINT,
      DEPLOYMENT_YAML: `${BLUE},${GREEN}`,
    });
    const routing = Object.values(out.resource.azapi_update_resource)[0] as any;
    expect(routing.body).toEqual({
      properties: { traffic: { blue: 100, green: 0 } },
    });
    expect(routing.depends_on).toHaveLength(2);
  });

  test('splits traffic as TRAFFIC says', () => {
    const out = synthJson({
      ENDPOINT_YAML: ENDPOINT,
      DEPLOYMENT_YAML: `${BLUE},${GREEN}`,
      TRAFFIC: 'blue=90, green=10',
    });
    expect(
      (Object.values(out.resource.azapi_update_resource)[0] as any).body
        .properties.traffic,
    ).toEqual({ blue: 90, green: 10 });
  });

  test("applies the app's variables as overrides of the files", () => {
    // WHEN
    const out = synthJson({
      ENDPOINT_YAML: ENDPOINT,
      DEPLOYMENT_YAML: BLUE,
      ENDPOINT_NAME: 'staging-endpoint',
      INSTANCE_COUNT: '3',
      INSTANCE_TYPE: 'Standard_F4s_v2',
      ENDPOINT_SET: 'auth_mode=aml_token; tags.env=staging',
      DEPLOYMENT_SET: 'endpoint_name=staging-endpoint',
    });

    // THEN
    expect(azapi(out, 'Endpoint')).toMatchObject({
      name: 'staging-endpoint',
      tags: { env: 'staging' },
      body: { properties: { authMode: 'AMLToken' } },
    });
    const blue = azapi(out, 'Endpoint_blue').body;
    expect(blue.sku.capacity).toBe(3);
    expect(blue.properties.instanceType).toBe('Standard_F4s_v2');
  });

  test('fails if DEPLOYMENT_YAML comes without ENDPOINT_YAML', () => {
    expect(() => buildApp({ DEPLOYMENT_YAML: BLUE }, os.tmpdir())).toThrow(
      '`DEPLOYMENT_YAML` must come with `ENDPOINT_YAML` (it configures the YAML files)',
    );
  });

  test('fails if TRAFFIC is not name=percent pairs', () => {
    expect(() =>
      buildApp({ ENDPOINT_YAML: ENDPOINT, TRAFFIC: 'blue:100' }, os.tmpdir()),
    ).toThrow("`TRAFFIC` must be 'name=percent,name=percent'; got 'blue:100'");
  });

  test('a mistake in a file fails with its file, line and column', () => {
    expect(() =>
      buildApp(
        {
          ENDPOINT_YAML: ENDPOINT,
          DEPLOYMENT_YAML: BLUE,
          DEPLOYMENT_SET: 'instance_count=0',
        },
        os.tmpdir(),
      ),
    ).toThrow(
      /blue-deployment\.yml \(set 'instance_count=0'\): `instance_count` must be a whole number at least 1; got '0'/,
    );
    const bad = path.join(
      __dirname,
      'fixtures',
      'yaml',
      'bad',
      'endpoint-traffic.yml',
    );
    expect(() => buildApp({ ENDPOINT_YAML: bad }, os.tmpdir())).toThrow(
      /endpoint-traffic\.yml:3:1: `traffic` cannot be set in the endpoint file/,
    );
  });
});
