import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A construct that remembers the role assignments granted to it, so that
 * what runs as it can be ordered after them.
 */
export abstract class GrantRecorder extends Construct {
  private readonly recorded: ITerraformDependable[] = [];

  /** Role assignments granted so far. */
  public get grants(): readonly ITerraformDependable[] {
    return this.recorded;
  }

  public recordGrant(grant: ITerraformDependable): void {
    this.recorded.push(grant);
  }
}
