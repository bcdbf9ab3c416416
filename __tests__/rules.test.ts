import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import {
  Aspects,
  Testing,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
} from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  AuthMode,
  AzapiProvider,
  EnvironmentSource,
  ManagedEndpointWithIdentity,
  ML_SECURITY_RULES,
  MlSecurityChecks,
  MlWorkspace,
  ModelSource,
  RuleLevel,
  suppressRule,
  UserAssignedIdentity,
} from '../lib';
import { configFromEnv, EndpointStack } from '../main';

const WORKSPACE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1';
const SUBSCRIPTION = '/subscriptions/00000000-0000-0000-0000-000000000000';
const ACCOUNT_ID = `${SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/mldata1`;

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AzurermProvider(stack, 'Azurerm', {
    features: [{}],
    storageUseAzuread: true,
  });
  new AzapiProvider(stack, 'Azapi');
  return stack;
}

/** Runs the pack (through the synth that applies aspects) and returns it. */
function check(stack: TerraformStack): MlSecurityChecks {
  const checks = new MlSecurityChecks();
  Aspects.of(stack).add(checks);
  Testing.synth(stack);
  return checks;
}

/** Active findings as `ruleId path` lines, sorted. */
function active(checks: MlSecurityChecks): string[] {
  return checks.activeFindings
    .map((f) => `${f.ruleId} ${f.constructPath}`)
    .sort();
}

function annotations(
  scope: IConstruct,
  type: 'error' | 'warn' | 'info',
): string[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === `@cdktf/${type}`)
    .map((m) => String(m.data));
}

/** A storage account with secure settings, to change one at a time. */
function account(
  scope: Construct,
  id: string,
  extra: Partial<ConstructorParameters<typeof StorageAccount>[2]> = {},
) {
  return new StorageAccount(scope, id, {
    name: 'mldata1',
    resourceGroupName: 'rg',
    location: 'westeurope',
    accountTier: 'Standard',
    accountReplicationType: 'LRS',
    minTlsVersion: 'TLS1_2',
    allowNestedItemsToBePublic: false,
    sharedAccessKeyEnabled: false,
    ...extra,
  });
}

function grant(
  scope: Construct,
  id: string,
  extra: Partial<ConstructorParameters<typeof RoleAssignment>[2]> = {},
) {
  return new RoleAssignment(scope, id, {
    scope: `${ACCOUNT_ID}/blobServices/default/containers/data`,
    roleDefinitionName: 'Storage Blob Data Reader',
    principalId: '11111111-1111-1111-1111-111111111111',
    principalType: 'ServicePrincipal',
    ...extra,
  });
}

function endpointStack(
  props: { authMode?: AuthMode; publicNetworkAccess?: boolean } = {},
) {
  const stack = newStack();
  const workspace = MlWorkspace.fromWorkspaceId(
    stack,
    'Workspace',
    WORKSPACE_ID,
  );
  const endpoint = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
    workspace,
    endpointName: 'score-ep',
    authMode: props.authMode ?? AuthMode.AAD_TOKEN,
    publicNetworkAccess: props.publicNetworkAccess ?? false,
  });
  return { stack, endpoint };
}

const registered = {
  model: ModelSource.fromReference('azureml:credit-model:3'),
  code: { codeReference: 'azureml:score-code:1', scoringScript: 'score.py' },
  environment: EnvironmentSource.fromReference('azureml:sklearn-env:1'),
  egressPublicNetworkAccess: false,
};

