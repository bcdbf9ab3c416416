import { TerraformMetaArguments } from 'cdktf';

/** A JSON object: an azapi `body` or exported output. May hold tokens. */
export type AzapiBody = { readonly [key: string]: unknown };

/** Timeouts as Go durations (`"60m"`, `"1h30m"`). */
export interface AzapiTimeouts {
  /** @default - the provider's default (30 minutes) */
  readonly create?: string;
  /** @default - the provider's default (30 minutes) */
  readonly update?: string;
  /** @default - the provider's default (30 minutes) */
  readonly delete?: string;
  /** @default - the provider's default (5 minutes) */
  readonly read?: string;
}

/** Retries of requests that fail with a matching error message. */
export interface AzapiRetry {
  /** Regular expressions (Go syntax) matched against the error message. */
  readonly errorMessageRegex: string[];
  /** @default 10 */
  readonly intervalSeconds?: number;
  /** @default 180 */
  readonly maxIntervalSeconds?: number;
}

/** What every azapi resource and data source accepts besides its own fields. */
export type AzapiMetaProps = TerraformMetaArguments;

export function timeoutsToTerraform(t?: AzapiTimeouts) {
  return t === undefined
    ? undefined
    : { create: t.create, update: t.update, delete: t.delete, read: t.read };
}

export function retryToTerraform(r?: AzapiRetry) {
  return r === undefined
    ? undefined
    : {
        error_message_regex: r.errorMessageRegex,
        interval_seconds: r.intervalSeconds,
        max_interval_seconds: r.maxIntervalSeconds,
      };
}
