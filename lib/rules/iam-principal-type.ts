import { resourceAttributes, resourceOfType } from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/** Role assignments say what kind of principal they grant to. */
export const IamPrincipalType: IMlRule = {
  id: 'AML-IAM-3',
  level: RuleLevel.WARNING,
  title: 'Role assignments set principal_type',
  rationale:
    'Without it, Azure looks the principal up in the directory first; a managed identity created in the same apply ' +
    'is often not replicated yet, and the assignment fails with PrincipalNotFound.',
  fix: "Set `principalType: 'ServicePrincipal'` for managed identities; for a principal that may be a user, suppress with the reason.",
  check(node) {
    const grant = resourceOfType(node, 'azurerm_role_assignment');
    if (!grant) return [];
    return resourceAttributes(grant).principal_type === undefined
      ? ['principal_type is unset']
      : [];
  },
};
