import { IConstruct } from 'constructs';

/** How a finding is reported. */
export enum RuleLevel {
  /** An error annotation: synth fails until it is fixed or suppressed. */
  ERROR = 'error',
  /** A warning annotation: synth goes on. */
  WARNING = 'warning',
}

/**
 * A check of the security rule pack. Each rule looks at one kind of
 * construct (usually an L1 resource) and reports what it finds wrong.
 */
export interface IMlRule {
  /** Stable id used in findings and suppressions, e.g. `AML-ST-1`. */
  readonly id: string;
  readonly level: RuleLevel;
  /** What the rule checks, in one line. */
  readonly title: string;
  /** Why it matters. */
  readonly rationale: string;
  /** How to fix a finding. */
  readonly fix: string;
  /**
   * The problems found on the construct, one message each (what is wrong and
   * the value found); empty when the construct passes or is not checked.
   */
  check(node: IConstruct): string[];
}
