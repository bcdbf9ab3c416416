import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { AssetType, TerraformAsset, TerraformIterator } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';

import { BuiltInRole, IGrantee } from './grants';
import { segment } from './private/arm';
import { hashStrings, listFiles } from './private/files';
import { deriveUniqueName } from './private/naming';
import { grantDeployerWrite, grantRole } from './private/role-assignment';
import { secureStorageAccountSettings } from './private/storage';
import {
  defaultAzurermProvider,
  usesEntraIdForStorage,
} from './private/providers';
import { resolveValue } from './private/tokens';
import {
  checkBlobName,
  checkContainerName,
  checkInteger,
  checkStorageAccountName,
  checkTags,
  fail,
  isUnresolved,
} from './private/validation';

/** ARM id of a storage account. */
const STORAGE_ACCOUNT_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i;

/** A local file uploaded as a blob. */
export interface BlobFile {
  /** Name of the blob in the container. */
  readonly blobName: string;
  /** Local path of the file (relative to the working directory). */
  readonly sourcePath: string;
}

export interface BlobDataSourceProps {
  /**
   * Resource group of a new storage account.
   * Required unless `existingStorageAccountId` is given.
   * @default - none
   */
  readonly resourceGroupName?: string;
  /**
   * Region of a new storage account.
   * Required unless `existingStorageAccountId` is given.
   * @default - none
   */
  readonly location?: string;
  /**
   * Use this storage account instead of creating one.
   * @default - a new storage account
   */
  readonly existingStorageAccountId?: string;
  /**
   * Name of a new storage account (3-24 lowercase letters and digits).
   * @default - derived from `namePrefix` with a stable unique suffix
   */
  readonly storageAccountName?: string;
  /**
   * Prefix a derived storage account name starts with; reduced to lowercase
   * letters and digits.
   * @default 'mldata'
   */
  readonly namePrefix?: string;
  /**
   * Allow shared-key (account key and SAS) access to a new account. Off, the
   * azurerm provider must use Entra ID for storage
   * (`storageUseAzuread: true`), which is checked at synth.
   * @default false
   */
  readonly sharedAccessKeyEnabled?: boolean;
  /**
   * Name of the private container.
   * @default 'data'
   */
  readonly containerName?: string;
  /**
   * Files to upload. A change of content uploads the blob again.
   * @default - none
   */
  readonly files?: BlobFile[];
  /**
   * Grant whoever runs Terraform `Storage Blob Data Contributor` on the
   * container and upload only after it. Needed when blobs are uploaded with
   * Entra ID (shared keys off).
   * @default - true when `files` are given and shared keys are off
   */
  readonly grantDeployerWrite?: boolean;
  /**
   * Seconds to wait after the deployer's grant before uploading.
   * @default 60
   */
  readonly roleAssignmentWaitSeconds?: number;
  /** @default - none */
  readonly tags?: { [key: string]: string };
}

/**
 * A private blob container (in a new, locked-down storage account or an
 * existing one) with files uploaded into it, and read grants to managed
 * identities scoped to the container.
 */
export class BlobDataSource extends Construct {
  public readonly storageAccountId: string;
  public readonly storageAccountName: string;
  public readonly containerName: string;
  /** ARM id of the container: the scope of `grantRead`. */
  public readonly containerId: string;
  /** The storage account, when created here. */
  public readonly storageAccount?: StorageAccount;
  public readonly container: StorageContainer;
  /**
   * The uploaded blobs: one resource with an instance per blob name
   * (`for_each`), so that adding or removing a file touches only its blob.
   */
  public readonly blobs?: StorageBlob;

  private readonly files: BlobFile[];

