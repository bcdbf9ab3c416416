import { TerraformStack } from 'cdktf';
import * as path from 'path';

import {
  BlobDataSource,
  EnvironmentSource,
  IMlWorkspace,
  MlWorkspace,
  ModelSource,
  OnlineDeploymentOptions,
} from '../lib';
import { newStack, WORKSPACE_ID } from './helpers';

export const SCORING = path.join(__dirname, '..', 'scoring');
export const IMAGE =
  'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest';

/** A stack with providers, an imported workspace and a data source. */
export function scenario(): {
  stack: TerraformStack;
  workspace: IMlWorkspace;
  data: BlobDataSource;
} {
  const stack = newStack();
  const workspace = MlWorkspace.fromWorkspaceId(
    stack,
    'Workspace',
    WORKSPACE_ID,
  );
  const data = new BlobDataSource(stack, 'Data', {
    resourceGroupName: 'rg-ml',
    location: 'westeurope',
    files: [
      { blobName: 'hello.txt', sourcePath: path.join(SCORING, 'hello.txt') },
    ],
  });
  return { stack, workspace, data };
}

/** The tutorial's deployment: local model, code and conda environment. */
export function tutorialDeployment(
  extra: Partial<OnlineDeploymentOptions> = {},
): OnlineDeploymentOptions {
  return {
    model: ModelSource.fromLocalPath(path.join(SCORING, 'model')),
    code: {
      codePath: path.join(SCORING, 'onlinescoring'),
      scoringScript: 'score.py',
    },
    environment: EnvironmentSource.fromImage(IMAGE, {
      condaFilePath: path.join(SCORING, 'environment', 'conda.yaml'),
    }),
    ...extra,
  };
}
