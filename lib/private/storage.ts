import { StorageAccountConfig } from '@cdktf/provider-azurerm/lib/storage-account';

/**
 * Settings every storage account of this library gets: HTTPS only, TLS 1.2,
 * no anonymous blob access, OAuth as the portal default, no cross-tenant
 * replication.
 */
export function secureStorageAccountSettings(): Pick<
  StorageAccountConfig,
  | 'accountKind'
  | 'accountTier'
  | 'httpsTrafficOnlyEnabled'
  | 'minTlsVersion'
  | 'allowNestedItemsToBePublic'
  | 'crossTenantReplicationEnabled'
  | 'defaultToOauthAuthentication'
> {
  return {
    accountKind: 'StorageV2',
    accountTier: 'Standard',
    httpsTrafficOnlyEnabled: true,
    minTlsVersion: 'TLS1_2',
    allowNestedItemsToBePublic: false,
    crossTenantReplicationEnabled: false,
    defaultToOauthAuthentication: true,
  };
}
