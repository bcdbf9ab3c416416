import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import {
  DefaultTokenResolver,
  StringConcat,
  Testing,
  TerraformStack,
  Tokenization,
} from 'cdktf';
import { IConstruct } from 'constructs';

import { AzapiProvider } from '../lib';

/** A synthesized stack as parsed Terraform JSON. */
export type Synth = {
  resource: { [type: string]: { [name: string]: { [key: string]: unknown } } };
  data?: { [type: string]: { [name: string]: { [key: string]: unknown } } };
  output?: { [name: string]: { [key: string]: unknown } };
  terraform?: { [key: string]: unknown };
};

/** A stack with the providers the constructs expect. */
export function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AzurermProvider(stack, 'Azurerm', {
    features: [{}],
    storageUseAzuread: true,
  });
  new AzapiProvider(stack, 'Azapi');
  new TimeProvider(stack, 'Time');
  return stack;
}

/** Synthesizes (with validations) and parses. */
export function synth(stack: TerraformStack): Synth {
  return JSON.parse(Testing.synth(stack, true)) as Synth;
}

/** The resources of a type, by Terraform name. */
export function resources(
  out: Synth,
  type: string,
): { [name: string]: { [key: string]: unknown } } {
  return out.resource[type] ?? {};
}

/**
 * Matches Terraform names: a string is a construct path (`Endpoint_blue`
 * matches `Endpoint_blue_FC1A4AAE` only), a RegExp is used as it is.
 */
function matcher(part: string | RegExp): (name: string) => boolean {
  if (part instanceof RegExp) return (n) => part.test(n);
  if (part === '') return () => true;
  // a content or grantee hash may follow the id: `Data_ReadGrant-1a2b3c4d_...`
  const exact = new RegExp(`^${part}(-[0-9a-f]{8,16})?(_[0-9A-F]{8})?$`);
  return (n) => exact.test(n);
}

/** The single resource of a type whose name matches `part`. */
export function resource(
  out: Synth,
  type: string,
  part: string | RegExp = '',
): { [key: string]: unknown } {
  const match = matcher(part);
  const found = Object.entries(resources(out, type)).filter(([n]) => match(n));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} matching '${part}', found ${found.map(([n]) => n).join(', ') || 'none'}`,
    );
  }
  return found[0][1];
}

/** The Terraform address of the single resource of a type whose name matches `part`. */
export function address(
  out: Synth,
  type: string,
  part: string | RegExp = '',
): string {
  const match = matcher(part);
  const names = Object.keys(resources(out, type)).filter((n) => match(n));
  if (names.length !== 1)
    throw new Error(
      `expected one ${type} matching '${part}', found ${names.join(', ')}`,
    );
  return `${type}.${names[0]}`;
}

/** A literal workspace id for imported-workspace tests. */
export const WORKSPACE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1';

/** Resolves a token the way synth does, to compare references. */
export function resolve(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, {
    scope,
    resolver: new DefaultTokenResolver(new StringConcat()),
    preparing: false,
  });
}

/**
 * A derived globally unique name: a literal base of lowercase letters and
 * digits (hyphens where allowed) and an 8-character suffix that Terraform
 * hashes from the subscription at plan. Returns the base.
 */
export function derivedNameBase(name: unknown, maxLength: number): string {
  const m =
    /^([a-z0-9-]*)\$\{substr\(sha1\(join\("\/", \[data\.azurerm_client_config\.[A-Za-z0-9_]+\.subscription_id, "[^"]+", "[^"]*"\]\)\), 0, 8\)\}$/.exec(
      String(name),
    );
  if (!m) throw new Error(`not a derived name: ${String(name)}`);
  expect(m[1].length + 8).toBeLessThanOrEqual(maxLength);
  return m[1];
}
