/**
 * The L1 baseline of the synth benchmark: the default app's Terraform
 * resources declared by hand with the generated bindings (deep imports of
 * `@cdktf/provider-azurerm` and `@cdktf/provider-time`) and the hand-written
 * azapi bindings, with no construct of this library in between.
 *
 * It does the work a careful hand-written program must do too (MD5 sums for
 * `content_md5`, content hashes for the upload path and asset versions, the
 * conda file's content), and nests resources in plain `Construct` scopes
 * named like the library's constructs, so that its logical ids match the
 * default app's and `bench/run.js` can diff the two JSON documents.
 * Names derived by the library from hashes are written here as literals, as
 * a hand-written program would.
 */
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MachineLearningWorkspace } from '@cdktf/provider-azurerm/lib/machine-learning-workspace';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import {
  App,
  AssetType,
  Fn,
  TerraformAsset,
  TerraformIterator,
  TerraformOutput,
  TerraformStack,
} from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { AzapiProvider } from '../lib/azapi/provider';
import { AzapiResource } from '../lib/azapi/resource';
import { AzapiUpdateResource } from '../lib/azapi/update-resource';

const SCORING = path.join(__dirname, '..', 'scoring');
const IMAGE = 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest';
const ML = 'Microsoft.MachineLearningServices/workspaces';
const API = '2025-09-01';
const LOCATION = 'eastus2';

