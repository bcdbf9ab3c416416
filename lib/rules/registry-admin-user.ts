import { resourceAttributes, resourceOfType } from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/** Container registries have no admin user. */
export const RegistryAdminUser: IMlRule = {
  id: 'AML-CR-1',
  level: RuleLevel.ERROR,
  title: 'Container registries keep the admin user off',
  rationale:
    'The admin user is one shared password with push and pull rights on every repository.',
  fix: "Set `adminEnabled: false` and grant 'AcrPull' to the identities that pull.",
  check(node) {
    const registry = resourceOfType(node, 'azurerm_container_registry');
    if (!registry) return [];
    return resourceAttributes(registry).admin_enabled === true
      ? ['admin_enabled is true']
      : [];
  },
};
