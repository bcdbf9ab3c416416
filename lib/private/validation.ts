import { Annotations, Token } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Throws an error that names the field, the value received and the rule it
 * breaks. Messages read: "`endpointName` must be 3-32 characters ...; got 'x'".
 */
export function fail(field: string, value: unknown, rule: string): never {
  throw new Error(`\`${field}\` ${rule}; got ${show(value)}`);
}

/** True when the value is known only after apply (a cdktf token). */
export function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/**
 * Endpoint and deployment names, as the service checks them (the ARM schema
 * pattern is looser): 3-32 characters, a letter first, letters, digits and
 * hyphens, a letter or digit last.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints
 */
export const ONLINE_NAME_RULE =
  'be 3-32 characters: a letter first, then letters, digits or hyphens, ' +
  'ending with a letter or digit';
const ONLINE_NAME = /^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$/;

export function checkOnlineName(field: string, value: string): void {
  if (isUnresolved(value)) return;
  if (!ONLINE_NAME.test(value)) fail(field, value, `must ${ONLINE_NAME_RULE}`);
}

/** Storage account names: 3-24 lowercase letters and digits, globally unique. */
const STORAGE_ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

export function checkStorageAccountName(field: string, value: string): void {
  if (isUnresolved(value)) return;
  if (!STORAGE_ACCOUNT_NAME.test(value)) {
    fail(
      field,
      value,
      'must be 3-24 characters of lowercase letters and digits',
    );
  }
}

/** Container names: 3-63 of a-z, 0-9 and '-', alphanumeric ends, no '--'. */
const CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

export function checkContainerName(field: string, value: string): void {
  if (isUnresolved(value)) return;
  if (!CONTAINER_NAME.test(value)) {
    fail(
      field,
      value,
      'must be 3-63 characters of lowercase letters, digits and single ' +
        'hyphens, starting and ending with a letter or digit',
    );
  }
}

/**
 * Blob names: 1-1024 characters, not ending in '.' or '/', at most 254 path
 * segments, no control characters.
 * @see https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
 */
export function checkBlobName(field: string, value: string): void {
  if (isUnresolved(value)) return;
  if (value.length < 1 || value.length > 1024 || /[./\\]$/.test(value)) {
    fail(
      field,
      value,
      "must be 1-1024 characters, not ending with '.', '/' or '\\'",
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    fail(field, value, 'must not hold control characters');
  if (value.split('/').length > 254)
    fail(field, value, 'must have at most 254 path segments');
}

/** Environment variable names a process can receive. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkEnvironmentVariableName(
  field: string,
  name: string,
): void {
  if (isUnresolved(name)) return;
  checkNotProto(field, name);
  if (!ENV_NAME.test(name)) {
    fail(
      field,
      name,
      'must start with a letter or underscore and hold only letters, digits and underscores',
    );
  }
}

/** Whole numbers in [min, max]; unresolved values pass. */
export function checkInteger(
  field: string,
  value: number | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? `at least ${min}`
        : `from ${min} to ${max}`;
    fail(field, value, `must be a whole number ${range}`);
  }
}

/**
 * Adds a warning to the construct for a value Azure accepts but that is
 * probably wrong. Messages read: "`field` should ...; got 'x'".
 */
export function warn(
  scope: IConstruct,
  field: string,
  value: unknown,
  advice: string,
): void {
  Annotations.of(scope).addWarning(
    `\`${field}\` ${advice}; got ${show(value)}`,
  );
}

/**
 * Names of workspace assets (models, environments, codes), as the ARM API
 * checks them: 1-255 letters, digits, '-' and '_', a letter or digit first.
 * @see https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/workspaces/models
 */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const ASSET_NAME_RULE =
  'must be 1-255 letters, digits, hyphens or underscores, starting with a letter or digit';

/** The rule a literal asset name breaks, if any (shared with the YAML reader). */
export function assetNameProblem(value: unknown): string | undefined {
  if (isUnresolved(value)) return undefined;
  return typeof value === 'string' && ASSET_NAME.test(value)
    ? undefined
    : ASSET_NAME_RULE;
}

export function checkAssetName(field: string, value: string): void {
  const problem = assetNameProblem(value);
  if (problem) fail(field, value, problem);
}

const ASSET_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const ASSET_VERSION_RULE =
  'must be 1-255 letters, digits, dots, hyphens or underscores, starting with a letter or digit';

/** The rule a literal asset version breaks, if any (shared with the YAML reader). */
export function assetVersionProblem(value: unknown): string | undefined {
  if (isUnresolved(value)) return undefined;
  return typeof value === 'string' && ASSET_VERSION.test(value)
    ? undefined
    : ASSET_VERSION_RULE;
}

export function checkAssetVersion(field: string, value: string): void {
  const problem = assetVersionProblem(value);
  if (problem) fail(field, value, problem);
}

/**
 * Azure tags: at most 50 per resource, names of at most 512 characters (128
 * on storage accounts) without < > % & \\ ? /, values of at most 256.
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
 */
export function checkTags(
  field: string,
  tags: { [key: string]: string } | undefined,
  maxNameLength = 512,
): void {
  if (tags === undefined || isUnresolved(tags)) return;
  const names = Object.keys(tags);
  if (names.length > 50)
    fail(field, `${names.length} tags`, 'must hold at most 50 tags');
  for (const name of names) {
    if (isUnresolved(name)) continue;
    checkNotProto(field, name);
    if (
      name.length < 1 ||
      name.length > maxNameLength ||
      /[<>%&\\?/]/.test(name)
    ) {
      fail(
        field,
        name,
        `must have names of 1-${maxNameLength} characters without < > % & \\ ? /`,
      );
    }
    const value = tags[name];
    if (
      !isUnresolved(value) &&
      (typeof value !== 'string' || value.length > 256)
    ) {
      fail(
        `${field}.${name}`,
        value,
        'must be a string of at most 256 characters',
      );
    }
  }
}

/** A map key cdktf would drop silently while resolving the JSON. */
function checkNotProto(field: string, key: string): void {
  if (key === '__proto__')
    fail(
      field,
      key,
      'must not use the key __proto__: the synthesized JSON would silently lose it',
    );
}

/**
 * A duration must be known at synth: it is sent as an ISO-8601 string,
 * computed here (Terraform has no function for it).
 */
export function checkLiteralDuration(
  field: string,
  value: number | undefined,
): void {
  if (value !== undefined && isUnresolved(value)) {
    throw new Error(
      `\`${field}\` must be a literal number: it is sent as an ISO-8601 ` +
        'duration computed at synth; got a value known only after apply',
    );
  }
}

/**
 * Milliseconds as an ISO-8601 duration, the form the REST API takes:
 * 90000 => 'PT1M30S', 500 => 'PT0.5S'.
 */
export function isoDurationFromMs(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  let out = 'PT';
  if (hours) out += `${hours}H`;
  if (minutes) out += `${minutes}M`;
  if (seconds || out === 'PT') out += `${+seconds.toFixed(3)}S`;
  return out;
}

function show(value: unknown): string {
  if (typeof value === 'string') {
    // control characters are shown escaped
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u001f]/.test(value) ? JSON.stringify(value) : `'${value}'`;
  }
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

/** The rule a literal docker image reference breaks, if any. */
export function imageProblem(image: string): string | undefined {
  if (isUnresolved(image) || /^[^\s]+$/.test(image)) return undefined;
  return 'must be a docker image reference without spaces';
}
