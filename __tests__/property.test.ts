import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import fc from 'fast-check';

import {
  AzapiProvider,
  EnvironmentSource,
  ManagedEndpointWithIdentity,
  MlWorkspace,
  ModelSource,
  OnlineDeploymentOptions,
  ProbeSettings,
  RequestSettings,
} from '../lib';
import { knownInstanceTypes } from '../lib/private/instance-types';

/**
 * Property tests: generated valid configurations synthesize with what they
 * asked for, and generated invalid ones fail with an error that names the
 * field and the value. Each case builds a small stack (imported workspace,
 * registered assets), so that a thousand cases fit in seconds.
 */

const VALID_RUNS = 700;
const INVALID_RUNS = 500;

const WORKSPACE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1';
const RESERVED = ['IDENTITY_KIND', 'UAI_CLIENT_ID', 'AZUREML_MODEL_DIR'];

interface DeploymentConfig {
  readonly name: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly requestSettings?: RequestSettings;
  readonly livenessProbe?: ProbeSettings;
  readonly readinessProbe?: ProbeSettings;
  readonly environmentVariables: { [name: string]: string };
  readonly model: string;
}

interface Config {
  readonly endpointName: string;
  readonly tags: { [name: string]: string };
  readonly deployments: DeploymentConfig[];
  readonly traffic: { [name: string]: number };
  readonly mirrorTraffic?: { [name: string]: number };
}

const onlineName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$/);
const assetName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/);
const assetVersion = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,8}$/);
// __proto__ is refused (cdktf would drop it): the invalid cases cover it
const envName = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)
  .filter((n) => !RESERVED.includes(n) && n !== '__proto__');
const tagName = fc
  .stringMatching(/^[A-Za-z0-9_.-]{1,20}$/)
  .filter((n) => n !== '__proto__');

/** Sizes from the SKU list, in any letter case. */
const instanceType = fc
  .tuple(fc.constantFrom(...knownInstanceTypes()), fc.boolean())
  .map(([t, lower]) => (lower ? t.toLowerCase() : t));

const requestSettings: fc.Arbitrary<RequestSettings> = fc.record(
  {
    requestTimeoutMs: fc.integer({ min: 1, max: 180_000 }),
    maxConcurrentRequestsPerInstance: fc.integer({ min: 1, max: 1000 }),
    maxQueueWaitMs: fc.integer({ min: 0, max: 3_600_000 }),
  },
  { requiredKeys: [] },
);

const probe = (liveness: boolean): fc.Arbitrary<ProbeSettings> =>
  fc.record(
    {
      initialDelaySeconds: fc.integer({ min: 1, max: 3600 }),
      periodSeconds: fc.integer({ min: 1, max: 3600 }),
      timeoutSeconds: fc.integer({ min: 1, max: 600 }),
      failureThreshold: fc.integer({ min: 1, max: 100 }),
      successThreshold: liveness
        ? fc.constant(1)
        : fc.integer({ min: 1, max: 100 }),
    },
    { requiredKeys: [] },
  );

const deployment = (name: string): fc.Arbitrary<DeploymentConfig> =>
  fc.record(
    {
      name: fc.constant(name),
      instanceType,
      instanceCount: fc.integer({ min: 1, max: 50 }),
      requestSettings,
      livenessProbe: probe(true),
      readinessProbe: probe(false),
      environmentVariables: fc.dictionary(
        envName,
        fc.string({ maxLength: 20 }),
        { maxKeys: 4 },
      ),
      model: fc
        .tuple(assetName, assetVersion)
        .map(([n, v]) => `azureml:${n}:${v}`),
    },
    {
      requiredKeys: [
        'name',
        'instanceType',
        'instanceCount',
        'environmentVariables',
        'model',
      ],
    },
  );

/** Whole percentages summing to 100, one per deployment. */
const split = (n: number): fc.Arbitrary<number[]> =>
  fc
    .array(fc.integer({ min: 0, max: 100 }), {
      minLength: n - 1,
      maxLength: n - 1,
    })
    .map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), 100];
      return points.slice(1).map((p, i) => p - points[i]);
    });

const validConfig: fc.Arbitrary<Config> = fc
  .record({
    endpointName: onlineName,
    tags: fc.dictionary(tagName, fc.string({ maxLength: 30 }), { maxKeys: 5 }),
    names: fc.uniqueArray(onlineName, {
      minLength: 1,
      maxLength: 4,
      selector: (n) => n.toLowerCase(),
    }),
  })
  .chain(({ endpointName, tags, names }) =>
    fc
      .record({
        deployments: fc.tuple(...names.map(deployment)),
        shares: split(names.length),
        mirror: fc.option(fc.integer({ min: 1, max: 50 })),
      })
      .map(({ deployments, shares, mirror }) => {
        const traffic = Object.fromEntries(names.map((n, i) => [n, shares[i]]));
        // mirroring goes to one deployment without live traffic, if there is one
        const idle = names.find((n) => traffic[n] === 0);
        const mirrorTraffic =
          mirror !== null && idle !== undefined
            ? { [idle]: mirror }
            : undefined;
        return { endpointName, tags, deployments, traffic, mirrorTraffic };
      }),
  );

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app({ stackTraces: false }), 'test');
  new AzurermProvider(stack, 'Azurerm', {
    features: [{}],
    storageUseAzuread: true,
  });
  new AzapiProvider(stack, 'Azapi');
  return stack;
}

