import { TerraformVariable } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  EnvironmentSource,
  ManagedEndpointWithIdentity,
  ModelSource,
  ModelType,
  OnlineDeployment,
} from '../lib';
import { scenario, SCORING, tutorialDeployment } from './fixtures';
import { resource, resources, synth, WORKSPACE_ID } from './helpers';

function setup() {
  const s = scenario();
  const endpoint = new ManagedEndpointWithIdentity(s.stack, 'Endpoint', {
    workspace: s.workspace,
    endpointName: 'score-ep',
  });
  return { ...s, endpoint };
}

function body(out: ReturnType<typeof synth>, name = 'blue'): any {
  return resource(out, 'azapi_resource', `Endpoint_${name}`).body;
}

const afterTest: (() => void)[] = [];
afterAll(() => afterTest.forEach((f) => f()));

describe('OnlineDeployment', () => {
  test('puts the instance count in sku.capacity and the rest in properties', () => {
    // GIVEN
    const { stack, endpoint, data } = setup();

    // WHEN
    endpoint.addDeployment(
      'blue',
      tutorialDeployment({
        instanceType: 'Standard_DS2_v2',
        instanceCount: 3,
        environmentVariables: data.environmentVariables(),
      }),
    );

    // THEN
    const out = synth(stack);
    const b = body(out);
    expect(b.sku).toEqual({ name: 'Default', capacity: 3 });
    expect(b.properties).toMatchObject({
      endpointComputeType: 'Managed',
      instanceType: 'Standard_DS2_v2',
      codeConfiguration: {
        codeId: expect.stringMatching(
          /^\$\{azapi_resource\.Workspace_Assets_Code-[0-9a-f]{16}_[0-9A-F]{8}\.id\}$/,
        ),
        scoringScript: 'score.py',
      },
      model: expect.stringMatching(
        /^\$\{azapi_resource\.Workspace_Assets_Model-[0-9a-f]{16}_[0-9A-F]{8}\.id\}$/,
      ),
      environmentId: expect.stringMatching(
        /^\$\{azapi_resource\.Workspace_Assets_Environment-[0-9a-f]{16}_[0-9A-F]{8}\.id\}$/,
      ),
      appInsightsEnabled: true,
      egressPublicNetworkAccess: 'Enabled',
    });
    expect(b.properties).not.toHaveProperty('instanceCount');
    expect(resource(out, 'azapi_resource', 'Endpoint_blue')).toMatchObject({
      location: expect.stringMatching(
        /^\$\{data\.azapi_resource\.Workspace_Lookup_[0-9A-F]{8}\.output\.location\}$/,
      ),
      timeouts: { create: '90m', update: '90m', delete: '60m' },
    });
  });

  test('tells the scoring script where the blob is, as references to the storage resources', () => {
    // GIVEN
    const { stack, endpoint, data } = setup();

    // WHEN
    endpoint.addDeployment(
      'blue',
      tutorialDeployment({ environmentVariables: data.environmentVariables() }),
    );

    // THEN
    expect(body(synth(stack)).properties.environmentVariables).toEqual({
      STORAGE_ACCOUNT_NAME: expect.stringMatching(
        /^\$\{azurerm_storage_account\.Data_Account_[0-9A-F]{8}\.name\}$/,
      ),
      STORAGE_CONTAINER_NAME: expect.stringMatching(
        /^\$\{azurerm_storage_container\.Data_Container_[0-9A-F]{8}\.name\}$/,
      ),
      FILE_NAME: 'hello.txt',
      IDENTITY_KIND: 'system_assigned',
    });
  });

  test('uploads local folders under LocalUpload/<hash>/<folder> and registers content-addressed versions', () => {
    // GIVEN
    const { stack, endpoint } = setup();

    // WHEN
    endpoint.addDeployment('blue', tutorialDeployment());

    // THEN
    const out = synth(stack);
    const model = resource(
      out,
      'azapi_resource',
      /^Workspace_Assets_Model-/,
    ) as any;
    const code = resource(
      out,
      'azapi_resource',
      /^Workspace_Assets_Code-/,
    ) as any;
    const env = resource(
      out,
      'azapi_resource',
      /^Workspace_Assets_Environment-/,
    ) as any;
    expect(model.type).toBe(
      'Microsoft.MachineLearningServices/workspaces/models/versions@2025-09-01',
    );
    expect(model.body.properties.modelUri).toMatch(
      /^azureml:\/\/subscriptions\/00000000-0000-0000-0000-000000000000\/resourcegroups\/rg-ml\/workspaces\/ws1\/datastores\/workspaceblobstore\/paths\/LocalUpload\/[0-9a-f]{32}\/model$/,
    );
    expect(model.body.properties).toMatchObject({
      modelType: 'custom_model',
      isAnonymous: true,
    });
    expect(model.parent_id).toMatch(
      /^\/subscriptions\/.*\/workspaces\/ws1\/models\/[0-9a-f-]{36}$/,
    );
    expect(code.body.properties.codeUri).toMatch(
      /^https:\/\/\$\{element\(split\("\/", data\.azapi_resource\.Workspace_Lookup_.*\.output\.properties\.storageAccount\), 8\)\}\.blob\.core\.windows\.net\/azureml-blobstore-\$\{data\.azapi_resource\.Workspace_Lookup_.*\.output\.properties\.workspaceId\}\/LocalUpload\/[0-9a-f]{32}\/onlinescoring$/,
    );
    expect(env).toMatchObject({
      parent_id: `${WORKSPACE_ID}/environments/CliV2AnonymousEnvironment`,
      name: expect.stringMatching(/^[0-9a-f]{32}$/),
      body: {
        properties: {
          image: expect.stringContaining('mcr.microsoft.com/azureml/'),
          osType: 'Linux',
          isAnonymous: true,
        },
      },
    });
    // condaFile is the YAML content, not a path
    expect(env.body.properties.condaFile).toBe(
      fs.readFileSync(path.join(SCORING, 'environment', 'conda.yaml'), 'utf8'),
    );
    for (const v of [model, code])
      expect(v.lifecycle).toEqual({ create_before_destroy: true });

    const blobs = resources(out, 'azurerm_storage_blob');
    const modelBlobs = Object.entries(blobs).find(([n]) =>
      n.startsWith('Workspace_Assets_Model-'),
    )![1] as any;
    expect(Object.keys(modelBlobs.for_each)).toContain(
      'sklearn_regression_model.pkl',
    );
    expect(modelBlobs.name).toMatch(
      /^LocalUpload\/[0-9a-f]{32}\/model\/\$\{each\.key\}$/,
    );
    expect(modelBlobs.content_md5).toBe('${each.value.md5}');
    expect(model.depends_on).toEqual([
      expect.stringMatching(
        /^azurerm_storage_blob\.Workspace_Assets_Model-[0-9a-f]{16}_Upload_Files_/,
      ),
    ]);
  });

  test('unchanged content gives the same names; changed content a new version', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-'));
    afterTest.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'score.py'), 'def init():\n    pass\n');
    const build = () => {
      const { stack, endpoint } = setup();
      endpoint.addDeployment(
        'blue',
        tutorialDeployment({
          code: { codePath: dir, scoringScript: 'score.py' },
        }),
      );
      return resource(
        synth(stack),
        'azapi_resource',
        /^Workspace_Assets_Code-/,
      ) as any;
    };

    // WHEN
    const first = build();
    const again = build();
    fs.appendFileSync(path.join(dir, 'score.py'), '# changed\n');
    const changed = build();

    // THEN
    expect(again.parent_id).toBe(first.parent_id);
    expect(again.body).toEqual(first.body);
    expect(changed.parent_id).not.toBe(first.parent_id);
    expect(changed.body.properties.codeUri).not.toBe(
      first.body.properties.codeUri,
    );
  });

  test('uploads linked files with their content (FR-9)', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linked-'));
    afterTest.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, 'code'));
    fs.writeFileSync(
      path.join(dir, 'real_score.py'),
      'def init():\n    pass\n',
    );
    fs.symlinkSync(
      path.join(dir, 'real_score.py'),
      path.join(dir, 'code', 'score.py'),
    );
    const { stack, endpoint } = setup();

    // WHEN
    endpoint.addDeployment(
      'blue',
      tutorialDeployment({
        code: { codePath: path.join(dir, 'code'), scoringScript: 'score.py' },
      }),
    );

    // THEN
    const blobs = resource(
      synth(stack),
      'azurerm_storage_blob',
      /^Workspace_Assets_Code-[0-9a-f]{16}_Upload_Files_/,
    ) as any;
    expect(Object.keys(blobs.for_each)).toEqual(['score.py']);
  });

  test('fails naming the field if a model folder holds a link that points nowhere', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broken-'));
    afterTest.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'model.pkl'), 'x');
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling'));
    const { endpoint } = setup();

    // WHEN / THEN
    expect(() =>
      endpoint.addDeployment(
        'blue',
        tutorialDeployment({ model: ModelSource.fromLocalPath(dir) }),
      ),
    ).toThrow(
      `\`model\` must hold only readable files and folders (a link that loops or points nowhere?): ENOENT at ${path.join(dir, 'dangling')}; got '${dir}'`,
    );
  });

  test('an image known only after apply needs a named environment version (FR-12)', () => {
    // GIVEN
    const { stack, endpoint } = setup();
    const image = new TerraformVariable(stack, 'image', { type: 'string' });

    // WHEN / THEN
    expect(() =>
      endpoint.addDeployment(
        'blue',
        tutorialDeployment({
          environment: EnvironmentSource.fromImage(image.stringValue),
        }),
      ),
    ).toThrow(
      "`environment` must be literal to be versioned by content: give `asset: { name, version }` to register it under a name of your own; got 'a value known only after apply'",
    );
    endpoint.addDeployment(
      'green',
      tutorialDeployment({
        environment: EnvironmentSource.fromImage(image.stringValue, {
          asset: { name: 'scoring-env', version: '3' },
        }),
      }),
    );
    endpoint.setTraffic({ green: 100 });
    const env = resource(
      synth(stack),
      'azapi_resource',
      /^Workspace_Assets_Environment-/,
    ) as any;
    expect(env).toMatchObject({
      name: '3',
      parent_id: `${WORKSPACE_ID}/environments/scoring-env`,
      body: { properties: { image: '${var.image}' } },
    });
  });

  test('emits request settings and probes as ISO-8601 durations (FR-10)', () => {
    // GIVEN
    const { stack, endpoint } = setup();

    // WHEN
    endpoint.addDeployment(
      'blue',
      tutorialDeployment({
        requestSettings: {
          requestTimeoutMs: 90000,
          maxQueueWaitMs: 500,
          maxConcurrentRequestsPerInstance: 2,
        },
        livenessProbe: {
          periodSeconds: 61,
          initialDelaySeconds: 10,
          timeoutSeconds: 2,
          failureThreshold: 30,
          successThreshold: 1,
        },
        readinessProbe: { periodSeconds: 3600, initialDelaySeconds: 0 },
      }),
    );

    // THEN
    const p = body(synth(stack)).properties;
    expect(p.requestSettings).toEqual({
      requestTimeout: 'PT1M30S',
      maxQueueWait: 'PT0.5S',
      maxConcurrentRequestsPerInstance: 2,
    });
    expect(p.livenessProbe).toEqual({
      period: 'PT1M1S',
      initialDelay: 'PT10S',
      timeout: 'PT2S',
      failureThreshold: 30,
      successThreshold: 1,
    });
    expect(p.readinessProbe).toEqual({ period: 'PT1H', initialDelay: 'PT0S' });
  });

  test('references resolve to ARM ids, registry URIs pass through', () => {
    // GIVEN
    const { stack, endpoint } = setup();

    // WHEN
    endpoint.addDeployment('blue', {
      model: ModelSource.fromReference('azureml:credit-model:3'),
      code: {
        codeReference: 'azureml:score-code:1',
        scoringScript: 'score.py',
      },
      environment: EnvironmentSource.fromReference(
        'azureml://registries/azureml/environments/sklearn-1.5/versions/21',
      ),
    });

    // THEN
    const out = synth(stack);
    expect(body(out).properties).toMatchObject({
      model: `${WORKSPACE_ID}/models/credit-model/versions/3`,
      codeConfiguration: {
        codeId: `${WORKSPACE_ID}/codes/score-code/versions/1`,
        scoringScript: 'score.py',
      },
      environmentId:
        'azureml://registries/azureml/environments/sklearn-1.5/versions/21',
    });
    expect(
      Object.keys(resources(out, 'azurerm_storage_blob')).filter((n) =>
        n.includes('Upload'),
      ),
    ).toEqual([]);
  });

  test('a Triton model deploys without a scoring script', () => {
    const { stack, endpoint } = setup();
    endpoint.addDeployment('blue', {
      model: ModelSource.fromReference('azureml:triton-model:1', {
        modelType: ModelType.TRITON,
      }),
      environment: EnvironmentSource.fromReference('azureml:triton-env:1'),
    });
    expect(body(synth(stack)).properties).not.toHaveProperty(
      'codeConfiguration',
    );
  });

  test('an MLflow model deploys without a scoring script', () => {
    const { stack, endpoint } = setup();
    endpoint.addDeployment('blue', {
      model: ModelSource.fromReference('azureml:mlflow-model:1', {
        modelType: ModelType.MLFLOW,
      }),
      environment: EnvironmentSource.fromReference('azureml:sklearn-env:1'),
    });
    expect(body(synth(stack)).properties).not.toHaveProperty(
      'codeConfiguration',
    );
  });

  describe('fails at synth with the field, the value and the rule', () => {
    test.each<
      [
        string,
        () => Parameters<ManagedEndpointWithIdentity['addDeployment']>[1],
        string,
      ]
    >([
      [
        'a custom model without a scoring script (FR-8)',
        () => ({
          model: ModelSource.fromReference('azureml:m:1'),
          environment: EnvironmentSource.fromReference('azureml:e:1'),
        }),
        '`code` is required for a custom_model model: only MLflow and Triton models deploy without a scoring script; got nothing',
      ],
      [
        'a scoring script missing from the code folder (FR-9)',
        () =>
          tutorialDeployment({
            code: {
              codePath: path.join(SCORING, 'onlinescoring'),
              scoringScript: 'online_score.py',
            },
          }),
        `\`code.scoringScript\` must be a file in the code folder '${path.join(SCORING, 'onlinescoring')}' (looked for ${path.join(SCORING, 'onlinescoring', 'online_score.py')}); got 'online_score.py'`,
      ],
      [
        'a scoring script outside the code folder (FR-9)',
        () =>
          tutorialDeployment({
            code: {
              codePath: path.join(SCORING, 'onlinescoring'),
              scoringScript: '../train.py',
            },
          }),
        `\`code.scoringScript\` must be a path inside the code folder '${path.join(SCORING, 'onlinescoring')}'; got '../train.py'`,
      ],
      [
        'a code folder that does not exist (FR-9)',
        () =>
          tutorialDeployment({
            code: { codePath: './src', scoringScript: 'online_score.py' },
          }),
        "`code.codePath` must be an existing folder; got './src'",
      ],
      [
        'a request timeout over 180 s (FR-10)',
        () =>
          tutorialDeployment({ requestSettings: { requestTimeoutMs: 300000 } }),
        '`requestSettings.requestTimeoutMs` must be a whole number from 1 to 180000; got 300000',
      ],
      [
        'an instance count of 0',
        () => tutorialDeployment({ instanceCount: 0 }),
        '`instanceCount` must be a whole number at least 1; got 0',
      ],
      [
        'a create timeout under an hour',
        () => tutorialDeployment({ createTimeoutMinutes: 20 }),
        '`createTimeoutMinutes` must be a whole number at least 60; got 20',
      ],
      [
        'an environment variable name with a dash',
        () => tutorialDeployment({ environmentVariables: { 'MY-VAR': 'x' } }),
        "`environmentVariables` must start with a letter or underscore and hold only letters, digits and underscores; got 'MY-VAR'",
      ],
      [
        'an environment variable the library sets itself',
        () =>
          tutorialDeployment({ environmentVariables: { UAI_CLIENT_ID: 'x' } }),
        "`environmentVariables` must not set IDENTITY_KIND, UAI_CLIENT_ID, AZUREML_MODEL_DIR: the library sets them; got 'UAI_CLIENT_ID'",
      ],
      [
        'a model reference with a label',
        () =>
          tutorialDeployment({
            model: ModelSource.fromReference('azureml:m@latest'),
          }),
        "`model` must pin a version (azureml:<name>:<version>): labels resolve only in the az ml tool; got 'azureml:m@latest'",
      ],
      [
        'a model reference in no known form',
        () =>
          tutorialDeployment({ model: ModelSource.fromReference('my-model') }),
        "`model` must be azureml:<name>:<version>, an ARM id or azureml://registries/<registry>/models/<name>/versions/<version>; got 'my-model'",
      ],
      [
        'a missing local model folder',
        () =>
          tutorialDeployment({
            model: ModelSource.fromLocalPath('./no-such-model'),
          }),
        "`model` must be an existing local file or folder; got './no-such-model'",
      ],
    ])('%s', (_, options, message) => {
      const { stack, endpoint } = setup();
      expect(() => endpoint.addDeployment('blue', options())).toThrow(message);
      // nothing half-built: the endpoint has no deployment
      expect(endpoint.deployments).toHaveLength(0);
      expect(() => synth(stack)).not.toThrow();
    });

    test('a conda file that does not exist', () => {
      expect(() =>
        EnvironmentSource.fromImage('img:1', { condaFilePath: 'nope.yaml' }),
      ).toThrow(
        "`environment.condaFilePath` must be an existing conda YAML file; got 'nope.yaml'",
      );
    });
  });

  test('an OnlineDeployment with a name known only after apply keeps a static id', () => {
    // GIVEN
    const { stack, endpoint } = setup();
    const name = new TerraformVariable(stack, 'deployment_name', {
      type: 'string',
    });

    // WHEN
    new OnlineDeployment(endpoint, 'Primary', {
      ...tutorialDeployment(),
      endpoint,
      deploymentName: name.stringValue,
    });
    endpoint.setTraffic({ [name.stringValue]: 100 });

    // THEN
    const out = synth(stack);
    expect(resource(out, 'azapi_resource', 'Endpoint_Primary').name).toBe(
      '${var.deployment_name}',
    );
    expect(
      resource(out, 'azapi_update_resource', 'Endpoint_TrafficRouting').body,
    ).toEqual({
      properties: { traffic: { '${var.deployment_name}': 100 } },
    });
  });
});
