import * as fs from 'fs';

import { fail, imageProblem } from './private/validation';

/** How a model was saved; decides whether a scoring script is needed. */
export enum ModelType {
  CUSTOM = 'custom_model',
  MLFLOW = 'mlflow_model',
  TRITON = 'triton_model',
}

/** A named, versioned asset. */
export interface AssetName {
  /** Asset name. */
  readonly name: string;
  /** Asset version. */
  readonly version: string;
}

export interface LocalModelOptions {
  /**
   * Register under this name and version.
   * @default - an anonymous asset named by its content hash, version '1'
   */
  readonly asset?: AssetName;
  /** @default ModelType.CUSTOM */
  readonly modelType?: ModelType;
  /** @default - none */
  readonly description?: string;
}

export interface ModelReferenceOptions {
  /**
   * The model's type, when known: an MLflow model needs no scoring script.
   * @default ModelType.CUSTOM
   */
  readonly modelType?: ModelType;
}

/** Where a deployment's model comes from. */
export class ModelSource {
  /**
   * A local folder or file, uploaded and registered as a model version.
   * The scoring script finds a folder `model/` as
   * `$AZUREML_MODEL_DIR/model/...`.
   */
  public static fromLocalPath(
    path: string,
    options: LocalModelOptions = {},
  ): ModelSource {
    return new ModelSource({ kind: 'local', path, ...options });
  }

  /**
   * A registered model: `azureml:<name>:<version>`, an ARM id, or a registry
   * URI (`azureml://registries/<registry>/models/<name>/versions/<version>`).
   */
  public static fromReference(
    reference: string,
    options: ModelReferenceOptions = {},
  ): ModelSource {
    return new ModelSource({ kind: 'reference', reference, ...options });
  }

  private constructor(public readonly spec: ModelSpec) {}

  /** The model type (custom unless told otherwise). */
  public get modelType(): ModelType {
    return this.spec.modelType ?? ModelType.CUSTOM;
  }
}

export type ModelSpec =
  | ({ kind: 'local'; path: string } & LocalModelOptions)
  | ({ kind: 'reference'; reference: string } & ModelReferenceOptions);

export interface ImageEnvironmentOptions {
  /**
   * Local path of a conda YAML file; its content is sent as `condaFile`.
   * @default - the image as it is
   */
  readonly condaFilePath?: string;
  /**
   * The conda YAML itself, sent as `condaFile` (instead of `condaFilePath`).
   * @default - the image as it is
   */
  readonly condaFileContent?: string;
  /**
   * Register under this name and version.
   * @default - 'CliV2AnonymousEnvironment', version hashed from the image and
   * the conda content (what the az ml tooling does)
   */
  readonly asset?: AssetName;
  /** @default - none */
  readonly description?: string;
}

/** Where a deployment's environment comes from. */
export class EnvironmentSource {
  /** A docker image, with an optional conda file layered on it. */
  public static fromImage(
    image: string,
    options: ImageEnvironmentOptions = {},
  ): EnvironmentSource {
    const problem = imageProblem(image);
    if (problem) fail('environment.image', image, problem);
    let condaFile: string | undefined;
    if (options.condaFilePath !== undefined) {
      if (
        !fs.existsSync(options.condaFilePath) ||
        !fs.statSync(options.condaFilePath).isFile()
      ) {
        fail(
          'environment.condaFilePath',
          options.condaFilePath,
          'must be an existing conda YAML file',
        );
      }
      condaFile = fs.readFileSync(options.condaFilePath, 'utf8');
    }
    if (options.condaFileContent !== undefined) {
      if (condaFile !== undefined) {
        fail(
          'environment.condaFileContent',
          options.condaFileContent,
          'must not be given with `condaFilePath`',
        );
      }
      condaFile = options.condaFileContent;
    }
    return new EnvironmentSource({
      kind: 'image',
      image,
      condaFile,
      asset: options.asset,
      description: options.description,
    });
  }

  /**
   * A registered environment: `azureml:<name>:<version>`, an ARM id, or a
   * registry URI (`azureml://registries/<registry>/environments/<name>/versions/<version>`).
   */
  public static fromReference(reference: string): EnvironmentSource {
    return new EnvironmentSource({ kind: 'reference', reference });
  }

  private constructor(public readonly spec: EnvironmentSpec) {}
}

export type EnvironmentSpec =
  | {
      kind: 'image';
      image: string;
      /** @default - no conda file: the image as it is */
      condaFile?: string;
      /** @default - anonymous, versioned by content */
      asset?: AssetName;
      /** @default - none */
      description?: string;
    }
  | { kind: 'reference'; reference: string };

/** The scoring code of a deployment. */
export interface CodeConfiguration {
  /**
   * Local folder uploaded as a code version. Give this or `codeReference`.
   * @default - none
   */
  readonly codePath?: string;
  /**
   * A registered code version (`azureml:<name>:<version>` or ARM id).
   * @default - none
   */
  readonly codeReference?: string;
  /** Path of the scoring script, relative to the code folder. */
  readonly scoringScript: string;
}