  constructor(scope: Construct, id: string, props: BlobDataSourceProps = {}) {
    super(scope, id);
    this.files = props.files ?? [];
    const sharedKeys = props.sharedAccessKeyEnabled ?? false;
    this.validate(props);

    if (props.existingStorageAccountId !== undefined) {
      this.storageAccountId = props.existingStorageAccountId;
      this.storageAccountName = segment(props.existingStorageAccountId, 8);
    } else {
      this.storageAccount = new StorageAccount(this, 'Account', {
        ...secureStorageAccountSettings(),
        resourceGroupName: props.resourceGroupName!,
        location: props.location!,
        name:
          props.storageAccountName ??
          deriveUniqueName(props.namePrefix ?? 'mldata', this.node, {
            field: 'namePrefix',
            maxLength: 24,
            allowHyphens: false,
            seed: props.resourceGroupName,
            uniqueIn: this.clientConfig().subscriptionId,
          }),
        accountReplicationType: 'LRS',
        sharedAccessKeyEnabled: sharedKeys,
        tags: props.tags,
      });
      this.storageAccountId = this.storageAccount.id;
      this.storageAccountName = this.storageAccount.name;
    }

    this.container = new StorageContainer(this, 'Container', {
      name: containerName(props),
      storageAccountId: this.storageAccountId,
      containerAccessType: 'private',
    });
    this.containerName = this.container.name;
    this.containerId = `${this.storageAccountId}/blobServices/default/containers/${this.containerName}`;

    const uploadAfter: Sleep[] = [];
    if (props.grantDeployerWrite ?? (this.files.length > 0 && !sharedKeys)) {
      uploadAfter.push(
        grantDeployerWrite(this, 'DeployerWrite', {
          scope: this.containerId,
          principalId: this.clientConfig().objectId,
          waitSeconds: props.roleAssignmentWaitSeconds,
          description: 'Lets the Terraform runner upload the data files.',
        }),
      );
    }
    if (!sharedKeys && props.existingStorageAccountId === undefined) {
      this.node.addValidation({
        validate: () => checkProviderUsesEntraId(this),
      });
    }

    if (this.files.length > 0) {
      const each = TerraformIterator.fromMap(
        Object.fromEntries(
          this.files.map((file) => [
            file.blobName,
            {
              source: this.stage(file),
              md5: listFiles(file.sourcePath)[0].md5,
            },
          ]),
        ),
      );
      this.blobs = new StorageBlob(this, 'Blobs', {
        forEach: each,
        name: each.key,
        storageAccountName: this.storageAccountName,
        storageContainerName: this.containerName,
        type: 'Block',
        source: each.getString('source'),
        contentMd5: each.getString('md5'),
        dependsOn: uploadAfter,
      });
    }
  }

  /**
   * The variables a scoring script needs to find a blob:
   * `STORAGE_ACCOUNT_NAME`, `STORAGE_CONTAINER_NAME` and `FILE_NAME`.
   * @param blobName the blob `FILE_NAME` names (default: the first file)
   */
  public environmentVariables(blobName?: string): { [name: string]: string } {
    const name = blobName ?? this.files[0]?.blobName;
    if (name === undefined) {
      fail(
        'blobName',
        blobName,
        'must name a blob: this data source has no files',
      );
    }
    if (!isUnresolved(name) && !this.files.some((f) => f.blobName === name)) {
      fail(
        'blobName',
        name,
        `must be one of the uploaded files (${this.files.map((f) => f.blobName).join(', ')})`,
      );
    }
    return {
      STORAGE_ACCOUNT_NAME: this.storageAccountName,
      STORAGE_CONTAINER_NAME: this.containerName,
      FILE_NAME: name,
    };
  }

  /**
   * Grants `Storage Blob Data Reader` on the container (least privilege) to
   * a managed identity, as a service principal.
   * @returns the role assignment
   */
  public grantRead(grantee: IGrantee): RoleAssignment {
    // the id follows the grantee, not the call order, so that removing one
    // grant leaves the others' Terraform addresses alone
    const who = Construct.isConstruct(grantee)
      ? grantee.node.path
      : JSON.stringify(resolveValue(this, grantee.principalId));
    return grantRole(this, `ReadGrant-${hashStrings(who).slice(0, 8)}`, {
      scope: this.containerId,
      roleDefinitionName: BuiltInRole.STORAGE_BLOB_DATA_READER,
      grantee,
      description: 'Lets the endpoint identity read the data container.',
    });
  }

