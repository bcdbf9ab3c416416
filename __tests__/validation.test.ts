import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { IConstruct } from 'constructs';
import * as path from 'path';

import {
  AzapiProvider,
  BlobDataSource,
  BlobDataSourceProps,
  EnvironmentSource,
  IdentityType,
  IMlWorkspace,
  ManagedEndpointWithIdentity,
  ManagedEndpointWithIdentityProps,
  MlWorkspace,
  MlWorkspaceProps,
  ModelSource,
  OnlineDeployment,
  OnlineDeploymentOptions,
  suppressRule,
  UserAssignedIdentity,
} from '../lib';
import { configFromEnv } from '../main';
import { derivedNameBase, resolve } from './helpers';

const SCORING = path.join(__dirname, '..', 'scoring');
const CODE = path.join(SCORING, 'onlinescoring');
const HELLO = path.join(SCORING, 'hello.txt');
const WORKSPACE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1';
const ACCOUNT_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/mldata1';

/** A stack with providers and an imported workspace: cheap to build. */
function base(): { stack: TerraformStack; workspace: IMlWorkspace } {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AzurermProvider(stack, 'Azurerm', {
    features: [{}],
    storageUseAzuread: true,
  });
  new AzapiProvider(stack, 'Azapi');
  return {
    stack,
    workspace: MlWorkspace.fromWorkspaceId(stack, 'Workspace', WORKSPACE_ID),
  };
}

function endpoint(props: Partial<ManagedEndpointWithIdentityProps> = {}) {
  const { stack, workspace } = base();
  const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
    workspace,
    endpointName: 'score-ep',
    ...props,
  });
  return { stack, workspace, ep };
}

/** A deployment of registered assets: no uploads, no file reads. */
function registered(
  extra: Partial<OnlineDeploymentOptions> = {},
): OnlineDeploymentOptions {
  return {
    model: ModelSource.fromReference('azureml:credit-model:3'),
    code: { codeReference: 'azureml:score-code:1', scoringScript: 'score.py' },
    environment: EnvironmentSource.fromReference('azureml:sklearn-env:1'),
    ...extra,
  };
}

function deploy(extra: Partial<OnlineDeploymentOptions>, name = 'blue') {
  const { stack, ep } = endpoint();
  return { stack, ep, deployment: ep.addDeployment(name, registered(extra)) };
}

function synth(stack: TerraformStack): string {
  return Testing.synth(stack, true);
}

/** Warning annotations anywhere under the scope. */
function warnings(scope: IConstruct): string[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === '@cdktf/warn')
    .map((m) => String(m.data));
}

const tooManyTags = Object.fromEntries(
  Array.from({ length: 51 }, (_, i) => [`t${i}`, 'x']),
);

