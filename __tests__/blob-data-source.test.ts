import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import * as path from 'path';

import { BlobDataSource } from '../lib';
import { SCORING } from './fixtures';
import {
  address,
  derivedNameBase,
  newStack,
  resource,
  resources,
  synth,
} from './helpers';

const HELLO = path.join(SCORING, 'hello.txt');

describe('BlobDataSource', () => {
  test('creates a locked-down account, a private container and the blob', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      containerName: 'mlcontainer',
      files: [{ blobName: 'hello.txt', sourcePath: HELLO }],
    });

    // THEN
    const out = synth(stack);
    expect(
      resource(out, 'azurerm_storage_account', 'Data_Account'),
    ).toMatchObject({
      account_kind: 'StorageV2',
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
    });
    expect(
      resource(out, 'azurerm_storage_container', 'Data_Container'),
    ).toMatchObject({
      name: 'mlcontainer',
      container_access_type: 'private',
    });
    const blobs = resource(out, 'azurerm_storage_blob', 'Data_Blobs') as any;
    expect(blobs).toMatchObject({
      name: '${each.key}',
      type: 'Block',
      source: '${each.value.source}',
      content_md5: '${each.value.md5}',
    });
    expect(blobs.for_each).toEqual({
      'hello.txt': {
        source: expect.stringMatching(
          /^assets\/Data_File-[0-9a-f]{16}_[0-9A-F]{8}\/[0-9A-F]{32}\/hello\.txt$/,
        ),
        md5: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    });
  });

  test('with shared keys off, uploads only after the deployer got a data role (FR-11)', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      files: [{ blobName: 'hello.txt', sourcePath: HELLO }],
    });

    // THEN
    const out = synth(stack);
    const grant = resource(
      out,
      'azurerm_role_assignment',
      'Data_DeployerWrite',
    );
    expect(grant).toMatchObject({
      role_definition_name: 'Storage Blob Data Contributor',
      principal_id: expect.stringMatching(
        /^\$\{data\.azurerm_client_config\..*\.object_id\}$/,
      ),
      scope: expect.stringContaining('/blobServices/default/containers/'),
    });
    const wait = address(out, 'time_sleep', 'Data_DeployerWriteWait');
    expect(
      resource(out, 'time_sleep', 'Data_DeployerWriteWait').triggers,
    ).toEqual({
      role_assignment_id: `\${${address(out, 'azurerm_role_assignment', 'Data_DeployerWrite')}.id}`,
    });
    expect(
      resource(out, 'azurerm_storage_blob', 'Data_Blobs').depends_on,
    ).toEqual([wait]);
  });

  test('fails synth if shared keys are off and the provider does not use Entra ID for storage (FR-11)', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    new AzurermProvider(stack, 'Azurerm', { features: [{}] });

    // WHEN
    new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
    });

    // THEN
    expect(() => Testing.synth(stack, true)).toThrow(
      "BlobDataSource 'test/Data' has shared keys off: configure the azurerm provider with `storageUseAzuread: true` (Entra ID for storage data-plane calls), or set `sharedAccessKeyEnabled: true`; got storageUseAzuread undefined on 'test/Azurerm'",
    );
  });

  test('judges the default provider, not an aliased one (FR-11)', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    new AzurermProvider(stack, 'Azurerm', {
      features: [{}],
      storageUseAzuread: true,
    });
    new AzurermProvider(stack, 'Other', { alias: 'other', features: [{}] });

    // WHEN
    new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
    });

    // THEN
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test('fails synth without any default azurerm provider (FR-11)', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new AzurermProvider(stack, 'Other', {
      alias: 'other',
      features: [{}],
      storageUseAzuread: true,
    });
    new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'l',
    });
    expect(() => Testing.synth(stack, true)).toThrow(
      'got no default azurerm provider in the stack',
    );
  });

  test('with shared keys on, needs neither the deployer grant nor Entra ID', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new AzurermProvider(stack, 'Azurerm', { features: [{}] });
    new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      sharedAccessKeyEnabled: true,
      files: [{ blobName: 'hello.txt', sourcePath: HELLO }],
    });
    const out = JSON.parse(Testing.synth(stack, true));
    expect(out.resource.azurerm_role_assignment).toBeUndefined();
    expect(
      Object.values(out.resource.azurerm_storage_account as object)[0]
        .shared_access_key_enabled,
    ).toBe(true);
  });

  test('derives a valid account name from any prefix (FR-7)', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      namePrefix: 'ml-demo-Prod',
    });
    new BlobDataSource(stack, 'Long', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      namePrefix: 'A'.repeat(40),
    });
    new BlobDataSource(stack, 'Odd', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      namePrefix: '--__--',
    });

    // THEN
    const names = Object.values(
      resources(synth(stack), 'azurerm_storage_account'),
    ).map((a) => a.name as string);
    expect(names).toHaveLength(3);
    const bases = names.map((n) => derivedNameBase(n, 24));
    for (const b of bases) expect(b).toMatch(/^[a-z0-9]+$/);
    expect(bases).toEqual(
      expect.arrayContaining(['mldemoprod', 'a'.repeat(16), 'ml']),
    );
    // the same prefix in two places: the construct path tells them apart
    expect(new Set(names).size).toBe(3);
  });

  test('environmentVariables name the account, container and file', () => {
    const stack = newStack();
    const data = new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
      files: [{ blobName: 'hello.txt', sourcePath: HELLO }],
    });
    expect(Object.keys(data.environmentVariables())).toEqual([
      'STORAGE_ACCOUNT_NAME',
      'STORAGE_CONTAINER_NAME',
      'FILE_NAME',
    ]);
    expect(data.environmentVariables().FILE_NAME).toBe('hello.txt');
    expect(() => data.environmentVariables('other.txt')).toThrow(
      "`blobName` must be one of the uploaded files (hello.txt); got 'other.txt'",
    );
  });

  test('an existing account gets the container and grants, nothing else', () => {
    const stack = newStack();
    const id =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/existingacct';
    const data = new BlobDataSource(stack, 'Data', {
      existingStorageAccountId: id,
    });
    const out = synth(stack);
    expect(out.resource.azurerm_storage_account).toBeUndefined();
    expect(data.storageAccountName).toBe('existingacct');
    expect(
      resource(out, 'azurerm_storage_container', 'Data_Container')
        .storage_account_id,
    ).toBe(id);
  });

  test('grants one reader role per identity, however often asked', () => {
    // GIVEN
    const stack = newStack();
    const data = new BlobDataSource(stack, 'Data', {
      resourceGroupName: 'rg',
      location: 'westeurope',
    });
    const grantee = { principalId: '11111111-1111-1111-1111-111111111111' };

    // WHEN
    const first = data.grantRead(grantee);
    const again = data.grantRead(grantee);

    // THEN
    expect(again).toBe(first);
    expect(
      Object.keys(resources(synth(stack), 'azurerm_role_assignment')),
    ).toHaveLength(1);
  });

  test('fails if a name prefix is known only after apply (FR-7, FR-12)', () => {
    const stack = newStack();
    const prefix = new TerraformVariable(stack, 'prefix', { type: 'string' });
    expect(
      () =>
        new BlobDataSource(stack, 'Data', {
          resourceGroupName: 'rg',
          location: 'westeurope',
          namePrefix: prefix.stringValue,
        }),
    ).toThrow(
      '`namePrefix` must be a literal to derive names from it (a value known only after apply would put token text into names); give the names themselves instead',
    );
  });

  describe('fails with the field, the value and the rule', () => {
    test.each<
      [string, ConstructorParameters<typeof BlobDataSource>[2], string]
    >([
      [
        'an account name with capitals',
        {
          resourceGroupName: 'rg',
          location: 'l',
          storageAccountName: 'MlData',
        },
        "`storageAccountName` must be 3-24 characters of lowercase letters and digits; got 'MlData'",
      ],
      [
        'an account name with a dash',
        {
          resourceGroupName: 'rg',
          location: 'l',
          storageAccountName: 'ml-data',
        },
        "`storageAccountName` must be 3-24 characters of lowercase letters and digits; got 'ml-data'",
      ],
      [
        'an account name of 25 characters',
        {
          resourceGroupName: 'rg',
          location: 'l',
          storageAccountName: 'a'.repeat(25),
        },
        `\`storageAccountName\` must be 3-24 characters of lowercase letters and digits; got '${'a'.repeat(25)}'`,
      ],
      [
        'a container name with capitals',
        { resourceGroupName: 'rg', location: 'l', containerName: 'Data' },
        "`containerName` must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got 'Data'",
      ],
      [
        'a container name with two hyphens',
        { resourceGroupName: 'rg', location: 'l', containerName: 'my--data' },
        "`containerName` must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got 'my--data'",
      ],
      [
        'a two-letter container name',
        { resourceGroupName: 'rg', location: 'l', containerName: 'ab' },
        "`containerName` must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got 'ab'",
      ],
      [
        'no resource group for a new account',
        { location: 'l' },
        '`resourceGroupName` is required when no `existingStorageAccountId` is given; got nothing',
      ],
      [
        'a missing file',
        {
          resourceGroupName: 'rg',
          location: 'l',
          files: [{ blobName: 'a.txt', sourcePath: 'missing.txt' }],
        },
        "`files[0].sourcePath` must be an existing file; got 'missing.txt'",
      ],
      [
        'a blob name ending in a slash',
        {
          resourceGroupName: 'rg',
          location: 'l',
          files: [{ blobName: 'dir/', sourcePath: HELLO }],
        },
        "`files[0].blobName` must be 1-1024 characters, not ending with '.', '/' or '\\'; got 'dir/'",
      ],
      [
        'the same blob twice',
        {
          resourceGroupName: 'rg',
          location: 'l',
          files: [
            { blobName: 'a.txt', sourcePath: HELLO },
            { blobName: 'a.txt', sourcePath: HELLO },
          ],
        },
        "`files[1].blobName` must be unique within the container; got 'a.txt'",
      ],
    ])('%s', (_, props, message) => {
      expect(() => new BlobDataSource(newStack(), 'Data', props)).toThrow(
        message,
      );
    });
  });
});
