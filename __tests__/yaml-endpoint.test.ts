import { TerraformVariable } from 'cdktf';
import * as path from 'path';

import {
  AuthMode,
  EndpointYaml,
  IdentityType,
  UserAssignedIdentity,
} from '../lib';
import { scenario } from './fixtures';
import { resource, resources, synth } from './helpers';

const YAML = path.join(__dirname, 'fixtures', 'yaml');
const TUTORIAL = path.join(YAML, 'tutorial', 'endpoint.yml');
const ALL_KEYS = path.join(YAML, 'forms', 'endpoint-all-keys.yml');
const IDENTITY_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/endpoint-identity';

/** Creates the endpoint of a file and synthesizes. */
function create(file: string, set?: string[] | { [key: string]: unknown }) {
  const { stack, workspace } = scenario();
  const endpoint = EndpointYaml.load(file, { set }).createEndpoint(
    stack,
    'Endpoint',
    { workspace },
  );
  const out = synth(stack);
  return {
    out,
    endpoint,
    resource: resource(out, 'azapi_resource', 'Endpoint') as any,
  };
}

describe('EndpointYaml', () => {
  test('reads the tutorial file: a key-auth endpoint with the default identity', () => {
    // WHEN
    const file = EndpointYaml.load(TUTORIAL);

    // THEN
    expect(file.props).toEqual({
      endpointName: 'tutorial-endpoint',
      authMode: AuthMode.KEY,
    });
    expect(file.file).toBe(TUTORIAL);
  });

  test('creates a system-assigned endpoint from the tutorial file', () => {
    const { resource: ep } = create(TUTORIAL);
    expect(ep).toMatchObject({
      name: 'tutorial-endpoint',
      identity: [{ type: 'SystemAssigned' }],
      body: { properties: { authMode: 'Key', publicNetworkAccess: 'Enabled' } },
    });
  });

  test('turns every supported key into a prop', () => {
    expect(EndpointYaml.load(ALL_KEYS).props).toEqual({
      endpointName: 'score-ep',
      description: 'Scores sklearn models',
      tags: { team: 'ml', tier: '1' },
      authMode: AuthMode.AML_TOKEN,
      identityType: IdentityType.USER_ASSIGNED,
      userAssignedIdentityId: IDENTITY_ID,
      publicNetworkAccess: false,
    });
  });

  test('runs as the user-assigned identity the file names, read with a data source', () => {
    // WHEN
    const { out, resource: ep, endpoint } = create(ALL_KEYS);

    // THEN
    expect(ep).toMatchObject({
      identity: [{ type: 'UserAssigned', identity_ids: [IDENTITY_ID] }],
      tags: { team: 'ml', tier: '1' },
      body: {
        properties: {
          authMode: 'AMLToken',
          publicNetworkAccess: 'Disabled',
          description: 'Scores sklearn models',
        },
      },
    });
    const [name, lookup] = Object.entries(out.data?.azapi_resource ?? {}).find(
      ([n]) => n.startsWith('Endpoint_Identity'),
    )!;
    expect(lookup).toMatchObject({
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31',
      resource_id: IDENTITY_ID,
      response_export_values: ['properties.principalId', 'properties.clientId'],
    });
    expect(endpoint.identityEnvironmentVariables).toEqual({
      IDENTITY_KIND: 'user_assigned',
      UAI_CLIENT_ID: expect.any(String),
    });
    const grants = Object.values(
      resources(out, 'azurerm_role_assignment'),
    ).filter((g) =>
      String(g.principal_id).includes(
        `data.azapi_resource.${name}.output.properties.principalId`,
      ),
    );
    expect(grants.length).toBeGreaterThanOrEqual(1);
  });

  test('creates a user-assigned identity when the file asks for one without naming it', () => {
    const { out, resource: ep } = create(
      path.join(YAML, 'forms', 'endpoint-created-identity.yml'),
    );
    expect(
      resource(out, 'azurerm_user_assigned_identity', 'Endpoint_Identity'),
    ).toMatchObject({ name: 'score-ep-identity' });
    expect(ep.identity[0].type).toBe('UserAssigned');
  });

  test('accepts identities listed as plain ARM ids (the reference page form)', () => {
    const props = EndpointYaml.load(TUTORIAL, {
      set: { identity: { user_assigned_identities: [IDENTITY_ID] } },
    }).props;
    expect(props).toMatchObject({
      identityType: IdentityType.USER_ASSIGNED,
      userAssignedIdentityId: IDENTITY_ID,
    });
  });

  test.each([
    ['key', 'Key'],
    ['aml_token', 'AMLToken'],
    ['aad_token', 'AADToken'],
  ])('auth_mode %s becomes authMode %s', (value, authMode) => {
    expect(
      create(TUTORIAL, [`auth_mode=${value}`]).resource.body.properties
        .authMode,
    ).toBe(authMode);
  });

  test.each([
    ['system_assigned', IdentityType.SYSTEM_ASSIGNED],
    ['user_assigned', IdentityType.USER_ASSIGNED],
  ])('identity.type %s becomes %s', (value, identityType) => {
    expect(
      EndpointYaml.load(TUTORIAL, { set: [`identity.type=${value}`] }).props
        .identityType,
    ).toBe(identityType);
  });

  describe('overrides', () => {
    test('set values over the file, creating the mappings they need', () => {
      const props = EndpointYaml.load(TUTORIAL, {
        set: [
          'name=staging-endpoint',
          'tags.env=staging',
          'public_network_access=disabled',
        ],
      }).props;
      expect(props).toMatchObject({
        endpointName: 'staging-endpoint',
        tags: { env: 'staging' },
        publicNetworkAccess: false,
      });
    });

    test('index into lists', () => {
      const other = IDENTITY_ID.replace('endpoint-identity', 'other-identity');
      const props = EndpointYaml.load(ALL_KEYS, {
        set: [`identity.user_assigned_identities.0.resource_id=${other}`],
      }).props;
      expect(props.userAssignedIdentityId).toBe(other);
    });

    test('take values known only after apply', () => {
      // GIVEN
      const { stack, workspace } = scenario();
      const name = new TerraformVariable(stack, 'endpoint_name', {
        type: 'string',
      });
      const identity = new TerraformVariable(stack, 'identity_id', {
        type: 'string',
      });

      // WHEN
      EndpointYaml.load(ALL_KEYS, {
        set: {
          name: name.stringValue,
          'identity.user_assigned_identities.0.resource_id':
            identity.stringValue,
        },
      }).createEndpoint(stack, 'Endpoint', { workspace });

      // THEN
      const ep = resource(synth(stack), 'azapi_resource', 'Endpoint') as any;
      expect(ep.name).toBe('${var.endpoint_name}');
      expect(ep.identity[0].identity_ids).toEqual(['${var.identity_id}']);
    });
  });

  test('props given to createEndpoint win over the file', () => {
    const { stack, workspace } = scenario();
    EndpointYaml.load(TUTORIAL).createEndpoint(stack, 'Endpoint', {
      workspace,
      authMode: AuthMode.AAD_TOKEN,
    });
    expect(
      (resource(synth(stack), 'azapi_resource', 'Endpoint') as any).body
        .properties.authMode,
    ).toBe('AADToken');
  });

  describe('identity by ARM id', () => {
    test('fails if the options give an identity as well', () => {
      const { stack, workspace } = scenario();
      const other = UserAssignedIdentity.fromIdentityAttributes(
        stack,
        'Other',
        {
          identityId: IDENTITY_ID,
          principalId: 'p',
          clientId: 'c',
        },
      );
      expect(() =>
        EndpointYaml.load(ALL_KEYS).createEndpoint(stack, 'Endpoint', {
          workspace,
          userAssignedIdentity: other,
        }),
      ).toThrow(
        `\`userAssignedIdentityId\` must not be given with \`userAssignedIdentity\`; got '${IDENTITY_ID}'`,
      );
    });

    test('fails if the options ask for a system-assigned identity', () => {
      const { stack, workspace } = scenario();
      expect(() =>
        EndpointYaml.load(ALL_KEYS).createEndpoint(stack, 'Endpoint', {
          workspace,
          identityType: IdentityType.SYSTEM_ASSIGNED,
        }),
      ).toThrow(
        "`identityType` must be UserAssigned when `userAssignedIdentityId` is given; got 'SystemAssigned'",
      );
    });

    test('fails if the id is not a user-assigned identity id', () => {
      const { stack } = scenario();
      expect(() =>
        UserAssignedIdentity.fromIdentityId(
          stack,
          'Identity',
          'endpoint-identity',
        ),
      ).toThrow(
        '`userAssignedIdentityId` must be the ARM id of a user-assigned identity: /subscriptions/<id>/resourceGroups/<name>/' +
          "providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>; got 'endpoint-identity'",
      );
    });
  });
});