describe('validation: every bad input is named at synth', () => {
  describe('ManagedEndpointWithIdentity', () => {
    test.each<[string, Partial<ManagedEndpointWithIdentityProps>, string]>([
      [
        'an endpoint name starting with a digit (FR-6)',
        { endpointName: '1-score' },
        "`endpointName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got '1-score'",
      ],
      [
        'an endpoint name with an underscore (FR-6)',
        { endpointName: 'score_ep' },
        "`endpointName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got 'score_ep'",
      ],
      [
        'an endpoint name of 2 characters (FR-6)',
        { endpointName: 'ep' },
        "`endpointName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got 'ep'",
      ],
      [
        'an endpoint name of 40 characters (FR-6)',
        { endpointName: 'e'.repeat(40) },
        `\`endpointName\` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got '${'e'.repeat(40)}'`,
      ],
      [
        'an endpoint name ending with a hyphen',
        { endpointName: 'score-' },
        "`endpointName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got 'score-'",
      ],
      [
        'an endpoint name starting with a hyphen',
        { endpointName: '-score' },
        "`endpointName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got '-score'",
      ],
      [
        'an endpoint name with a space',
        { endpointName: 'score ep' },
        "`endpointName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got 'score ep'",
      ],
      [
        'an endpoint name with a non-ASCII letter',
        { endpointName: 'scöre' },
        "`endpointName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got 'scöre'",
      ],
      [
        'a negative role wait',
        { roleAssignmentWaitSeconds: -1 },
        '`roleAssignmentWaitSeconds` must be a whole number at least 0; got -1',
      ],
      [
        'a fractional role wait',
        { roleAssignmentWaitSeconds: 1.5 },
        '`roleAssignmentWaitSeconds` must be a whole number at least 0; got 1.5',
      ],
      [
        'more than 50 tags',
        { tags: tooManyTags },
        "`tags` must hold at most 50 tags; got '51 tags'",
      ],
      [
        'a tag name with <',
        { tags: { 'a<b': 'x' } },
        "`tags` must have names of 1-512 characters without < > % & \\ ? /; got 'a<b'",
      ],
      [
        'a tag name with /',
        { tags: { 'team/ml': 'x' } },
        "`tags` must have names of 1-512 characters without < > % & \\ ? /; got 'team/ml'",
      ],
      [
        'a tag named __proto__, which the JSON would lose',
        { tags: JSON.parse('{"__proto__": "x"}') },
        "`tags` must not use the key __proto__: the synthesized JSON would silently lose it; got '__proto__'",
      ],
      [
        'an empty tag name',
        { tags: { '': 'x' } },
        "`tags` must have names of 1-512 characters without < > % & \\ ? /; got ''",
      ],
      [
        'a tag value of 257 characters',
        { tags: { owner: 'v'.repeat(257) } },
        `\`tags.owner\` must be a string of at most 256 characters; got '${'v'.repeat(257)}'`,
      ],
    ])('fails for %s', (_, props, message) => {
      expect(() => endpoint(props)).toThrow(message);
    });

    test('fails for a system-assigned identity type given a user-assigned identity', () => {
      const { stack, workspace } = base();
      const identity = new UserAssignedIdentity(stack, 'Id', {
        name: 'ep-identity',
        resourceGroupName: 'rg',
        location: 'westeurope',
      });
      expect(
        () =>
          new ManagedEndpointWithIdentity(stack, 'Endpoint', {
            workspace,
            endpointName: 'score-ep',
            identityType: IdentityType.SYSTEM_ASSIGNED,
            userAssignedIdentity: identity,
          }),
      ).toThrow(
        "`identityType` must be UserAssigned when `userAssignedIdentity` is given; got 'SystemAssigned'",
      );
    });
  });

  describe('OnlineDeployment', () => {
    test.each<[string, Partial<OnlineDeploymentOptions>, string]>([
      [
        'an instance count of 0',
        { instanceCount: 0 },
        '`instanceCount` must be a whole number at least 1; got 0',
      ],
      [
        'a negative instance count',
        { instanceCount: -3 },
        '`instanceCount` must be a whole number at least 1; got -3',
      ],
      [
        'a fractional instance count',
        { instanceCount: 2.5 },
        '`instanceCount` must be a whole number at least 1; got 2.5',
      ],
      [
        'an instance type with a space',
        { instanceType: 'Standard DS3' },
        "`instanceType` must be a VM size such as Standard_DS3_v2; got 'Standard DS3'",
      ],
      [
        'an instance type starting with a digit',
        { instanceType: '3DS' },
        "`instanceType` must be a VM size such as Standard_DS3_v2; got '3DS'",
      ],
      [
        'a request timeout over 180 s (FR-10)',
        { requestSettings: { requestTimeoutMs: 300000 } },
        '`requestSettings.requestTimeoutMs` must be a whole number from 1 to 180000; got 300000',
      ],
      [
        'a request timeout of 180001 ms (FR-10)',
        { requestSettings: { requestTimeoutMs: 180001 } },
        '`requestSettings.requestTimeoutMs` must be a whole number from 1 to 180000; got 180001',
      ],
      [
        'a request timeout of 0',
        { requestSettings: { requestTimeoutMs: 0 } },
        '`requestSettings.requestTimeoutMs` must be a whole number from 1 to 180000; got 0',
      ],
      [
        'a fractional request timeout',
        { requestSettings: { requestTimeoutMs: 1.5 } },
        '`requestSettings.requestTimeoutMs` must be a whole number from 1 to 180000; got 1.5',
      ],
      [
        'a concurrency of 0',
        { requestSettings: { maxConcurrentRequestsPerInstance: 0 } },
        '`requestSettings.maxConcurrentRequestsPerInstance` must be a whole number at least 1; got 0',
      ],
      [
        'a negative queue wait',
        { requestSettings: { maxQueueWaitMs: -1 } },
        '`requestSettings.maxQueueWaitMs` must be a whole number at least 0; got -1',
      ],
      [
        'a liveness period of 0',
        { livenessProbe: { periodSeconds: 0 } },
        '`livenessProbe.periodSeconds` must be a whole number at least 1; got 0',
      ],
      [
        'a readiness timeout of 0',
        { readinessProbe: { timeoutSeconds: 0 } },
        '`readinessProbe.timeoutSeconds` must be a whole number at least 1; got 0',
      ],
      [
        'a liveness failure threshold of 0',
        { livenessProbe: { failureThreshold: 0 } },
        '`livenessProbe.failureThreshold` must be a whole number at least 1; got 0',
      ],
      [
        'a readiness success threshold of 0',
        { readinessProbe: { successThreshold: 0 } },
        '`readinessProbe.successThreshold` must be a whole number at least 1; got 0',
      ],
      [
        'a liveness success threshold other than 1',
        { livenessProbe: { successThreshold: 2 } },
        '`livenessProbe.successThreshold` must be 1: the service fixes it for liveness probes; got 2',
      ],
      [
        'a negative initial delay',
        { livenessProbe: { initialDelaySeconds: -1 } },
        '`livenessProbe.initialDelaySeconds` must be a whole number at least 0; got -1',
      ],
      [
        'a create timeout under an hour',
        { createTimeoutMinutes: 20 },
        '`createTimeoutMinutes` must be a whole number at least 60; got 20',
      ],
      [
        'an environment variable name with a dash',
        { environmentVariables: { 'MY-VAR': 'x' } },
        "`environmentVariables` must start with a letter or underscore and hold only letters, digits and underscores; got 'MY-VAR'",
      ],
      [
        'an environment variable name starting with a digit',
        { environmentVariables: { '1VAR': 'x' } },
        "`environmentVariables` must start with a letter or underscore and hold only letters, digits and underscores; got '1VAR'",
      ],
      [
        'an empty environment variable name',
        { environmentVariables: { '': 'x' } },
        "`environmentVariables` must start with a letter or underscore and hold only letters, digits and underscores; got ''",
      ],
      [
        'an environment variable named __proto__, which the JSON would lose',
        { environmentVariables: JSON.parse('{"__proto__": "x"}') },
        "`environmentVariables` must not use the key __proto__: the synthesized JSON would silently lose it; got '__proto__'",
      ],
      [
        'an environment variable the library sets (UAI_CLIENT_ID)',
        { environmentVariables: { UAI_CLIENT_ID: 'x' } },
        "`environmentVariables` must not set IDENTITY_KIND, UAI_CLIENT_ID, AZUREML_MODEL_DIR: the library sets them; got 'UAI_CLIENT_ID'",
      ],
      [
        'an environment variable the library sets (IDENTITY_KIND)',
        { environmentVariables: { IDENTITY_KIND: 'x' } },
        "`environmentVariables` must not set IDENTITY_KIND, UAI_CLIENT_ID, AZUREML_MODEL_DIR: the library sets them; got 'IDENTITY_KIND'",
      ],
      [
        'an environment variable value that is not a string',
        { environmentVariables: { WORKER_COUNT: 4 as unknown as string } },
        '`environmentVariables.WORKER_COUNT` must be a string; got 4',
      ],
      [
        'a deployment tag name with %',
        { tags: { '100%': 'x' } },
        "`tags` must have names of 1-512 characters without < > % & \\ ? /; got '100%'",
      ],
      [
        'a custom model without a scoring script (FR-8)',
        { code: undefined },
        '`code` is required for a custom_model model: only MLflow and Triton models deploy without a scoring script; got nothing',
      ],
      [
        'a scoring script climbing out of a registered code version (FR-9)',
        {
          code: {
            codeReference: 'azureml:score-code:1',
            scoringScript: '../x.py',
          },
        },
        "`code.scoringScript` must be a relative path inside the code version, without ..; got '../x.py'",
      ],
      [
        'code given as both a folder and a reference',
        {
          code: {
            codePath: CODE,
            codeReference: 'azureml:c:1',
            scoringScript: 'score.py',
          },
        },
        `\`code\` must give exactly one of \`codePath\` and \`codeReference\`; got '${CODE}'`,
      ],
      [
        'code given as neither a folder nor a reference',
        { code: { scoringScript: 'score.py' } },
        '`code` must give exactly one of `codePath` and `codeReference`; got nothing',
      ],
      [
        'an empty scoring script',
        { code: { codeReference: 'azureml:c:1', scoringScript: '' } },
        "`code.scoringScript` must name the scoring script; got ''",
      ],
      [
        'a code folder that does not exist (FR-9)',
        { code: { codePath: './src', scoringScript: 'online_score.py' } },
        "`code.codePath` must be an existing folder; got './src'",
      ],
      [
        'a scoring script missing from the code folder (FR-9)',
        { code: { codePath: CODE, scoringScript: 'online_score.py' } },
        `\`code.scoringScript\` must be a file in the code folder '${CODE}' (looked for ${path.join(CODE, 'online_score.py')}); got 'online_score.py'`,
      ],
      [
        'a scoring script outside the code folder (FR-9)',
        { code: { codePath: CODE, scoringScript: '../train.py' } },
        `\`code.scoringScript\` must be a path inside the code folder '${CODE}'; got '../train.py'`,
      ],
      [
        'a scoring script given as an absolute path (FR-9)',
        {
          code: { codePath: CODE, scoringScript: path.join(CODE, 'score.py') },
        },
        `\`code.scoringScript\` must be a path inside the code folder '${CODE}'; got '${path.join(CODE, 'score.py')}'`,
      ],
      [
        'a scoring script that is a folder (FR-9)',
        { code: { codePath: SCORING, scoringScript: 'onlinescoring' } },
        `\`code.scoringScript\` must be a file in the code folder '${SCORING}'`,
      ],
      [
        'a model reference with a label',
        { model: ModelSource.fromReference('azureml:m@latest') },
        "`model` must pin a version (azureml:<name>:<version>): labels resolve only in the az ml tool; got 'azureml:m@latest'",
      ],
      [
        'a model reference in no known form',
        { model: ModelSource.fromReference('my-model') },
        "`model` must be azureml:<name>:<version>, an ARM id or azureml://registries/<registry>/models/<name>/versions/<version>; got 'my-model'",
      ],
      [
        'a model reference that is an environment ARM id',
        {
          model: ModelSource.fromReference(
            `${WORKSPACE_ID}/environments/e/versions/1`,
          ),
        },
        `\`model\` must be the ARM id of a model version (…/models/<name>/versions/<version>); got '${WORKSPACE_ID}/environments/e/versions/1'`,
      ],
      [
        'a registry model URI without a version',
        {
          model: ModelSource.fromReference(
            'azureml://registries/azureml/models/phi',
          ),
        },
        "`model` must be a registry URI: azureml://registries/<registry>/models/<name>/versions/<version>; got 'azureml://registries/azureml/models/phi'",
      ],
      [
        'an environment reference without a version',
        { environment: EnvironmentSource.fromReference('azureml:sklearn-env') },
        "`environment` must be azureml:<name>:<version>, an ARM id or azureml://registries/<registry>/environments/<name>/versions/<version>; got 'azureml:sklearn-env'",
      ],
      [
        'a code reference in no known form',
        { code: { codeReference: 'score-code', scoringScript: 'score.py' } },
        "`code.codeReference` must be azureml:<name>:<version>, an ARM id or azureml://registries/<registry>/codes/<name>/versions/<version>; got 'score-code'",
      ],
      [
        'a missing local model folder',
        { model: ModelSource.fromLocalPath('./no-such-model') },
        "`model` must be an existing local file or folder; got './no-such-model'",
      ],
      [
        'a model asset name with a space',
        {
          model: ModelSource.fromLocalPath(path.join(SCORING, 'model'), {
            asset: { name: 'my model', version: '1' },
          }),
        },
        "`model.asset.name` must be 1-255 letters, digits, hyphens or underscores, starting with a letter or digit; got 'my model'",
      ],
      [
        'a model asset name with a dot',
        {
          model: ModelSource.fromLocalPath(path.join(SCORING, 'model'), {
            asset: { name: 'model.v2', version: '1' },
          }),
        },
        "`model.asset.name` must be 1-255 letters, digits, hyphens or underscores, starting with a letter or digit; got 'model.v2'",
      ],
      [
        'an empty model asset version',
        {
          model: ModelSource.fromLocalPath(path.join(SCORING, 'model'), {
            asset: { name: 'credit', version: '' },
          }),
        },
        "`model.asset.version` must be 1-255 letters, digits, dots, hyphens or underscores, starting with a letter or digit; got ''",
      ],
      [
        'an environment asset name starting with a hyphen',
        {
          environment: EnvironmentSource.fromImage('img:1', {
            asset: { name: '-env', version: '1' },
          }),
        },
        "`environment.asset.name` must be 1-255 letters, digits, hyphens or underscores, starting with a letter or digit; got '-env'",
      ],
      [
        'an environment asset version with a slash',
        {
          environment: EnvironmentSource.fromImage('img:1', {
            asset: { name: 'env', version: 'v/1' },
          }),
        },
        "`environment.asset.version` must be 1-255 letters, digits, dots, hyphens or underscores, starting with a letter or digit; got 'v/1'",
      ],
      [
        'an environment asset name of 256 characters',
        {
          environment: EnvironmentSource.fromImage('img:1', {
            asset: { name: 'e'.repeat(256), version: '1' },
          }),
        },
        `\`environment.asset.name\` must be 1-255 letters, digits, hyphens or underscores, starting with a letter or digit; got '${'e'.repeat(256)}'`,
      ],
    ])('fails for %s', (_, extra, message) => {
      const { stack, ep } = endpoint();
      expect(() => ep.addDeployment('blue', registered(extra))).toThrow(
        message,
      );
      // nothing half-built is left behind
      expect(ep.deployments).toHaveLength(0);
      expect(() => synth(stack)).not.toThrow();
    });

    test.each(['Blue-', '9blue', 'bl', 'blue_green', 'b'.repeat(33)])(
      'fails for the deployment name %p (FR-6)',
      (name) => {
        const { ep } = endpoint();
        expect(() => ep.addDeployment(name, registered())).toThrow(
          `\`deploymentName\` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got '${name}'`,
        );
      },
    );

    test.each(['Resource', 'TrafficRouting', 'Keys'])(
      'fails for the deployment name %p, an id the endpoint uses itself',
      (name) => {
        const { ep } = endpoint();
        expect(() => ep.addDeployment(name, registered())).toThrow(
          "`deploymentName` must not be one of the endpoint's own construct ids in addDeployment (Resource, Identity, Keys, " +
            "RolePropagationWait, TrafficRouting, WorkspaceRegistryPull, WorkspaceStorageRead); use new OnlineDeployment(endpoint, 'Id', " +
            `{ deploymentName, ... }) for this name; got '${name}'`,
        );
      },
    );

    test('a deployment named like one of the endpoint ids can still be created with an id of its own', () => {
      const { stack, ep } = endpoint();
      new OnlineDeployment(ep, 'Primary', {
        ...registered(),
        endpoint: ep,
        deploymentName: 'Resource',
      });
      expect(
        JSON.parse(synth(stack)).resource.azapi_update_resource,
      ).toBeDefined();
    });

    test('fails for two deployments with the same name under different ids', () => {
      const { ep } = endpoint();
      new OnlineDeployment(ep, 'First', {
        ...registered(),
        endpoint: ep,
        deploymentName: 'blue',
      });
      expect(
        () =>
          new OnlineDeployment(ep, 'Second', {
            ...registered(),
            endpoint: ep,
            deploymentName: 'Blue',
          }),
      ).toThrow(
        "`deploymentName` must be unique within endpoint 'score-ep' (names are compared ignoring case); got 'Blue'",
      );
    });

    test('fails for two endpoints of one name in a workspace, whatever the case (FR-6)', () => {
      const { stack, workspace } = base();
      new ManagedEndpointWithIdentity(stack, 'One', {
        workspace,
        endpointName: 'score-ep',
      });
      expect(
        () =>
          new ManagedEndpointWithIdentity(stack, 'Two', {
            workspace,
            endpointName: 'Score-EP',
          }),
      ).toThrow(
        "`endpointName` must be unique within the workspace (names are compared ignoring case; 'test/One' has it); got 'Score-EP'",
      );
    });

    test('fails for two endpoints of one name in one workspace imported twice (FR-6)', () => {
      const { stack } = base();
      const id =
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-twice';
      const first = MlWorkspace.fromWorkspaceId(stack, 'First', id);
      const again = MlWorkspace.fromWorkspaceId(
        stack,
        'Again',
        id.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'),
      );
      new ManagedEndpointWithIdentity(stack, 'One', {
        workspace: first,
        endpointName: 'score-ep',
      });
      expect(
        () =>
          new ManagedEndpointWithIdentity(stack, 'Two', {
            workspace: again,
            endpointName: 'score-ep',
          }),
      ).toThrow(
        "`endpointName` must be unique within the workspace (names are compared ignoring case; 'test/One' has it); got 'score-ep'",
      );
    });

    test('fails for a deployment name known only after apply given to addDeployment (FR-12)', () => {
      const { stack, ep } = endpoint();
      const name = new TerraformVariable(stack, 'name', { type: 'string' })
        .stringValue;
      expect(() => ep.addDeployment(name, registered())).toThrow(
        /^`deploymentName` must be a literal in addDeployment/,
      );
    });

    test.each<[string, () => unknown, string]>([
      [
        'an image reference with a space',
        () => EnvironmentSource.fromImage('my image:1'),
        "`environment.image` must be a docker image reference without spaces; got 'my image:1'",
      ],
      [
        'a conda file that does not exist',
        () =>
          EnvironmentSource.fromImage('img:1', { condaFilePath: 'nope.yaml' }),
        "`environment.condaFilePath` must be an existing conda YAML file; got 'nope.yaml'",
      ],
    ])('fails for %s', (_, build, message) => {
      expect(build).toThrow(message);
    });
  });

  describe('traffic and mirrored traffic (FR-5)', () => {
    test.each<
      [
        string,
        { [n: string]: number } | undefined,
        { [n: string]: number } | undefined,
        string,
      ]
    >([
      [
        'values summing to 90',
        { blue: 60, green: 30 },
        undefined,
        '`traffic` values must sum to 100; got 90 ({"blue":60,"green":30})',
      ],
      [
        'values summing to 110',
        { blue: 60, green: 50 },
        undefined,
        '`traffic` values must sum to 100; got 110 ({"blue":60,"green":50})',
      ],
      [
        'a share over 100',
        { blue: 110, green: -10 },
        undefined,
        '`traffic.blue` must be a whole percentage from 0 to 100; got 110',
      ],
      [
        'a negative share',
        { blue: 110, green: -10 },
        undefined,
        '`traffic.green` must be a whole percentage from 0 to 100; got -10',
      ],
      [
        'a fractional share',
        { blue: 50.5, green: 49.5 },
        undefined,
        '`traffic.blue` must be a whole percentage from 0 to 100; got 50.5',
      ],
      [
        'a deployment that does not exist',
        { blue: 100, ghost: 0 },
        undefined,
        "`traffic` names deployment 'ghost', which endpoint 'score-ep' does not have (deployments: blue, green)",
      ],
      [
        'no traffic with several deployments',
        undefined,
        undefined,
        "`traffic` must be set when endpoint 'score-ep' has several deployments (blue, green): give each a percentage, summing to 100; got nothing",
      ],
      [
        'mirroring over 50%',
        { blue: 100, green: 0 },
        { green: 60 },
        '`mirrorTraffic.green` must be a whole percentage from 0 to 50; got 60',
      ],
      [
        'mirroring to a deployment with live traffic',
        { blue: 100, green: 0 },
        { blue: 10 },
        '`mirrorTraffic.blue` must target a deployment without live traffic; got 10 while `traffic.blue` is 100',
      ],
      [
        'mirroring to a deployment that does not exist',
        { blue: 100, green: 0 },
        { ghost: 10 },
        "`mirrorTraffic` names deployment 'ghost', which endpoint 'score-ep' does not have (deployments: blue, green)",
      ],
      [
        'mirroring to two deployments',
        { blue: 100, green: 0 },
        { green: 10, ghost: 5 },
        '`mirrorTraffic` must name one deployment at most (Azure mirrors to one); got 2 (green, ghost)',
      ],
    ])('fails synth for %s', (_, traffic, mirror, message) => {
      const { stack, ep } = endpoint();
      ep.addDeployment('blue', registered());
      ep.addDeployment('green', registered());
      if (traffic) ep.setTraffic(traffic, mirror);
      expect(() => synth(stack)).toThrow(message);
    });

    test('fails synth for traffic given at creation for a deployment that never comes', () => {
      const { stack } = endpoint({ traffic: { blue: 100 } });
      expect(() => synth(stack)).toThrow(
        "`traffic` names deployment 'blue', which endpoint 'score-ep' does not have (deployments: none)",
      );
    });
  });

  describe('BlobDataSource', () => {
    const data = (props: BlobDataSourceProps) => {
      const { stack } = base();
      return new BlobDataSource(stack, 'Data', {
        resourceGroupName: 'rg',
        location: 'westeurope',
        ...props,
      });
    };

    test.each<[string, BlobDataSourceProps, string]>([
      [
        'an account name with capitals (FR-7)',
        { storageAccountName: 'ML-Data' },
        "`storageAccountName` must be 3-24 characters of lowercase letters and digits; got 'ML-Data'",
      ],
      [
        'an account name of 2 characters',
        { storageAccountName: 'ab' },
        "`storageAccountName` must be 3-24 characters of lowercase letters and digits; got 'ab'",
      ],
      [
        'an account name of 25 characters',
        { storageAccountName: 'a'.repeat(25) },
        `\`storageAccountName\` must be 3-24 characters of lowercase letters and digits; got '${'a'.repeat(25)}'`,
      ],
      [
        'a container name with capitals',
        { containerName: 'Data' },
        "`containerName` must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got 'Data'",
      ],
      [
        'a container name with two hyphens in a row',
        { containerName: 'a--b' },
        "`containerName` must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got 'a--b'",
      ],
      [
        'a container name of 2 characters',
        { containerName: 'ab' },
        "`containerName` must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got 'ab'",
      ],
      [
        'a container name starting with a hyphen',
        { containerName: '-data' },
        "`containerName` must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got '-data'",
      ],
      [
        'a container name of 64 characters',
        { containerName: 'c'.repeat(64) },
        `\`containerName\` must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got '${'c'.repeat(64)}'`,
      ],
      [
        'a blob name ending with a slash',
        { files: [{ blobName: 'dir/', sourcePath: HELLO }] },
        "`files[0].blobName` must be 1-1024 characters, not ending with '.', '/' or '\\'; got 'dir/'",
      ],
      [
        'a blob name ending with a dot',
        { files: [{ blobName: 'hello.', sourcePath: HELLO }] },
        "`files[0].blobName` must be 1-1024 characters, not ending with '.', '/' or '\\'; got 'hello.'",
      ],
      [
        'an empty blob name',
        { files: [{ blobName: '', sourcePath: HELLO }] },
        "`files[0].blobName` must be 1-1024 characters, not ending with '.', '/' or '\\'; got ''",
      ],
      [
        'a blob name of 1025 characters',
        { files: [{ blobName: 'b'.repeat(1025), sourcePath: HELLO }] },
        "`files[0].blobName` must be 1-1024 characters, not ending with '.', '/' or '\\'",
      ],
      [
        'a blob name with a control character',
        { files: [{ blobName: 'a\nb.txt', sourcePath: HELLO }] },
        '`files[0].blobName` must not hold control characters; got "a\\nb.txt"',
      ],
      [
        'a blob name with 255 path segments',
        {
          files: [
            { blobName: Array(255).fill('d').join('/'), sourcePath: HELLO },
          ],
        },
        '`files[0].blobName` must have at most 254 path segments',
      ],
      [
        'two files with the same blob name',
        {
          files: [
            { blobName: 'a.txt', sourcePath: HELLO },
            { blobName: 'a.txt', sourcePath: HELLO },
          ],
        },
        "`files[1].blobName` must be unique within the container; got 'a.txt'",
      ],
      [
        'a file that does not exist',
        { files: [{ blobName: 'a.txt', sourcePath: 'no/such/file.txt' }] },
        "`files[0].sourcePath` must be an existing file; got 'no/such/file.txt'",
      ],
      [
        'no resource group for a new account',
        { resourceGroupName: undefined },
        '`resourceGroupName` is required when no `existingStorageAccountId` is given; got nothing',
      ],
      [
        'no location for a new account',
        { location: undefined },
        '`location` is required when no `existingStorageAccountId` is given; got nothing',
      ],
      [
        'an account name with an existing account',
        { existingStorageAccountId: ACCOUNT_ID, storageAccountName: 'mydata' },
        "`storageAccountName` cannot be set with `existingStorageAccountId`; got 'mydata'",
      ],
      [
        'an existing account id of another resource type',
        { existingStorageAccountId: WORKSPACE_ID },
        `\`existingStorageAccountId\` must be a storage account ARM id: /subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.Storage/storageAccounts/<name>; got '${WORKSPACE_ID}'`,
      ],
      [
        'an existing account given by name',
        { existingStorageAccountId: 'mldata1' },
        "`existingStorageAccountId` must be a storage account ARM id: /subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.Storage/storageAccounts/<name>; got 'mldata1'",
      ],
      [
        'a negative upload wait',
        { roleAssignmentWaitSeconds: -5 },
        '`roleAssignmentWaitSeconds` must be a whole number at least 0; got -5',
      ],
      [
        'a tag name over 128 characters on a storage account',
        { tags: { ['k'.repeat(129)]: 'v' } },
        `\`tags\` must have names of 1-128 characters without < > % & \\ ? /; got '${'k'.repeat(129)}'`,
      ],
    ])('fails for %s', (_, props, message) => {
      expect(() => data(props)).toThrow(message);
    });

    test('fails for environment variables of a blob that was not uploaded', () => {
      const source = data({
        files: [{ blobName: 'hello.txt', sourcePath: HELLO }],
      });
      expect(() => source.environmentVariables('nope.txt')).toThrow(
        "`blobName` must be one of the uploaded files (hello.txt); got 'nope.txt'",
      );
    });

    test('fails for environment variables of a data source without files', () => {
      expect(() => data({}).environmentVariables()).toThrow(
        '`blobName` must name a blob: this data source has no files; got nothing',
      );
    });

    test('derives a valid account name from any prefix (FR-7)', () => {
      const source = data({ namePrefix: 'ml-demo-Prod' });
      const name = resolve(source, source.storageAccount!.nameInput!);
      expect(derivedNameBase(name, 24)).toBe('mldemoprod');
    });
  });

  describe('MlWorkspace and identities', () => {
    const workspace = (props: Partial<MlWorkspaceProps>) => {
      const { stack } = base();
      return new MlWorkspace(stack, 'NewWorkspace', {
        resourceGroupName: 'rg',
        location: 'westeurope',
        ...props,
      });
    };

    test.each<[string, Partial<MlWorkspaceProps>, string]>([
      [
        'a name prefix with a space',
        { namePrefix: 'ml demo' },
        "`namePrefix` must be 1-30 letters, digits or hyphens, starting with a letter or digit; got 'ml demo'",
      ],
      [
        'a name prefix starting with a hyphen',
        { namePrefix: '-ml' },
        "`namePrefix` must be 1-30 letters, digits or hyphens, starting with a letter or digit; got '-ml'",
      ],
      [
        'a name prefix with an underscore',
        { namePrefix: 'ml_demo' },
        "`namePrefix` must be 1-30 letters, digits or hyphens, starting with a letter or digit; got 'ml_demo'",
      ],
      [
        'a name prefix of 31 characters',
        { namePrefix: 'p'.repeat(31) },
        `\`namePrefix\` must be 1-30 letters, digits or hyphens, starting with a letter or digit; got '${'p'.repeat(31)}'`,
      ],
      [
        'a storage account name with capitals',
        { storageAccountName: 'WsStore' },
        "`storageAccountName` must be 3-24 characters of lowercase letters and digits; got 'WsStore'",
      ],
      [
        'a negative deployer wait',
        { roleAssignmentWaitSeconds: -1 },
        '`roleAssignmentWaitSeconds` must be a whole number at least 0; got -1',
      ],
    ])('fails for %s', (_, props, message) => {
      expect(() => workspace(props)).toThrow(message);
    });

    test('fails for a workspace id that is not one', () => {
      const { stack } = base();
      expect(() =>
        MlWorkspace.fromWorkspaceId(
          stack,
          'Other',
          '/subscriptions/x/resourceGroups/rg',
        ),
      ).toThrow(
        "`workspaceId` must be a workspace ARM id: /subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.MachineLearningServices/workspaces/<name>; got '/subscriptions/x/resourceGroups/rg'",
      );
    });

    test.each(['ab', 'a b', '_id'])(
      'fails for the identity name %p',
      (name) => {
        const { stack } = base();
        expect(
          () =>
            new UserAssignedIdentity(stack, 'Id', {
              name,
              resourceGroupName: 'rg',
              location: 'westeurope',
            }),
        ).toThrow(
          `\`name\` must be 3-128 characters of letters, digits, hyphens and underscores, starting with a letter or digit; got '${name}'`,
        );
      },
    );

    test('fails for a grant given a client id (FR-2)', () => {
      const { stack, workspace: ws } = base();
      const identity = new UserAssignedIdentity(stack, 'Id', {
        name: 'ep-identity',
        resourceGroupName: 'rg',
        location: 'westeurope',
      });
      const source = new BlobDataSource(stack, 'Data', {
        resourceGroupName: 'rg',
        location: 'westeurope',
      });
      expect(ws).toBeDefined();
      expect(() =>
        source.grantRead({ principalId: identity.clientId }),
      ).toThrow(
        /^`principalId` must be the identity's principal \(object\) id, not its client id; got '\$\{azurerm_user_assigned_identity\.Id_.*\.client_id\}'/,
      );
    });
  });

  describe('suppressions', () => {
    test.each<[string, string, string, string]>([
      [
        'no reason',
        'AML-ST-3',
        '',
        "`reason` must say why AML-ST-3 does not apply to 'test/Endpoint', in at least 10 characters; got ''",
      ],
      [
        'a reason of blanks',
        'AML-ST-3',
        '          ',
        "`reason` must say why AML-ST-3 does not apply to 'test/Endpoint', in at least 10 characters; got '          '",
      ],
      [
        'a reason under 10 characters',
        'AML-EP-1',
        'tutorial',
        "`reason` must say why AML-EP-1 does not apply to 'test/Endpoint', in at least 10 characters; got 'tutorial'",
      ],
      [
        'an unknown rule id',
        'AML-XX-9',
        'a reason long enough',
        "`ruleId` must be a rule of the pack (AML-ST-1, AML-ST-2, AML-ST-3, AML-ST-4, AML-ST-5, AML-IAM-1, AML-IAM-2, AML-IAM-3, AML-IAM-4, AML-EP-1, AML-EP-2, AML-DP-1, AML-DP-2, AML-DP-3, AML-KEY-1, AML-CR-1); got 'AML-XX-9'",
      ],
    ])('fails for %s', (_, ruleId, reason, message) => {
      const { ep } = endpoint();
      expect(() => suppressRule(ep, ruleId, reason)).toThrow(message);
    });
  });

  describe('the default app configuration', () => {
    test.each<[string, NodeJS.ProcessEnv, string]>([
      [
        'an unknown identity type',
        { IDENTITY_TYPE: 'both' },
        "`IDENTITY_TYPE` must be 'system' or 'user'; got 'both'",
      ],
      [
        'an instance count that is not a number',
        { INSTANCE_COUNT: 'two' },
        "`INSTANCE_COUNT` must be a whole number of digits; got 'two'",
      ],
      [
        'a negative role wait',
        { ROLE_ASSIGNMENT_WAIT_SECONDS: '-1' },
        "`ROLE_ASSIGNMENT_WAIT_SECONDS` must be a whole number of digits; got '-1'",
      ],
    ])('fails for %s', (_, env, message) => {
      expect(() => configFromEnv(env)).toThrow(message);
    });
  });
});

