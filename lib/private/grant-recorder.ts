import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A construct that remembers the role assignments granted to it, so that
 * what runs as it can be ordered after them.
 */
export abstract class GrantRecorder extends Construct {
  private readonly recorded: ITerraformDependable[] = [];
  private readonly listeners: ((grant: ITerraformDependable) => void)[] = [];

  /** Role assignments granted so far. */
  public get grants(): readonly ITerraformDependable[] {
    return this.recorded;
  }

  public recordGrant(grant: ITerraformDependable): void {
    if (this.recorded.includes(grant)) return;
    this.recorded.push(grant);
    this.listeners.forEach((listener) => listener(grant));
  }

  public onGrant(listener: (grant: ITerraformDependable) => void): void {
    this.listeners.push(listener);
  }
}
