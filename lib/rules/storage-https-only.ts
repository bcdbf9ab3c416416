import { resourceAttributes, resourceOfType } from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/** Storage accounts refuse plain HTTP. */
export const StorageHttpsOnly: IMlRule = {
  id: 'AML-ST-2',
  level: RuleLevel.ERROR,
  title: 'Storage accounts accept HTTPS only',
  rationale:
    'Over plain HTTP, blobs, SAS tokens and shared-key signatures cross the network readable by anyone on the path.',
  fix: 'Set `httpsTrafficOnlyEnabled: true` (the default) on the storage account.',
  check(node) {
    const account = resourceOfType(node, 'azurerm_storage_account');
    if (!account) return [];
    // unset means true
    return resourceAttributes(account).https_traffic_only_enabled === false
      ? ['https_traffic_only_enabled is false']
      : [];
  },
};
