import * as fs from 'fs';
import * as path from 'path';

import { DeploymentYaml, EndpointYaml, YamlConfigError } from '../lib';

const ROOT = path.join(__dirname, '..');
const BAD = path.join(__dirname, 'fixtures', 'yaml', 'bad');
const TUTORIAL_DEPLOYMENT = path.join(
  __dirname,
  'fixtures',
  'yaml',
  'tutorial',
  'blue-deployment.yml',
);
const TUTORIAL_ENDPOINT = path.join(
  __dirname,
  'fixtures',
  'yaml',
  'tutorial',
  'endpoint.yml',
);

/** Loads a file as the kind its name starts with; returns what it throws. */
function loadError(
  file: string,
  set?: string[] | { [key: string]: unknown },
): YamlConfigError {
  try {
    if (path.basename(file).startsWith('endpoint'))
      EndpointYaml.load(file, { set });
    else DeploymentYaml.load(file, { set });
  } catch (e) {
    expect(e).toBeInstanceOf(YamlConfigError);
    return e as YamlConfigError;
  }
  throw new Error(`expected ${file} to fail`);
}

/** The file as errors show it: relative to the working directory. */
function shown(file: string): string {
  return path.relative(process.cwd(), file);
}

describe('YamlConfigError', () => {
  // file, line, column, key, message after "file:line:column: " (<root> is the repository)
  test.each([
    [
      'deployment-boolean-variable.yml',
      15,
      10,
      'environment_variables.DEBUG',
      "`environment_variables.DEBUG` must be a string: quote it ('true'), as YAML reads it as a boolean; got true",
    ],
    [
      'deployment-curated-environment.yml',
      9,
      14,
      'environment',
      "`environment` names a curated environment, which lives in the azureml registry, not the workspace: write azureml://registries/azureml/environments/<name>/versions/<version>; got 'azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu:1'",
    ],
    [
      'deployment-data-collector.yml',
      14,
      1,
      'data_collector',
      '`data_collector` (model data collection) is not supported by this library: collect data in the scoring script',
    ],
    [
      'deployment-duplicate-key.yml',
      14,
      1,
      'instance_count',
      '`instance_count` appears twice: keep one',
    ],
    [
      'deployment-egress.yml',
      14,
      31,
      'egress_public_network_access',
      "`egress_public_network_access` must be one of 'enabled', 'disabled'; got 'off'",
    ],
    [
      'deployment-empty.yml',
      1,
      1,
      'name',
      '`name` is required: the deployment name',
    ],
    [
      'deployment-endpoint-key.yml',
      4,
      1,
      'auth_mode',
      '`auth_mode` is an endpoint key: it belongs in the endpoint file (managedOnlineEndpoint schema), not in a deployment file',
    ],
    [
      'deployment-endpoint-schema.yml',
      1,
      10,
      '$schema',
      "`$schema` names an endpoint schema: this is the endpoint file; pass it as the endpoint file, not as a deployment file; got 'https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json'",
    ],
    [
      'deployment-image-and-build.yml',
      12,
      5,
      'environment.build',
      '`environment.build` must not have both `image` and `build`: give one',
    ],
    [
      'deployment-instance-count.yml',
      13,
      17,
      'instance_count',
      "`instance_count` must be a whole number at least 1; got 'two'",
    ],
    [
      'deployment-list.yml',
      1,
      1,
      '',
      'the file must be a mapping (managed online deployment); got a list',
    ],
    [
      'deployment-liveness-success.yml',
      16,
      22,
      'liveness_probe.success_threshold',
      '`liveness_probe.success_threshold` must be 1 for a liveness probe (Azure ML fixes it); got 2',
    ],
    [
      'deployment-model-label.yml',
      4,
      8,
      'model',
      "`model` must use the label 'latest' (azureml:<name>@latest) or pin a version: other labels are not supported; got 'azureml:sklearn-model@production'",
    ],
    [
      'deployment-model-mount-path.yml',
      14,
      1,
      'model_mount_path',
      '`model_mount_path` configures a custom serving container, which this library does not support: use a scoring script (`code_configuration`) on an image',
    ],
    [
      'deployment-code-reference-climb.yml',
      7,
      19,
      'code_configuration.scoring_script',
      "`code_configuration.scoring_script` must be a relative path inside the code version, without ..; got '../score.py'",
    ],
    [
      'deployment-model-dotted-name.yml',
      5,
      9,
      'model.name',
      "`model.name` must be 1-255 letters, digits, hyphens or underscores, starting with a letter or digit; got 'sklearn.model'",
    ],
    [
      'deployment-model-name-only.yml',
      5,
      3,
      'model.name',
      '`model.name` needs `version` too: Terraform registers a fixed version (az ml would pick the next one)',
    ],
    [
      'deployment-model-no-version.yml',
      4,
      8,
      'model',
      "`model` must pin a version (azureml:<name>:<version>) or ask for azureml:<name>@latest; got 'azureml:sklearn-model'",
    ],
    [
      'deployment-model-path.yml',
      5,
      9,
      'model.path',
      "`model.path` must be an existing local file or folder (relative paths start at the YAML file's folder; looked for <root>/__tests__/fixtures/yaml/bad/no-such-model); got './no-such-model'",
    ],
    [
      'deployment-model-remote.yml',
      5,
      9,
      'model.path',
      "`model.path` must be a local path: register the model first and reference it as azureml:<name>:<version>; got 'azureml://datastores/workspaceblobstore/paths/models/sklearn'",
    ],
    [
      'deployment-model-string-path.yml',
      4,
      8,
      'model',
      "`model` must be azureml:<name>:<version>, azureml:<name>@latest, an ARM id, azureml://registries/<registry>/models/<name>/versions/<version>, or an inline model { path: <file or folder> }; got '../../../../scoring/model'",
    ],
    [
      'deployment-no-code.yml',
      1,
      1,
      'code_configuration',
      "`code_configuration` is required: only an MLflow model (inline `type: mlflow_model`) deploys without a scoring script (a referenced model's type is not known at synth); got nothing",
    ],
    [
      'deployment-no-instance-type.yml',
      1,
      1,
      'instance_type',
      '`instance_type` is required: the VM size, such as Standard_DS3_v2',
    ],
    [
      'deployment-read-only.yml',
      14,
      1,
      'provisioning_state',
      '`provisioning_state` is read-only: the service sets it (was the file written by `az ml ... show`?); remove it',
    ],
    [
      'deployment-request-timeout.yml',
      15,
      23,
      'request_settings.request_timeout_ms',
      '`request_settings.request_timeout_ms` must be a whole number from 1 to 180000; got 300000',
    ],
    [
      'deployment-scale-settings.yml',
      16,
      3,
      'scale_settings.min_instances',
      '`scale_settings.min_instances` belongs to `type: target_utilization`, which applies to Kubernetes online endpoints only; this library makes managed ones (scale a managed deployment with autoscale rules)',
    ],
    [
      'deployment-scoring-script.yml',
      8,
      19,
      'code_configuration.scoring_script',
      "`code_configuration.scoring_script` must be a file in the code folder '<root>/scoring/onlinescoring' (looked for <root>/scoring/onlinescoring/online_score.py); got 'online_score.py'",
    ],
    [
      'deployment-syntax.yml',
      15,
      23,
      '',
      'is not valid YAML: Nested mappings are not allowed in compact mappings',
    ],
    [
      'deployment-two-documents.yml',
      15,
      1,
      '',
      'must hold one YAML document; found a second one',
    ],
    [
      'deployment-typo.yml',
      13,
      1,
      'instance_cont',
      '`instance_cont` is not a key of a managed online deployment; did you mean `instance_count`? Allowed: $schema, name, endpoint_name, description, tags, properties, type, model, code_configuration, environment, environment_variables, instance_type, instance_count, app_insights_enabled, scale_settings, request_settings, liveness_probe, readiness_probe, egress_public_network_access',
    ],
    [
      'deployment-variable-name.yml',
      15,
      3,
      'environment_variables.1ST_FILE',
      "`environment_variables.1ST_FILE` must start with a letter or underscore and hold only letters, digits and underscores; got '1ST_FILE'",
    ],
    [
      'deployment-windows.yml',
      12,
      12,
      'environment.os_type',
      "`environment.os_type` must be linux: managed online deployments run Linux containers; got 'windows'",
    ],
    [
      'endpoint-auth-mode.yml',
      3,
      12,
      'auth_mode',
      "`auth_mode` must be one of 'key', 'aml_token', 'aad_token'; got 'token'",
    ],
    [
      'endpoint-compute.yml',
      3,
      1,
      'compute',
      '`compute` applies to Kubernetes online endpoints only; this library makes managed ones',
    ],
    [
      'endpoint-deployment-content.yml',
      1,
      1,
      'model',
      '`model` is a deployment key: it belongs in a deployment file (managedOnlineDeployment schema), not in the endpoint file',
    ],
    [
      'endpoint-deployment-key.yml',
      4,
      1,
      'instance_type',
      '`instance_type` is a deployment key: it belongs in a deployment file (managedOnlineDeployment schema), not in the endpoint file',
    ],
    [
      'endpoint-identity-client-id.yml',
      7,
      7,
      'identity.user_assigned_identities[0].client_id',
      '`identity.user_assigned_identities[0].client_id` is read from the identity at plan time: give only `resource_id` (the ARM id of the identity)',
    ],
    [
      'endpoint-identity-id.yml',
      6,
      20,
      'identity.user_assigned_identities[0].resource_id',
      "`identity.user_assigned_identities[0].resource_id` must be the ARM id of a user-assigned identity: /subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>; got 'endpoint-identity'",
    ],
    [
      'endpoint-identity-none.yml',
      4,
      9,
      'identity.type',
      "`identity.type` must be system_assigned or user_assigned: the endpoint reads Blob Storage as its identity; got 'none'",
    ],
    [
      'endpoint-mirror-traffic.yml',
      3,
      1,
      'mirror_traffic',
      '`mirror_traffic` cannot be set in the endpoint file: mirrored traffic needs the deployments to exist, so the library routes it after them; set it with the `mirrorTraffic` prop of ManagedEndpointWithIdentity or with `setTraffic()`',
    ],
    [
      'endpoint-name.yml',
      1,
      7,
      'name',
      "`name` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got '1-score'",
    ],
    [
      'endpoint-public-network.yml',
      3,
      24,
      'public_network_access',
      "`public_network_access` must be one of 'enabled', 'disabled'; got 'off'",
    ],
    [
      'endpoint-read-only.yml',
      3,
      1,
      'scoring_uri',
      '`scoring_uri` is read-only: the service sets it (was the file written by `az ml ... show`?); remove it',
    ],
    [
      'endpoint-scalar.yml',
      1,
      1,
      '',
      "the file must be a mapping (managed online endpoint); got 'just a sentence'",
    ],
    [
      'endpoint-traffic.yml',
      3,
      1,
      'traffic',
      "`traffic` cannot be set in the endpoint file: Azure ML takes traffic only once the deployments exist, so the library routes it with a separate update after every deployment (100% to a single deployment by default); set it with the `traffic` prop of ManagedEndpointWithIdentity or with `setTraffic()` (TRAFFIC='blue=90,green=10' in the default app)",
    ],
    [
      'endpoint-two-identities.yml',
      6,
      5,
      'identity.user_assigned_identities',
      '`identity.user_assigned_identities` must hold one identity, not 2: Azure ML runs an endpoint as one user-assigned identity',
    ],
    [
      'endpoint-typo.yml',
      3,
      1,
      'auth_mod',
      '`auth_mod` is not a key of a managed online endpoint; did you mean `auth_mode`? Allowed: $schema, name, description, tags, auth_mode, identity, public_network_access',
    ],
  ])('%s fails at %i:%i on `%s`', (name, line, column, key, message) => {
    // WHEN
    const file = path.join(BAD, name);
    const e = loadError(file);

    // THEN
    expect(e.message).toBe(
      `${shown(file)}:${line}:${column}: ${message.split('<root>').join(ROOT)}`,
    );
    expect(e).toMatchObject({
      name: 'YamlConfigError',
      file,
      line,
      column,
      key,
    });
  });

  test('every malformed fixture is pinned above', () => {
    expect(fs.readdirSync(BAD).filter((f) => f.endsWith('.yml')).length).toBe(
      47,
    );
  });

  describe('overrides', () => {
    test('an override that is not path=value fails naming it', () => {
      expect(loadError(TUTORIAL_DEPLOYMENT, ['instance_count']).message).toBe(
        `${shown(TUTORIAL_DEPLOYMENT)} (set 'instance_count'): must be written 'path.to.key=value'`,
      );
    });

    test('an override with an empty path segment fails', () => {
      expect(
        loadError(TUTORIAL_DEPLOYMENT, [
          'request_settings..request_timeout_ms=1',
        ]).message,
      ).toBe(
        `${shown(TUTORIAL_DEPLOYMENT)} (set 'request_settings..request_timeout_ms=1'): \`request_settings..request_timeout_ms\` ` +
          "must be a dotted path of keys, like 'request_settings.request_timeout_ms'",
      );
    });

    test('a bad value from an override is located at the override', () => {
      const e = loadError(TUTORIAL_DEPLOYMENT, ['instance_count=0']);
      expect(e.message).toBe(
        `${shown(TUTORIAL_DEPLOYMENT)} (set 'instance_count=0'): \`instance_count\` must be a whole number at least 1; got '0'`,
      );
      expect(e).toMatchObject({
        override: 'instance_count=0',
        line: undefined,
        key: 'instance_count',
      });
    });

    test('an unknown key from an override suggests the nearest one', () => {
      expect(
        loadError(TUTORIAL_DEPLOYMENT, ['instance_typ=Standard_F2s_v2'])
          .message,
      ).toMatch(
        /\(set 'instance_typ=Standard_F2s_v2'\): `instance_typ` is not a key of a managed online deployment; did you mean `instance_type`\?/,
      );
    });

    test('a list index past the end fails', () => {
      const set = {
        'identity.user_assigned_identities': [],
        'identity.user_assigned_identities.3.resource_id': 'x',
      };
      expect(loadError(TUTORIAL_ENDPOINT, set).message).toBe(
        `${shown(TUTORIAL_ENDPOINT)} (set 'identity.user_assigned_identities.3.resource_id="x"'): ` +
          '`identity.user_assigned_identities.3` must index the list: 0 to 0',
      );
    });

    test('a key under a scalar replaces the scalar, and the result is checked', () => {
      expect(
        loadError(TUTORIAL_DEPLOYMENT, ['instance_type.size=x']).message,
      ).toBe(
        `${shown(TUTORIAL_DEPLOYMENT)} (set 'instance_type.size=x'): \`instance_type\` must be a string; got a mapping`,
      );
    });
  });

  test('an override under a file that is not a mapping fails', () => {
    const file = path.join(BAD, 'endpoint-scalar.yml');
    expect(loadError(file, ['name=x']).message).toBe(
      `${shown(file)} (set 'name=x'): \`name\` cannot be set: its parent is not a mapping`,
    );
  });

  test('a missing file fails naming it', () => {
    const file = path.join(BAD, 'no-such-file.yml');
    expect(() => DeploymentYaml.load(file)).toThrow(
      `${shown(file)}: must be an existing YAML file`,
    );
  });
});
