import { DefaultTokenResolver, StringConcat, Tokenization } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Resolves tokens the way synth does: a reference reads `${type.name.attr}`.
 * For comparing and hashing values that may be known only after apply.
 */
export function resolveValue(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, {
    scope,
    resolver: new DefaultTokenResolver(new StringConcat()),
    preparing: false,
  });
}