/** The default app's stack, written with L1 bindings only. */
export class BaselineStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    new AzurermProvider(this, 'Azurerm', {
      features: [
        { machineLearning: [{ purgeSoftDeletedWorkspaceOnDestroy: true }] },
      ],
      storageUseAzuread: true,
    });
    new AzapiProvider(this, 'Azapi');
    new TimeProvider(this, 'Time');
    const rg = new ResourceGroup(this, 'ResourceGroup', {
      name: 'mlendpoint-rg',
      location: LOCATION,
    });
    const common = { resourceGroupName: rg.name, location: LOCATION };
    const secure = {
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: 'LRS',
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      defaultToOauthAuthentication: true,
    };

    // the workspace with what it needs
    const w = new Construct(this, 'Workspace');
    const client = new DataAzurermClientConfig(w, 'ClientConfig');
    const wsStorage = new StorageAccount(w, 'Storage', {
      ...common,
      ...secure,
      name: unique(
        'mlendpoint',
        client.subscriptionId,
        'azureml-endpoint/Workspace',
        '',
      ),
      sharedAccessKeyEnabled: true,
    });
    const keyVault = new KeyVault(w, 'KeyVault', {
      ...common,
      name: unique(
        'mlendpoint-kv',
        client.subscriptionId,
        'azureml-endpoint/Workspace',
        '',
      ),
      tenantId: client.tenantId,
      skuName: 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: false,
    });
    const logs = new LogAnalyticsWorkspace(w, 'Logs', {
      ...common,
      name: 'mlendpoint-logs',
      sku: 'PerGB2018',
      retentionInDays: 30,
    });
    const insights = new ApplicationInsights(w, 'Insights', {
      ...common,
      name: 'mlendpoint-insights',
      applicationType: 'web',
      workspaceId: logs.id,
    });
    const ws = new MachineLearningWorkspace(w, 'Resource', {
      ...common,
      name: 'mlendpoint-ws',
      storageAccountId: wsStorage.id,
      keyVaultId: keyVault.id,
      applicationInsightsId: insights.id,
      identity: { type: 'SystemAssigned' },
      publicNetworkAccessEnabled: true,
    });
    const datastore = `azureml-blobstore-${ws.workspaceId}`;
    const deployerAccess = new RoleAssignment(w, 'DeployerDataAccess', {
      scope: `${wsStorage.id}/blobServices/default/containers/${datastore}`,
      roleDefinitionName: 'Storage Blob Data Contributor',
      principalId: client.objectId,
      description: 'Lets the Terraform runner upload model and code assets.',
    });
    const uploadWait = new Sleep(w, 'DeployerDataAccessWait', {
      createDuration: '60s',
      triggers: { role_assignment_id: deployerAccess.id },
    });

    // the data: a private container with one file
    const d = new Construct(this, 'Data');
    const dataClient = new DataAzurermClientConfig(d, 'ClientConfig');
    const account = new StorageAccount(d, 'Account', {
      ...secure,
      ...common,
      name: unique(
        'mlendpointdata',
        dataClient.subscriptionId,
        'azureml-endpoint/Data',
        '',
      ),
      sharedAccessKeyEnabled: false,
    });
    const container = new StorageContainer(d, 'Container', {
      name: 'mlcontainer',
      storageAccountId: account.id,
      containerAccessType: 'private',
    });
    const containerId = `${account.id}/blobServices/default/containers/${container.name}`;
    const deployerWrite = new RoleAssignment(d, 'DeployerWrite', {
      scope: containerId,
      roleDefinitionName: 'Storage Blob Data Contributor',
      principalId: dataClient.objectId,
      description: 'Lets the Terraform runner upload the data files.',
    });
    const writeWait = new Sleep(d, 'DeployerWriteWait', {
      createDuration: '60s',
      triggers: { role_assignment_id: deployerWrite.id },
    });
    const helloPath = path.join(SCORING, 'hello.txt');
    const hello = new TerraformAsset(d, 'File', {
      path: helloPath,
      type: AssetType.FILE,
    });
    const dataFiles = TerraformIterator.fromMap({
      'hello.txt': { source: hello.path, md5: md5(helloPath) },
    });
    new StorageBlob(d, 'Blobs', {
      forEach: dataFiles,
      name: dataFiles.key,
      storageAccountName: account.name,
      storageContainerName: container.name,
      type: 'Block',
      source: dataFiles.getString('source'),
      contentMd5: dataFiles.getString('md5'),
      dependsOn: [writeWait],
    });

    // the endpoint, its grant and the wait for the role to propagate
    const e = new Construct(this, 'Endpoint');
    const endpointType = `${ML}/onlineEndpoints@${API}`;
    const endpoint = new AzapiResource(e, 'Resource', {
      type: endpointType,
      name: `mlendpoint-${Fn.substr(Fn.sha1(Fn.join('/', [client.subscriptionId, 'mlendpoint'])), 0, 8)}`,
      parentId: ws.id,
      location: LOCATION,
      identity: { type: 'SystemAssigned' },
      body: { properties: { authMode: 'Key', publicNetworkAccess: 'Enabled' } },
      responseExportValues: ['properties.scoringUri', 'properties.swaggerUri'],
      replaceTriggersExternalValues: ['SystemAssigned'],
    });
    const readGrant = new RoleAssignment(d, 'ReadGrant', {
      scope: containerId,
      roleDefinitionName: 'Storage Blob Data Reader',
      principalId: endpoint.identityPrincipalId,
      principalType: 'ServicePrincipal',
      description: 'Lets the endpoint identity read the data container.',
    });
    const roleWait = new Sleep(e, 'RolePropagationWait', {
      createDuration: '120s',
      triggers: { role_assignment_0: readGrant.id },
      dependsOn: [readGrant],
    });

    // the `blue` deployment: model, environment and code versions, uploads first
    const b = new Construct(e, 'blue');
    const upload = (scope: Construct, folder: string) => {
      const u = new Construct(scope, 'Upload');
      const files = filesOf(folder);
      const hash = sha256(...files.flatMap((f) => [f.rel, f.md5]));
      const blobPath = `LocalUpload/${hash.slice(0, 32)}/${path.basename(folder)}`;
      const asset = new TerraformAsset(u, 'Asset', {
        path: folder,
        type: AssetType.DIRECTORY,
      });
      const each = TerraformIterator.fromMap(
        Object.fromEntries(
          files.map((f) => [
            f.rel,
            { source: `${asset.path}/${f.rel}`, md5: f.md5 },
          ]),
        ),
      );
      const blobs = new StorageBlob(u, 'Files', {
        forEach: each,
        name: `${blobPath}/${each.key}`,
        storageAccountName: wsStorage.name,
        storageContainerName: datastore,
        type: 'Block',
        source: each.getString('source'),
        contentMd5: each.getString('md5'),
        dependsOn: [uploadWait],
        lifecycle: { createBeforeDestroy: true },
      });
      return { hash, blobPath, blobs };
    };

    const m = new Construct(b, 'Model');
    const modelUpload = upload(m, path.join(SCORING, 'model'));
    const model = new AzapiResource(m, 'Resource', {
      type: `${ML}/models/versions@${API}`,
      name: '1',
      parentId: `${ws.id}/models/${guid(modelUpload.hash)}`,
      body: {
        properties: {
          modelUri:
            `azureml://subscriptions/${client.subscriptionId}/resourcegroups/${rg.name}` +
            `/workspaces/mlendpoint-ws/datastores/workspaceblobstore/paths/${modelUpload.blobPath}`,
          modelType: 'custom_model',
          isAnonymous: true,
        },
      },
      dependsOn: [modelUpload.blobs],
      lifecycle: { createBeforeDestroy: true },
    });

    const conda = fs.readFileSync(
      path.join(SCORING, 'environment', 'conda.yaml'),
      'utf8',
    );
    const environment = new AzapiResource(
      new Construct(b, 'Environment'),
      'Resource',
      {
        type: `${ML}/environments/versions@${API}`,
        name: sha256(IMAGE, conda).slice(0, 32),
        parentId: `${ws.id}/environments/CliV2AnonymousEnvironment`,
        body: {
          properties: {
            image: IMAGE,
            condaFile: conda,
            osType: 'Linux',
            isAnonymous: true,
          },
        },
        lifecycle: { createBeforeDestroy: true },
      },
    );

    const c = new Construct(b, 'Code');
    const codeUpload = upload(c, path.join(SCORING, 'onlinescoring'));
    const code = new AzapiResource(c, 'Resource', {
      type: `${ML}/codes/versions@${API}`,
      name: '1',
      parentId: `${ws.id}/codes/${guid(codeUpload.hash)}`,
      body: {
        properties: {
          codeUri: `https://${wsStorage.name}.blob.core.windows.net/${datastore}/${codeUpload.blobPath}`,
          isAnonymous: true,
        },
      },
      dependsOn: [codeUpload.blobs],
      lifecycle: { createBeforeDestroy: true },
    });

    const deployment = new AzapiResource(b, 'Resource', {
      type: `${ML}/onlineEndpoints/deployments@${API}`,
      name: 'blue',
      parentId: endpoint.id,
      location: LOCATION,
      body: {
        sku: { name: 'Default', capacity: 1 },
        properties: {
          endpointComputeType: 'Managed',
          model: model.id,
          codeConfiguration: { codeId: code.id, scoringScript: 'score.py' },
          environmentId: environment.id,
          environmentVariables: {
            STORAGE_ACCOUNT_NAME: account.name,
            STORAGE_CONTAINER_NAME: container.name,
            FILE_NAME: 'hello.txt',
            IDENTITY_KIND: 'system_assigned',
          },
          instanceType: 'Standard_DS3_v2',
          appInsightsEnabled: true,
          egressPublicNetworkAccess: 'Enabled',
        },
      },
      timeouts: { create: '90m', update: '90m', delete: '60m' },
      dependsOn: [readGrant, roleWait],
    });

    new AzapiUpdateResource(e, 'TrafficRouting', {
      type: endpointType,
      resourceId: endpoint.id,
      body: { properties: { traffic: { blue: 100 } } },
      dependsOn: [deployment],
      lifecycle: { replaceTriggeredBy: [endpoint] },
    });

    new TerraformOutput(this, 'endpoint_name', { value: endpoint.name });
    new TerraformOutput(this, 'scoring_uri', {
      value: endpoint.outputValue('properties.scoringUri'),
    });
    new TerraformOutput(this, 'principal_id', {
      value: endpoint.identityPrincipalId,
    });
    new TerraformOutput(this, 'storage_account_name', { value: account.name });
    new TerraformOutput(this, 'resource_group_name', { value: rg.name });
    new TerraformOutput(this, 'workspace_name', { value: 'mlendpoint-ws' });
    new TerraformOutput(this, 'storage_container_name', {
      value: container.name,
    });
  }
}

