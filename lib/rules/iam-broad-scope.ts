import { resourceAttributes, resourceOfType, show } from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/** Literal ids of management groups, subscriptions and resource groups. */
const BROAD_LITERAL = [
  /^\/?$/,
  /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/?$/i,
  /^\/subscriptions\/[^/]+\/?$/i,
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/?$/i,
];

/** References to the id of a subscription, resource group or management group. */
const BROAD_REFERENCE =
  /^\$\{(data\.)?azurerm_(subscription|resource_group|management_group)\.[^.}]+\.id\}$/;

/** Role assignments are scoped to a storage account or narrower. */
export const IamBroadScope: IMlRule = {
  id: 'AML-IAM-2',
  level: RuleLevel.ERROR,
  title:
    'Role assignments are scoped to one resource (a storage account or narrower)',
  rationale:
    'A role on a subscription or resource group reaches every present and future resource in it, far beyond the ' +
    'container or registry the identity uses.',
  fix: 'Scope the assignment to the container (`BlobDataSource.grantRead` does), the storage account or the registry.',
  check(node) {
    const grant = resourceOfType(node, 'azurerm_role_assignment');
    if (!grant) return [];
    const scope = resourceAttributes(grant).scope;
    if (typeof scope !== 'string') return [];
    if (
      BROAD_LITERAL.some((re) => re.test(scope)) ||
      BROAD_REFERENCE.test(scope)
    ) {
      return [`scope is ${show(scope)}`];
    }
    return [];
  },
};
