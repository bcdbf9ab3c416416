import { TerraformVariable } from 'cdktf';

import { MlWorkspace } from '../lib';
import {
  derivedNameBase,
  newStack,
  resolve,
  resource,
  synth,
  WORKSPACE_ID,
} from './helpers';

describe('MlWorkspace', () => {
  test('imports a workspace by ARM id and reads its GUID, region, storage and registry', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const ws = MlWorkspace.fromWorkspaceId(stack, 'Workspace', WORKSPACE_ID);

    // THEN
    expect(ws.workspaceName).toBe('ws1');
    expect(ws.resourceGroupName).toBe('rg-ml');
    expect(ws.subscriptionId).toBe('00000000-0000-0000-0000-000000000000');
    const out = synth(stack);
    expect(Object.values(out.data!.azapi_resource)[0]).toEqual({
      type: 'Microsoft.MachineLearningServices/workspaces@2025-09-01',
      resource_id: WORKSPACE_ID,
      response_export_values: [
        'location',
        'properties.workspaceId',
        'properties.storageAccount',
        'properties.containerRegistry',
      ],
    });
    expect(resolve(stack, ws.datastoreContainerName)).toMatch(
      /^azureml-blobstore-\$\{data\.azapi_resource\.Workspace_Lookup_[0-9A-F]{8}\.output\.properties\.workspaceId\}$/,
    );
    expect(resolve(stack, ws.storageAccountName)).toMatch(
      /^\$\{element\(split\("\/", .*output\.properties\.storageAccount\), 8\)\}$/,
    );
  });

  test('splits an id known only after apply with Terraform functions', () => {
    const stack = newStack();
    const id = new TerraformVariable(stack, 'workspace_id', { type: 'string' });
    const ws = MlWorkspace.fromWorkspaceId(stack, 'Workspace', id.stringValue);
    expect(resolve(stack, ws.workspaceName)).toBe(
      '${element(split("/", var.workspace_id), 8)}',
    );
    expect(resolve(stack, ws.resourceGroupName)).toBe(
      '${element(split("/", var.workspace_id), 4)}',
    );
  });

  test.each([
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x',
    'ws1',
    `${WORKSPACE_ID}/onlineEndpoints/ep`,
  ])('fails if the workspace id is %p', (id) => {
    expect(() =>
      MlWorkspace.fromWorkspaceId(newStack(), 'Workspace', id),
    ).toThrow(
      `\`workspaceId\` must be a workspace ARM id: /subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.MachineLearningServices/workspaces/<name>; got '${id}'`,
    );
  });

  test('creates a workspace with storage, key vault, insights and an optional registry', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const ws = new MlWorkspace(stack, 'Workspace', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      namePrefix: 'demo',
      containerRegistry: true,
    });

    // THEN
    const out = synth(stack);
    expect(
      resource(out, 'azurerm_machine_learning_workspace', 'Workspace'),
    ).toMatchObject({
      name: 'demo-ws',
      identity: { type: 'SystemAssigned' },
      storage_account_id: expect.stringMatching(
        /azurerm_storage_account\.Workspace_Storage_.*\.id/,
      ),
      key_vault_id: expect.stringMatching(/azurerm_key_vault\./),
      application_insights_id: expect.stringMatching(
        /azurerm_application_insights\./,
      ),
      container_registry_id: expect.stringMatching(
        /azurerm_container_registry\./,
      ),
    });
    expect(
      resource(out, 'azurerm_container_registry', 'Workspace_Registry'),
    ).toMatchObject({ admin_enabled: false, sku: 'Basic' });
    expect(
      derivedNameBase(
        resource(out, 'azurerm_key_vault', 'Workspace_KeyVault').name,
        24,
      ),
    ).toBe('demo-kv');
    expect(ws.location).toBe('westeurope');
    expect(ws.workspaceName).toBe('demo-ws');
    // uploads wait for the deployer's data role on the datastore container
    expect(
      resource(out, 'azurerm_role_assignment', 'Workspace_DeployerDataAccess'),
    ).toMatchObject({
      role_definition_name: 'Storage Blob Data Contributor',
      scope: expect.stringMatching(
        /\/blobServices\/default\/containers\/azureml-blobstore-\$\{azurerm_machine_learning_workspace\..*\.workspace_id\}$/,
      ),
    });
    expect(ws.uploadDependencies).toHaveLength(1);
  });

  test('fails if a given storage account name breaks the rule', () => {
    expect(
      () =>
        new MlWorkspace(newStack(), 'Workspace', {
          resourceGroupName: 'rg',
          location: 'l',
          storageAccountName: 'My_Storage',
        }),
    ).toThrow(
      "`storageAccountName` must be 3-24 characters of lowercase letters and digits; got 'My_Storage'",
    );
  });
});
