import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';

import {
  CodeConfiguration,
  EnvironmentSource,
  ModelSource,
  ModelType,
} from './assets';
import { AzapiResource } from './azapi/resource';
import { AssetVersion } from './asset-version';
import type { ManagedEndpointWithIdentity } from './managed-endpoint-with-identity';
import { resolveAssetReference } from './private/references';
import {
  checkAssetName,
  checkAssetVersion,
  checkEnvironmentVariableName,
  checkInteger,
  checkOnlineName,
  checkTags,
  fail,
  checkLiteralDuration,
  isoDurationFromMs,
  isUnresolved,
  warn,
} from './private/validation';
import {
  instanceTypeInfo,
  reservedCores,
} from './rules/private/instance-types';

/** ARM type of managed online deployments, with the API version this library speaks. */
export const ONLINE_DEPLOYMENT_TYPE =
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2025-09-01';

/**
 * Longest request timeout a managed online deployment accepts.
 * @see https://learn.microsoft.com/azure/machine-learning/reference-yaml-deployment-managed-online#requestsettings
 */
export const MAX_REQUEST_TIMEOUT_MS = 180_000;

/** Variables the library sets itself; a user value would break the script. */
const RESERVED_VARIABLES = [
  'IDENTITY_KIND',
  'UAI_CLIENT_ID',
  'AZUREML_MODEL_DIR',
];

/** Variables the host sets for the managed identity's token endpoint. */
const HOST_IDENTITY_VARIABLES = [
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
];

/**
 * Instances per deployment before a quota exception is needed.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints
 */
export const MAX_INSTANCE_COUNT = 50;

/**
 * The smallest default regional quota of dedicated cores (24 to 300 by
 * offer); a deployment that needs more may fail with OutOfQuota.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-compute
 */
export const SMALLEST_DEFAULT_CORE_QUOTA = 24;

/** How requests are queued and timed out. */
export interface RequestSettings {
  /**
   * Time a request may take, in milliseconds (at most 180000).
   * @default 5000 (the service default)
   */
  readonly requestTimeoutMs?: number;
  /**
   * Concurrent requests per instance.
   * @default 1 (the service default)
   */
  readonly maxConcurrentRequestsPerInstance?: number;
  /**
   * Time a request may wait in the queue, in milliseconds.
   * @default 500 (the service default)
   */
  readonly maxQueueWaitMs?: number;
}

/** A liveness or readiness probe; times in seconds. */
export interface ProbeSettings {
  /** @default 10 */
  readonly initialDelaySeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 2 */
  readonly timeoutSeconds?: number;
  /** @default 30 (3 for readiness) */
  readonly failureThreshold?: number;
  /** @default 1 */
  readonly successThreshold?: number;
}

/** A deployment's settings, without the endpoint and name. */
export interface OnlineDeploymentOptions {
  readonly model: ModelSource;
  /**
   * Scoring code. Required unless the model is an MLflow model.
   * @default - none
   */
  readonly code?: CodeConfiguration;
  readonly environment: EnvironmentSource;
  /**
   * VM size of each instance.
   * @default 'Standard_DS3_v2'
   */
  readonly instanceType?: string;
  /**
   * Number of instances (`sku.capacity`).
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Variables the scoring script receives, on top of the identity's.
   * @default - only the identity variables
   */
  readonly environmentVariables?: { [name: string]: string };
  /** @default - the service defaults */
  readonly requestSettings?: RequestSettings;
  /** @default - the service defaults */
  readonly livenessProbe?: ProbeSettings;
  /** @default - the service defaults */
  readonly readinessProbe?: ProbeSettings;
  /**
   * Send request logs and metrics to the workspace's Application Insights.
   * @default true
   */
  readonly appInsightsEnabled?: boolean;
  /**
   * Let the deployment reach the public internet.
   * @default true
   */
  readonly egressPublicNetworkAccess?: boolean;
  /** @default - none */
  readonly description?: string;
  /** @default - none */
  readonly tags?: { [key: string]: string };
  /**
   * Free-form string properties of the deployment (`properties.properties`).
   * @default - none
   */
  readonly properties?: { [key: string]: string };
  /**
   * Minutes Terraform waits for the deployment (first ones take 8-15).
   * @default 90
   */
  readonly createTimeoutMinutes?: number;
}

