import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import {
  dependable,
  ITerraformDependable,
  Lazy,
  TerraformResource,
} from 'cdktf';
import { Construct } from 'constructs';

/**
 * Orders what runs as a managed identity after every role assignment granted
 * to it and after a wait for the roles to propagate (a fresh grant answers
 * 403 for minutes). Grants and gated resources may come in any order.
 */
export class GrantGate {
  private readonly grants: ITerraformDependable[] = [];
  private readonly gated: TerraformResource[] = [];
  private wait?: Sleep;

  /**
   * @param scope where the wait (`RolePropagationWait`) is created
   * @param waitSeconds how long the wait lasts
   */
  constructor(
    private readonly scope: Construct,
    private readonly waitSeconds: number,
  ) {}

  /** Role assignments seen so far. */
  public get grantsSoFar(): readonly ITerraformDependable[] {
    return this.grants;
  }

  /** Makes `resource` start after every grant, past and future, and the wait. */
  public gate(resource: TerraformResource): void {
    if (this.gated.includes(resource)) return;
    this.gated.push(resource);
    for (const g of this.grants) addDependsOn(resource, g);
    if (this.wait) addDependsOn(resource, this.wait);
  }

  /** Orders every gated resource, and the wait, after `grant`. */
  public addGrant(grant: ITerraformDependable): void {
    if (this.grants.includes(grant)) return;
    this.grants.push(grant);
    addDependsOn(this.propagationWait(), grant);
    for (const r of this.gated) addDependsOn(r, grant);
  }

  private propagationWait(): Sleep {
    if (this.wait) return this.wait;
    this.wait = new Sleep(this.scope, 'RolePropagationWait', {
      createDuration: `${this.waitSeconds}s`,
      // a replaced role assignment (e.g. a new identity) waits again
      triggers: Lazy.anyValue({ produce: () => this.grantIds() }) as never,
    });
    for (const r of this.gated) addDependsOn(r, this.wait);
    return this.wait;
  }

  private grantIds(): { [key: string]: string } {
    const ids = this.grants
      .filter((g): g is RoleAssignment => g instanceof RoleAssignment)
      .map((g) => g.id);
    return Object.fromEntries(ids.map((id, i) => [`role_assignment_${i}`, id]));
  }
}

const added = new WeakMap<TerraformResource, Set<ITerraformDependable>>();

/** Adds a `depends_on` edge once, whenever the dependency becomes known. */
export function addDependsOn(
  resource: TerraformResource,
  dep: ITerraformDependable,
): void {
  const seen = added.get(resource) ?? new Set<ITerraformDependable>();
  added.set(resource, seen);
  if (seen.has(dep)) return;
  seen.add(dep);
  resource.dependsOn = [...(resource.dependsOn ?? []), dependable(dep)];
}
