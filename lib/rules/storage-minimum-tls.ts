import {
  isLiteral,
  resourceAttributes,
  resourceOfType,
  show,
} from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/** Storage accounts accept TLS 1.2 or later only. */
export const StorageMinimumTls: IMlRule = {
  id: 'AML-ST-1',
  level: RuleLevel.ERROR,
  title: 'Storage accounts accept TLS 1.2 or later only',
  rationale:
    'TLS 1.0 and 1.1 have known weaknesses and are being retired across Azure.',
  fix: "Set `minTlsVersion: 'TLS1_2'` on the storage account.",
  check(node) {
    const account = resourceOfType(node, 'azurerm_storage_account');
    if (!account) return [];
    const tls = resourceAttributes(account).min_tls_version;
    // unset, the azurerm provider (4.x) asks for TLS1_2
    if (
      tls === undefined ||
      !isLiteral(tls) ||
      tls === 'TLS1_2' ||
      tls === 'TLS1_3'
    )
      return [];
    return [`min_tls_version is ${show(tls)}`];
  },
};
