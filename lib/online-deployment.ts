import { Construct } from 'constructs';

import {
  CodeConfiguration,
  EnvironmentSource,
  ModelSource,
  ModelType,
} from './assets';
import { AzapiResource } from './azapi/resource';
import { AssetVersion } from './private/asset-version';
import type { ManagedEndpointWithIdentity } from './managed-endpoint-with-identity';
import { mlType } from './private/azure';
import {
  DEPLOYMENT_DEFAULTS,
  validate,
  warnAboutLikelyMistakes,
} from './private/deployment-checks';
import { resolveAssetReference } from './private/references';
import { isoDurationFromMs } from './private/validation';

/** ARM type of managed online deployments, with the API version this library speaks. */
export const ONLINE_DEPLOYMENT_TYPE = mlType(
  'workspaces/onlineEndpoints/deployments',
);

export {
  MAX_INSTANCE_COUNT,
  MAX_REQUEST_TIMEOUT_MS,
  SMALLEST_DEFAULT_CORE_QUOTA,
} from './private/deployment-checks';

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
    const instanceCount = p.instanceCount ?? DEPLOYMENT_DEFAULTS.instanceCount;
    const instanceType = p.instanceType ?? DEPLOYMENT_DEFAULTS.instanceType;
    const createTimeoutMinutes =
      p.createTimeoutMinutes ?? DEPLOYMENT_DEFAULTS.createTimeoutMinutes;
    this.resource = new AzapiResource(this, 'Resource', {
      type: ONLINE_DEPLOYMENT_TYPE,
      name: props.deploymentName,
      parentId: endpoint.endpointId,
      location: endpoint.location,
      tags: props.tags,
      body: {
        sku: { name: 'Default', capacity: instanceCount },
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
          instanceType,
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
        create: `${createTimeoutMinutes}m`,
        update: `${createTimeoutMinutes}m`,
        delete: '60m',
      },
    });
    this.deploymentId = this.resource.id;

    endpoint.registerDeployment(this);
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
