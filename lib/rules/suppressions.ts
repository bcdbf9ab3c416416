import { IConstruct } from 'constructs';

import { fail } from '../private/validation';
import { ML_SECURITY_RULES } from './all-rules';

/** The shortest reason a suppression may give. */
export const MIN_SUPPRESSION_REASON_LENGTH = 10;

/** A rule turned off for a construct and everything under it, and why. */
export interface RuleSuppression {
  readonly ruleId: string;
  readonly reason: string;
  /** Path of the construct the suppression was made on. */
  readonly scopePath: string;
}

const suppressions = new WeakMap<IConstruct, RuleSuppression[]>();

/**
 * Turns a rule of `MlSecurityChecks` off for a construct and everything
 * under it. The reason is required: it is reported with every suppressed
 * finding, so that reviewers can judge it.
 *
 * @param scope the construct (a resource or any scope above it)
 * @param ruleId e.g. 'AML-ST-3'
 * @param reason why the rule does not apply here (at least 10 characters)
 */
export function suppressRule(
  scope: IConstruct,
  ruleId: string,
  reason: string,
): void {
  if (!ML_SECURITY_RULES.some((r) => r.id === ruleId)) {
    fail(
      'ruleId',
      ruleId,
      `must be a rule of the pack (${ML_SECURITY_RULES.map((r) => r.id).join(', ')})`,
    );
  }
  if (
    typeof reason !== 'string' ||
    reason.trim().length < MIN_SUPPRESSION_REASON_LENGTH
  ) {
    fail(
      'reason',
      reason,
      `must say why ${ruleId} does not apply to '${scope.node.path}', in at least ${MIN_SUPPRESSION_REASON_LENGTH} characters`,
    );
  }
  const list = suppressions.get(scope) ?? [];
  suppressions.set(scope, [
    ...list,
    { ruleId, reason: reason.trim(), scopePath: scope.node.path },
  ]);
}

/** The suppression of a rule that covers the construct, nearest first. */
export function findSuppression(
  node: IConstruct,
  ruleId: string,
): RuleSuppression | undefined {
  for (const scope of [...node.node.scopes].reverse()) {
    const found = suppressions.get(scope)?.find((s) => s.ruleId === ruleId);
    if (found) return found;
  }
  return undefined;
}
