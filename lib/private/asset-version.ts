import { Construct } from 'constructs';
import * as fs from 'fs';

import { AssetName } from '../assets';
import { AzapiResource } from '../azapi/resource';
import { LocalUpload } from './local-upload';
import { IMlWorkspace } from '../ml-workspace';
import {
  guidFromHash,
  hashFiles,
  hashStrings,
  listReadableFiles,
  LocalFile,
} from './files';
import { mlType } from './azure';
import { AssetKind } from './references';
import { fail, isUnresolved } from './validation';

/** The name az ml gives an environment defined inline in a deployment. */
export const ANONYMOUS_ENVIRONMENT_NAME = 'CliV2AnonymousEnvironment';

/** Construct id prefix per kind of asset. */
const KIND_ID = {
  models: 'Model',
  codes: 'Code',
  environments: 'Environment',
} as const;

export interface AssetVersionProps {
  readonly workspace: IMlWorkspace;
  readonly kind: AssetKind;
  /**
   * A local file or folder to upload first.
   * @default - nothing uploaded (give `contentKey`)
   */
  readonly sourcePath?: string;
  /**
   * Content that names an asset without upload (image + conda file).
   * @default - the uploaded files' hash
   */
  readonly contentKey?: string[];
  /**
   * The files at `sourcePath`, when listed already (each is read once).
   * @default - listed here
   */
  readonly files?: readonly LocalFile[];
  /** For error messages. */
  readonly field: string;
  /** @default - anonymous, named by content */
  readonly asset?: AssetName;
  /**
   * Settings that make two versions of the same content differ (model type,
   * description): deployments share a version only when these match too.
   * @default - none
   */
  readonly variant?: string[];
  /** `properties` of the version, given the upload if any. */
  readonly properties: (upload: LocalUpload | undefined) => {
    [key: string]: unknown;
  };
}

/**
 * A registered model, code or environment version, content-addressed: new
 * content gives a new version (created before the old one goes), unchanged
 * content no diff.
 */
export class AssetVersion extends Construct {
  /**
   * The version of this content in the workspace, created once: deployments
   * that ship the same folder share one upload and one version (two
   * resources for one ARM id would fail on apply). It lives under the
   * workspace, with an id made of the kind and the content hash.
   */
  public static of(props: AssetVersionProps): AssetVersion {
    if (props.sourcePath !== undefined && !fs.existsSync(props.sourcePath)) {
      fail(
        props.field,
        props.sourcePath,
        'must be an existing local file or folder',
      );
    }
    const literal = (props.contentKey ?? []).every((v) => !isUnresolved(v));
    if (!literal && props.asset === undefined) {
      fail(
        props.field,
        'a value known only after apply',
        'must be literal to be versioned by content: give `asset: { name, version }` ' +
          'to register it under a name of your own',
      );
    }
    const asset = props.asset;
    if (asset && (isUnresolved(asset.name) || isUnresolved(asset.version))) {
      fail(
        `${props.field}.asset`,
        'a value known only after apply',
        'must have a literal name and version (they name the Terraform resource)',
      );
    }
    const files =
      props.sourcePath !== undefined
        ? listReadableFiles(props.field, props.sourcePath)
        : undefined;
    const content = files
      ? hashFiles(files)
      : literal
        ? hashStrings(...(props.contentKey ?? []))
        : '';
    const key = hashStrings(
      props.kind,
      content,
      asset?.name ?? '',
      asset?.version ?? '',
      ...(props.variant ?? []),
    );
    const assets =
      (props.workspace.node.tryFindChild('Assets') as Construct | undefined) ??
      new Construct(props.workspace, 'Assets');
    const id = `${KIND_ID[props.kind]}-${key.slice(0, 16)}`;
    return (
      (assets.node.tryFindChild(id) as AssetVersion | undefined) ??
      new AssetVersion(assets, id, { ...props, files })
    );
  }

  /** ARM id of the version. */
  public readonly versionId: string;
  public readonly upload?: LocalUpload;
  public readonly resource: AzapiResource;

  constructor(scope: Construct, id: string, props: AssetVersionProps) {
    super(scope, id);

    if (props.sourcePath !== undefined) {
      this.upload = new LocalUpload(this, 'Upload', {
        workspace: props.workspace,
        sourcePath: props.sourcePath,
        field: props.field,
        files: props.files,
      });
    }
    const hash =
      this.upload?.contentHash ?? hashStrings(...(props.contentKey ?? []));
    const anonymous = props.asset === undefined;
    const name =
      props.asset?.name ??
      (props.kind === 'environments'
        ? ANONYMOUS_ENVIRONMENT_NAME
        : guidFromHash(hash));
    const version =
      props.asset?.version ??
      (props.kind === 'environments' ? hash.slice(0, 32) : '1');

    this.resource = new AzapiResource(this, 'Resource', {
      type: mlType(`workspaces/${props.kind}/versions`),
      name: version,
      parentId: `${props.workspace.workspaceId}/${props.kind}/${name}`,
      body: {
        properties: {
          ...props.properties(this.upload),
          ...(anonymous ? { isAnonymous: true } : {}),
        },
      },
      dependsOn: this.upload ? [this.upload.blobs] : undefined,
      lifecycle: { createBeforeDestroy: true },
    });
    this.versionId = this.resource.id;
  }
}
