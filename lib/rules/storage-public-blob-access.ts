import {
  isLiteral,
  resourceAttributes,
  resourceOfType,
} from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/** No container of the account may be opened to anonymous readers. */
export const StoragePublicBlobAccess: IMlRule = {
  id: 'AML-ST-4',
  level: RuleLevel.ERROR,
  title: 'Storage accounts forbid anonymous (public) blob access',
  rationale:
    'With public access allowed on the account, one container setting exposes model files and data to anyone with the URL.',
  fix: 'Set `allowNestedItemsToBePublic: false` on the storage account (the provider default is true).',
  check(node) {
    const account = resourceOfType(node, 'azurerm_storage_account');
    if (!account) return [];
    const allowed = resourceAttributes(account).allow_nested_items_to_be_public;
    if (allowed === false || !isLiteral(allowed)) return [];
    return [
      `allow_nested_items_to_be_public is ${allowed === undefined ? 'unset (true)' : String(allowed)}`,
    ];
  },
};
