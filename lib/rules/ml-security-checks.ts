import { Annotations, IAspect } from 'cdktf';
import { IConstruct } from 'constructs';

import { ML_SECURITY_RULES } from './all-rules';
import { withAttributeCache } from './private/attributes';
import { IMlRule, RuleLevel } from './rule';
import { findSuppression } from './suppressions';

/** One problem a rule found on one construct. */
export interface MlFinding {
  readonly ruleId: string;
  readonly level: RuleLevel;
  readonly constructPath: string;
  /** The annotation text: id, what is wrong, why, and the fix. */
  readonly message: string;
  /**
   * The reason given, when the finding is suppressed.
   * @default - undefined: the finding is active
   */
  readonly suppressedBecause?: string;
}

export interface MlSecurityChecksProps {
  /**
   * Report suppressed findings as info annotations, with their reason, so
   * that a synth shows what was waived and why.
   * @default true
   */
  readonly reportSuppressed?: boolean;
}

/**
 * The security rule pack, as an aspect: `Aspects.of(stack).add(new
 * MlSecurityChecks())`. Each rule inspects the synthesized attributes of the
 * resources it knows; findings become error or warning annotations (errors
 * fail `cdktf synth`), unless suppressed with `suppressRule`.
 */
export class MlSecurityChecks implements IAspect {
  /** The rules this pack runs. */
  public readonly rules: readonly IMlRule[] = ML_SECURITY_RULES;

  private readonly reportSuppressed: boolean;
  private readonly found: MlFinding[] = [];
  private readonly visited = new WeakSet<IConstruct>();

  constructor(props: MlSecurityChecksProps = {}) {
    this.reportSuppressed = props.reportSuppressed ?? true;
  }

  /** Every finding so far, suppressed ones included. */
  public get findings(): readonly MlFinding[] {
    return this.found;
  }

  /** Findings that are not suppressed. */
  public get activeFindings(): readonly MlFinding[] {
    return this.found.filter((f) => f.suppressedBecause === undefined);
  }

  public visit(node: IConstruct): void {
    // aspects run on every synth: check each construct once
    if (this.visited.has(node)) return;
    this.visited.add(node);
    withAttributeCache(() => {
      for (const rule of this.rules) {
        for (const problem of rule.check(node))
          this.report(node, rule, problem);
      }
    });
  }

  private report(node: IConstruct, rule: IMlRule, problem: string): void {
    const message = `[${rule.id}] ${rule.title}: ${problem}. ${rule.rationale} Fix: ${rule.fix}`;
    const suppression = findSuppression(node, rule.id);
    this.found.push({
      ruleId: rule.id,
      level: rule.level,
      constructPath: node.node.path,
      message,
      suppressedBecause: suppression?.reason,
    });
    const annotations = Annotations.of(node);
    if (suppression) {
      if (this.reportSuppressed) {
        annotations.addInfo(
          `[${rule.id}] suppressed on '${suppression.scopePath}': ${suppression.reason}`,
        );
      }
    } else if (rule.level === RuleLevel.ERROR) {
      annotations.addError(message);
    } else {
      annotations.addWarning(message);
    }
  }
}
