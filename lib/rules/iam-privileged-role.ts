import {
  isLiteral,
  resourceAttributes,
  resourceOfType,
  show,
} from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/**
 * Built-in roles that manage resources, access or all data of an account:
 * never what an endpoint or an upload needs.
 * @see https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 */
const PRIVILEGED_ROLES: { [name: string]: string } = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Role Based Access Control Administrator':
    'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
  'Storage Account Contributor': '17d1049b-9a84-46fb-8f53-869881c3d3ab',
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
};

/** Role assignments grant data roles, not management or ownership. */
export const IamPrivilegedRole: IMlRule = {
  id: 'AML-IAM-1',
  level: RuleLevel.ERROR,
  title: 'Role assignments grant no role wider than the data access needed',
  rationale:
    'Owner, Contributor, access administrators, Storage Account Contributor (which can list the account keys) and ' +
    'Storage Blob Data Owner let a leaked identity change resources, grant itself more, or rewrite ACLs.',
  fix: "Grant 'Storage Blob Data Reader' to read, 'Storage Blob Data Contributor' to upload, 'AcrPull' to pull images.",
  check(node) {
    const grant = resourceOfType(node, 'azurerm_role_assignment');
    if (!grant) return [];
    const attrs = resourceAttributes(grant);
    const name = attrs.role_definition_name;
    if (typeof name === 'string' && isLiteral(name)) {
      const match = Object.keys(PRIVILEGED_ROLES).find(
        (r) => r.toLowerCase() === name.trim().toLowerCase(),
      );
      if (match) return [`role_definition_name is ${show(name)}`];
    }
    const id = attrs.role_definition_id;
    if (typeof id === 'string' && isLiteral(id)) {
      const match = Object.entries(PRIVILEGED_ROLES).find(([, guid]) =>
        id.toLowerCase().endsWith(guid),
      );
      if (match) return [`role_definition_id is ${show(id)} (${match[0]})`];
    }
    return [];
  },
};
