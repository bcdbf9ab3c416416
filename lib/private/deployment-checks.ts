import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';

import { CodeConfiguration, ModelType } from '../assets';
import type { OnlineDeploymentProps } from '../online-deployment';
import { VM_SIZE } from './azure';
import { instanceTypeInfo, reservedCores } from './instance-types';
import {
  checkAssetName,
  checkAssetVersion,
  checkEnvironmentVariableName,
  checkInteger,
  checkLiteralDuration,
  checkOnlineName,
  checkTags,
  fail,
  isUnresolved,
  warn,
} from './validation';

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

/** A deployment's defaults, applied in one place. */
export const DEPLOYMENT_DEFAULTS = {
  instanceType: 'Standard_DS3_v2',
  instanceCount: 1,
  createTimeoutMinutes: 90,
} as const;

export function validate(p: OnlineDeploymentProps): void {
  checkOnlineName('deploymentName', p.deploymentName);
  checkInteger('instanceCount', p.instanceCount, 1);
  checkInteger('createTimeoutMinutes', p.createTimeoutMinutes, 60);
  if (
    p.instanceType !== undefined &&
    !isUnresolved(p.instanceType) &&
    !VM_SIZE.test(p.instanceType)
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
      rs.requestTimeoutMs,
      1,
      MAX_REQUEST_TIMEOUT_MS,
    );
    checkInteger(
      'requestSettings.maxConcurrentRequestsPerInstance',
      rs.maxConcurrentRequestsPerInstance,
      1,
    );
    checkInteger('requestSettings.maxQueueWaitMs', rs.maxQueueWaitMs, 0);
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
    checkInteger(`${field}.initialDelaySeconds`, probe.initialDelaySeconds, 0);
    checkInteger(`${field}.periodSeconds`, probe.periodSeconds, 1);
    checkInteger(`${field}.timeoutSeconds`, probe.timeoutSeconds, 1);
    checkInteger(`${field}.failureThreshold`, probe.failureThreshold, 1);
    checkInteger(`${field}.successThreshold`, probe.successThreshold, 1);
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
export function warnAboutLikelyMistakes(
  scope: Construct,
  p: OnlineDeploymentProps,
): void {
  const count = p.instanceCount ?? DEPLOYMENT_DEFAULTS.instanceCount;
  const known = !isUnresolved(count);
  if (known && count > MAX_INSTANCE_COUNT) {
    warn(
      scope,
      'instanceCount',
      count,
      `should be at most ${MAX_INSTANCE_COUNT} unless the subscription has a quota exception`,
    );
  }
  const type = p.instanceType ?? DEPLOYMENT_DEFAULTS.instanceType;
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
  if (code.codePath !== undefined) {
    const folder = path.resolve(code.codePath);
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
      fail('code.codePath', code.codePath, 'must be an existing folder');
    }
  }
  const problem = scoringScriptProblem(script, code.codePath);
  if (problem) fail('code.scoringScript', script, problem);
}

/**
 * The rule a scoring script path breaks, if any: a file inside the code
 * folder, or (for a registered code version, `folder` undefined) a relative
 * path that does not climb out with `..`. Shared with the YAML reader.
 */
export function scoringScriptProblem(
  script: string,
  folder?: string,
): string | undefined {
  if (folder === undefined) {
    return path.isAbsolute(script) || script.split(/[\\/]/).includes('..')
      ? 'must be a relative path inside the code version, without ..'
      : undefined;
  }
  const full = path.resolve(folder, script);
  if (
    path.isAbsolute(script) ||
    path.relative(path.resolve(folder), full).startsWith('..')
  ) {
    return `must be a path inside the code folder '${folder}'`;
  }
  if (!fs.existsSync(full) || !fs.statSync(full).isFile()) {
    return `must be a file in the code folder '${folder}' (looked for ${full})`;
  }
  return undefined;
}