describe('MlSecurityChecks', () => {
  describe('on the default app', () => {
    test.each<[string, NodeJS.ProcessEnv, string[]]>([
      [
        'system-assigned identity, new workspace',
        {},
        [
          'AML-DP-2 azureml-endpoint/Endpoint/blue/Resource',
          'AML-EP-1 azureml-endpoint/Endpoint/Resource',
          'AML-EP-2 azureml-endpoint/Endpoint/Resource',
          'AML-IAM-3 azureml-endpoint/Data/DeployerWrite',
          'AML-IAM-3 azureml-endpoint/Workspace/DeployerDataAccess',
          'AML-ST-3 azureml-endpoint/Workspace/Storage',
        ],
      ],
      [
        'user-assigned identity',
        { IDENTITY_TYPE: 'user' },
        [
          'AML-DP-2 azureml-endpoint/Endpoint/blue/Resource',
          'AML-EP-1 azureml-endpoint/Endpoint/Resource',
          'AML-EP-2 azureml-endpoint/Endpoint/Resource',
          'AML-IAM-3 azureml-endpoint/Data/DeployerWrite',
          'AML-IAM-3 azureml-endpoint/Workspace/DeployerDataAccess',
          'AML-ST-3 azureml-endpoint/Workspace/Storage',
        ],
      ],
      [
        'an existing workspace',
        { WORKSPACE_ID, GRANT_DEPLOYER_DATA_ACCESS: 'true' },
        [
          'AML-DP-2 azureml-endpoint/Endpoint/blue/Resource',
          'AML-EP-1 azureml-endpoint/Endpoint/Resource',
          'AML-EP-2 azureml-endpoint/Endpoint/Resource',
          'AML-IAM-3 azureml-endpoint/Data/DeployerWrite',
          'AML-IAM-3 azureml-endpoint/Workspace/DeployerDataAccess',
        ],
      ],
    ])(
      'passes with zero findings, every waiver suppressed with its reason (%s)',
      (_, env, suppressed) => {
        // GIVEN
        const stack = new EndpointStack(Testing.app(), configFromEnv(env));

        // WHEN
        Testing.synth(stack, true);

        // THEN
        const checks = stack.securityChecks;
        expect(checks.activeFindings).toEqual([]);
        expect(annotations(stack, 'error')).toEqual([]);
        expect(annotations(stack, 'warn')).toEqual([]);
        expect(
          checks.findings.map((f) => `${f.ruleId} ${f.constructPath}`).sort(),
        ).toEqual(suppressed);
        for (const f of checks.findings)
          expect(f.suppressedBecause!.length).toBeGreaterThanOrEqual(10);
        expect(annotations(stack, 'info')).toHaveLength(suppressed.length);
      },
    );

    test('cdktf synth of the default app succeeds (no error annotation)', () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
      const app = Testing.app({ outdir });
      new EndpointStack(app, configFromEnv({}));
      expect(() => app.synth()).not.toThrow();
    });
  });

  describe('on a deliberately weak stack', () => {
    function weakStack() {
      const { stack, endpoint } = endpointStack({
        authMode: AuthMode.KEY,
        publicNetworkAccess: true,
      });
      const store = account(stack, 'Store', {
        minTlsVersion: 'TLS1_0',
        httpsTrafficOnlyEnabled: false,
        sharedAccessKeyEnabled: undefined,
        allowNestedItemsToBePublic: undefined,
      });
      new StorageContainer(stack, 'Public', {
        name: 'public',
        storageAccountId: store.id,
        containerAccessType: 'blob',
      });
      grant(stack, 'OwnerEverywhere', {
        scope: SUBSCRIPTION,
        roleDefinitionName: 'Owner',
        principalType: undefined,
      });
      const identity = new UserAssignedIdentity(stack, 'Id', {
        name: 'ep-identity',
        resourceGroupName: 'rg',
        location: 'westeurope',
      });
      grant(stack, 'ToClientId', { principalId: identity.clientId });
      endpoint.addDeployment('blue', {
        ...registered,
        appInsightsEnabled: false,
        egressPublicNetworkAccess: true,
        environmentVariables: { STORAGE_KEY: store.primaryAccessKey },
      });
      new TerraformOutput(stack, 'key', {
        value: endpoint.retrieveKeys().primaryKey,
      });
      new ContainerRegistry(stack, 'Registry', {
        name: 'mlreg1',
        resourceGroupName: 'rg',
        location: 'westeurope',
        sku: 'Basic',
        adminEnabled: true,
      });
      return stack;
    }

    test('fires exactly these rules, on these constructs', () => {
      const checks = check(weakStack());
      expect(active(checks)).toEqual([
        'AML-CR-1 test/Registry',
        'AML-DP-1 test/Endpoint/blue/Resource',
        'AML-DP-2 test/Endpoint/blue/Resource',
        'AML-DP-3 test/Endpoint/blue/Resource',
        'AML-EP-1 test/Endpoint/Resource',
        'AML-EP-2 test/Endpoint/Resource',
        'AML-IAM-1 test/OwnerEverywhere',
        'AML-IAM-2 test/OwnerEverywhere',
        'AML-IAM-3 test/OwnerEverywhere',
        'AML-IAM-4 test/ToClientId',
        'AML-KEY-1 test/key',
        'AML-ST-1 test/Store',
        'AML-ST-2 test/Store',
        'AML-ST-3 test/Store',
        'AML-ST-4 test/Store',
        'AML-ST-5 test/Public',
      ]);
      // every rule of the pack fires on it
      expect(new Set(checks.activeFindings.map((f) => f.ruleId))).toEqual(
        new Set(ML_SECURITY_RULES.map((r) => r.id)),
      );
    });

    test('errors and warnings become annotations of their level, with id, value, reason and fix', () => {
      const stack = weakStack();
      check(stack);
      const errors = annotations(stack, 'error');
      const warns = annotations(stack, 'warn');
      const ids = (list: string[]) =>
        list.map((m) => /^\[(AML-[A-Z]+-\d+)\]/.exec(m)![1]).sort();
      expect(ids(errors)).toEqual([
        'AML-CR-1',
        'AML-DP-3',
        'AML-IAM-1',
        'AML-IAM-2',
        'AML-IAM-4',
        'AML-KEY-1',
        'AML-ST-1',
        'AML-ST-2',
        'AML-ST-4',
        'AML-ST-5',
      ]);
      expect(ids(warns)).toEqual([
        'AML-DP-1',
        'AML-DP-2',
        'AML-EP-1',
        'AML-EP-2',
        'AML-IAM-3',
        'AML-ST-3',
      ]);
      expect(errors).toContainEqual(
        "[AML-ST-1] Storage accounts accept TLS 1.2 or later only: min_tls_version is 'TLS1_0'. " +
          "TLS 1.0 and 1.1 have known weaknesses and are being retired across Azure. Fix: Set `minTlsVersion: 'TLS1_2'` on the storage account.",
      );
      expect(errors).toContainEqual(
        expect.stringMatching(
          /^\[AML-DP-3\] .*: environment variable STORAGE_KEY takes the secret azurerm_storage_account\.Store\.primary_access_key\. /,
        ),
      );
      expect(errors).toContainEqual(
        expect.stringMatching(
          /^\[AML-KEY-1\] .*: output 'key' shows azapi_resource_action\.Endpoint_Keys_[0-9A-F]{8}\.sensitive_output without sensitive: true\. /,
        ),
      );
    });

    test('the CLI synth fails on the error findings', () => {
      const stack = weakStack();
      Aspects.of(stack).add(new MlSecurityChecks());
      const app = stack.node.root as ReturnType<typeof Testing.app>;
      expect(() => app.synth()).toThrow(/\[AML-ST-1\]/);
    });
  });

  describe('rules', () => {
    test.each<[string, (s: TerraformStack) => void, string[]]>([
      ['a secure storage account passes', (s) => account(s, 'A'), []],
      [
        'TLS left to the provider default (TLS1_2) passes',
        (s) => account(s, 'A', { minTlsVersion: undefined }),
        [],
      ],
      [
        'TLS 1.1 fails AML-ST-1',
        (s) => account(s, 'A', { minTlsVersion: 'TLS1_1' }),
        ['AML-ST-1 test/A'],
      ],
      [
        'TLS from a variable is not judged',
        (s) =>
          account(s, 'A', {
            minTlsVersion: new TerraformVariable(s, 'tls', {}).stringValue,
          }),
        [],
      ],
      [
        'an override of TLS is seen',
        (s) => account(s, 'A').addOverride('min_tls_version', 'TLS1_0'),
        ['AML-ST-1 test/A'],
      ],
      [
        'shared keys on fail AML-ST-3',
        (s) => account(s, 'A', { sharedAccessKeyEnabled: true }),
        ['AML-ST-3 test/A'],
      ],
      [
        'public nested items fail AML-ST-4',
        (s) => account(s, 'A', { allowNestedItemsToBePublic: true }),
        ['AML-ST-4 test/A'],
      ],
      [
        'a private container passes',
        (s) =>
          new StorageContainer(s, 'C', {
            name: 'c1a',
            storageAccountId: ACCOUNT_ID,
            containerAccessType: 'private',
          }),
        [],
      ],
      [
        'a container open to listing fails AML-ST-5',
        (s) =>
          new StorageContainer(s, 'C', {
            name: 'c1a',
            storageAccountId: ACCOUNT_ID,
            containerAccessType: 'container',
          }),
        ['AML-ST-5 test/C'],
      ],
      ['a reader on a container passes', (s) => grant(s, 'G'), []],
      [
        'a reader on a storage account passes',
        (s) => grant(s, 'G', { scope: ACCOUNT_ID }),
        [],
      ],
      [
        'Contributor fails AML-IAM-1',
        (s) => grant(s, 'G', { roleDefinitionName: 'Contributor' }),
        ['AML-IAM-1 test/G'],
      ],
      [
        'Storage Blob Data Owner fails AML-IAM-1',
        (s) => grant(s, 'G', { roleDefinitionName: 'storage blob data owner' }),
        ['AML-IAM-1 test/G'],
      ],
      [
        'Owner given by role definition id fails AML-IAM-1',
        (s) =>
          grant(s, 'G', {
            roleDefinitionName: undefined,
            roleDefinitionId: `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
          }),
        ['AML-IAM-1 test/G'],
      ],
      [
        'a resource group scope fails AML-IAM-2',
        (s) => grant(s, 'G', { scope: `${SUBSCRIPTION}/resourceGroups/rg-ml` }),
        ['AML-IAM-2 test/G'],
      ],
      [
        'a management group scope fails AML-IAM-2',
        (s) =>
          grant(s, 'G', {
            scope: '/providers/Microsoft.Management/managementGroups/corp',
          }),
        ['AML-IAM-2 test/G'],
      ],
      [
        'a scope taken from a resource group resource fails AML-IAM-2',
        (s) =>
          grant(s, 'G', {
            scope: new ResourceGroup(s, 'Rg', {
              name: 'rg',
              location: 'westeurope',
            }).id,
          }),
        ['AML-IAM-2 test/G'],
      ],
      [
        'no principal type fails AML-IAM-3',
        (s) => grant(s, 'G', { principalType: undefined }),
        ['AML-IAM-3 test/G'],
      ],
      [
        'a registry without admin user passes',
        (s) =>
          new ContainerRegistry(s, 'R', {
            name: 'r1',
            resourceGroupName: 'rg',
            location: 'westeurope',
            sku: 'Basic',
          }),
        [],
      ],
      [
        'a sensitive output of a key passes',
        (s) =>
          new TerraformOutput(s, 'k', {
            value: account(s, 'A').primaryConnectionString,
            sensitive: true,
          }),
        [],
      ],
      [
        'a plain output of a connection string fails AML-KEY-1',
        (s) =>
          new TerraformOutput(s, 'k', {
            value: account(s, 'A').primaryConnectionString,
          }),
        ['AML-KEY-1 test/k'],
      ],
      [
        'a plain output of a storage account name passes',
        (s) => new TerraformOutput(s, 'k', { value: account(s, 'A').name }),
        [],
      ],
    ])('%s', (_, build, expected) => {
      const stack = newStack();
      build(stack);
      expect(active(check(stack))).toEqual(expected);
    });

    test.each<[string, { [name: string]: string }, string[]]>([
      [
        'plain settings pass',
        { FILE_NAME: 'hello.txt', LOG_LEVEL: 'INFO', API_KEY_HEADER_NAME: '' },
        [],
      ],
      [
        'a literal password fails',
        { DB_PASSWORD: 'hunter22' },
        ['environment variable DB_PASSWORD holds a literal value'],
      ],
      [
        'a literal connection string fails whatever its name',
        {
          STORE:
            'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==',
        },
        ['environment variable STORE holds a literal key or signature'],
      ],
      [
        'a SAS URL fails',
        { BLOB_URL: 'https://a.blob.core.windows.net/c/b?sv=2022&sig=abc' },
        ['environment variable BLOB_URL holds a literal key or signature'],
      ],
    ])('AML-DP-3: %s', (_, vars, problems) => {
      const { stack, endpoint } = endpointStack();
      endpoint.addDeployment('blue', {
        ...registered,
        environmentVariables: vars,
      });
      const checks = check(stack);
      expect(
        checks.activeFindings.map(
          (f) => /: (environment variable [^.]*)\./.exec(f.message)![1],
        ),
      ).toEqual(problems);
    });

    test('AML-DP-3 does not judge a value known only after apply', () => {
      const { stack, endpoint } = endpointStack();
      endpoint.addDeployment('blue', {
        ...registered,
        environmentVariables: {
          SECRET_NAME: new TerraformVariable(stack, 'n', {}).stringValue,
        },
      });
      expect(active(check(stack))).toEqual([]);
    });

    test('AML-KEY-1 sees any output of a listKeys action, not only its sensitive part', () => {
      const { stack, endpoint } = endpointStack();
      endpoint.retrieveKeys();
      const keys = endpoint.node.findChild('Keys') as unknown as {
        friendlyUniqueId: string;
      };
      new TerraformOutput(stack, 'raw', {
        value: `\${azapi_resource_action.${keys.friendlyUniqueId}.output}`,
      });
      expect(active(check(stack))).toEqual(['AML-KEY-1 test/raw']);
    });

    test('a secure endpoint and deployment pass', () => {
      const { stack, endpoint } = endpointStack();
      endpoint.addDeployment('blue', registered);
      expect(active(check(stack))).toEqual([]);
    });

    test('every rule has an id, a level, what it checks, why, and a fix, and is documented', () => {
      const doc = fs.readFileSync(
        path.join(__dirname, '..', 'docs', 'rules.md'),
        'utf8',
      );
      const ids = ML_SECURITY_RULES.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const rule of ML_SECURITY_RULES) {
        expect(rule.id).toMatch(/^AML-(ST|IAM|EP|DP|KEY|CR)-\d+$/);
        expect([RuleLevel.ERROR, RuleLevel.WARNING]).toContain(rule.level);
        for (const text of [rule.title, rule.rationale, rule.fix])
          expect(text.length).toBeGreaterThan(20);
        expect(doc).toMatch(new RegExp(`\\|\\s*${rule.id}\\s*\\|`));
        expect(doc).toContain(rule.title);
      }
    });
  });

  describe('suppressions', () => {
    test('a suppression on a scope covers its children, is reported as info with its reason, and hides nothing else', () => {
      // GIVEN
      const stack = newStack();
      const scope = new Construct(stack, 'Legacy');
      account(scope, 'A', {
        sharedAccessKeyEnabled: true,
        minTlsVersion: 'TLS1_1',
      });
      account(stack, 'B', { sharedAccessKeyEnabled: true });

      // WHEN
      suppressRule(
        scope,
        'AML-ST-3',
        'the legacy app signs SAS URLs with the account key',
      );
      const checks = check(stack);

      // THEN
      expect(active(checks)).toEqual([
        'AML-ST-1 test/Legacy/A',
        'AML-ST-3 test/B',
      ]);
      expect(checks.findings.filter((f) => f.suppressedBecause)).toEqual([
        expect.objectContaining({
          ruleId: 'AML-ST-3',
          constructPath: 'test/Legacy/A',
          suppressedBecause:
            'the legacy app signs SAS URLs with the account key',
        }),
      ]);
      expect(annotations(stack, 'info')).toEqual([
        "[AML-ST-3] suppressed on 'test/Legacy': the legacy app signs SAS URLs with the account key",
      ]);
    });

    test('suppressed findings can be kept out of the annotations', () => {
      const stack = newStack();
      suppressRule(
        account(stack, 'A', { sharedAccessKeyEnabled: true }),
        'AML-ST-3',
        'Azure ML reads it with the key',
      );
      const checks = new MlSecurityChecks({ reportSuppressed: false });
      Aspects.of(stack).add(checks);
      Testing.synth(stack);
      expect(checks.findings).toHaveLength(1);
      expect(annotations(stack, 'info')).toEqual([]);
    });

    test('a second synth reports nothing twice', () => {
      const stack = newStack();
      account(stack, 'A', { minTlsVersion: 'TLS1_0' });
      const checks = check(stack);
      Testing.synth(stack);
      expect(checks.findings).toHaveLength(1);
      expect(annotations(stack, 'error')).toHaveLength(1);
    });
  });
});
