import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { DefaultTokenResolver, StringConcat, Tokenization } from 'cdktf';
import { Construct } from 'constructs';

import { IGrantee } from '../grants';

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

/** A role assignment for a managed identity, recorded on the grantee. */
export function grantRole(
  scope: Construct,
  id: string,
  props: GrantProps,
): RoleAssignment {
  checkNotClientId(scope, props.grantee.principalId);
  const assignment = new RoleAssignment(scope, id, {
    scope: props.scope,
    roleDefinitionName: props.roleDefinitionName,
    principalId: props.grantee.principalId,
    principalType:
      props.servicePrincipal === false ? undefined : 'ServicePrincipal',
    description: props.description,
  });
  props.grantee.recordGrant?.(assignment);
  return assignment;
}

/**
 * A managed identity's client id is a GUID too, and a grant to it fails late
 * (or grants the wrong object): refuse references to a `client_id` attribute.
 */
function checkNotClientId(scope: Construct, principalId: string): void {
  const resolved = Tokenization.resolve(principalId, {
    scope,
    resolver: new DefaultTokenResolver(new StringConcat()),
    preparing: false,
  });
  if (
    typeof resolved === 'string' &&
    /\.client_?id\}?$/i.test(resolved.replace(/\}$/, ''))
  ) {
    throw new Error(
      `\`principalId\` must be the identity's principal (object) id, not its client id; got '${resolved}'`,
    );
  }
}
