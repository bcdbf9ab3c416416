/**
 * The scaling app of the synth benchmark: one stack with one workspace, one
 * data source and N endpoints, each with one deployment of the scoring code
 * (local model, code and environment, as in the default app) and a read grant
 * on the shared container. Built with the public API only.
 */
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import * as path from 'path';

import {
  AzapiProvider,
  BlobDataSource,
  EnvironmentSource,
  ManagedEndpointWithIdentity,
  MlWorkspace,
  ModelSource,
} from '../lib';

const SCORING = path.join(__dirname, '..', 'scoring');
const IMAGE = 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest';

export interface ScalingStackProps {
  /** Number of endpoints, each with one deployment. */
  readonly endpoints: number;
}

/** N endpoints sharing one workspace and one blob data source. */
export class ScalingStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ScalingStackProps) {
    super(scope, id);

    new AzurermProvider(this, 'Azurerm', {
      features: [{}],
      storageUseAzuread: true,
    });
    new AzapiProvider(this, 'Azapi');
    new TimeProvider(this, 'Time');
    const rg = new ResourceGroup(this, 'ResourceGroup', {
      name: 'mlbench-rg',
      location: 'eastus2',
    });

    const workspace = new MlWorkspace(this, 'Workspace', {
      resourceGroupName: rg.name,
      location: 'eastus2',
      namePrefix: 'mlbench',
    });
    const data = new BlobDataSource(this, 'Data', {
      resourceGroupName: rg.name,
      location: 'eastus2',
      namePrefix: 'mlbenchdata',
      containerName: 'mlcontainer',
      files: [
        { blobName: 'hello.txt', sourcePath: path.join(SCORING, 'hello.txt') },
      ],
    });
    const environment = EnvironmentSource.fromImage(IMAGE, {
      condaFilePath: path.join(SCORING, 'environment', 'conda.yaml'),
    });

    for (let i = 0; i < props.endpoints; i++) {
      const endpoint = new ManagedEndpointWithIdentity(this, `Endpoint${i}`, {
        workspace,
        endpointName: `bench-ep-${i}`,
      });
      data.grantRead(endpoint);
      endpoint.addDeployment('blue', {
        model: ModelSource.fromLocalPath(path.join(SCORING, 'model')),
        code: {
          codePath: path.join(SCORING, 'onlinescoring'),
          scoringScript: 'score.py',
        },
        environment,
        environmentVariables: data.environmentVariables('hello.txt'),
      });
    }
  }
}

/** Builds the scaling app with `endpoints` endpoints. */
export function buildScalingApp(endpoints: number, outdir?: string): App {
  if (!Number.isInteger(endpoints) || endpoints < 1) {
    throw new Error(
      `\`endpoints\` must be a whole number of at least 1; got ${endpoints}`,
    );
  }
  const app = new App(outdir ? { outdir } : {});
  new ScalingStack(app, 'scaling', { endpoints });
  return app;
}

if (require.main === module) {
  buildScalingApp(Number(process.argv[2] ?? '1')).synth();
}
