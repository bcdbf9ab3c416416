import { Token } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';

import { ANONYMOUS_ENVIRONMENT_NAME } from '../../private/asset-version';
import { AssetName, CodeConfiguration, ModelType } from '../../assets';
import { scoringScriptProblem } from '../../private/deployment-checks';
import { AssetKind, resolveAssetReference } from '../../private/references';
import {
  assetNameProblem,
  assetVersionProblem,
  imageProblem,
} from '../../private/validation';
import { BUILD_KEYS, CODE_KEYS, ENVIRONMENT_KEYS, MODEL_KEYS } from './keys';
import { NO_VALUE, YNode } from './node';
import { yamlLib } from './yaml-lib';

/** Where a deployment's model comes from, as the file says it. */
export type ModelForm =
  | {
      kind: 'local';
      path: string;
      asset?: AssetName;
      modelType?: ModelType;
      description?: string;
    }
  | { kind: 'reference'; reference: string }
  | { kind: 'latest'; name: string };

/** Where a deployment's environment comes from, as the file says it. */
export type EnvironmentForm =
  | {
      kind: 'image';
      image: string;
      condaFilePath?: string;
      condaFileContent?: string;
      asset?: AssetName;
      description?: string;
    }
  | {
      kind: 'build';
      contextPath: string;
      dockerfilePath: string;
      asset?: AssetName;
      description?: string;
    }
  | { kind: 'reference'; reference: string }
  | { kind: 'latest'; name: string };

/** Asset names in `azureml:` references. */
const NAME = /^[A-Za-z0-9_.-]+$/;

/** Paths that are not on this machine. */
const REMOTE = /^(azureml|https?|wasbs?|abfss?|adl|runs|git\+?\w*):/i;

const MODEL_FORMS =
  'azureml:<name>:<version>, azureml:<name>@latest, an ARM id, ' +
  'azureml://registries/<registry>/models/<name>/versions/<version>, or an inline model { path: <file or folder> }';

const ENVIRONMENT_FORMS =
  'azureml:<name>:<version>, azureml:<name>@latest, an ARM id, ' +
  'azureml://registries/<registry>/environments/<name>/versions/<version>, or an inline environment ' +
  '{ image, conda_file } or { build: { path, dockerfile_path } }';

export function readModel(node: YNode): ModelForm {
  node.required(`the model: ${MODEL_FORMS}`);
  if (!node.isMap) return readReference(node, 'models', MODEL_FORMS);

  const keys = node.entries(MODEL_KEYS);
  const get = (key: string) => YNode.child(keys, node, key);
  const pathNode = get('path').required(
    'the local file or folder of the model',
  );
  const modelPath = localPath(
    pathNode,
    'any',
    'register the model first and reference it as azureml:<name>:<version>',
  );
  return {
    kind: 'local',
    path: modelPath,
    ...assetName(get('name'), get('version')),
    ...(get('type').missing
      ? {}
      : {
          modelType: get('type').oneOf({
            custom_model: ModelType.CUSTOM,
            mlflow_model: ModelType.MLFLOW,
            triton_model: ModelType.TRITON,
          }),
        }),
    ...(get('description').missing
      ? {}
      : { description: get('description').string() }),
  };
}

export function readEnvironment(node: YNode): EnvironmentForm {
  node.required(`the environment: ${ENVIRONMENT_FORMS}`);
  if (!node.isMap)
    return readReference(node, 'environments', ENVIRONMENT_FORMS);

  const keys = node.entries(ENVIRONMENT_KEYS);
  const get = (key: string) => YNode.child(keys, node, key);
  const image = get('image');
  const build = get('build');
  const conda = get('conda_file');
  if (!get('os_type').missing) {
    const os = get('os_type').oneOf({ linux: 'Linux', windows: 'Windows' });
    if (os === 'Windows')
      get('os_type').fail(
        'must be linux: managed online deployments run Linux containers',
      );
  }
  if (image.missing === build.missing) {
    (image.missing ? node : build).fail(
      image.missing
        ? 'must have `image` or `build`'
        : 'must not have both `image` and `build`: give one',
      NO_VALUE,
    );
  }
  const asset =
    get('name').missing || get('name').scalar === ANONYMOUS_ENVIRONMENT_NAME
      ? {}
      : assetName(get('name'), get('version'));
  const description = get('description').missing
    ? {}
    : { description: get('description').string() };

  if (!build.missing) {
    if (!conda.missing)
      conda.failKey(
        'must not be given with `build`: put the conda file in the Docker build context',
      );
    const buildKeys = build.entries(BUILD_KEYS);
    const contextNode = YNode.child(buildKeys, build, 'path').required(
      'the local Docker build context folder',
    );
    const contextPath = localPath(
      contextNode,
      'folder',
      'give a local folder (a remote build context is not supported)',
    );
    const dockerfileNode = YNode.child(buildKeys, build, 'dockerfile_path');
    const dockerfilePath = dockerfileNode.missing
      ? 'Dockerfile'
      : dockerfileNode.string();
    const full = path.resolve(contextPath, dockerfilePath);
    if (
      path.relative(contextPath, full).startsWith('..') ||
      !fs.existsSync(full) ||
      !fs.statSync(full).isFile()
    ) {
      (dockerfileNode.missing ? contextNode : dockerfileNode).fail(
        `must name a Dockerfile inside the build context '${contextPath}' (looked for ${full})`,
        dockerfilePath,
      );
    }
    return {
      kind: 'build',
      contextPath,
      dockerfilePath,
      ...asset,
      ...description,
    };
  }

  const imageName = image.string();
  const problem = imageProblem(imageName);
  if (problem) image.fail(problem);
  let condaFile: { condaFilePath?: string; condaFileContent?: string } = {};
  if (!conda.missing) {
    condaFile = conda.isMap
      ? {
          condaFileContent: new (yamlLib().Document)(conda.toJS(), {
            sortMapEntries: true,
          }).toString(),
        }
      : {
          condaFilePath: localPath(
            conda,
            'file',
            'give a local conda YAML file or write it inline',
          ),
        };
  }
  return {
    kind: 'image',
    image: imageName,
    ...condaFile,
    ...asset,
    ...description,
  };
}

