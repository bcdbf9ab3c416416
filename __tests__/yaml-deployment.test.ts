import { TerraformVariable } from 'cdktf';
import * as path from 'path';

import {
  DeploymentYaml,
  ManagedEndpointWithIdentity,
  ModelType,
  YamlConfigError,
  YamlLoadOptions,
} from '../lib';
import { scenario, SCORING } from './fixtures';
import { resource, resources, synth, WORKSPACE_ID } from './helpers';

const YAML = path.join(__dirname, 'fixtures', 'yaml');
const TUTORIAL = path.join(YAML, 'tutorial', 'blue-deployment.yml');
const form = (name: string) => path.join(YAML, 'forms', name);

function setup(endpointName = 'tutorial-endpoint') {
  const s = scenario();
  const endpoint = new ManagedEndpointWithIdentity(s.stack, 'Endpoint', {
    workspace: s.workspace,
    endpointName,
  });
  return { ...s, endpoint };
}

/** Adds a file's deployment and returns the synthesized stack and its body. */
function deploy(file: string, set?: YamlLoadOptions) {
  const { stack, endpoint } = setup();
  const d = DeploymentYaml.load(file, set).addTo(endpoint);
  const out = synth(stack);
  return {
    out,
    body: resource(out, 'azapi_resource', `Endpoint_${d.deploymentName}`)
      .body as any,
    stack,
  };
}

function asAzapi(out: ReturnType<typeof synth>, pattern: RegExp): any {
  return resource(out, 'azapi_resource', pattern);
}