/** Builds the baseline app (same stack name as the default app). */
export function buildBaselineApp(outdir?: string): App {
  const app = new App(outdir ? { outdir } : {});
  new BaselineStack(app, 'azureml-endpoint');
  return app;
}

interface FileSum {
  readonly rel: string;
  readonly md5: string;
}

/** Files under a folder, sorted by name, with their MD5 sums. */
function filesOf(root: string, prefix = ''): FileSum[] {
  const skip = (name: string) =>
    name === '__pycache__' || name.startsWith('.') || name.endsWith('.pyc');
  const entries = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((x) => !skip(x.name))
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return entries.flatMap((x) => {
    const rel = prefix ? `${prefix}/${x.name}` : x.name;
    const full = path.join(root, x.name);
    if (x.isDirectory()) return filesOf(full, rel);
    return x.isFile() ? [{ rel, md5: md5(full) }] : [];
  });
}

function md5(file: string): string {
  return createHash('md5').update(fs.readFileSync(file)).digest('hex');
}

function sha256(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p}\0`);
  return h.digest('hex');
}

function guid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

if (require.main === module) {
  buildBaselineApp().synth();
}

/** A name with a suffix Terraform hashes from the subscription at plan. */
function unique(
  base: string,
  subscriptionId: string,
  path: string,
  seed: string,
): string {
  return `${base}${Fn.substr(Fn.sha1(Fn.join('/', [subscriptionId, path, seed])), 0, 8)}`;
}
