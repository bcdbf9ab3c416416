import { TerraformVariable, Testing } from 'cdktf';

import {
  AuthMode,
  AzapiResource,
  IdentityType,
  ManagedEndpointWithIdentity,
  MlWorkspace,
  UserAssignedIdentity,
} from '../lib';
import { scenario, tutorialDeployment } from './fixtures';
import { address, resolve, resource, resources, synth } from './helpers';

const ENDPOINT =
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-09-01';

function endpointResource(out: ReturnType<typeof synth>) {
  return Object.values(resources(out, 'azapi_resource')).find(
    (r) => r.type === ENDPOINT,
  )!;
}

describe('ManagedEndpointWithIdentity', () => {
  test('creates a key-auth endpoint with a system-assigned identity and no traffic', () => {
    // GIVEN
    const { stack, workspace } = scenario();

    // WHEN
    new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });

    // THEN
    const out = synth(stack);
    const ep = endpointResource(out);
    expect(ep).toMatchObject({
      name: 'score-ep',
      parent_id: expect.stringContaining('workspaces/ws1'),
      identity: [{ type: 'SystemAssigned' }],
      body: { properties: { authMode: 'Key', publicNetworkAccess: 'Enabled' } },
      response_export_values: [
        'properties.scoringUri',
        'properties.swaggerUri',
      ],
    });
    expect(JSON.stringify(ep.body)).not.toMatch(
      /traffic|scoringUri|provisioningState/,
    );
  });

  test.each([
    [AuthMode.KEY, 'Key'],
    [AuthMode.AML_TOKEN, 'AMLToken'],
    [AuthMode.AAD_TOKEN, 'AADToken'],
  ])('sends auth mode %s with the casing ARM expects', (mode, wire) => {
    // GIVEN
    const { stack, workspace } = scenario();

    // WHEN
    new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
      authMode: mode,
    });

    // THEN
    expect(
      (endpointResource(synth(stack)).body as any).properties.authMode,
    ).toBe(wire);
  });

  test('exposes scoring URI and principal id as references', () => {
    // GIVEN
    const { stack, workspace } = scenario();

    // WHEN
    const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });

    // THEN
    expect(resolve(stack, ep.scoringUri)).toMatch(
      /^\$\{azapi_resource\.Endpoint_.*\.output\.properties\.scoringUri\}$/,
    );
    expect(resolve(stack, ep.principalId)).toMatch(
      /^\$\{azapi_resource\.Endpoint_.*\.identity\[0\]\.principal_id\}$/,
    );
  });

  test('grants and deployment are ordered: grant, then wait, then deployment, then traffic', () => {
    // GIVEN
    const { stack, workspace, data } = scenario();
    const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });

    // WHEN
    data.grantRead(ep);
    ep.addDeployment(
      'blue',
      tutorialDeployment({ environmentVariables: data.environmentVariables() }),
    );

    // THEN
    const out = synth(stack);
    const grant = address(out, 'azurerm_role_assignment', 'Data_ReadGrant');
    const wait = address(out, 'time_sleep', 'Endpoint_RolePropagationWait');
    const deployment = resource(out, 'azapi_resource', 'Endpoint_blue');
    expect(
      resource(out, 'time_sleep', 'Endpoint_RolePropagationWait'),
    ).toMatchObject({
      create_duration: '120s',
      depends_on: [grant],
      // a replaced grant (e.g. a new identity) waits again
      triggers: { role_assignment_0: `\${${grant}.id}` },
    });
    expect(deployment.depends_on).toEqual(
      expect.arrayContaining([grant, wait]),
    );
    expect(
      resource(out, 'azapi_update_resource', 'Endpoint_TrafficRouting'),
    ).toMatchObject({
      depends_on: [address(out, 'azapi_resource', 'Endpoint_blue')],
      body: { properties: { traffic: { blue: 100 } } },
      resource_id: `\${${address(out, 'azapi_resource', 'Endpoint')}.id}`,
    });
    // the endpoint itself waits for nothing: it is created in parallel with storage and uploads
    expect(endpointResource(out).depends_on).toBeUndefined();
  });

  test('a grant made after the deployment still orders the deployment after it', () => {
    // GIVEN
    const { stack, workspace, data } = scenario();
    const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });
    ep.addDeployment('blue', tutorialDeployment());

    // WHEN
    data.grantRead(ep);

    // THEN
    const out = synth(stack);
    expect(resource(out, 'azapi_resource', 'Endpoint_blue').depends_on).toEqual(
      expect.arrayContaining([
        address(out, 'azurerm_role_assignment', 'Data_ReadGrant'),
        address(out, 'time_sleep', 'Endpoint_RolePropagationWait'),
      ]),
    );
  });

  test('the role assignment takes the principal id, as a service principal, scoped to the container (FR-2, FR-3)', () => {
    // GIVEN
    const { stack, workspace, data } = scenario();
    const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });

    // WHEN
    data.grantRead(ep);

    // THEN
    const grant = resource(
      synth(stack),
      'azurerm_role_assignment',
      'Data_ReadGrant',
    );
    expect(grant).toMatchObject({
      role_definition_name: 'Storage Blob Data Reader',
      principal_type: 'ServicePrincipal',
      principal_id: expect.stringMatching(/identity\[0\]\.principal_id\}$/),
      scope: expect.stringMatching(
        /\/blobServices\/default\/containers\/\$\{azurerm_storage_container\.Data_Container_.*\.name\}$/,
      ),
    });
  });

  test('fails if a grant is given a client id instead of a principal id (FR-2)', () => {
    // GIVEN
    const { stack, data } = scenario();
    const identity = new UserAssignedIdentity(stack, 'Uai', {
      name: 'uai-1',
      resourceGroupName: 'rg',
      location: 'westeurope',
    });

    // WHEN / THEN
    expect(() => data.grantRead({ principalId: identity.clientId })).toThrow(
      /`principalId` must be the identity's principal \(object\) id, not its client id; got '\$\{azurerm_user_assigned_identity\.Uai_.*\.client_id\}'/,
    );
  });

  describe('with a user-assigned identity', () => {
    test('creates the identity and grants it everything before the endpoint exists', () => {
      // GIVEN
      const { stack, data } = scenario();
      const workspace = new MlWorkspace(stack, 'NewWorkspace', {
        resourceGroupName: 'rg-ml',
        location: 'westeurope',
        containerRegistry: true,
      });

      // WHEN
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
        identityType: IdentityType.USER_ASSIGNED,
      });
      data.grantRead(ep);
      ep.addDeployment('blue', tutorialDeployment());

      // THEN
      const out = synth(stack);
      const uai = address(out, 'azurerm_user_assigned_identity');
      const endpoint = endpointResource(out);
      expect(endpoint.identity).toEqual([
        { type: 'UserAssigned', identity_ids: [`\${${uai}.id}`] },
      ]);
      const grants = Object.entries(
        resources(out, 'azurerm_role_assignment'),
      ).filter(([, g]) =>
        String(g.principal_id).includes('azurerm_user_assigned_identity'),
      );
      expect(grants.map(([, g]) => g.role_definition_name).sort()).toEqual([
        'AcrPull',
        'Storage Blob Data Reader',
        'Storage Blob Data Reader',
      ]);
      for (const [name, g] of grants) {
        expect(g.principal_id).toBe(`\${${uai}.principal_id}`);
        expect(g.principal_type).toBe('ServicePrincipal');
        expect(endpoint.depends_on).toContain(
          `azurerm_role_assignment.${name}`,
        );
      }
      expect(endpoint.depends_on).toContain(
        address(out, 'time_sleep', 'Endpoint_RolePropagationWait'),
      );
    });

    test('passes the client id to the scoring script as UAI_CLIENT_ID (FR-1)', () => {
      // GIVEN
      const { stack, workspace } = scenario();
      const identity = UserAssignedIdentity.fromIdentityAttributes(
        stack,
        'Uai',
        {
          identityId:
            '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u',
          principalId: '11111111-1111-1111-1111-111111111111',
          clientId: '22222222-2222-2222-2222-222222222222',
        },
      );

      // WHEN
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
        userAssignedIdentity: identity,
      });
      ep.addDeployment('blue', tutorialDeployment());

      // THEN
      const deployment = resource(
        synth(stack),
        'azapi_resource',
        'Endpoint_blue',
      );
      expect(
        (deployment.body as any).properties.environmentVariables,
      ).toMatchObject({
        IDENTITY_KIND: 'user_assigned',
        UAI_CLIENT_ID: '22222222-2222-2222-2222-222222222222',
      });
    });

    test('with an existing workspace, a missing registry stops the plan with a clear message', () => {
      // GIVEN
      const { stack, workspace } = scenario();

      // WHEN
      new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
        identityType: IdentityType.USER_ASSIGNED,
      });

      // THEN
      const pull = resource(
        synth(stack),
        'azurerm_role_assignment',
        'Endpoint_WorkspaceRegistryPull',
      ) as any;
      expect(pull.lifecycle.precondition).toEqual([
        {
          condition: expect.stringMatching(
            /^\$\{data\.azapi_resource\.Workspace_Lookup_[0-9A-F]{8}\.output\.properties\.containerRegistry != null\}$/,
          ),
          error_message: expect.stringContaining(
            'The workspace has no container registry yet',
          ),
        },
      ]);
    });

    test('fails if the workspace has no container registry to grant AcrPull on', () => {
      // GIVEN
      const { stack } = scenario();
      const workspace = new MlWorkspace(stack, 'NewWorkspace', {
        resourceGroupName: 'rg-ml',
        location: 'westeurope',
      });

      // WHEN / THEN
      expect(
        () =>
          new ManagedEndpointWithIdentity(stack, 'Endpoint', {
            workspace,
            endpointName: 'score-ep',
            identityType: IdentityType.USER_ASSIGNED,
          }),
      ).toThrow(
        "`workspace` must have a container registry for a user-assigned identity (AcrPull is granted before the endpoint exists): create the workspace with `containerRegistry: true`; got 'test/NewWorkspace'",
      );
    });
  });

  describe('with a user-assigned identity shared or granted later', () => {
    const identityOf = (stack: any) =>
      new UserAssignedIdentity(stack, 'Uai', {
        name: 'uai-1',
        resourceGroupName: 'rg',
        location: 'westeurope',
      });

    test('a grant to the identity after the endpoint exists orders the endpoint after it (FR-4)', () => {
      // GIVEN
      const { stack, data } = scenario();
      const workspace = new MlWorkspace(stack, 'NewWorkspace', {
        resourceGroupName: 'rg-ml',
        location: 'westeurope',
        containerRegistry: true,
      });
      const identity = identityOf(stack);
      new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
        userAssignedIdentity: identity,
      }).addDeployment('blue', tutorialDeployment());

      // WHEN
      data.grantRead(identity);

      // THEN
      const out = synth(stack);
      const grant = address(out, 'azurerm_role_assignment', 'Data_ReadGrant');
      expect(endpointResource(out).depends_on).toContain(grant);
      expect(
        resource(out, 'time_sleep', 'Endpoint_RolePropagationWait').depends_on,
      ).toContain(grant);
    });

    test('two endpoints running as one identity share its workspace grants', () => {
      // GIVEN
      const { stack } = scenario();
      const workspace = new MlWorkspace(stack, 'NewWorkspace', {
        resourceGroupName: 'rg-ml',
        location: 'westeurope',
        containerRegistry: true,
      });
      const identity = identityOf(stack);

      // WHEN
      for (const id of ['One', 'Two']) {
        new ManagedEndpointWithIdentity(stack, id, {
          workspace,
          endpointName: `score-${id.toLowerCase()}`,
          userAssignedIdentity: identity,
        });
      }

      // THEN
      const out = synth(stack);
      const pulls = Object.entries(resources(out, 'azurerm_role_assignment'))
        .filter(([, g]) => g.role_definition_name === 'AcrPull')
        .map(([n]) => `azurerm_role_assignment.${n}`);
      expect(pulls).toHaveLength(1);
      for (const r of Object.values(resources(out, 'azapi_resource'))) {
        if (r.type === ENDPOINT) expect(r.depends_on).toContain(pulls[0]);
      }
    });

    test('an identity named from a value known only after apply is not checked (FR-12)', () => {
      const { stack, workspace } = scenario();
      const name = new TerraformVariable(stack, 'endpoint_name', {
        type: 'string',
      });
      new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: name.stringValue,
        identityType: IdentityType.USER_ASSIGNED,
      });
      expect(
        resource(synth(stack), 'azurerm_user_assigned_identity').name,
      ).toBe('${var.endpoint_name}-identity');
    });

    test('fails if an imported identity has an empty client id (FR-1)', () => {
      const { stack } = scenario();
      expect(() =>
        UserAssignedIdentity.fromIdentityAttributes(stack, 'Uai', {
          identityId:
            '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u',
          principalId: '11111111-1111-1111-1111-111111111111',
          clientId: '',
        }),
      ).toThrow("`clientId` must not be empty; got ''");
    });
  });

  describe('traffic (FR-5)', () => {
    test('routes all traffic to the only deployment', () => {
      // GIVEN
      const { stack, workspace } = scenario();
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
      });

      // WHEN
      ep.addDeployment('blue', tutorialDeployment());

      // THEN
      expect(
        resource(
          synth(stack),
          'azapi_update_resource',
          'Endpoint_TrafficRouting',
        ).body,
      ).toEqual({
        properties: { traffic: { blue: 100 } },
      });
    });

    test('re-applies traffic whenever the endpoint changes, since its PUT resets traffic', () => {
      // GIVEN
      const { stack, workspace } = scenario();
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
      });

      // WHEN
      ep.addDeployment('blue', tutorialDeployment());

      // THEN
      const out = synth(stack);
      expect(
        resource(out, 'azapi_update_resource', 'Endpoint_TrafficRouting')
          .lifecycle,
      ).toEqual({
        replace_triggered_by: [
          `\${${address(out, 'azapi_resource', 'Endpoint')}}`,
        ],
      });
    });

    test('splits traffic and mirrors to a deployment without live traffic, after every deployment', () => {
      // GIVEN
      const { stack, workspace } = scenario();
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
      });
      ep.addDeployment('blue', tutorialDeployment());
      ep.addDeployment('green', tutorialDeployment());
      ep.addDeployment('shadow', tutorialDeployment());

      // WHEN
      ep.setTraffic({ blue: 90, green: 10 }, { shadow: 20 });

      // THEN
      const out = synth(stack);
      const routing = resource(
        out,
        'azapi_update_resource',
        'Endpoint_TrafficRouting',
      );
      expect(routing.body).toEqual({
        properties: {
          traffic: { blue: 90, green: 10 },
          mirrorTraffic: { shadow: 20 },
        },
      });
      expect((routing.depends_on as string[]).sort()).toEqual(
        ['blue', 'green', 'shadow']
          .map((n) => address(out, 'azapi_resource', `Endpoint_${n}`))
          .sort(),
      );
    });

    test.each([
      [
        { blue: 100, ghost: 0 },
        undefined,
        "`traffic` names deployment 'ghost', which endpoint 'score-ep' does not have (deployments: blue, green)",
      ],
      [
        { blue: 60, green: 30 },
        undefined,
        '`traffic` values must sum to 100; got 90 ({"blue":60,"green":30})',
      ],
      [
        { blue: 110, green: -10 },
        undefined,
        '`traffic.blue` must be a whole percentage from 0 to 100; got 110',
      ],
      [
        { blue: 50.5, green: 49.5 },
        undefined,
        '`traffic.blue` must be a whole percentage from 0 to 100; got 50.5',
      ],
      [
        { blue: 100, green: 0 },
        { green: 60 },
        '`mirrorTraffic.green` must be a whole percentage from 0 to 50; got 60',
      ],
      [
        { blue: 100, green: 0 },
        { blue: 10 },
        '`mirrorTraffic.blue` must target a deployment without live traffic; got 10 while `traffic.blue` is 100',
      ],
      [
        undefined,
        undefined,
        "`traffic` must be set when endpoint 'score-ep' has several deployments (blue, green): give each a percentage, summing to 100; got nothing",
      ],
    ])('fails synth for traffic %j mirror %j', (traffic, mirror, message) => {
      // GIVEN
      const { stack, workspace } = scenario();
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
      });
      ep.addDeployment('blue', tutorialDeployment());
      ep.addDeployment('green', tutorialDeployment());

      // WHEN
      if (traffic) ep.setTraffic(traffic, mirror);

      // THEN
      expect(() => synth(stack)).toThrow(message);
    });

    test('fails synth if traffic is given at creation for a deployment that never comes', () => {
      // GIVEN
      const { stack, workspace } = scenario();

      // WHEN
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
        traffic: { blue: 100 },
      });

      // THEN
      expect(() => synth(stack)).toThrow(
        "`traffic` names deployment 'blue', which endpoint 'score-ep' does not have (deployments: none)",
      );
      expect(ep.deployments).toHaveLength(0);
    });
  });

  describe('names (FR-6)', () => {
    test.each([
      '1-score',
      'score_ep',
      'ep',
      'a'.repeat(33),
      'score-',
      '-score',
      'score ep',
    ])('fails if the endpoint name is %p', (name) => {
      const { stack, workspace } = scenario();
      expect(
        () =>
          new ManagedEndpointWithIdentity(stack, 'Endpoint', {
            workspace,
            endpointName: name,
          }),
      ).toThrow(
        `\`endpointName\` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got '${name}'`,
      );
    });

    test.each(['abc', 'score-ep-1', 'A' + 'b'.repeat(31)])(
      'accepts the endpoint name %p',
      (name) => {
        const { stack, workspace } = scenario();
        expect(
          () =>
            new ManagedEndpointWithIdentity(stack, 'Endpoint', {
              workspace,
              endpointName: name,
            }),
        ).not.toThrow();
      },
    );

    test('fails if a deployment name breaks the rule', () => {
      const { stack, workspace } = scenario();
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
      });
      expect(() => ep.addDeployment('Blue-', tutorialDeployment())).toThrow(
        "`deploymentName` must be 3-32 characters: a letter first, then letters, digits or hyphens, ending with a letter or digit; got 'Blue-'",
      );
    });

    test('fails if two deployments share a name', () => {
      const { stack, workspace } = scenario();
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
      });
      ep.addDeployment('blue', tutorialDeployment());
      expect(() => ep.addDeployment('blue', tutorialDeployment())).toThrow(
        /There is already a Construct with name 'blue'|must be unique/,
      );
    });
  });

  describe('values known only after apply (FR-12)', () => {
    test('a name from a Terraform variable is not validated and reaches the JSON as a reference; ids stay static', () => {
      // GIVEN
      const { stack, workspace } = scenario();
      const name = new TerraformVariable(stack, 'endpoint_name', {
        type: 'string',
      });

      // WHEN
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: name.stringValue,
      });
      ep.addDeployment('blue', tutorialDeployment());

      // THEN
      const out = synth(stack);
      expect(endpointResource(out).name).toBe('${var.endpoint_name}');
      const literal = scenario();
      new ManagedEndpointWithIdentity(literal.stack, 'Endpoint', {
        workspace: literal.workspace,
        endpointName: 'score-ep',
      }).addDeployment('blue', tutorialDeployment());
      expect(Object.keys(resources(out, 'azapi_resource'))).toEqual(
        Object.keys(resources(synth(literal.stack), 'azapi_resource')),
      );
    });

    test('fails if addDeployment is given a token name, pointing at OnlineDeployment', () => {
      const { stack, workspace } = scenario();
      const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
        workspace,
        endpointName: 'score-ep',
      });
      const name = new TerraformVariable(stack, 'deployment_name', {
        type: 'string',
      });
      expect(() =>
        ep.addDeployment(name.stringValue, tutorialDeployment()),
      ).toThrow(
        /`deploymentName` must be a literal in addDeployment \(it becomes the construct id\)/,
      );
    });
  });

  test('keys are retrieved only when asked, into the sensitive output', () => {
    // GIVEN
    const { stack, workspace } = scenario();

    // WHEN
    const ep = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });
    const before = Testing.synth(stack);
    const keys = ep.retrieveKeys();

    // THEN
    expect(before).not.toMatch(/listKeys/);
    const action = resource(
      synth(stack),
      'azapi_resource_action',
      'Endpoint_Keys',
    );
    expect(action).toMatchObject({
      action: 'listKeys',
      method: 'POST',
      type: ENDPOINT,
      sensitive_response_export_values: ['primaryKey', 'secondaryKey'],
    });
    expect(resolve(stack, keys.primaryKey)).toMatch(
      /sensitive_output\.primaryKey\}$/,
    );
  });

  test('changing the identity kind replaces the endpoint', () => {
    const { stack, workspace } = scenario();
    new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });
    expect(
      endpointResource(synth(stack)).replace_triggers_external_values,
    ).toEqual(['SystemAssigned']);
  });

  test('the endpoint is an azapi_resource', () => {
    const { stack, workspace } = scenario();
    new ManagedEndpointWithIdentity(stack, 'Endpoint', {
      workspace,
      endpointName: 'score-ep',
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AzapiResource, {
      type: ENDPOINT,
      name: 'score-ep',
    });
  });
});