describe('DeploymentYaml', () => {
  test('reads the tutorial file into the options the constructs take', () => {
    // WHEN
    const d = DeploymentYaml.load(TUTORIAL);
    const { workspace } = setup();
    const options = d.toOptions(workspace);

    // THEN
    expect(d.deploymentName).toBe('blue');
    expect(d.endpointName).toBe('tutorial-endpoint');
    expect(options.model.spec).toEqual({
      kind: 'local',
      path: path.join(SCORING, 'model'),
    });
    expect(options.code).toEqual({
      codePath: path.join(SCORING, 'onlinescoring'),
      scoringScript: 'score.py',
    });
    expect(options.environment.spec).toMatchObject({
      kind: 'image',
      image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest',
      condaFile: expect.stringContaining('scikit-learn=1.2.1'),
    });
    expect(options).toMatchObject({
      instanceType: 'Standard_DS3_v2',
      instanceCount: 1,
      appInsightsEnabled: true,
      environmentVariables: {
        STORAGE_ACCOUNT_NAME: 'storage_place_holder',
        STORAGE_CONTAINER_NAME: 'container_place_holder',
        FILE_NAME: 'file_place_holder',
      },
    });
  });

  test('turns every supported key into the deployment body', () => {
    // WHEN
    const { out, body } = deploy(form('deployment-all-keys.yml'));

    // THEN
    expect(body.sku).toEqual({ name: 'Default', capacity: 3 });
    expect(body.properties).toMatchObject({
      endpointComputeType: 'Managed',
      description: 'Every key the library reads',
      properties: { owner: 'platform' },
      instanceType: 'Standard_F4s_v2',
      appInsightsEnabled: false,
      egressPublicNetworkAccess: 'Disabled',
      environmentVariables: {
        WORKER_COUNT: '2',
        FILE_NAME: 'hello.txt',
        IDENTITY_KIND: 'system_assigned',
      },
      requestSettings: {
        requestTimeout: 'PT1M30S',
        maxConcurrentRequestsPerInstance: 2,
        maxQueueWait: 'PT0.5S',
      },
      livenessProbe: {
        initialDelay: 'PT30S',
        period: 'PT1M1S',
        timeout: 'PT5S',
        successThreshold: 1,
        failureThreshold: 5,
      },
      readinessProbe: {
        initialDelay: 'PT10S',
        period: 'PT10S',
        timeout: 'PT2S',
        successThreshold: 2,
        failureThreshold: 3,
      },
      codeConfiguration: { scoringScript: 'score.py' },
    });
    expect(body.properties).not.toHaveProperty('scaleSettings');
    expect(resource(out, 'azapi_resource', 'Endpoint_green').tags).toEqual({
      team: 'ml',
      cost_center: '42',
    });
    const model = asAzapi(out, /Model/);
    expect(model).toMatchObject({
      name: '3',
      parent_id: expect.stringMatching(/\/models\/sklearn-regression$/),
      body: {
        properties: {
          modelType: 'custom_model',
          description: 'Ridge regression on ten features',
        },
      },
    });
    const env = asAzapi(out, /Environment/);
    expect(env).toMatchObject({
      name: '1.2',
      parent_id: expect.stringMatching(/\/environments\/sklearn-env$/),
      body: {
        properties: {
          description: 'scikit-learn on OpenMPI',
          osType: 'Linux',
          condaFile: expect.stringContaining('python=3.11'),
        },
      },
    });
  });

  test('leaves App Insights off when the file does not turn it on, as az ml does', () => {
    // WHEN
    const { body } = deploy(TUTORIAL, { set: { app_insights_enabled: null } });

    // THEN
    expect(body.properties.appInsightsEnabled).toBe(false);
  });

  describe('model forms', () => {
    test('a local folder is uploaded and registered as an anonymous version', () => {
      const { out, body } = deploy(TUTORIAL);
      const model = asAzapi(out, /Model/);
      expect(model.body.properties.modelUri).toMatch(
        /\/paths\/LocalUpload\/[0-9a-f]{32}\/model$/,
      );
      expect(model.body.properties.isAnonymous).toBe(true);
      expect(body.properties.model).toMatch(
        /^\$\{azapi_resource\..*Model.*\.id\}$/,
      );
    });

    test('a local file is uploaded as one blob', () => {
      const { out } = deploy(form('deployment-model-file.yml'));
      const blobs = Object.values(
        resources(out, 'azurerm_storage_blob'),
      ).filter((b) => String(b.name).includes('.pkl'));
      expect(blobs).toHaveLength(1);
      expect(blobs[0].name).toMatch(
        /^LocalUpload\/[0-9a-f]{32}\/sklearn_regression_model\.pkl$/,
      );
    });

    test('an inline MLflow model deploys without a scoring script', () => {
      const { out, body } = deploy(form('deployment-mlflow.yml'));
      expect(body.properties).not.toHaveProperty('codeConfiguration');
      expect(asAzapi(out, /Model/).body.properties.modelType).toBe(
        'mlflow_model',
      );
    });

    test.each([
      [
        'azureml:<name>:<version>',
        'azureml:sklearn-regression:3',
        `${WORKSPACE_ID}/models/sklearn-regression/versions/3`,
      ],
      [
        'an ARM id',
        `${WORKSPACE_ID}/models/m/versions/2`,
        `${WORKSPACE_ID}/models/m/versions/2`,
      ],
      [
        'azureml:<ARM id>',
        `azureml:${WORKSPACE_ID}/models/m/versions/2`,
        `${WORKSPACE_ID}/models/m/versions/2`,
      ],
      [
        'a registry URI',
        'azureml://registries/shared/models/m/versions/4',
        'azureml://registries/shared/models/m/versions/4',
      ],
    ])('%s is referenced as the model id', (_form, reference, id) => {
      const { body } = deploy(TUTORIAL, { set: { model: reference } });
      expect(body.properties.model).toBe(id);
    });

    test('azureml:<name>@latest reads the latest version with a data source', () => {
      // WHEN
      const { out, body } = deploy(TUTORIAL, {
        set: { model: 'azureml:sklearn-regression@latest' },
      });

      // THEN
      const lookups = Object.entries(out.data?.azapi_resource ?? {}).filter(
        ([n]) => n.includes('ModelLatest'),
      );
      expect(lookups).toHaveLength(1);
      const [name, lookup] = lookups[0];
      expect(lookup).toMatchObject({
        type: 'Microsoft.MachineLearningServices/workspaces/models@2025-09-01',
        resource_id: `${WORKSPACE_ID}/models/sklearn-regression`,
        response_export_values: ['properties.latestVersion'],
      });
      expect(body.properties.model).toBe(
        `${WORKSPACE_ID}/models/sklearn-regression/versions/\${data.azapi_resource.${name}.output.properties.latestVersion}`,
      );
    });

    test('deployments asking for the same @latest model share one lookup', () => {
      const { stack, endpoint } = setup();
      DeploymentYaml.load(TUTORIAL, {
        set: { model: 'azureml:m@latest' },
      }).addTo(endpoint);
      DeploymentYaml.load(TUTORIAL, {
        set: { model: 'azureml:m@latest', name: 'green' },
      }).addTo(endpoint);
      endpoint.setTraffic({ blue: 100, green: 0 });
      const out = synth(stack);
      expect(
        Object.keys(out.data?.azapi_resource ?? {}).filter((n) =>
          n.includes('ModelLatest'),
        ),
      ).toHaveLength(1);
    });
  });

  describe('environment forms', () => {
    test('an image with a conda file is an anonymous environment named as az ml names it', () => {
      const { out } = deploy(TUTORIAL);
      expect(asAzapi(out, /Environment/)).toMatchObject({
        parent_id: expect.stringMatching(
          /\/environments\/CliV2AnonymousEnvironment$/,
        ),
        body: {
          properties: {
            image: expect.stringContaining('openmpi4.1.0'),
            isAnonymous: true,
          },
        },
      });
    });

    test('an inline conda mapping is sent as YAML text, keys sorted', () => {
      const { out } = deploy(form('deployment-inline-conda.yml'));
      const conda = asAzapi(out, /Environment/).body.properties
        .condaFile as string;
      expect(conda).toBe(
        'channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - scikit-learn=1.2.1\nname: onlinescoring\n',
      );
    });

    test('a build context is uploaded and the version points build.contextUri at the folder', () => {
      // WHEN
      const { out, body } = deploy(form('deployment-build.yml'));

      // THEN
      const env = asAzapi(out, /EnvironmentBuild/);
      expect(env.parent_id).toMatch(
        /\/environments\/CliV2AnonymousEnvironment$/,
      );
      expect(env.name).toMatch(/^[0-9a-f]{32}$/);
      expect(env.body.properties).toEqual({
        build: {
          contextUri: expect.stringMatching(
            /^https:\/\/.*\.blob\.core\.windows\.net\/.*\/LocalUpload\/[0-9a-f]{32}\/docker-context\/$/,
          ),
          dockerfilePath: 'Dockerfile',
        },
        osType: 'Linux',
        isAnonymous: true,
      });
      const blobs = Object.values(resources(out, 'azurerm_storage_blob'));
      expect(
        blobs.some((b) =>
          String(b.name).endsWith('/docker-context/${each.key}'),
        ),
      ).toBe(true);
      expect(body.properties.environmentId).toMatch(
        /^\$\{azapi_resource\..*EnvironmentBuild.*\.id\}$/,
      );
    });

    test('a different Dockerfile path makes a different version', () => {
      const a = deploy(form('deployment-build.yml'));
      const b = deploy(form('deployment-build.yml'), {
        set: ['environment.build.dockerfile_path=./Dockerfile'],
      });
      expect(asAzapi(a.out, /EnvironmentBuild/).name).not.toBe(
        asAzapi(b.out, /EnvironmentBuild/).name,
      );
    });

    test.each([
      [
        'azureml:<name>:<version>',
        'azureml:sklearn-env:1',
        `${WORKSPACE_ID}/environments/sklearn-env/versions/1`,
      ],
      [
        'an ARM id',
        `${WORKSPACE_ID}/environments/e/versions/5`,
        `${WORKSPACE_ID}/environments/e/versions/5`,
      ],
      [
        'a registry URI',
        'azureml://registries/azureml/environments/sklearn-1.5/versions/12',
        'azureml://registries/azureml/environments/sklearn-1.5/versions/12',
      ],
    ])('%s is referenced as the environment id', (_form, reference, id) => {
      const { body } = deploy(TUTORIAL, { set: { environment: reference } });
      expect(body.properties.environmentId).toBe(id);
    });

    test('azureml:<name>@latest reads the environment container', () => {
      const { out, body } = deploy(TUTORIAL, {
        set: { environment: 'azureml:sklearn-env@latest' },
      });
      const [name, lookup] = Object.entries(
        out.data?.azapi_resource ?? {},
      ).find(([n]) => n.includes('EnvironmentLatest'))!;
      expect(lookup).toMatchObject({
        resource_id: `${WORKSPACE_ID}/environments/sklearn-env`,
      });
      expect(body.properties.environmentId).toContain(
        `\${data.azapi_resource.${name}.output.properties.latestVersion}`,
      );
    });
  });

  describe('code forms', () => {
    test('a local folder is uploaded as a code version', () => {
      const { out, body } = deploy(TUTORIAL);
      expect(asAzapi(out, /Code/).body.properties.codeUri).toMatch(
        /\/LocalUpload\/[0-9a-f]{32}\/onlinescoring$/,
      );
      expect(body.properties.codeConfiguration).toEqual({
        codeId: expect.stringMatching(/Code/),
        scoringScript: 'score.py',
      });
    });

    test('a registered code version is referenced, nothing uploaded', () => {
      const { out, body } = deploy(form('deployment-code-reference.yml'));
      expect(body.properties.codeConfiguration).toEqual({
        codeId: `${WORKSPACE_ID}/codes/score-code/versions/7`,
        scoringScript: 'score.py',
      });
      expect(
        Object.keys(resources(out, 'azurerm_storage_blob')).filter((n) =>
          n.includes('Upload'),
        ),
      ).toEqual([]);
    });
  });

  describe('overrides', () => {
    test('string overrides set scalars and map entries, like az ml --set', () => {
      // WHEN
      const { body } = deploy(TUTORIAL, {
        set: [
          'instance_count=2',
          'environment_variables.FOO=bar',
          'request_settings.request_timeout_ms=90000',
        ],
      });

      // THEN
      expect(body.sku.capacity).toBe(2);
      expect(body.properties.environmentVariables.FOO).toBe('bar');
      expect(body.properties.requestSettings).toEqual({
        requestTimeout: 'PT1M30S',
      });
    });

    test('override values may be cdktf tokens', () => {
      // GIVEN
      const { stack, endpoint } = setup();
      const count = new TerraformVariable(stack, 'count', { type: 'number' });
      const secretName = new TerraformVariable(stack, 'file', {
        type: 'string',
      });

      // WHEN
      DeploymentYaml.load(TUTORIAL, {
        set: {
          instance_count: count.numberValue,
          'environment_variables.FILE_NAME': secretName.stringValue,
        },
      }).addTo(endpoint);

      // THEN
      const body = resource(synth(stack), 'azapi_resource', 'Endpoint_blue')
        .body as any;
      expect(body.sku.capacity).toBe('${var.count}');
      expect(body.properties.environmentVariables.FILE_NAME).toBe(
        '${var.file}',
      );
    });

    test('one file serves several environments', () => {
      const dev = deploy(TUTORIAL, {
        set: ['instance_type=Standard_DS2_v2'],
      }).body;
      const prod = deploy(TUTORIAL, {
        set: ['instance_type=Standard_F8s_v2', 'instance_count=4'],
      }).body;
      expect([dev.properties.instanceType, dev.sku.capacity]).toEqual([
        'Standard_DS2_v2',
        1,
      ]);
      expect([prod.properties.instanceType, prod.sku.capacity]).toEqual([
        'Standard_F8s_v2',
        4,
      ]);
    });

    test('relative paths given as overrides start at the YAML file too', () => {
      const d = DeploymentYaml.load(TUTORIAL, {
        set: [
          'model.path=../../../../scoring/model/sklearn_regression_model.pkl',
        ],
      });
      const { workspace } = setup();
      expect(d.toOptions(workspace).model.spec).toEqual({
        kind: 'local',
        path: path.join(SCORING, 'model', 'sklearn_regression_model.pkl'),
      });
    });

    test('an override may replace a whole mapping', () => {
      const { body } = deploy(TUTORIAL, {
        set: { environment_variables: { ONLY: 'this' } },
      });
      expect(body.properties.environmentVariables).toEqual({
        ONLY: 'this',
        IDENTITY_KIND: 'system_assigned',
      });
    });
  });

  describe('addTo', () => {
    test('variables given to addTo win over the file', () => {
      const { stack, endpoint, data } = setup();
      DeploymentYaml.load(TUTORIAL).addTo(endpoint, {
        environmentVariables: data.environmentVariables('hello.txt'),
      });
      const vars = (
        resource(synth(stack), 'azapi_resource', 'Endpoint_blue').body as any
      ).properties.environmentVariables;
      expect(vars.FILE_NAME).toBe('hello.txt');
      expect(vars.STORAGE_ACCOUNT_NAME).toMatch(
        /^\$\{azurerm_storage_account\./,
      );
    });

    test('fails if endpoint_name names another endpoint', () => {
      const { endpoint } = setup('other-endpoint');
      expect(() => DeploymentYaml.load(TUTORIAL).addTo(endpoint)).toThrow(
        "blue-deployment.yml:6:16: `endpoint_name` must name the endpoint the deployment is added to ('other-endpoint'); got 'tutorial-endpoint'",
      );
    });

    test('fails if another file already added a deployment of that name', () => {
      const { endpoint } = setup();
      DeploymentYaml.load(TUTORIAL).addTo(endpoint);
      expect(() =>
        DeploymentYaml.load(form('deployment-mlflow.yml')).addTo(endpoint),
      ).toThrow(
        "deployment-mlflow.yml:2:7: `name` must be unique within endpoint 'tutorial-endpoint': it has a deployment of that name; got 'blue'",
      );
    });

    test('a construct check that fails names the file', () => {
      const { endpoint } = setup();
      const e = catchError(() =>
        DeploymentYaml.load(TUTORIAL, {
          set: ['environment_variables.IDENTITY_KIND=x'],
        }).addTo(endpoint),
      );
      expect(e).toBeInstanceOf(YamlConfigError);
      expect(e.message).toMatch(
        /blue-deployment\.yml: `environmentVariables` must not set IDENTITY_KIND/,
      );
    });

    test('keeps the model type of an inline model', () => {
      const { workspace } = setup();
      const options = DeploymentYaml.load(
        form('deployment-mlflow.yml'),
      ).toOptions(workspace);
      expect(options.model.modelType).toBe(ModelType.MLFLOW);
    });
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