export interface OnlineDeploymentProps extends OnlineDeploymentOptions {
  readonly endpoint: ManagedEndpointWithIdentity;
  /** Deployment name, with the same rule as endpoint names. */
  readonly deploymentName: string;
}

/**
 * A deployment of a model, environment and scoring script on a managed
 * online endpoint. Local model, code and environment are uploaded and
 * registered as content-addressed versions.
 */
export class OnlineDeployment extends Construct {
  public readonly deploymentName: string;
  /** ARM id of the deployment. */
  public readonly deploymentId: string;
  /** The variables the scoring script receives. */
  public readonly environmentVariables: { readonly [name: string]: string };
  public readonly resource: AzapiResource;
  /** ARM id (or registry URI) of the model version. */
  public readonly modelId: string;
  /** ARM id (or registry URI) of the environment version. */
  public readonly environmentId: string;
  /** ARM id of the code version, if any. */
  public readonly codeId?: string;

  constructor(scope: Construct, id: string, props: OnlineDeploymentProps) {
    super(scope, id);
    const endpoint = props.endpoint;
    const ws = endpoint.workspace;
    validate(props);
    warnAboutLikelyMistakes(this, props);

    const model = props.model.spec;
    this.modelId =
      model.kind === 'local'
        ? AssetVersion.of({
            workspace: ws,
            kind: 'models',
            sourcePath: model.path,
            field: 'model',
            asset: model.asset,
            variant: [
              model.modelType ?? ModelType.CUSTOM,
              model.description ?? '',
            ],
            properties: (upload) => ({
              modelUri: upload!.datastoreUri,
              modelType: model.modelType ?? ModelType.CUSTOM,
              ...(model.description !== undefined
                ? { description: model.description }
                : {}),
            }),
          }).versionId
        : resolveAssetReference(
            'model',
            'models',
            model.reference,
            ws.workspaceId,
          );

    const env = props.environment.spec;
    this.environmentId =
      env.kind === 'image'
        ? AssetVersion.of({
            workspace: ws,
            kind: 'environments',
            contentKey: [env.image, env.condaFile ?? ''],
            field: 'environment',
            asset: env.asset,
            variant: [env.description ?? ''],
            properties: () => ({
              image: env.image,
              ...(env.condaFile !== undefined
                ? { condaFile: env.condaFile }
                : {}),
              osType: 'Linux',
              ...(env.description !== undefined
                ? { description: env.description }
                : {}),
            }),
          }).versionId
        : resolveAssetReference(
            'environment',
            'environments',
            env.reference,
            ws.workspaceId,
          );

    const code = props.code;
    if (code?.codePath !== undefined) {
      this.codeId = AssetVersion.of({
        workspace: ws,
        kind: 'codes',
        sourcePath: code.codePath,
        field: 'code.codePath',
        properties: (upload) => ({ codeUri: upload!.httpsUri }),
      }).versionId;
    } else if (code?.codeReference !== undefined) {
      this.codeId = resolveAssetReference(
        'code.codeReference',
        'codes',
        code.codeReference,
        ws.workspaceId,
      );
    }

    this.deploymentName = props.deploymentName;
    this.environmentVariables = {
      ...(props.environmentVariables ?? {}),
      ...endpoint.identityEnvironmentVariables,
    };

    const p = props;
    this.resource = new AzapiResource(this, 'Resource', {
      type: ONLINE_DEPLOYMENT_TYPE,
      name: props.deploymentName,
      parentId: endpoint.endpointId,
      location: endpoint.location,
      tags: props.tags,
      body: {
        sku: { name: 'Default', capacity: p.instanceCount ?? 1 },
        properties: {
          endpointComputeType: 'Managed',
          model: this.modelId,
          ...(this.codeId !== undefined
            ? {
                codeConfiguration: {
                  codeId: this.codeId,
                  scoringScript: code!.scoringScript,
                },
              }
            : {}),
          environmentId: this.environmentId,
          environmentVariables: this.environmentVariables,
          instanceType: p.instanceType ?? 'Standard_DS3_v2',
          appInsightsEnabled: p.appInsightsEnabled ?? true,
          egressPublicNetworkAccess:
            p.egressPublicNetworkAccess === false ? 'Disabled' : 'Enabled',
          ...(p.requestSettings
            ? { requestSettings: requestSettingsBody(p.requestSettings) }
            : {}),
          ...(p.livenessProbe
            ? { livenessProbe: probeBody(p.livenessProbe) }
            : {}),
          ...(p.readinessProbe
            ? { readinessProbe: probeBody(p.readinessProbe) }
            : {}),
          ...(p.description !== undefined
            ? { description: p.description }
            : {}),
          ...(p.properties !== undefined ? { properties: p.properties } : {}),
        },
      },
      timeouts: {
        create: `${p.createTimeoutMinutes ?? 90}m`,
        update: `${p.createTimeoutMinutes ?? 90}m`,
        delete: '60m',
      },
    });
    this.deploymentId = this.resource.id;

    endpoint.registerDeployment(this);
  }
}

