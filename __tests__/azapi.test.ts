import { Testing, TerraformStack } from 'cdktf';

import {
  AzapiProvider,
  AzapiResource,
  AzapiResourceAction,
  AzapiUpdateResource,
  DataAzapiResource,
} from '../lib/azapi';
import { synth } from './helpers';

describe('azapi bindings', () => {
  test('the provider requires azure/azapi ~> 2.8', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');

    // WHEN
    new AzapiProvider(stack, 'Azapi', {
      useOidc: true,
      disableTelemetry: true,
    });

    // THEN
    const out = synth(stack) as unknown as {
      terraform: {
        required_providers: { azapi: { source: string; version: string } };
      };
      provider: { azapi: { use_oidc: boolean; disable_telemetry: boolean }[] };
    };
    expect(out.terraform.required_providers.azapi).toEqual({
      source: 'azure/azapi',
      version: '~> 2.8',
    });
    expect(out.provider.azapi[0]).toEqual({
      use_oidc: true,
      disable_telemetry: true,
    });
  });

  test('azapi_resource keeps the body an object with its keys as given', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');

    // WHEN
    new AzapiResource(stack, 'Res', {
      type: 'Microsoft.Foo/bars@2025-01-01',
      name: 'bar',
      parentId: '/subscriptions/x/resourceGroups/y',
      location: 'westeurope',
      body: { properties: { authMode: 'Key', nested: { someValue: 1 } } },
      identity: { type: 'UserAssigned', identityIds: ['/id/1'] },
      responseExportValues: ['properties.scoringUri'],
      timeouts: { create: '60m' },
      replaceTriggersExternalValues: ['SystemAssigned'],
    });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AzapiResource, {
      type: 'Microsoft.Foo/bars@2025-01-01',
      name: 'bar',
      parent_id: '/subscriptions/x/resourceGroups/y',
      location: 'westeurope',
      body: { properties: { authMode: 'Key', nested: { someValue: 1 } } },
      identity: [{ type: 'UserAssigned', identity_ids: ['/id/1'] }],
      response_export_values: ['properties.scoringUri'],
      timeouts: { create: '60m' },
      replace_triggers_external_values: ['SystemAssigned'],
    });
  });

  test('attributes become references to the resource', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    new AzapiProvider(stack, 'Azapi');
    const res = new AzapiResource(stack, 'Res', {
      type: 'A/b@2025-01-01',
      name: 'n',
      parentId: '/p',
    });

    // WHEN
    const action = new AzapiResourceAction(stack, 'Keys', {
      type: 'A/b@2025-01-01',
      resourceId: res.id,
      action: 'listKeys',
      sensitiveResponseExportValues: ['primaryKey'],
    });
    new AzapiUpdateResource(stack, 'Upd', {
      type: 'A/b@2025-01-01',
      resourceId: res.id,
      body: {
        properties: {
          principal: res.identityPrincipalId,
          uri: res.outputValue('properties.scoringUri'),
        },
      },
    });
    new DataAzapiResource(stack, 'Read', {
      type: 'A/b@2025-01-01',
      resourceId: action.sensitiveOutputValue(
        'primaryKey',
      ) as unknown as string,
      responseExportValues: ['location'],
    });

    // THEN
    const out = synth(stack);
    const upd = Object.values(out.resource.azapi_update_resource)[0];
    expect(upd.resource_id).toBe('${azapi_resource.Res.id}');
    expect(upd.body).toEqual({
      properties: {
        principal: '${azapi_resource.Res.identity[0].principal_id}',
        uri: '${azapi_resource.Res.output.properties.scoringUri}',
      },
    });
    expect(Object.values(out.resource.azapi_resource_action)[0]).toMatchObject({
      action: 'listKeys',
      sensitive_response_export_values: ['primaryKey'],
    });
    expect(Object.values(out.data!.azapi_resource)[0]).toMatchObject({
      resource_id: '${azapi_resource_action.Keys.sensitive_output.primaryKey}',
      response_export_values: ['location'],
    });
  });

  test('an empty body is synthesized as {} and unset options are left out', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    new AzapiProvider(stack, 'Azapi');

    // WHEN
    new AzapiResource(stack, 'Res', {
      type: 'A/b@2025-01-01',
      name: 'n',
      parentId: '/p',
    });

    // THEN
    const res = Object.values(synth(stack).resource.azapi_resource)[0];
    expect(res.body).toEqual({});
    expect(Object.keys(res).sort()).toEqual([
      'body',
      'name',
      'parent_id',
      'type',
    ]);
  });
});
