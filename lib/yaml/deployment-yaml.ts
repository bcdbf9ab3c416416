import { Token } from 'cdktf';

import { EnvironmentSource, ModelSource, ModelType } from '../assets';
import type { ManagedEndpointWithIdentity } from '../managed-endpoint-with-identity';
import { IMlWorkspace } from '../ml-workspace';
import {
  MAX_REQUEST_TIMEOUT_MS,
  OnlineDeployment,
  OnlineDeploymentOptions,
  ProbeSettings,
  RequestSettings,
} from '../online-deployment';
import { VM_SIZE } from '../private/azure';
import {
  checkEnvironmentVariableName,
  checkOnlineName,
} from '../private/validation';
import { optional, YamlLoadOptions } from './endpoint-yaml';
import {
  EnvironmentForm,
  ModelForm,
  readCode,
  readEnvironment,
  readModel,
} from './private/asset-forms';
import { buildEnvironmentId, latestVersionId } from './private/assets';
import {
  DEPLOYMENT_KEYS,
  PROBE_KEYS,
  REQUEST_SETTINGS_KEYS,
  SCALE_SETTINGS_KEYS,
} from './private/keys';
import { YNode } from './private/node';
import { YamlSource } from './private/source';
import { YamlConfigError } from './yaml-config-error';

/** VM sizes, as OnlineDeployment checks them. */

/** The deployment settings of a file that need no workspace to know. */
type FileOptions = Omit<OnlineDeploymentOptions, 'model' | 'environment'>;

/**
 * An `az ml` managed online deployment file (managedOnlineDeployment schema),
 * read into `OnlineDeploymentOptions`. Every key the schema has is either
 * turned into an option or fails with a `YamlConfigError` that says why.
 *
 * Defaults follow az ml where they differ from the construct's:
 * `app_insights_enabled` is false unless the file says true.
 */
export class DeploymentYaml {
  /** Reads a deployment file; relative paths resolve against its folder. */
  public static load(
    file: string,
    options: YamlLoadOptions = {},
  ): DeploymentYaml {
    return new DeploymentYaml(YamlSource.read(file, options.set));
  }

  /** Absolute path of the file. */
  public readonly file: string;
  /** From `name`. */
  public readonly deploymentName: string;
  /** From `endpoint_name`, if given: checked against the endpoint in `addTo`. */
  public readonly endpointName?: string;

  private readonly nameNode: YNode;
  private readonly endpointNameNode: YNode;
  private readonly model: ModelForm;
  private readonly environment: EnvironmentForm;
  private readonly fileOptions: FileOptions;