function validate(p: OnlineDeploymentProps): void {
  checkOnlineName('deploymentName', p.deploymentName);
  checkInteger('instanceCount', p.instanceCount ?? 1, 1);
  checkInteger('createTimeoutMinutes', p.createTimeoutMinutes ?? 90, 60);
  if (
    p.instanceType !== undefined &&
    !isUnresolved(p.instanceType) &&
    !/^[A-Za-z][A-Za-z0-9_]+$/.test(p.instanceType)
  ) {
    fail(
      'instanceType',
      p.instanceType,
      'must be a VM size such as Standard_DS3_v2',
    );
  }
  for (const [name, value] of Object.entries(p.environmentVariables ?? {})) {
    checkEnvironmentVariableName('environmentVariables', name);
    if (RESERVED_VARIABLES.includes(name)) {
      fail(
        'environmentVariables',
        name,
        `must not set ${RESERVED_VARIABLES.join(', ')}: the library sets them`,
      );
    }
    if (typeof value !== 'string')
      fail(`environmentVariables.${name}`, value, 'must be a string');
  }
  checkTags('tags', p.tags);
  const modelAsset =
    p.model.spec.kind === 'local' ? p.model.spec.asset : undefined;
  const envAsset =
    p.environment.spec.kind === 'image' ? p.environment.spec.asset : undefined;
  for (const [field, asset] of [
    ['model.asset', modelAsset],
    ['environment.asset', envAsset],
  ] as const) {
    if (!asset) continue;
    checkAssetName(`${field}.name`, asset.name);
    checkAssetVersion(`${field}.version`, asset.version);
  }
  const rs = p.requestSettings;
  if (rs) {
    checkLiteralDuration(
      'requestSettings.requestTimeoutMs',
      rs.requestTimeoutMs,
    );
    checkLiteralDuration('requestSettings.maxQueueWaitMs', rs.maxQueueWaitMs);
    checkInteger(
      'requestSettings.requestTimeoutMs',
      rs.requestTimeoutMs ?? 5000,
      1,
      MAX_REQUEST_TIMEOUT_MS,
    );
    checkInteger(
      'requestSettings.maxConcurrentRequestsPerInstance',
      rs.maxConcurrentRequestsPerInstance ?? 1,
      1,
    );
    checkInteger('requestSettings.maxQueueWaitMs', rs.maxQueueWaitMs ?? 500, 0);
  }
  for (const [field, probe] of [
    ['livenessProbe', p.livenessProbe],
    ['readinessProbe', p.readinessProbe],
  ] as const) {
    if (!probe) continue;
    checkLiteralDuration(
      `${field}.initialDelaySeconds`,
      probe.initialDelaySeconds,
    );
    checkLiteralDuration(`${field}.periodSeconds`, probe.periodSeconds);
    checkLiteralDuration(`${field}.timeoutSeconds`, probe.timeoutSeconds);
    checkInteger(
      `${field}.initialDelaySeconds`,
      probe.initialDelaySeconds ?? 10,
      0,
    );
    checkInteger(`${field}.periodSeconds`, probe.periodSeconds ?? 10, 1);
    checkInteger(`${field}.timeoutSeconds`, probe.timeoutSeconds ?? 2, 1);
    checkInteger(`${field}.failureThreshold`, probe.failureThreshold ?? 30, 1);
    checkInteger(`${field}.successThreshold`, probe.successThreshold ?? 1, 1);
  }
  const liveSuccess = p.livenessProbe?.successThreshold;
  if (
    liveSuccess !== undefined &&
    !isUnresolved(liveSuccess) &&
    liveSuccess !== 1
  ) {
    fail(
      'livenessProbe.successThreshold',
      liveSuccess,
      'must be 1: the service fixes it for liveness probes',
    );
  }
  const code = p.code;
  if (code) {
    if ((code.codePath === undefined) === (code.codeReference === undefined)) {
      fail(
        'code',
        code.codePath ?? code.codeReference,
        'must give exactly one of `codePath` and `codeReference`',
      );
    }
    checkScoringScript(code);
  } else if (
    p.model.modelType !== ModelType.MLFLOW &&
    p.model.modelType !== ModelType.TRITON
  ) {
    fail(
      'code',
      undefined,
      `is required for a ${p.model.modelType} model: only MLflow and Triton models deploy without a scoring script`,
    );
  }
}

