import { resourceAttributes, resourceOfType, show } from './private/attributes';
import { CLIENT_ID_REFERENCE } from '../private/azure';
import { IMlRule, RuleLevel } from './rule';

/** Role assignments take the principal (object) id of an identity. */
export const IamPrincipalNotClientId: IMlRule = {
  id: 'AML-IAM-4',
  level: RuleLevel.ERROR,
  title:
    "Role assignments take an identity's principal (object) id, never its client id",
  rationale:
    'A client id is a GUID too: the assignment fails late, or grants an unrelated object, and the endpoint gets 403.',
  fix: "Pass the identity's `principalId` (`principal_id`), as the grant methods of this library do.",
  check(node) {
    const grant = resourceOfType(node, 'azurerm_role_assignment');
    if (!grant) return [];
    const principal = resourceAttributes(grant).principal_id;
    return typeof principal === 'string' && CLIENT_ID_REFERENCE.test(principal)
      ? [`principal_id is ${show(principal)}`]
      : [];
  },
};