  private constructor(source: YamlSource) {
    this.file = source.file;
    const root = source.root();
    checkSchema(root.peek('$schema'));
    const keys = root.entries(DEPLOYMENT_KEYS);
    const get = (key: string) => YNode.child(keys, root, key);

    if (!get('type').missing) {
      const type = get('type').oneOf({
        managed: 'managed',
        kubernetes: 'kubernetes',
      });
      if (type === 'kubernetes')
        get('type').fail(
          'must be managed: this library makes managed online deployments',
        );
    }
    this.nameNode = get('name');
    this.deploymentName = this.nameNode
      .required('the deployment name')
      .string();
    get('name').check((field) => checkOnlineName(field, this.deploymentName));
    this.endpointNameNode = get('endpoint_name');
    this.endpointName = this.endpointNameNode.missing
      ? undefined
      : this.endpointNameNode.string();

    this.model = readModel(get('model'));
    this.environment = readEnvironment(get('environment'));
    const code = get('code_configuration');
    if (
      code.missing &&
      !(
        this.model.kind === 'local' && this.model.modelType === ModelType.MLFLOW
      )
    ) {
      code.fail(
        'is required: only an MLflow model (inline `type: mlflow_model`) deploys without a scoring script ' +
          "(a referenced model's type is not known at synth)",
      );
    }

    const instanceType = get('instance_type')
      .required('the VM size, such as Standard_DS3_v2')
      .string();
    if (!Token.isUnresolved(instanceType) && !VM_SIZE.test(instanceType)) {
      get('instance_type').fail('must be a VM size such as Standard_DS3_v2');
    }

    this.fileOptions = {
      instanceType,
      instanceCount: get('instance_count')
        .required('the number of instances')
        .integer(1),
      appInsightsEnabled: get('app_insights_enabled').missing
        ? false
        : get('app_insights_enabled').boolean(),
      ...optional('code', code, readCode),
      ...optional(
        'environmentVariables',
        get('environment_variables'),
        readVariables,
      ),
      ...optional(
        'egressPublicNetworkAccess',
        get('egress_public_network_access'),
        (n) => n.oneOf({ enabled: true, disabled: false }),
      ),
      ...optional(
        'requestSettings',
        get('request_settings'),
        readRequestSettings,
      ),
      ...optional('livenessProbe', get('liveness_probe'), (n) =>
        readProbe(n, true),
      ),
      ...optional('readinessProbe', get('readiness_probe'), (n) =>
        readProbe(n, false),
      ),
      ...optional('description', get('description'), (n) => n.string()),
      ...optional('tags', get('tags'), (n) =>
        n.stringMap('tag names to values'),
      ),
      ...optional('properties', get('properties'), (n) =>
        n.stringMap('property names to values'),
      ),
    };
    readScaleSettings(get('scale_settings'));
  }

  /**
   * The construct options. The workspace is where `azureml:<name>@latest`
   * lookups and build-context environments are created.
   */
  public toOptions(workspace: IMlWorkspace): OnlineDeploymentOptions {
    return {
      ...this.fileOptions,
      model: this.modelSource(workspace),
      environment: this.environmentSource(workspace),
    };
  }

  /**
   * Adds the deployment to an endpoint. `extra` wins over the file, except
   * `environmentVariables`, which are merged over the file's.
   */
  public addTo(
    endpoint: ManagedEndpointWithIdentity,
    extra: Partial<OnlineDeploymentOptions> = {},
  ): OnlineDeployment {
    const name = this.endpointName;
    if (
      name !== undefined &&
      !Token.isUnresolved(name) &&
      !Token.isUnresolved(endpoint.endpointName) &&
      name !== endpoint.endpointName
    ) {
      this.endpointNameNode.fail(
        `must name the endpoint the deployment is added to ('${endpoint.endpointName}')`,
      );
    }
    if (
      endpoint.deployments.some((d) => d.deploymentName === this.deploymentName)
    ) {
      this.nameNode.fail(
        `must be unique within endpoint '${endpoint.endpointName}': it has a deployment of that name`,
      );
    }
    const options = this.toOptions(endpoint.workspace);
    const variables =
      options.environmentVariables || extra.environmentVariables
        ? {
            environmentVariables: {
              ...options.environmentVariables,
              ...extra.environmentVariables,
            },
          }
        : {};
    try {
      return endpoint.addDeployment(this.deploymentName, {
        ...options,
        ...extra,
        ...variables,
      });
    } catch (e) {
      if (e instanceof YamlConfigError) throw e;
      throw new YamlConfigError({ file: this.file }, '', (e as Error).message);
    }
  }

  private modelSource(workspace: IMlWorkspace): ModelSource {
    const m = this.model;
    switch (m.kind) {
      case 'local':
        return ModelSource.fromLocalPath(m.path, {
          asset: m.asset,
          modelType: m.modelType,
          description: m.description,
        });
      case 'reference':
        return ModelSource.fromReference(m.reference);
      case 'latest':
        return ModelSource.fromReference(
          latestVersionId(workspace, 'models', m.name),
        );
    }
  }