/** Values Azure accepts but that are probably not what was meant. */
function warnAboutLikelyMistakes(
  scope: Construct,
  p: OnlineDeploymentProps,
): void {
  const count = p.instanceCount ?? 1;
  const known = !isUnresolved(count);
  if (known && count > MAX_INSTANCE_COUNT) {
    warn(
      scope,
      'instanceCount',
      count,
      `should be at most ${MAX_INSTANCE_COUNT} unless the subscription has a quota exception`,
    );
  }
  const type = p.instanceType ?? 'Standard_DS3_v2';
  if (!isUnresolved(type)) {
    const info = instanceTypeInfo(type);
    if (!info) {
      warn(
        scope,
        'instanceType',
        type,
        'should be a size from the managed online endpoints SKU list (reference-managed-online-endpoints-vm-sku-list)',
      );
    } else if (known) {
      const cores = reservedCores(info, count);
      const formula = info.skipsUpgradeReserve
        ? `${count} × ${info.cores}`
        : `ceil(1.2 × ${count}) × ${info.cores}`;
      if (info.gpu || cores > SMALLEST_DEFAULT_CORE_QUOTA) {
        warn(
          scope,
          'instanceCount',
          count,
          `needs quota for ${cores} ${type} cores (${formula}: Azure ML reserves 20% extra for upgrades` +
            `${info.skipsUpgradeReserve ? ', except for this size' : ''}), ` +
            (info.gpu
              ? 'and GPU families start with no quota: request it for the region first'
              : `more than the smallest default regional quota of ${SMALLEST_DEFAULT_CORE_QUOTA} cores: check the family's quota in the region`),
        );
      }
    }
  }
  const rs = p.requestSettings;
  if (rs?.maxQueueWaitMs !== undefined) {
    warn(
      scope,
      'requestSettings.maxQueueWaitMs',
      rs.maxQueueWaitMs,
      'should be left unset: it is deprecated, raise `requestTimeoutMs` instead',
    );
  }
  const concurrency = rs?.maxConcurrentRequestsPerInstance;
  if (
    concurrency !== undefined &&
    !isUnresolved(concurrency) &&
    concurrency > 1 &&
    !('WORKER_COUNT' in (p.environmentVariables ?? {}))
  ) {
    warn(
      scope,
      'requestSettings.maxConcurrentRequestsPerInstance',
      concurrency,
      'should come with a WORKER_COUNT environment variable, or the inference server handles one request at a time',
    );
  }
  for (const [field, probe] of [
    ['livenessProbe', p.livenessProbe],
    ['readinessProbe', p.readinessProbe],
  ] as const) {
    if (probe?.initialDelaySeconds === 0) {
      warn(
        scope,
        `${field}.initialDelaySeconds`,
        0,
        'should be at least 1 (the documented minimum)',
      );
    }
  }
  for (const name of Object.keys(p.environmentVariables ?? {})) {
    if (
      HOST_IDENTITY_VARIABLES.includes(name) ||
      (name.startsWith('AZUREML_') && !RESERVED_VARIABLES.includes(name))
    ) {
      warn(
        scope,
        'environmentVariables',
        name,
        'should not override a variable the Azure ML host sets (AZUREML_*, MSI_*, IDENTITY_*)',
      );
    }
  }
}