  /** Who runs Terraform, in which subscription: read once. */
  private clientConfig(): DataAzurermClientConfig {
    return (
      (this.node.tryFindChild('ClientConfig') as
        DataAzurermClientConfig | undefined) ??
      new DataAzurermClientConfig(this, 'ClientConfig')
    );
  }

  /**
   * Copies a file next to the synthesized stack (so remote runners find it)
   * and returns its path there. The asset id hashes the blob name: it only
   * names a folder under assets/, and must not move when files are reordered.
   */
  private stage(file: BlobFile): string {
    const id = `File-${hashStrings(file.blobName).slice(0, 16)}`;
    return new TerraformAsset(this, id, {
      path: path.resolve(file.sourcePath),
      type: AssetType.FILE,
    }).path;
  }

  private validate(props: BlobDataSourceProps): void {
    if (props.existingStorageAccountId === undefined) {
      if (props.resourceGroupName === undefined) {
        fail(
          'resourceGroupName',
          undefined,
          'is required when no `existingStorageAccountId` is given',
        );
      }
      if (props.location === undefined) {
        fail(
          'location',
          undefined,
          'is required when no `existingStorageAccountId` is given',
        );
      }
    } else if (props.storageAccountName !== undefined) {
      fail(
        'storageAccountName',
        props.storageAccountName,
        'cannot be set with `existingStorageAccountId`',
      );
    } else if (
      !isUnresolved(props.existingStorageAccountId) &&
      !STORAGE_ACCOUNT_ID.test(props.existingStorageAccountId)
    ) {
      fail(
        'existingStorageAccountId',
        props.existingStorageAccountId,
        'must be a storage account ARM id: /subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.Storage/storageAccounts/<name>',
      );
    }
    checkInteger(
      'roleAssignmentWaitSeconds',
      props.roleAssignmentWaitSeconds,
      0,
    );
    // storage accounts take tag names of at most 128 characters
    checkTags('tags', props.tags, 128);
    if (props.storageAccountName !== undefined) {
      checkStorageAccountName('storageAccountName', props.storageAccountName);
    }
    checkContainerName('containerName', containerName(props));
    const seen = new Set<string>();
    for (const [i, file] of this.files.entries()) {
      if (isUnresolved(file.blobName)) {
        fail(
          `files[${i}].blobName`,
          'a value known only after apply',
          'must be a literal: it keys the upload (Terraform for_each)',
        );
      }
      checkBlobName(`files[${i}].blobName`, file.blobName);
      if (seen.has(file.blobName)) {
        fail(
          `files[${i}].blobName`,
          file.blobName,
          'must be unique within the container',
        );
      }
      seen.add(file.blobName);
      if (
        !fs.existsSync(file.sourcePath) ||
        !fs.statSync(file.sourcePath).isFile()
      ) {
        fail(
          `files[${i}].sourcePath`,
          file.sourcePath,
          'must be an existing file',
        );
      }
    }
  }
}

/**
 * With shared keys off, the azurerm provider must reach blobs (and the
 * account's data-plane properties) with Entra ID, or apply fails with 403.
 */
function checkProviderUsesEntraId(data: BlobDataSource): string[] {
  const provider =
    data.storageAccount?.provider ?? defaultAzurermProvider(data);
  const useAzuread = usesEntraIdForStorage(provider);
  if (useAzuread === true) return [];
  return [
    `BlobDataSource '${data.node.path}' has shared keys off: configure the azurerm provider ` +
      'with `storageUseAzuread: true` (Entra ID for storage data-plane calls), or set ' +
      '`sharedAccessKeyEnabled: true`; got ' +
      (provider === undefined
        ? 'no default azurerm provider in the stack'
        : `storageUseAzuread ${String(useAzuread)} on '${provider.node.path}'`),
  ];
}

/** The container's name, defaulted in one place. */
function containerName(props: BlobDataSourceProps): string {
  return props.containerName ?? 'data';
}
