import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// the package entry point, as another project imports it
import * as lib from '..';

const SCORING = path.join(__dirname, '..', 'scoring');

describe('the public API', () => {
  test('a stack of its own: two endpoints read one BlobDataSource', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-'));
    const app = new App({ outdir: dir });
    const stack = new TerraformStack(app, 'two-endpoints');
    new AzurermProvider(stack, 'Azurerm', {
      features: [{}],
      storageUseAzuread: true,
    });
    new lib.AzapiProvider(stack, 'Azapi');
    new TimeProvider(stack, 'Time');
    const workspace = lib.MlWorkspace.fromWorkspaceId(
      stack,
      'Workspace',
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws',
    );
    const data = new lib.BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      files: [
        { blobName: 'hello.txt', sourcePath: path.join(SCORING, 'hello.txt') },
      ],
    });
    const deployment: lib.OnlineDeploymentOptions = {
      model: lib.ModelSource.fromLocalPath(path.join(SCORING, 'model')),
      code: {
        codePath: path.join(SCORING, 'onlinescoring'),
        scoringScript: 'score.py',
      },
      environment: lib.EnvironmentSource.fromImage(
        'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest',
        {
          condaFilePath: path.join(SCORING, 'environment', 'conda.yaml'),
        },
      ),
      environmentVariables: data.environmentVariables(),
    };

    // WHEN
    const endpoints = ['east', 'west'].map((id) => {
      const ep = new lib.ManagedEndpointWithIdentity(stack, id, {
        workspace,
        endpointName: `score-${id}`,
      });
      data.grantRead(ep);
      ep.addDeployment('blue', deployment);
      return ep;
    });
    app.synth();

    // THEN
    const out = JSON.parse(
      fs.readFileSync(
        path.join(dir, 'stacks', 'two-endpoints', 'cdk.tf.json'),
        'utf8',
      ),
    );
    const endpointsOut = Object.values(
      out.resource.azapi_resource as Record<
        string,
        { type: string; name: string }
      >,
    )
      .filter((r) => r.type === lib.ONLINE_ENDPOINT_TYPE)
      .map((r) => r.name);
    expect(endpointsOut.sort()).toEqual(['score-east', 'score-west']);
    expect(Object.keys(out.resource.azurerm_storage_account)).toHaveLength(1);
    const grants = Object.entries(
      out.resource.azurerm_role_assignment as Record<
        string,
        { principal_id: string }
      >,
    ).filter(([n]) => n.startsWith('Data_ReadGrant'));
    expect(grants.map(([, g]) => g.principal_id).sort()).toEqual([
      expect.stringMatching(
        /^\$\{azapi_resource\.east_[0-9A-F]{8}\.identity\[0\]\.principal_id\}$/,
      ),
      expect.stringMatching(
        /^\$\{azapi_resource\.west_[0-9A-F]{8}\.identity\[0\]\.principal_id\}$/,
      ),
    ]);
    // each deployment waits for its own endpoint's grant only
    for (const ep of endpoints) {
      const d = Object.entries(
        out.resource.azapi_resource as Record<
          string,
          { depends_on?: string[] }
        >,
      ).find(([n]) =>
        new RegExp(`^${ep.node.id}_blue_[0-9A-F]{8}$`).test(n),
      )![1];
      const own = grants.find(([, g]) =>
        g.principal_id.includes(`azapi_resource.${ep.node.id}_`),
      )![0];
      expect(d.depends_on).toContain(`azurerm_role_assignment.${own}`);
      expect(
        d.depends_on!.filter((x) => x.startsWith('azurerm_role_assignment')),
      ).toHaveLength(1);
    }
    // identical local assets are uploaded and registered once: two resources for one blob or one
    // version id would fail on apply
    const uploads = Object.values(
      out.resource.azurerm_storage_blob as Record<string, { name: string }>,
    ).map((b) => b.name);
    expect(uploads.filter((n) => n.includes('/onlinescoring/'))).toHaveLength(
      1,
    );
    const ids = Object.values(
      out.resource.azapi_resource as Record<
        string,
        { parent_id: string; name: string }
      >,
    ).map((r) => `${r.parent_id}/${r.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