describe('validation: likely mistakes are warned about, not refused', () => {
  test.each<[string, Partial<OnlineDeploymentOptions>, string]>([
    [
      'an instance type missing from the SKU list',
      { instanceType: 'Standard_B2s' },
      "`instanceType` should be a size from the managed online endpoints SKU list (reference-managed-online-endpoints-vm-sku-list); got 'Standard_B2s'",
    ],
    [
      'a count needing more cores than the smallest default quota',
      { instanceCount: 10 },
      "`instanceCount` needs quota for 48 Standard_DS3_v2 cores (ceil(1.2 × 10) × 4: Azure ML reserves 20% extra for upgrades), more than the smallest default regional quota of 24 cores: check the family's quota in the region; got 10",
    ],
    [
      'a count whose 20% reserve alone crosses the quota (6 × 4 = 24 cores run)',
      { instanceCount: 6, instanceType: 'Standard_F4s_v2' },
      '`instanceCount` needs quota for 32 Standard_F4s_v2 cores (ceil(1.2 × 6) × 4',
    ],
    [
      'a GPU size',
      { instanceType: 'Standard_NC6s_v3' },
      '`instanceCount` needs quota for 12 Standard_NC6s_v3 cores (ceil(1.2 × 1) × 6: Azure ML reserves 20% extra for upgrades), and GPU families start with no quota: request it for the region first; got 1',
    ],
    [
      'a GPU size exempt from the reserve',
      { instanceType: 'Standard_NC24ads_A100_v4', instanceCount: 2 },
      '`instanceCount` needs quota for 48 Standard_NC24ads_A100_v4 cores (2 × 24: Azure ML reserves 20% extra for upgrades, except for this size)',
    ],
    [
      'more than 50 instances',
      { instanceCount: 51, instanceType: 'Standard_DS1_v2' },
      '`instanceCount` should be at most 50 unless the subscription has a quota exception; got 51',
    ],
    [
      'the deprecated queue wait',
      { requestSettings: { maxQueueWaitMs: 500 } },
      '`requestSettings.maxQueueWaitMs` should be left unset: it is deprecated, raise `requestTimeoutMs` instead; got 500',
    ],
    [
      'concurrency without WORKER_COUNT',
      { requestSettings: { maxConcurrentRequestsPerInstance: 4 } },
      '`requestSettings.maxConcurrentRequestsPerInstance` should come with a WORKER_COUNT environment variable, or the inference server handles one request at a time; got 4',
    ],
    [
      'a probe delay of 0',
      { readinessProbe: { initialDelaySeconds: 0 } },
      '`readinessProbe.initialDelaySeconds` should be at least 1 (the documented minimum); got 0',
    ],
    [
      'a variable the host sets for the identity',
      { environmentVariables: { MSI_ENDPOINT: 'http://x' } },
      "`environmentVariables` should not override a variable the Azure ML host sets (AZUREML_*, MSI_*, IDENTITY_*); got 'MSI_ENDPOINT'",
    ],
    [
      'an AZUREML_ variable',
      { environmentVariables: { AZUREML_ENTRY_SCRIPT: 'x.py' } },
      "`environmentVariables` should not override a variable the Azure ML host sets (AZUREML_*, MSI_*, IDENTITY_*); got 'AZUREML_ENTRY_SCRIPT'",
    ],
  ])('warns about %s', (_, extra, message) => {
    const { stack, deployment } = deploy(extra);
    expect(() => synth(stack)).not.toThrow();
    expect(warnings(deployment)).toContainEqual(
      expect.stringContaining(message),
    );
  });

  test('instance type names are matched without regard to case', () => {
    const { deployment } = deploy({ instanceType: 'standard_ds3_V2' });
    expect(warnings(deployment)).toEqual([]);
  });

  test('concurrency with WORKER_COUNT is not warned about', () => {
    const { deployment } = deploy({
      requestSettings: { maxConcurrentRequestsPerInstance: 4 },
      environmentVariables: { WORKER_COUNT: '4' },
    });
    expect(warnings(deployment)).toEqual([]);
  });

  test('a zero role wait is warned about (FR-4)', () => {
    const { ep } = endpoint({ roleAssignmentWaitSeconds: 0 });
    expect(warnings(ep)).toEqual([
      '`roleAssignmentWaitSeconds` should leave time for role propagation (minutes), or init() gets 403 until it is done; got 0',
    ]);
  });

  test('traffic summing to 0 synthesizes, with a warning, once per synth', () => {
    const { stack, ep } = endpoint();
    ep.addDeployment('blue', registered());
    ep.addDeployment('green', registered());
    ep.setTraffic({ blue: 0, green: 0 });
    synth(stack);
    synth(stack);
    expect(warnings(ep)).toEqual([
      '`traffic` should send traffic somewhere: values summing to 0 stop all live traffic; got {"blue":0,"green":0}',
    ]);
  });

  test('more than 20 deployments on an endpoint are warned about', () => {
    const { stack, ep } = endpoint();
    const names = Array.from(
      { length: 21 },
      (_, i) => `d${String(i).padStart(2, '0')}`,
    );
    for (const n of names)
      ep.addDeployment(n, registered({ instanceType: 'Standard_DS1_v2' }));
    ep.setTraffic(
      Object.fromEntries(names.map((n, i) => [n, i === 0 ? 100 : 0])),
    );
    synth(stack);
    expect(warnings(ep).filter((w) => w.startsWith('`deployments`'))).toEqual([
      "`deployments` should be at most 20 per endpoint unless the subscription has a quota exception; got '21 deployments'",
    ]);
  });

  test('the default app configuration raises no warning', () => {
    const { stack } = deploy({});
    synth(stack);
    expect(warnings(stack)).toEqual([]);
  });
});

