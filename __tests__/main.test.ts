import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { buildApp, configFromEnv } from '../main';
import { address, resource, resources, Synth, WORKSPACE_ID } from './helpers';

/** Synthesizes the default app with the given environment, as `cdktf synth` does. */
const dirs: string[] = [];
afterAll(() =>
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })),
);

function synthApp(env: NodeJS.ProcessEnv = {}): {
  out: Synth;
  raw: string;
  dir: string;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-'));
  dirs.push(dir);
  buildApp(env, dir).synth();
  const stack = env.STACK_NAME ?? 'azureml-endpoint';
  const raw = fs.readFileSync(
    path.join(dir, 'stacks', stack, 'cdk.tf.json'),
    'utf8',
  );
  return { out: JSON.parse(raw) as Synth, raw, dir };
}

const DEPLOYMENT = /^Endpoint_blue_[0-9A-F]{8}$/;

describe('the default app (main.ts)', () => {
  test('synthesizes the tutorial system with nothing set', () => {
    // GIVEN / WHEN
    const { out, dir } = synthApp();

    // THEN
    const count = (type: string) => Object.keys(resources(out, type)).length;
    expect(count('azurerm_storage_account')).toBe(2); // workspace + data
    expect(count('azurerm_storage_container')).toBe(1);
    expect(count('azurerm_machine_learning_workspace')).toBe(1);
    expect(count('azurerm_role_assignment')).toBe(3); // endpoint read + 2 deployer uploads
    expect(count('time_sleep')).toBe(3);
    expect(count('azapi_update_resource')).toBe(1);
    const types = Object.values(resources(out, 'azapi_resource')).map((r) =>
      String(r.type).split('@')[0].split('/').slice(-2).join('/'),
    );
    expect(types.sort()).toEqual([
      'codes/versions',
      'environments/versions',
      'models/versions',
      'onlineEndpoints/deployments',
      'workspaces/onlineEndpoints',
    ]);
    expect(
      Object.keys(
        (resource(out, 'azurerm_storage_blob', 'Data_Blobs') as any).for_each,
      ),
    ).toEqual(['hello.txt']);
    expect(
      resource(out, 'azurerm_storage_container', 'Data_Container').name,
    ).toBe('mlcontainer');
    // the uploaded files are copied next to the stack, so remote runners find them
    const source = String(
      (resource(out, 'azurerm_storage_blob', 'Data_Blobs') as any).for_each[
        'hello.txt'
      ].source,
    );
    expect(
      fs.readFileSync(
        path.join(dir, 'stacks', 'azureml-endpoint', source),
        'utf8',
      ),
    ).toBe(
      fs.readFileSync(
        path.join(__dirname, '..', 'scoring', 'hello.txt'),
        'utf8',
      ),
    );
    expect(Object.keys(out.output ?? {}).sort()).toEqual([
      'endpoint_name',
      'principal_id',
      'resource_group_name',
      'scoring_uri',
      'storage_account_name',
      'storage_container_name',
      'workspace_name',
    ]);
  });

  test('the deployment gets the storage variables from the real resources and waits for the grant (FR-4)', () => {
    const { out } = synthApp();
    const deployment = resource(out, 'azapi_resource', DEPLOYMENT) as any;
    expect(deployment.body.properties.environmentVariables).toEqual({
      STORAGE_ACCOUNT_NAME: `\${${address(out, 'azurerm_storage_account', 'Data_Account')}.name}`,
      STORAGE_CONTAINER_NAME: `\${${address(out, 'azurerm_storage_container', 'Data_Container')}.name}`,
      FILE_NAME: 'hello.txt',
      IDENTITY_KIND: 'system_assigned',
    });
    expect(deployment.depends_on).toEqual([
      address(out, 'azurerm_role_assignment', 'Data_ReadGrant'),
      address(out, 'time_sleep', 'Endpoint_RolePropagationWait'),
    ]);
    expect(
      resource(out, 'azapi_update_resource', 'Endpoint_TrafficRouting'),
    ).toMatchObject({
      body: { properties: { traffic: { blue: 100 } } },
      depends_on: [address(out, 'azapi_resource', DEPLOYMENT)],
    });
  });

  test('the provider reaches storage with Entra ID and no secret is in the JSON', () => {
    const { out, raw } = synthApp();
    expect((out as any).provider.azurerm[0]).toMatchObject({
      storage_use_azuread: true,
      features: [
        {
          machine_learning: [{ purge_soft_deleted_workspace_on_destroy: true }],
        },
      ],
    });
    expect(raw).not.toMatch(
      /primaryKey|secondaryKey|client_secret|password|AccountKey=|sig=/i,
    );
  });

  test('the user-assigned variant grants the identity before the endpoint and passes UAI_CLIENT_ID (FR-1)', () => {
    const { out } = synthApp({ IDENTITY_TYPE: 'user' });
    const endpoint = resource(
      out,
      'azapi_resource',
      /^Endpoint_[0-9A-F]{8}$/,
    ) as any;
    const uai = address(
      out,
      'azurerm_user_assigned_identity',
      'Endpoint_Identity',
    );
    expect(endpoint.identity).toEqual([
      { type: 'UserAssigned', identity_ids: [`\${${uai}.id}`] },
    ]);
    const grantsToUai = Object.entries(
      resources(out, 'azurerm_role_assignment'),
    )
      .filter(([, g]) => g.principal_id === `\${${uai}.principal_id}`)
      .map(([n]) => `azurerm_role_assignment.${n}`);
    expect(grantsToUai).toHaveLength(3);
    expect(endpoint.depends_on).toEqual(
      expect.arrayContaining([
        ...grantsToUai,
        address(out, 'time_sleep', 'Endpoint_RolePropagationWait'),
      ]),
    );
    expect(resource(out, 'azapi_resource', DEPLOYMENT)).toMatchObject({
      body: {
        properties: {
          environmentVariables: {
            IDENTITY_KIND: 'user_assigned',
            UAI_CLIENT_ID: `\${${uai}.client_id}`,
          },
        },
      },
    });
    expect(
      Object.keys(resources(out, 'azurerm_container_registry')),
    ).toHaveLength(1);
  });

  test('an existing workspace is read, not created', () => {
    const { out } = synthApp({ WORKSPACE_ID });
    expect(out.resource.azurerm_machine_learning_workspace).toBeUndefined();
    expect(out.resource.azurerm_resource_group).toBeUndefined();
    expect(Object.values(out.data!.azapi_resource)[0]).toMatchObject({
      resource_id: WORKSPACE_ID,
    });
  });

  test("with an existing workspace, uploads wait for the runner's data role when asked (FR-11)", () => {
    // GIVEN / WHEN
    const { out } = synthApp({
      WORKSPACE_ID,
      GRANT_DEPLOYER_DATA_ACCESS: 'true',
    });

    // THEN
    const grant = resource(
      out,
      'azurerm_role_assignment',
      'Workspace_DeployerDataAccess',
    );
    expect(grant).toMatchObject({
      role_definition_name: 'Storage Blob Data Contributor',
      scope: expect.stringMatching(
        /output\.properties\.storageAccount\}\/blobServices\/default\/containers\/azureml-blobstore-/,
      ),
    });
    const wait = address(out, 'time_sleep', 'Workspace_DeployerDataAccessWait');
    const uploads = Object.entries(
      resources(out, 'azurerm_storage_blob'),
    ).filter(([n]) => n.startsWith('Workspace_Assets_'));
    expect(uploads).toHaveLength(2);
    for (const [, u] of uploads) expect(u.depends_on).toEqual([wait]);
  });

  test('with an existing workspace and no grant, synth warns that the runner needs the data role', () => {
    const app = buildApp(
      { WORKSPACE_ID },
      fs.mkdtempSync(path.join(os.tmpdir(), 'app-')),
    );
    dirs.push(app.outdir);
    const stack = app.node.children[0];
    Testing.synth(stack as any, true);
    const warnings = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === '@cdktf/warn')
      .map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringContaining(
        'whoever runs Terraform needs Storage Blob Data Contributor',
      ),
    ]);
  });

  test('remote state in HCP Terraform when organization and workspace are given', () => {
    const { out } = synthApp({
      TFC_ORGANIZATION: 'acme',
      TFC_WORKSPACE: 'ml-endpoint',
    });
    expect((out.terraform as any).cloud).toEqual({
      organization: 'acme',
      workspaces: { name: 'ml-endpoint' },
    });
    expect((synthApp().out.terraform as any).backend).toEqual({
      local: expect.anything(),
    });
  });

  test('settings come from the environment', () => {
    const { out } = synthApp({
      INSTANCE_TYPE: 'Standard_F4s_v2',
      INSTANCE_COUNT: '2',
      ENDPOINT_NAME: 'my-ep',
      AZURE_LOCATION: 'westeurope',
      ROLE_ASSIGNMENT_WAIT_SECONDS: '300',
    });
    expect(resource(out, 'azapi_resource', DEPLOYMENT)).toMatchObject({
      body: {
        sku: { name: 'Default', capacity: 2 },
        properties: { instanceType: 'Standard_F4s_v2' },
      },
    });
    expect(resource(out, 'azapi_resource', /^Endpoint_[0-9A-F]{8}$/).name).toBe(
      'my-ep',
    );
    expect(resource(out, 'azurerm_resource_group').location).toBe('westeurope');
    expect(
      resource(out, 'time_sleep', 'Endpoint_RolePropagationWait')
        .create_duration,
    ).toBe('300s');
  });

  test.each([
    [
      { IDENTITY_TYPE: 'both' },
      "`IDENTITY_TYPE` must be 'system' or 'user'; got 'both'",
    ],
    [
      { INSTANCE_COUNT: 'two' },
      "`INSTANCE_COUNT` must be a whole number of digits; got 'two'",
    ],
    [
      { TFC_ORGANIZATION: 'acme' },
      '`TFC_ORGANIZATION` and `TFC_WORKSPACE` must be set together (remote state), or neither (local state)',
    ],
    [
      { TFC_ORGANIZATION: '', TFC_WORKSPACE: 'ml-prod' },
      '`TFC_ORGANIZATION` must not be empty; unset it for the default',
    ],
    [
      { INSTANCE_COUNT: '0x10' },
      "`INSTANCE_COUNT` must be a whole number of digits; got '0x10'",
    ],
    [
      { AZURE_LOCATION: 'East US 2' },
      "`AZURE_LOCATION` must be an Azure region name such as eastus2 (lowercase, no spaces); got 'East US 2'",
    ],
    [
      { RESOURCE_GROUP_NAME: 'bad rg name?' },
      "`RESOURCE_GROUP_NAME` must be a resource group name: 1-90 letters, digits, _ - . ( ), not ending with .; got 'bad rg name?'",
    ],
    [
      { STACK_NAME: 'a/b' },
      "`STACK_NAME` must be letters, digits, _ and - (it names a folder); got 'a/b'",
    ],
    [
      { WORKSPACE_ID, AZURE_LOCATION: 'westeurope' },
      "`AZURE_LOCATION` cannot be combined with `WORKSPACE_ID`: the existing workspace's region and resource group are used",
    ],
    [
      { GRANT_DEPLOYER_DATA_ACCESS: 'true' },
      '`GRANT_DEPLOYER_DATA_ACCESS` applies with `WORKSPACE_ID` only: a new workspace always gets the grant',
    ],
    [
      { ROLE_ASSIGNMENT_WAIT_SECONDS: '99999999' },
      "`ROLE_ASSIGNMENT_WAIT_SECONDS` must be at most 3600 (role assignments propagate within minutes); got '99999999'",
    ],
    [
      { TRAFFIC: 'blue=100' },
      '`TRAFFIC` must come with `ENDPOINT_YAML` (it configures the YAML files)',
    ],
  ])('fails on bad settings %j', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(message);
  });

  test('fails on a bad endpoint name from the environment, naming the variable (FR-6)', () => {
    expect(() => synthApp({ ENDPOINT_NAME: '1-score' })).toThrow(
      "ENDPOINT_NAME: `endpointName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got '1-score'",
    );
  });

  test('ENDPOINT_NAME renames the endpoint of the YAML files, and their deployments follow', () => {
    // GIVEN
    const dir = path.join(__dirname, 'fixtures', 'yaml', 'tutorial');

    // WHEN
    const { out } = synthApp({
      ENDPOINT_YAML: path.join(dir, 'endpoint.yml'),
      DEPLOYMENT_YAML: path.join(dir, 'blue-deployment.yml'),
      ENDPOINT_NAME: 'my-ep',
    });

    // THEN
    expect(resource(out, 'azapi_resource', /^Endpoint_[0-9A-F]{8}$/).name).toBe(
      'my-ep',
    );
    expect(resource(out, 'azapi_resource', DEPLOYMENT).name).toBe('blue');
  });

  test('two synths of the same input are byte-identical', () => {
    const a = synthApp({ IDENTITY_TYPE: 'user' });
    const b = synthApp({ IDENTITY_TYPE: 'user' });
    expect(b.raw).toBe(a.raw);
  });
});
