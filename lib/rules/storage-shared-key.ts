import {
  isLiteral,
  resourceAttributes,
  resourceOfType,
} from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/** Storage accounts are reached with Entra ID, not with account keys. */
export const StorageSharedKeyAccess: IMlRule = {
  id: 'AML-ST-3',
  level: RuleLevel.WARNING,
  title: 'Storage accounts turn shared-key access off',
  rationale:
    'An account key (or a SAS signed with it) opens every blob of the account, names no caller and never expires; ' +
    'Entra ID access is per identity, scoped by role and audited.',
  fix:
    'Set `sharedAccessKeyEnabled: false` and configure the azurerm provider with `storageUseAzuread: true`; ' +
    'where a service reads the account with its key, suppress the rule with the reason.',
  check(node) {
    const account = resourceOfType(node, 'azurerm_storage_account');
    if (!account) return [];
    const enabled = resourceAttributes(account).shared_access_key_enabled;
    // unset means true
    if (enabled === false || !isLiteral(enabled)) return [];
    return [
      `shared_access_key_enabled is ${enabled === undefined ? 'unset (true)' : String(enabled)}`,
    ];
  },
};