export function readCode(node: YNode): CodeConfiguration {
  const keys = node.entries(CODE_KEYS);
  const code = YNode.child(keys, node, 'code').required(
    'the local folder of the scoring code, or a code reference',
  );
  const script = YNode.child(keys, node, 'scoring_script').required(
    'the scoring script, relative to the code folder',
  );
  const scoringScript = script.string();
  if (code.isMap)
    code.fail(
      'must be a local folder path or azureml:<name>:<version> (the preview form { local_path } is gone)',
    );

  const value = code.string();
  if (
    Token.isUnresolved(value) ||
    /^azureml:/.test(value) ||
    value.startsWith('/subscriptions/')
  ) {
    const reference = value.replace(/^azureml:(?=\/subscriptions\/)/, '');
    if (/^azureml:[^:@/]+@/.test(reference))
      code.fail(
        'must pin a version (azureml:<name>:<version>): labels are not supported for code',
      );
    code.check((field) =>
      resolveAssetReference(field, 'codes', reference, '/ws'),
    );
    const problem = Token.isUnresolved(scoringScript)
      ? undefined
      : scoringScriptProblem(scoringScript);
    if (problem) script.fail(problem);
    return { codeReference: reference, scoringScript };
  }

  const folder = localPath(
    code,
    'folder',
    'give a local folder, or register the code and reference it',
  );
  const problem = Token.isUnresolved(scoringScript)
    ? undefined
    : scoringScriptProblem(scoringScript, folder);
  if (problem) script.fail(problem);
  return { codePath: folder, scoringScript };
}

/** A string reference to a registered asset. */
function readReference(
  node: YNode,
  kind: AssetKind & ('models' | 'environments'),
  forms: string,
): ModelForm & EnvironmentForm {
  const value = node.string();
  if (Token.isUnresolved(value)) return { kind: 'reference', reference: value };
  const reference = value.replace(/^azureml:(?=\/subscriptions\/)/, '');
  if (
    reference.startsWith('/subscriptions/') ||
    reference.startsWith('azureml://registries/')
  ) {
    node.check((field) => resolveAssetReference(field, kind, reference, '/ws'));
    return { kind: 'reference', reference };
  }
  const label = /^azureml:([^:@/]+)@(.*)$/.exec(reference);
  if (label) {
    if (!NAME.test(label[1]))
      node.fail(`must name the asset with letters, digits, '.', '-' and '_'`);
    if (label[2] !== 'latest') {
      node.fail(
        "must use the label 'latest' (azureml:<name>@latest) or pin a version: other labels are not supported",
      );
    }
    return { kind: 'latest', name: label[1] };
  }
  if (kind === 'environments' && /^azureml:AzureML-/.test(reference)) {
    node.fail(
      'names a curated environment, which lives in the azureml registry, not the workspace: write ' +
        'azureml://registries/azureml/environments/<name>/versions/<version>',
    );
  }
  if (/^azureml:[^:@/]+$/.test(reference)) {
    node.fail(
      'must pin a version (azureml:<name>:<version>) or ask for azureml:<name>@latest',
    );
  }
  if (/^azureml:[^:@/]+:[^:@/]+$/.test(reference)) {
    node.check((field) => resolveAssetReference(field, kind, reference, '/ws'));
    return { kind: 'reference', reference };
  }
  return node.fail(`must be ${forms}`);
}

/** `name` and `version` of an inline asset: both or neither. */
function assetName(name: YNode, version: YNode): { asset?: AssetName } {
  if (name.missing && version.missing) return {};
  if (name.missing)
    version.failKey(
      'needs `name` too: give both, or neither for an anonymous asset',
    );
  if (version.missing) {
    name.failKey(
      'needs `version` too: Terraform registers a fixed version (az ml would pick the next one)',
    );
  }
  const n = name.string();
  const v = version.string();
  const nameProblem = assetNameProblem(n);
  if (nameProblem) name.fail(nameProblem);
  const versionProblem = assetVersionProblem(v);
  if (versionProblem) version.fail(versionProblem);
  return { asset: { name: n, version: v } };
}

/** A local path, resolved against the file's folder, that must exist. */
function localPath(
  node: YNode,
  want: 'file' | 'folder' | 'any',
  remoteHint: string,
): string {
  const value = node.string();
  if (Token.isUnresolved(value))
    node.fail('must be a literal local path: it is read at synth');
  if (REMOTE.test(value)) node.fail(`must be a local path: ${remoteHint}`);
  const full = node.source.resolvePath(value);
  const stat = fs.existsSync(full) ? fs.statSync(full) : undefined;
  const ok =
    stat !== undefined &&
    (want === 'any' || (want === 'file' ? stat.isFile() : stat.isDirectory()));
  if (!ok) {
    const what = want === 'any' ? 'file or folder' : want;
    node.fail(
      `must be an existing local ${what} (relative paths start at the YAML file's folder; looked for ${full})`,
    );
  }
  return full;
}
