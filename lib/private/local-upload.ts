import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { AssetType, TerraformAsset, TerraformIterator } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';

import { IMlWorkspace } from '../ml-workspace';
import { hashFiles, listReadableFiles, LocalFile } from './files';
import { fail } from './validation';

/** The storage suffix of Azure's public cloud. */
const BLOB_HOST_SUFFIX = 'blob.core.windows.net';

export interface LocalUploadProps {
  readonly workspace: IMlWorkspace;
  /** A local folder or file. */
  readonly sourcePath: string;
  /**
   * Name of the field the path came from, for error messages.
   * @default 'sourcePath'
   */
  readonly field?: string;
  /**
   * The folder's files, when the caller has listed them already.
   * @default - listed here
   */
  readonly files?: readonly LocalFile[];
}

/**
 * A local folder (or file) uploaded into the workspace's default blob
 * datastore under `LocalUpload/<content hash>/<name>`, the layout the az ml
 * tooling uses. New content gets a new path; unchanged content, no diff.
 */
export class LocalUpload extends Construct {
  /** sha256 over the file names and contents. */
  public readonly contentHash: string;
  /** Path inside the datastore container: `LocalUpload/<hash>/<name>`. */
  public readonly blobPath: string;
  /** https URL of the uploaded folder (what a code version's `codeUri` takes). */
  public readonly httpsUri: string;
  /** `azureml://` datastore URI of the upload (what `modelUri` takes). */
  public readonly datastoreUri: string;
  /** The blobs (one resource, one instance per file). */
  public readonly blobs: StorageBlob;

  constructor(scope: Construct, id: string, props: LocalUploadProps) {
    super(scope, id);
    const field = props.field ?? 'sourcePath';
    if (!fs.existsSync(props.sourcePath)) {
      fail(field, props.sourcePath, 'must be an existing local file or folder');
    }
    const files = props.files ?? listReadableFiles(field, props.sourcePath);
    if (files.length === 0)
      fail(field, props.sourcePath, 'must hold at least one file');
    const isFolder = fs.statSync(props.sourcePath).isDirectory();
    const name = path.basename(path.resolve(props.sourcePath));
    const ws = props.workspace;

    this.contentHash = hashFiles(files);
    this.blobPath = `LocalUpload/${this.contentHash.slice(0, 32)}/${name}`;

    const asset = new TerraformAsset(this, 'Asset', {
      path: path.resolve(props.sourcePath),
      type: isFolder ? AssetType.DIRECTORY : AssetType.FILE,
    });
    const each = TerraformIterator.fromMap(
      Object.fromEntries(
        files.map((f) => [
          f.relativePath,
          {
            source: isFolder ? `${asset.path}/${f.relativePath}` : asset.path,
            md5: f.md5,
          },
        ]),
      ),
    );
    this.blobs = new StorageBlob(this, 'Files', {
      forEach: each,
      name: isFolder ? `${this.blobPath}/${each.key}` : this.blobPath,
      storageAccountName: ws.storageAccountName,
      storageContainerName: ws.datastoreContainerName,
      type: 'Block',
      source: each.getString('source'),
      contentMd5: each.getString('md5'),
      dependsOn: ws.uploadDependencies,
      lifecycle: { createBeforeDestroy: true },
    });

    this.httpsUri = `https://${ws.storageAccountName}.${BLOB_HOST_SUFFIX}/${ws.datastoreContainerName}/${this.blobPath}`;
    this.datastoreUri =
      `azureml://subscriptions/${ws.subscriptionId}/resourcegroups/${ws.resourceGroupName}` +
      `/workspaces/${ws.workspaceName}/datastores/workspaceblobstore/paths/${this.blobPath}`;
  }
}