function options(d: DeploymentConfig): OnlineDeploymentOptions {
  return {
    model: ModelSource.fromReference(d.model),
    code: { codeReference: 'azureml:score-code:1', scoringScript: 'score.py' },
    environment: EnvironmentSource.fromReference('azureml:sklearn-env:1'),
    instanceType: d.instanceType,
    instanceCount: d.instanceCount,
    requestSettings: d.requestSettings,
    livenessProbe: d.livenessProbe,
    readinessProbe: d.readinessProbe,
    environmentVariables: d.environmentVariables,
  };
}

/** Builds the configuration and synthesizes it with validations. */
function build(config: Config): any {
  const stack = newStack();
  const workspace = MlWorkspace.fromWorkspaceId(
    stack,
    'Workspace',
    WORKSPACE_ID,
  );
  const endpoint = new ManagedEndpointWithIdentity(stack, 'Endpoint', {
    workspace,
    endpointName: config.endpointName,
    tags: config.tags,
  });
  for (const d of config.deployments)
    endpoint.addDeployment(d.name, options(d));
  endpoint.setTraffic(config.traffic, config.mirrorTraffic);
  return JSON.parse(Testing.synth(stack, true));
}

/** Milliseconds back from the ISO-8601 durations the library emits. */
function msFromIso(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(iso);
  if (!m || iso === 'PT') throw new Error(`not an ISO-8601 duration: ${iso}`);
  return Math.round(
    ((+(m[1] ?? 0) * 60 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 1000,
  );
}

describe('property: generated configurations', () => {
  test(`${VALID_RUNS} valid configurations synthesize with what they asked for`, () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        const out = build(config);
        const resources = out.resource.azapi_resource as { [k: string]: any };
        const byName = (name: string) =>
          Object.values(resources).find((r) => r.name === name && r.body?.sku);

        for (const d of config.deployments) {
          const body = byName(d.name)!.body;
          expect(body.sku).toEqual({
            name: 'Default',
            capacity: d.instanceCount,
          });
          expect(body.properties.instanceType).toBe(d.instanceType);
          expect(body.properties.model).toBe(
            `${WORKSPACE_ID}/models/${d.model.split(':')[1]}/versions/${d.model.split(':')[2]}`,
          );
          expect(body.properties.environmentVariables).toEqual({
            ...d.environmentVariables,
            IDENTITY_KIND: 'system_assigned',
          });
          const rs = d.requestSettings ?? {};
          if (rs.requestTimeoutMs !== undefined)
            expect(
              msFromIso(body.properties.requestSettings.requestTimeout),
            ).toBe(rs.requestTimeoutMs);
          if (rs.maxQueueWaitMs !== undefined)
            expect(
              msFromIso(body.properties.requestSettings.maxQueueWait),
            ).toBe(rs.maxQueueWaitMs);
          for (const [key, p] of [
            ['livenessProbe', d.livenessProbe],
            ['readinessProbe', d.readinessProbe],
          ] as const) {
            if (p?.periodSeconds !== undefined)
              expect(msFromIso(body.properties[key].period)).toBe(
                p.periodSeconds * 1000,
              );
            if (p?.initialDelaySeconds !== undefined)
              expect(msFromIso(body.properties[key].initialDelay)).toBe(
                p.initialDelaySeconds * 1000,
              );
            if (p?.timeoutSeconds !== undefined)
              expect(msFromIso(body.properties[key].timeout)).toBe(
                p.timeoutSeconds * 1000,
              );
          }
        }
        const routing = Object.values(
          out.resource.azapi_update_resource as { [k: string]: any },
        )[0];
        expect(routing.body.properties.traffic).toEqual(config.traffic);
        expect(routing.body.properties.mirrorTraffic).toEqual(
          config.mirrorTraffic,
        );
        const endpoint = Object.values(resources).find(
          (r) => r.name === config.endpointName && !r.body?.sku,
        );
        expect(endpoint.tags ?? {}).toEqual(config.tags);
      }),
      { numRuns: VALID_RUNS },
    );
  });

  /**
   * A mutation breaks one rule of a valid configuration: it gives the field
   * the message must name and the value it must show.
   */
  type Mutation = fc.Arbitrary<{
    apply: (c: Config) => Config;
    field: string;
    got: string;
  }>;

  const first = (c: Config, change: Partial<DeploymentConfig>): Config => ({
    ...c,
    deployments: [
      { ...c.deployments[0], ...change },
      ...c.deployments.slice(1),
    ],
  });
  const quote = (s: string) => `got '${s}'`;

  const mutations: Mutation[] = [
    fc
      .oneof(
        fc.stringMatching(/^[0-9-][A-Za-z0-9-]{2,10}$/),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,5}_[A-Za-z0-9]{1,5}$/),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{32,40}$/),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{1,10}-$/),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9]?$/),
      )
      .map((bad) => ({
        apply: (c: Config) => ({ ...c, endpointName: bad }),
        field: 'endpointName',
        got: quote(bad),
      })),
    fc
      .oneof(
        fc.integer({ max: 0 }),
        fc
          .double({ min: 1.01, max: 49.99, noNaN: true })
          .filter((x) => !Number.isInteger(x)),
      )
      .map((bad) => ({
        apply: (c: Config) => first(c, { instanceCount: bad }),
        field: 'instanceCount',
        got: `got ${bad}`,
      })),
    fc
      .oneof(
        fc.integer({ min: 180_001, max: 10_000_000 }),
        fc.integer({ max: 0 }),
      )
      .map((bad) => ({
        apply: (c: Config) =>
          first(c, { requestSettings: { requestTimeoutMs: bad } }),
        field: 'requestSettings.requestTimeoutMs',
        got: `got ${bad}`,
      })),
    fc.integer({ max: 0 }).map((bad) => ({
      apply: (c: Config) =>
        first(c, {
          requestSettings: { maxConcurrentRequestsPerInstance: bad },
        }),
      field: 'requestSettings.maxConcurrentRequestsPerInstance',
      got: `got ${bad}`,
    })),
    fc
      .tuple(
        fc.constantFrom('periodSeconds', 'timeoutSeconds', 'failureThreshold'),
        fc.integer({ max: 0 }),
        fc.boolean(),
      )
      .map(([key, bad, liveness]) => {
        const field = liveness ? 'livenessProbe' : 'readinessProbe';
        return {
          apply: (c: Config) => first(c, { [field]: { [key]: bad } }),
          field: `${field}.${key}`,
          got: `got ${bad}`,
        };
      }),
    fc.integer({ min: 2, max: 100 }).map((bad) => ({
      apply: (c: Config) =>
        first(c, { livenessProbe: { successThreshold: bad } }),
      field: 'livenessProbe.successThreshold',
      got: `got ${bad}`,
    })),
    fc
      .oneof(
        fc.stringMatching(/^[0-9][A-Za-z0-9_]{0,8}$/),
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,4}[-. ][A-Za-z0-9_]{0,4}$/),
        fc.constantFrom(...RESERVED, '__proto__'),
      )
      .map((bad) => ({
        apply: (c: Config) =>
          first(c, {
            environmentVariables: JSON.parse(JSON.stringify({ [bad]: 'x' })),
          }),
        field: 'environmentVariables',
        got: quote(bad),
      })),
    fc.integer({ min: 1, max: 99 }).map((missing) => ({
      apply: (c: Config) => {
        const names = c.deployments.map((d) => d.name);
        const traffic = Object.fromEntries(
          names.map((n, i) => [n, i === 0 ? 100 - missing : 0]),
        );
        return { ...c, traffic, mirrorTraffic: undefined };
      },
      field: 'traffic',
      got: `got ${100 - missing}`,
    })),
    fc.integer({ min: 101, max: 1000 }).map((bad) => ({
      apply: (c: Config) => ({
        ...c,
        traffic: { ...c.traffic, [c.deployments[0].name]: bad },
      }),
      field: `traffic.`,
      got: `got ${bad}`,
    })),
    fc.integer({ min: 51, max: 100 }).map((bad) => ({
      apply: (c: Config) => {
        const names = c.deployments.map((d) => d.name);
        return {
          ...c,
          traffic: { [names[0]]: 100 },
          mirrorTraffic: { [names[0]]: bad },
        };
      },
      field: `mirrorTraffic.`,
      got: `got ${bad}`,
    })),
    fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9]{0,6}$/),
        fc.constantFrom('<', '>', '%', '&', '\\', '?', '/'),
      )
      .map(([name, bad]) => ({
        apply: (c: Config) => ({
          ...c,
          tags: { ...c.tags, [`${name}${bad}`]: 'x' },
        }),
        field: 'tags',
        got: quote(`${name}${bad}`),
      })),
    fc
      .tuple(assetName, fc.stringMatching(/^[a-z]{1,8}$/))
      .map(([n, label]) => ({
        apply: (c: Config) => first(c, { model: `azureml:${n}@${label}` }),
        field: 'model',
        got: quote(`azureml:${n}@${label}`),
      })),
  ];

  test(`${INVALID_RUNS} invalid configurations each fail with an error naming the field and the value`, () => {
    fc.assert(
      fc.property(validConfig, fc.oneof(...mutations), (config, mutation) => {
        const bad = mutation.apply(config);
        let message: string | undefined;
        try {
          build(bad);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toBeDefined();
        expect(message).toContain(`\`${mutation.field}`);
        expect(message).toContain(mutation.got);
        expect(message).toMatch(/ must /);
      }),
      { numRuns: INVALID_RUNS },
    );
  });
});
