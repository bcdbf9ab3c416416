import {
  DefaultTokenResolver,
  StringConcat,
  TerraformOutput,
  TerraformResource,
  Tokenization,
} from 'cdktf';
import { IConstruct } from 'constructs';

/** A synthesized block: snake_case keys, references as `${...}` strings. */
export type Attributes = { readonly [key: string]: unknown };

/** Attributes computed during the current `withAttributeCache` call. */
let cache: WeakMap<TerraformResource, Attributes> | undefined;

/**
 * Runs `fn` with each resource's attributes computed at most once: every
 * rule looks at the same resource, and a synthesis of it costs a full
 * token resolve.
 */
export function withAttributeCache<T>(fn: () => T): T {
  const outer = cache;
  cache = new WeakMap();
  try {
    return fn();
  } finally {
    cache = outer;
  }
}

/**
 * The attributes a resource synthesizes (overrides included), with tokens
 * resolved the way synth does: a reference reads `${type.name.attr}`.
 */
export function resourceAttributes(resource: TerraformResource): Attributes {
  const cached = cache?.get(resource);
  if (cached) return cached;
  const attrs = synthesizedAttributes(resource);
  cache?.set(resource, attrs);
  return attrs;
}

function synthesizedAttributes(resource: TerraformResource): Attributes {
  const block = resolve(resource, resource.toTerraform()) as {
    resource?: { [type: string]: { [name: string]: Attributes } };
  };
  return (
    Object.values(block.resource?.[resource.terraformResourceType] ?? {})[0] ??
    {}
  );
}

/** The attributes an output synthesizes (`value`, `sensitive`, ...). */
export function outputAttributes(output: TerraformOutput): Attributes {
  const block = resolve(output, output.toTerraform()) as {
    output?: { [name: string]: Attributes };
  };
  return Object.values(block.output ?? {})[0] ?? {};
}

/** The resource if the construct is an L1 of one of these Terraform types. */
export function resourceOfType(
  node: IConstruct,
  ...types: string[]
): TerraformResource | undefined {
  return TerraformResource.isTerraformResource(node) &&
    types.includes(node.terraformResourceType)
    ? node
    : undefined;
}

/** The ARM resource type of an `azapi_*` resource (`type` without `@version`). */
export function armType(attrs: Attributes): string | undefined {
  return typeof attrs.type === 'string' ? attrs.type.split('@')[0] : undefined;
}

/** True when the value is known at synth (not a `${...}` reference). */
export function isLiteral(value: unknown): boolean {
  return !(typeof value === 'string' && value.includes('${'));
}

/** Reads `a.b.c` from nested objects. */
export function path(obj: unknown, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Attributes)[k] : undefined),
      obj,
    );
}

/** Shows a value in a finding. */
export function show(value: unknown): string {
  if (value === undefined) return 'unset';
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function resolve(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, {
    scope,
    resolver: new DefaultTokenResolver(new StringConcat()),
    preparing: false,
  });
}