describe('validation: values known only after apply are not checked as literals (FR-12)', () => {
  test('endpoint name, instance type and count, variable names and values, traffic keys', () => {
    // GIVEN
    const { stack, workspace } = base();
    const v = (name: string, type = 'string') =>
      new TerraformVariable(stack, name, { type });
    const endpointName = v('endpoint_name').stringValue;
    const envName = v('env_name').stringValue;

    // WHEN
    const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName,
    });
    const d = ep.addDeployment('blue', {
      ...registered(),
      instanceType: v('instance_type').stringValue,
      instanceCount: v('instance_count', 'number').numberValue,
      requestSettings: {
        maxConcurrentRequestsPerInstance: v('c', 'number').numberValue,
      },
      environmentVariables: { [envName]: v('env_value').stringValue },
    });

    // THEN
    const out = JSON.parse(synth(stack));
    const body = Object.values(
      out.resource.azapi_resource as {
        [k: string]: { name: string; body: any };
      },
    ).find((r) => r.body?.sku)!.body;
    expect(body.sku.capacity).toBe('${var.instance_count}');
    expect(body.properties.instanceType).toBe('${var.instance_type}');
    expect(body.properties.environmentVariables).toMatchObject({
      '${var.env_name}': '${var.env_value}',
    });
    expect(warnings(d)).toEqual([]);
    // ids stay static
    expect(ep.node.id).toBe('Endpoint');
    expect(d.node.id).toBe('blue');
  });

  test.each([
    [
      'requestSettings.requestTimeoutMs',
      { requestSettings: { requestTimeoutMs: 0 } },
    ],
    [
      'requestSettings.maxQueueWaitMs',
      { requestSettings: { maxQueueWaitMs: 0 } },
    ],
    ['livenessProbe.periodSeconds', { livenessProbe: { periodSeconds: 0 } }],
    [
      'readinessProbe.initialDelaySeconds',
      { readinessProbe: { initialDelaySeconds: 0 } },
    ],
    [
      'readinessProbe.timeoutSeconds',
      { readinessProbe: { timeoutSeconds: 0 } },
    ],
  ])('fails if %s, a duration, is known only after apply', (field, shape) => {
    // GIVEN
    const { stack, workspace } = base();
    const token = new TerraformVariable(stack, 'n', { type: 'number' })
      .numberValue;
    const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });
    // the shape's single number becomes the token
    const settings = JSON.parse(JSON.stringify(shape), (_, v) =>
      v === 0 ? token : v,
    );

    // WHEN / THEN
    expect(() =>
      ep.addDeployment('blue', { ...registered(), ...settings }),
    ).toThrow(
      `\`${field}\` must be a literal number: it is sent as an ISO-8601 duration computed at synth; got a value known only after apply`,
    );
  });
});