/** The scoring script is a file inside the code folder. */
function checkScoringScript(code: CodeConfiguration): void {
  const script = code.scoringScript;
  if (script === undefined || script === '')
    fail('code.scoringScript', script, 'must name the scoring script');
  if (isUnresolved(script)) return;
  if (code.codePath === undefined) {
    // a registered code version: the script path is relative to its root
    if (path.isAbsolute(script) || script.split(/[\\/]/).includes('..')) {
      fail(
        'code.scoringScript',
        script,
        'must be a relative path inside the code version, without ..',
      );
    }
    return;
  }
  const folder = path.resolve(code.codePath);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    fail('code.codePath', code.codePath, 'must be an existing folder');
  }
  const full = path.resolve(folder, script);
  const rel = path.relative(folder, full);
  if (path.isAbsolute(script) || rel.startsWith('..')) {
    fail(
      'code.scoringScript',
      script,
      `must be a path inside the code folder '${code.codePath}'`,
    );
  }
  if (!fs.existsSync(full) || !fs.statSync(full).isFile()) {
    fail(
      'code.scoringScript',
      script,
      `must be a file in the code folder '${code.codePath}' (looked for ${full})`,
    );
  }
}

function requestSettingsBody(rs: RequestSettings): object {
  return {
    ...(rs.requestTimeoutMs !== undefined
      ? { requestTimeout: isoDurationFromMs(rs.requestTimeoutMs) }
      : {}),
    ...(rs.maxConcurrentRequestsPerInstance !== undefined
      ? {
          maxConcurrentRequestsPerInstance: rs.maxConcurrentRequestsPerInstance,
        }
      : {}),
    ...(rs.maxQueueWaitMs !== undefined
      ? { maxQueueWait: isoDurationFromMs(rs.maxQueueWaitMs) }
      : {}),
  };
}

function probeBody(p: ProbeSettings): object {
  return {
    ...(p.initialDelaySeconds !== undefined
      ? { initialDelay: isoDurationFromMs(p.initialDelaySeconds * 1000) }
      : {}),
    ...(p.periodSeconds !== undefined
      ? { period: isoDurationFromMs(p.periodSeconds * 1000) }
      : {}),
    ...(p.timeoutSeconds !== undefined
      ? { timeout: isoDurationFromMs(p.timeoutSeconds * 1000) }
      : {}),
    ...(p.failureThreshold !== undefined
      ? { failureThreshold: p.failureThreshold }
      : {}),
    ...(p.successThreshold !== undefined
      ? { successThreshold: p.successThreshold }
      : {}),
  };
}
