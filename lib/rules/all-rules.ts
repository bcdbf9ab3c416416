import { DeploymentAppInsights } from './deployment-app-insights';
import { DeploymentEgress } from './deployment-egress';
import { DeploymentEnvironmentSecrets } from './deployment-environment-secrets';
import { EndpointAuthMode } from './endpoint-auth-mode';
import { EndpointPublicNetworkAccess } from './endpoint-public-network';
import { IamBroadScope } from './iam-broad-scope';
import { IamPrincipalNotClientId } from './iam-principal-not-client-id';
import { IamPrincipalType } from './iam-principal-type';
import { IamPrivilegedRole } from './iam-privileged-role';
import { OutputSecrets } from './output-secrets';
import { RegistryAdminUser } from './registry-admin-user';
import { IMlRule } from './rule';
import { StorageContainerPrivate } from './storage-container-private';
import { StorageHttpsOnly } from './storage-https-only';
import { StorageMinimumTls } from './storage-minimum-tls';
import { StoragePublicBlobAccess } from './storage-public-blob-access';
import { StorageSharedKeyAccess } from './storage-shared-key';

/** Every rule of the pack, in id order. */
export const ML_SECURITY_RULES: readonly IMlRule[] = [
  StorageMinimumTls,
  StorageHttpsOnly,
  StorageSharedKeyAccess,
  StoragePublicBlobAccess,
  StorageContainerPrivate,
  IamPrivilegedRole,
  IamBroadScope,
  IamPrincipalType,
  IamPrincipalNotClientId,
  EndpointAuthMode,
  EndpointPublicNetworkAccess,
  DeploymentAppInsights,
  DeploymentEgress,
  DeploymentEnvironmentSecrets,
  OutputSecrets,
  RegistryAdminUser,
];
