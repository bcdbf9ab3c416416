import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

import { BuiltInRole, IGrantee } from '../grants';
import { suppressRule } from '../rules/suppressions';
import { CLIENT_ID_REFERENCE } from './azure';
import { resolveValue } from './tokens';

export interface GrantProps {
  /** ARM id the role applies to. */
  readonly scope: string;
  /** Built-in role name. */
  readonly roleDefinitionName: string;
  /** Who gets the role. */
  readonly grantee: IGrantee;
  /**
   * Set `principal_type = "ServicePrincipal"` so that Azure does not look a
   * just-created identity up in the directory (PrincipalNotFound).
   * @default true
   */
  readonly servicePrincipal?: boolean;
  /** @default - none */
  readonly description?: string;
}

/** Role assignments per stack, by role, scope and principal. */
const made = new WeakMap<TerraformStack, Map<string, RoleAssignment>>();

/**
 * A role assignment for a managed identity, recorded on the grantee. The same
 * role on the same scope for the same principal is made once per stack: a
 * second assignment would fail with RoleAssignmentExists.
 */
export function grantRole(
  scope: Construct,
  id: string,
  props: GrantProps,
): RoleAssignment {
  const principal = resolveValue(scope, props.grantee.principalId);
  checkNotClientId(principal);
  const stack = TerraformStack.of(scope);
  const byKey = made.get(stack) ?? new Map<string, RoleAssignment>();
  made.set(stack, byKey);
  const key = JSON.stringify([
    props.roleDefinitionName,
    resolveValue(scope, props.scope),
    principal,
  ]);
  const existing = byKey.get(key);
  if (existing) {
    props.grantee.recordGrant?.(existing);
    return existing;
  }

  const assignment = new RoleAssignment(scope, id, {
    scope: props.scope,
    roleDefinitionName: props.roleDefinitionName,
    principalId: props.grantee.principalId,
    principalType:
      props.servicePrincipal === false ? undefined : 'ServicePrincipal',
    description: props.description,
  });
  byKey.set(key, assignment);
  props.grantee.recordGrant?.(assignment);
  return assignment;
}

/**
 * A managed identity's client id is a GUID too, and a grant to it fails late
 * (or grants the wrong object): refuse values that reference a client id.
 */
function checkNotClientId(principal: unknown): void {
  if (typeof principal === 'string' && CLIENT_ID_REFERENCE.test(principal)) {
    throw new Error(
      `\`principalId\` must be the identity's principal (object) id, not its client id; got '${principal}'`,
    );
  }
}

export interface DeployerGrantProps {
  /** ARM id of the container the runner writes into. */
  readonly scope: string;
  /** Object id of whoever runs Terraform (azurerm_client_config). */
  readonly principalId: string;
  /**
   * Seconds to wait for the role to take effect.
   * @default 60
   */
  readonly waitSeconds?: number;
  readonly description: string;
}

/**
 * Grants whoever runs Terraform `Storage Blob Data Contributor` on a
 * container, and returns a wait for the role to take effect: uploads made
 * with Entra ID (`storage_use_azuread`) go after it. Constructs `<id>` and
 * `<id>Wait` are made in `scope`.
 */
export function grantDeployerWrite(
  scope: Construct,
  id: string,
  props: DeployerGrantProps,
): Sleep {
  const grant = grantRole(scope, id, {
    scope: props.scope,
    roleDefinitionName: BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
    grantee: { principalId: props.principalId },
    // the deployer may be a user or a service principal
    servicePrincipal: false,
    description: props.description,
  });
  suppressRule(
    grant,
    'AML-IAM-3',
    'the Terraform runner may be a user or a service principal, so no principal type is set',
  );
  return new Sleep(scope, `${id}Wait`, {
    createDuration: `${props.waitSeconds ?? 60}s`,
    triggers: { role_assignment_id: grant.id },
  });
}
