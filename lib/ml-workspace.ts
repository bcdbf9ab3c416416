import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MachineLearningWorkspace } from '@cdktf/provider-azurerm/lib/machine-learning-workspace';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { Annotations, ITerraformDependable, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';

import { DataAzapiResource } from './azapi/data-resource';
import { parseWorkspaceId, segment, WorkspaceIdParts } from './private/arm';
import { mlType } from './private/azure';
import { deriveUniqueName } from './private/naming';
import {
  defaultAzurermProvider,
  usesEntraIdForStorage,
} from './private/providers';
import { grantDeployerWrite } from './private/role-assignment';
import { secureStorageAccountSettings } from './private/storage';
import {
  checkInteger,
  checkStorageAccountName,
  checkTags,
  fail,
  isUnresolved,
} from './private/validation';
import { suppressRule } from './rules/suppressions';

/** The ARM API version of the workspace data source. */
const WORKSPACE_TYPE = mlType('workspaces');

/** An Azure Machine Learning workspace, created here or imported. */
export interface IMlWorkspace extends IConstruct {
  /** ARM id of the workspace. */
  readonly workspaceId: string;
  /** The workspace's immutable GUID (`properties.workspaceId`). */
  readonly workspaceGuid: string;
  readonly workspaceName: string;
  readonly resourceGroupName: string;
  readonly subscriptionId: string;
  /** Azure region of the workspace. */
  readonly location: string;
  /** ARM id of the workspace's default storage account. */
  readonly storageAccountId: string;
  readonly storageAccountName: string;
  /**
   * Container of the default blob datastore (`workspaceblobstore`):
   * `azureml-blobstore-<workspace GUID>`.
   */
  readonly datastoreContainerName: string;
  /**
   * ARM id of the workspace's container registry. Azure ML creates one on the
   * first image build when the workspace has none, so this may be unknown.
   * @default - undefined when a new workspace is created without a registry
   */
  readonly containerRegistryId?: string;
  /**
   * What uploads into the workspace storage must wait for (the deployer's
   * data role), if anything.
   */
  readonly uploadDependencies: ITerraformDependable[];
}

export interface MlWorkspaceProps {
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * Prefix of every name derived here (workspace, storage, key vault, ...).
   * @default 'mlendpoint'
   */
  readonly namePrefix?: string;
  /**
   * Name of the workspace's storage account.
   * @default - derived from `namePrefix` with a stable unique suffix
   */
  readonly storageAccountName?: string;
  /**
   * Create a container registry (Basic, admin user off) with the workspace.
   * A user-assigned endpoint identity must be granted AcrPull on it before
   * the endpoint exists, so it needs one from the start.
   * @default false
   */
  readonly containerRegistry?: boolean;
  /**
   * Grant whoever runs Terraform `Storage Blob Data Contributor` on the
   * workspace storage, and order asset uploads after it. Needed when the
   * azurerm provider uses Entra ID for storage (`storage_use_azuread`).
   * @default true
   */
  readonly grantDeployerDataAccess?: boolean;
  /**
   * Seconds to wait after the deployer's grant before uploading.
   * @default 60
   */
  readonly roleAssignmentWaitSeconds?: number;
  /** @default - none */
  readonly tags?: { [key: string]: string };
}

/** Attributes of an existing workspace, for `fromWorkspaceId`. */
export interface MlWorkspaceImportProps {
  /**
   * Order uploads into the workspace storage after these (e.g. a grant of a
   * data role to the deployer made elsewhere).
   * @default - none
   */
  readonly uploadDependencies?: ITerraformDependable[];
  /**
   * Grant whoever runs Terraform `Storage Blob Data Contributor` on the
   * workspace's datastore container and order uploads after it. Off by
   * default: the runner may hold the role already, and a second identical
   * assignment fails (RoleAssignmentExists).
   * @default false
   */
  readonly grantDeployerDataAccess?: boolean;
  /**
   * Seconds to wait after that grant before uploading.
   * @default 60
   */
  readonly roleAssignmentWaitSeconds?: number;
}

/**
 * An Azure ML workspace with its storage account, key vault and Application
 * Insights (on a Log Analytics workspace), or an existing one.
 */
export class MlWorkspace extends Construct implements IMlWorkspace {
  /**
   * Imports an existing workspace by its ARM id. Its GUID, region, storage
   * account and registry are read at plan time.
   */
  public static fromWorkspaceId(
    scope: Construct,
    id: string,
    workspaceId: string,
    props: MlWorkspaceImportProps = {},
  ): IMlWorkspace {
    const parts = parseWorkspaceId('workspaceId', workspaceId);
    return new ImportedWorkspace(scope, id, workspaceId, parts, props);
  }

  public readonly workspaceId: string;
  public readonly workspaceGuid: string;
  public readonly workspaceName: string;
  public readonly resourceGroupName: string;
  public readonly subscriptionId: string;
  public readonly location: string;
  public readonly storageAccountId: string;
  public readonly storageAccountName: string;
  public readonly datastoreContainerName: string;
  public readonly containerRegistryId?: string;
  public readonly uploadDependencies: ITerraformDependable[] = [];
  /** The workspace resource. */
  public readonly resource: MachineLearningWorkspace;

  constructor(scope: Construct, id: string, props: MlWorkspaceProps) {
    super(scope, id);
    const prefix = props.namePrefix ?? 'mlendpoint';
    const seed = props.resourceGroupName;
    if (props.storageAccountName !== undefined) {
      checkStorageAccountName('storageAccountName', props.storageAccountName);
    }
    // it names the workspace `<prefix>-ws` and Log Analytics `<prefix>-logs`
    if (
      !isUnresolved(prefix) &&
      !/^[A-Za-z0-9][A-Za-z0-9-]{0,29}$/.test(prefix)
    ) {
      fail(
        'namePrefix',
        prefix,
        'must be 1-30 letters, digits or hyphens, starting with a letter or digit',
      );
    }
    checkInteger(
      'roleAssignmentWaitSeconds',
      props.roleAssignmentWaitSeconds,
      0,
    );
    // the storage account gets the tags too: names of at most 128 characters
    checkTags('tags', props.tags, 128);

    const client = new DataAzurermClientConfig(this, 'ClientConfig');
    const workspaceName = `${prefix}-ws`;
    const common = {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    };

    // Azure ML reads its own storage with the account key: keys stay on here
    const storage = new StorageAccount(this, 'Storage', {
      ...common,
      ...secureStorageAccountSettings(),
      name:
        props.storageAccountName ??
        deriveUniqueName(prefix, this.node, {
          field: 'namePrefix',
          maxLength: 24,
          allowHyphens: false,
          seed,
          uniqueIn: client.subscriptionId,
        }),
      accountReplicationType: 'LRS',
      sharedAccessKeyEnabled: true,
    });
    suppressRule(
      storage,
      'AML-ST-3',
      'Azure ML reads and writes its workspace storage with the account key',
    );

    const keyVault = new KeyVault(this, 'KeyVault', {
      ...common,
      name: deriveUniqueName(`${prefix}-kv-`, this.node, {
        field: 'namePrefix',
        maxLength: 24,
        allowHyphens: true,
        seed,
        uniqueIn: client.subscriptionId,
      }),
      tenantId: client.tenantId,
      skuName: 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: false,
    });

    const logs = new LogAnalyticsWorkspace(this, 'Logs', {
      ...common,
      name: `${prefix}-logs`,
      sku: 'PerGB2018',
      retentionInDays: 30,
    });

    const insights = new ApplicationInsights(this, 'Insights', {
      ...common,
      name: `${prefix}-insights`,
      applicationType: 'web',
      workspaceId: logs.id,
    });

    const registry = props.containerRegistry
      ? new ContainerRegistry(this, 'Registry', {
          ...common,
          name: deriveUniqueName(prefix, this.node, {
            field: 'namePrefix',
            maxLength: 50,
            allowHyphens: false,
            seed: `${seed}/acr`,
            uniqueIn: client.subscriptionId,
          }),
          sku: 'Basic',
          adminEnabled: false,
        })
      : undefined;

    this.resource = new MachineLearningWorkspace(this, 'Resource', {
      ...common,
      name: workspaceName,
      storageAccountId: storage.id,
      keyVaultId: keyVault.id,
      applicationInsightsId: insights.id,
      containerRegistryId: registry?.id,
      identity: { type: 'SystemAssigned' },
      publicNetworkAccessEnabled: true,
    });

    this.workspaceId = this.resource.id;
    this.workspaceGuid = this.resource.workspaceId;
    // literals, so that what only needs the names does not wait for the workspace
    this.workspaceName = workspaceName;
    this.resourceGroupName = props.resourceGroupName;
    this.subscriptionId = client.subscriptionId;
    this.location = props.location;
    this.storageAccountId = storage.id;
    this.storageAccountName = storage.name;
    this.datastoreContainerName = `azureml-blobstore-${this.workspaceGuid}`;
    this.containerRegistryId = registry?.id;

    if (props.grantDeployerDataAccess ?? true) {
      this.uploadDependencies.push(
        grantDeployerWrite(this, 'DeployerDataAccess', {
          scope: `${storage.id}/blobServices/default/containers/${this.datastoreContainerName}`,
          principalId: client.objectId,
          waitSeconds: props.roleAssignmentWaitSeconds,
          description:
            'Lets the Terraform runner upload model and code assets.',
        }),
      );
    }
  }
}

class ImportedWorkspace extends Construct implements IMlWorkspace {
  public readonly workspaceGuid: string;
  public readonly workspaceName: string;
  public readonly resourceGroupName: string;
  public readonly subscriptionId: string;
  public readonly location: string;
  public readonly storageAccountId: string;
  public readonly storageAccountName: string;
  public readonly datastoreContainerName: string;
  public readonly containerRegistryId: string;
  public readonly uploadDependencies: ITerraformDependable[];
  private warned = false;

  constructor(
    scope: Construct,
    id: string,
    public readonly workspaceId: string,
    parts: WorkspaceIdParts,
    props: MlWorkspaceImportProps,
  ) {
    super(scope, id);

    const lookup = new DataAzapiResource(this, 'Lookup', {
      type: WORKSPACE_TYPE,
      resourceId: workspaceId,
      responseExportValues: [
        'location',
        'properties.workspaceId',
        'properties.storageAccount',
        'properties.containerRegistry',
      ],
    });

    this.workspaceName = parts.workspaceName;
    this.resourceGroupName = parts.resourceGroupName;
    this.subscriptionId = parts.subscriptionId;
    this.workspaceGuid = Token.asString(
      lookup.outputValue('properties.workspaceId'),
    );
    this.location = Token.asString(lookup.outputValue('location'));
    this.storageAccountId = Token.asString(
      lookup.outputValue('properties.storageAccount'),
    );
    this.storageAccountName = segment(this.storageAccountId, 8);
    this.datastoreContainerName = `azureml-blobstore-${this.workspaceGuid}`;
    this.containerRegistryId = Token.asString(
      lookup.outputValue('properties.containerRegistry'),
    );
    this.uploadDependencies = [...(props.uploadDependencies ?? [])];
    this.node.addValidation({ validate: () => this.warnAboutUploads() });
    if (props.grantDeployerDataAccess) {
      const client = new DataAzurermClientConfig(this, 'ClientConfig');
      this.uploadDependencies.push(
        grantDeployerWrite(this, 'DeployerDataAccess', {
          scope: `${this.storageAccountId}/blobServices/default/containers/${this.datastoreContainerName}`,
          principalId: client.objectId,
          waitSeconds: props.roleAssignmentWaitSeconds,
          description:
            'Lets the Terraform runner upload model and code assets.',
        }),
      );
    }
  }

  /**
   * Uploads into an existing workspace with Entra ID need a data role the
   * library does not grant by default: say so, once.
   */
  private warnAboutUploads(): string[] {
    const uploads = this.node.tryFindChild('Assets') !== undefined;
    const entraId =
      usesEntraIdForStorage(defaultAzurermProvider(this)) === true;
    if (uploads && entraId && this.uploadDependencies.length === 0) {
      if (!this.warned) {
        Annotations.of(this).addWarning(
          "Uploads into this workspace's storage use Entra ID (storage_use_azuread): " +
            'whoever runs Terraform needs Storage Blob Data Contributor on its ' +
            'datastore container. Set `grantDeployerDataAccess: true` on ' +
            '`fromWorkspaceId`, or pass the grant in `uploadDependencies`.',
        );
      }
      this.warned = true;
    }
    return [];
  }
}