  private environmentSource(workspace: IMlWorkspace): EnvironmentSource {
    const e = this.environment;
    switch (e.kind) {
      case 'image':
        return EnvironmentSource.fromImage(e.image, {
          condaFilePath: e.condaFilePath,
          condaFileContent: e.condaFileContent,
          asset: e.asset,
          description: e.description,
        });
      case 'build':
        return EnvironmentSource.fromReference(
          buildEnvironmentId(workspace, e),
        );
      case 'reference':
        return EnvironmentSource.fromReference(e.reference);
      case 'latest':
        return EnvironmentSource.fromReference(
          latestVersionId(workspace, 'environments', e.name),
        );
    }
  }
}

/** `$schema` may name the deployment schema (or anything else), not the endpoint's. */
function checkSchema(node: YNode): void {
  if (node.missing) return;
  const schema = node.string();
  if (/kubernetes/i.test(schema)) {
    node.fail(
      'names a Kubernetes online schema: this library makes managed online deployments (managedOnlineDeployment schema)',
    );
  }
  if (/endpoint/i.test(schema) && !/deployment/i.test(schema)) {
    node.fail(
      'names an endpoint schema: this is the endpoint file; pass it as the endpoint file, not as a deployment file',
    );
  }
}

function readVariables(node: YNode): { [name: string]: string } {
  const variables = node.stringMap('variable names to values');
  for (const name of Object.keys(variables)) {
    const keyNode = new YNode(
      node.source,
      undefined,
      `${node.key}.${name}`,
      findKey(node, name),
    );
    keyNode.check((field) => checkEnvironmentVariableName(field, name));
  }
  return variables;
}

function readRequestSettings(node: YNode): RequestSettings {
  const keys = node.entries(REQUEST_SETTINGS_KEYS);
  const get = (key: string) => YNode.child(keys, node, key);
  return {
    ...optional('requestTimeoutMs', get('request_timeout_ms'), (n) =>
      n.integer(1, MAX_REQUEST_TIMEOUT_MS),
    ),
    ...optional(
      'maxConcurrentRequestsPerInstance',
      get('max_concurrent_requests_per_instance'),
      (n) => n.integer(1),
    ),
    ...optional('maxQueueWaitMs', get('max_queue_wait_ms'), (n) =>
      n.integer(0),
    ),
  };
}

function readProbe(node: YNode, liveness: boolean): ProbeSettings {
  const keys = node.entries(PROBE_KEYS);
  const get = (key: string) => YNode.child(keys, node, key);
  const success = get('success_threshold');
  if (liveness && !success.missing && success.integer(1) !== 1) {
    success.fail('must be 1 for a liveness probe (Azure ML fixes it)');
  }
  return {
    ...optional('initialDelaySeconds', get('initial_delay'), (n) =>
      n.integer(1),
    ),
    ...optional('periodSeconds', get('period'), (n) => n.integer(1)),
    ...optional('timeoutSeconds', get('timeout'), (n) => n.integer(1)),
    ...optional('successThreshold', success, (n) => n.integer(1)),
    ...optional('failureThreshold', get('failure_threshold'), (n) =>
      n.integer(1),
    ),
  };
}

/** Only the default scale type exists for managed deployments: nothing to send. */
function readScaleSettings(node: YNode): void {
  if (node.missing) return;
  const keys = node.entries(SCALE_SETTINGS_KEYS);
  const type = YNode.child(keys, node, 'type').required(
    "the scale type: 'default'",
  );
  const value = type.oneOf({
    default: 'default',
    target_utilization: 'target_utilization',
  });
  if (value !== 'default') {
    type.fail(
      "must be 'default': target_utilization applies to Kubernetes online deployments only (use autoscale rules)",
    );
  }
}

/** The key node of a mapping entry, for errors about the key. */
function findKey(node: YNode, name: string): unknown {
  const map = node.node as { items?: { key: { value?: unknown } }[] };
  return map.items?.find((p) => String(p.key?.value) === name)?.key;
}
