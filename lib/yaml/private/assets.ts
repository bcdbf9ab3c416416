import { Token } from 'cdktf';
import { Construct } from 'constructs';

import {
  ANONYMOUS_ENVIRONMENT_NAME,
  AssetVersion,
} from '../../private/asset-version';
import { AssetName } from '../../assets';
import { DataAzapiResource } from '../../azapi/data-resource';
import { IMlWorkspace } from '../../ml-workspace';
import { mlType } from '../../private/azure';
import { hashFiles, hashStrings, listFiles } from '../../private/files';

/** API version of the asset container data source. */

/** Child of the workspace that holds what YAML files need besides deployments. */
const CONTAINER_ID = 'YamlAssets';

/**
 * The ARM id of the newest version of a registered model or environment
 * (`azureml:<name>@latest`): an `azapi_resource` data source reads the asset
 * container's `properties.latestVersion` at plan time. One lookup per name
 * and workspace, shared by every deployment that asks.
 */
export function latestVersionId(
  workspace: IMlWorkspace,
  kind: 'models' | 'environments',
  name: string,
): string {
  const scope = container(workspace);
  const id = `${kind === 'models' ? 'ModelLatest' : 'EnvironmentLatest'}-${hashStrings(name).slice(0, 16)}`;
  const lookup =
    (scope.node.tryFindChild(id) as DataAzapiResource | undefined) ??
    new DataAzapiResource(scope, id, {
      type: mlType(`workspaces/${kind}`),
      resourceId: `${workspace.workspaceId}/${kind}/${name}`,
      responseExportValues: ['properties.latestVersion'],
    });
  const version = Token.asString(
    lookup.outputValue('properties.latestVersion'),
  );
  return `${workspace.workspaceId}/${kind}/${name}/versions/${version}`;
}

/** An environment built by Azure ML from a local Docker build context. */
export interface BuildEnvironment {
  /** The local build context folder. */
  readonly contextPath: string;
  /** Path of the Dockerfile inside the context. */
  readonly dockerfilePath: string;
  readonly asset?: AssetName;
  readonly description?: string;
}

/**
 * The ARM id of an environment version built from a Docker build context:
 * the folder is uploaded like a code folder and the version's
 * `build.contextUri` is its https URL with a trailing '/' (what the az ml SDK
 * sends). Anonymous versions are named like az ml's, by the folder's content
 * and the Dockerfile path.
 */
export function buildEnvironmentId(
  workspace: IMlWorkspace,
  env: BuildEnvironment,
): string {
  const scope = container(workspace);
  const files = listFiles(env.contextPath);
  const content = hashFiles(files);
  const name = env.asset?.name ?? ANONYMOUS_ENVIRONMENT_NAME;
  const version =
    env.asset?.version ?? hashStrings(content, env.dockerfilePath).slice(0, 32);
  const id = `EnvironmentBuild-${hashStrings(name, version, content).slice(0, 16)}`;
  const existing = scope.node.tryFindChild(id) as AssetVersion | undefined;
  if (existing) return existing.versionId;
  return new AssetVersion(scope, id, {
    workspace,
    kind: 'environments',
    sourcePath: env.contextPath,
    files,
    field: 'environment.build.path',
    asset: { name, version },
    properties: (upload) => ({
      build: {
        contextUri: `${upload!.httpsUri}/`,
        dockerfilePath: env.dockerfilePath,
      },
      osType: 'Linux',
      ...(env.description !== undefined
        ? { description: env.description }
        : {}),
      ...(env.asset === undefined ? { isAnonymous: true } : {}),
    }),
  }).versionId;
}

function container(workspace: IMlWorkspace): Construct {
  return (
    (workspace.node.tryFindChild(CONTAINER_ID) as Construct | undefined) ??
    new Construct(workspace as unknown as Construct, CONTAINER_ID)
  );
}
