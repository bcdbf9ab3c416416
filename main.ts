import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import {
  App,
  Aspects,
  CloudBackend,
  Fn,
  NamedCloudWorkspace,
  TerraformOutput,
  TerraformStack,
} from 'cdktf';
import { Construct } from 'constructs';
import * as path from 'path';

import {
  AzapiProvider,
  BlobDataSource,
  DeploymentYaml,
  EndpointYaml,
  EnvironmentSource,
  IdentityType,
  IMlWorkspace,
  ManagedEndpointWithIdentity,
  MlSecurityChecks,
  MlWorkspace,
  ModelSource,
  OnlineDeployment,
  suppressRule,
} from './lib';

/** The scoring code, model and data the default app deploys. */
const SCORING = path.join(__dirname, 'scoring');

/** The base image of the tutorial's environment. */
export const DEFAULT_IMAGE =
  'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest';

/** The default app's settings, read from environment variables. */
export interface AppConfig {
  readonly stackName: string;
  readonly location: string;
  readonly namePrefix: string;
  /** @default - `<prefix>-rg`, created */
  readonly resourceGroupName?: string;
  /** @default - a new workspace */
  readonly workspaceId?: string;
  readonly identityType: IdentityType;
  /**
   * The endpoint's name.
   * @default - `<prefix>-<8 hex>`, the hex hashed from the subscription and
   * the prefix at plan: the name must be unique in the region
   */
  readonly endpointName?: string;
  /** @default - the library's default VM size (Standard_DS3_v2) */
  readonly instanceType?: string;
  readonly instanceCount: number;
  readonly roleAssignmentWaitSeconds: number;
  /**
   * With an existing workspace: grant the Terraform runner a data role on
   * its storage for the uploads (a new workspace always gets it).
   * @default false
   */
  readonly grantDeployerDataAccess?: boolean;
  /** @default - local state */
  readonly tfcOrganization?: string;
  /** @default - local state */
  readonly tfcWorkspace?: string;
  /**
   * An az ml endpoint file (ENDPOINT_YAML): the endpoint comes from it.
   * @default - the endpoint is built with the constructs
   */
  readonly endpointYaml?: string;
  /**
   * az ml deployment files (DEPLOYMENT_YAML, comma-separated), with ENDPOINT_YAML.
   * @default - none
   */
  readonly deploymentYamls?: string[];
  /**
   * Overrides of the endpoint file: ENDPOINT_NAME, IDENTITY_TYPE, then ENDPOINT_SET ('k=v;k=v').
   * @default - none
   */
  readonly endpointSet?: string[];
  /**
   * Overrides of every deployment file: INSTANCE_TYPE, INSTANCE_COUNT, then DEPLOYMENT_SET.
   * @default - none
   */
  readonly deploymentSet?: string[];
  /**
   * Live traffic per deployment (TRAFFIC='blue=90,green=10').
   * @default - all to the first file's deployment
   */
  readonly traffic?: { [deploymentName: string]: number };
}

/** The variables the default app reads. */
const APP_VARIABLES = [
  'AZURE_LOCATION',
  'NAME_PREFIX',
  'RESOURCE_GROUP_NAME',
  'WORKSPACE_ID',
  'IDENTITY_TYPE',
  'ENDPOINT_NAME',
  'INSTANCE_TYPE',
  'INSTANCE_COUNT',
  'ROLE_ASSIGNMENT_WAIT_SECONDS',
  'GRANT_DEPLOYER_DATA_ACCESS',
  'TFC_ORGANIZATION',
  'TFC_WORKSPACE',
  'STACK_NAME',
  'ENDPOINT_YAML',
  'DEPLOYMENT_YAML',
  'ENDPOINT_SET',
  'DEPLOYMENT_SET',
  'TRAFFIC',
];

/** Construct fields fed by a variable, to name the variable in errors. */
const FIELD_VARIABLES: { [field: string]: string } = {
  endpointName: 'ENDPOINT_NAME',
  namePrefix: 'NAME_PREFIX',
  workspaceId: 'WORKSPACE_ID',
  instanceType: 'INSTANCE_TYPE',
  instanceCount: 'INSTANCE_COUNT',
  roleAssignmentWaitSeconds: 'ROLE_ASSIGNMENT_WAIT_SECONDS',
};

/**
 * Reads the configuration; every variable has a default, so a fresh clone
 * synthesizes with nothing set. Bad values fail with the variable's name.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): AppConfig {
  // an empty variable is a mistake, not a request for the default
  for (const [name, value] of Object.entries(env)) {
    if (APP_VARIABLES.includes(name) && value === '') {
      throw new Error(
        `\`${name}\` must not be empty; unset it for the default`,
      );
    }
  }
  const prefix = env.NAME_PREFIX ?? 'mlendpoint';
  const identity = (env.IDENTITY_TYPE ?? 'system').toLowerCase();
  if (!['system', 'user'].includes(identity)) {
    throw new Error(
      `\`IDENTITY_TYPE\` must be 'system' or 'user'; got '${env.IDENTITY_TYPE}'`,
    );
  }
  for (const name of ['INSTANCE_COUNT', 'ROLE_ASSIGNMENT_WAIT_SECONDS']) {
    if (env[name] !== undefined && !/^\d+$/.test(env[name]!)) {
      throw new Error(
        `\`${name}\` must be a whole number of digits; got '${env[name]}'`,
      );
    }
  }
  const count = Number(env.INSTANCE_COUNT ?? '1');
  const wait = Number(env.ROLE_ASSIGNMENT_WAIT_SECONDS ?? '120');
  checkPattern(
    env,
    'AZURE_LOCATION',
    /^[a-z][a-z0-9]*$/,
    'an Azure region name such as eastus2 (lowercase, no spaces)',
  );
  checkPattern(
    env,
    'RESOURCE_GROUP_NAME',
    /^[-\w.()]{0,89}[-\w()]$/,
    'a resource group name: 1-90 letters, digits, _ - . ( ), not ending with .',
  );
  checkPattern(
    env,
    'GRANT_DEPLOYER_DATA_ACCESS',
    /^(true|false)$/,
    "'true' or 'false'",
  );
  checkPattern(
    env,
    'STACK_NAME',
    /^[A-Za-z0-9_-]+$/,
    'letters, digits, _ and - (it names a folder)',
  );
  if (
    (env.TFC_ORGANIZATION === undefined) !==
    (env.TFC_WORKSPACE === undefined)
  ) {
    throw new Error(
      '`TFC_ORGANIZATION` and `TFC_WORKSPACE` must be set together (remote state), or neither (local state)',
    );
  }
  if (env.GRANT_DEPLOYER_DATA_ACCESS !== undefined && !env.WORKSPACE_ID) {
    throw new Error(
      '`GRANT_DEPLOYER_DATA_ACCESS` applies with `WORKSPACE_ID` only: a new workspace always gets the grant',
    );
  }
  if (wait > 3600) {
    throw new Error(
      `\`ROLE_ASSIGNMENT_WAIT_SECONDS\` must be at most 3600 (role assignments propagate within minutes); got '${env.ROLE_ASSIGNMENT_WAIT_SECONDS}'`,
    );
  }
  if (env.WORKSPACE_ID !== undefined) {
    for (const name of ['AZURE_LOCATION', 'RESOURCE_GROUP_NAME']) {
      if (env[name] !== undefined) {
        throw new Error(
          `\`${name}\` cannot be combined with \`WORKSPACE_ID\`: the existing workspace's region and resource group are used`,
        );
      }
    }
  }
  if (env.ENDPOINT_YAML === undefined) {
    for (const name of [
      'DEPLOYMENT_YAML',
      'ENDPOINT_SET',
      'DEPLOYMENT_SET',
      'TRAFFIC',
    ]) {
      if (env[name] !== undefined) {
        throw new Error(
          `\`${name}\` must come with \`ENDPOINT_YAML\` (it configures the YAML files)`,
        );
      }
    }
  }
  return {
    ...yamlConfigFromEnv(env),
    stackName: env.STACK_NAME ?? 'azureml-endpoint',
    location: env.AZURE_LOCATION ?? 'eastus2',
    namePrefix: prefix,
    resourceGroupName: env.RESOURCE_GROUP_NAME,
    workspaceId: env.WORKSPACE_ID,
    identityType:
      identity === 'user'
        ? IdentityType.USER_ASSIGNED
        : IdentityType.SYSTEM_ASSIGNED,
    endpointName: env.ENDPOINT_NAME,
    instanceType: env.INSTANCE_TYPE,
    instanceCount: count,
    roleAssignmentWaitSeconds: wait,
    grantDeployerDataAccess: env.GRANT_DEPLOYER_DATA_ACCESS === 'true',
    tfcOrganization: env.TFC_ORGANIZATION,
    tfcWorkspace: env.TFC_WORKSPACE,
  };
}

/**
 * The tutorial's system: a private blob with a text file, a managed online
 * endpoint whose identity may read it, a `blue` deployment whose scoring
 * script reads the blob at start, and all traffic to `blue`.
 */
export class EndpointStack extends TerraformStack {
  public readonly endpoint: ManagedEndpointWithIdentity;
  public readonly data: BlobDataSource;
  public readonly workspace: IMlWorkspace;
  /** The security rule pack, applied to the whole stack. */
  public readonly securityChecks: MlSecurityChecks;

  constructor(scope: Construct, config: AppConfig) {
    super(scope, config.stackName);

    new AzurermProvider(this, 'Azurerm', {
      // destroy removes the workspace for good, so that a new deploy may
      // reuse its name (a soft-deleted workspace keeps it for 14 days)
      features: [
        { machineLearning: [{ purgeSoftDeletedWorkspaceOnDestroy: true }] },
      ],
      storageUseAzuread: true,
    });
    new AzapiProvider(this, 'Azapi');
    new TimeProvider(this, 'Time');
    if (config.tfcOrganization && config.tfcWorkspace) {
      new CloudBackend(this, {
        organization: config.tfcOrganization,
        workspaces: new NamedCloudWorkspace(config.tfcWorkspace),
      });
    }

    // read first: a user-assigned identity needs the workspace to have a registry
    const endpointYaml = config.endpointYaml
      ? EndpointYaml.load(config.endpointYaml, { set: config.endpointSet })
      : undefined;

    if (config.workspaceId) {
      this.workspace = MlWorkspace.fromWorkspaceId(
        this,
        'Workspace',
        config.workspaceId,
        { grantDeployerDataAccess: config.grantDeployerDataAccess },
      );
    } else {
      const rg = this.resourceGroup(config);
      this.workspace = new MlWorkspace(this, 'Workspace', {
        resourceGroupName: rg,
        location: config.location,
        namePrefix: config.namePrefix,
        containerRegistry:
          (endpointYaml
            ? endpointYaml.props.identityType
            : config.identityType) === IdentityType.USER_ASSIGNED,
      });
    }

    this.data = new BlobDataSource(this, 'Data', {
      resourceGroupName: this.workspace.resourceGroupName,
      location: this.workspace.location,
      namePrefix: `${config.namePrefix}data`,
      containerName: 'mlcontainer',
      files: [
        { blobName: 'hello.txt', sourcePath: path.join(SCORING, 'hello.txt') },
      ],
    });

    this.endpoint = endpointYaml
      ? endpointYaml.createEndpoint(this, 'Endpoint', {
          workspace: this.workspace,
          roleAssignmentWaitSeconds: config.roleAssignmentWaitSeconds,
        })
      : new ManagedEndpointWithIdentity(this, 'Endpoint', {
          workspace: this.workspace,
          endpointName:
            config.endpointName ??
            defaultEndpointName(
              config.namePrefix,
              this.workspace.subscriptionId,
            ),
          identityType: config.identityType,
          roleAssignmentWaitSeconds: config.roleAssignmentWaitSeconds,
        });
    this.data.grantRead(this.endpoint);

    const deployments = endpointYaml
      ? this.addYamlDeployments(config)
      : [this.addTutorialDeployment(config)];

    new TerraformOutput(this, 'endpoint_name', {
      value: this.endpoint.endpointName,
    });
    new TerraformOutput(this, 'scoring_uri', {
      value: this.endpoint.scoringUri,
    });
    new TerraformOutput(this, 'principal_id', {
      value: this.endpoint.principalId,
    });
    new TerraformOutput(this, 'storage_account_name', {
      value: this.data.storageAccountName,
    });
    new TerraformOutput(this, 'resource_group_name', {
      value: this.workspace.resourceGroupName,
    });
    new TerraformOutput(this, 'workspace_name', {
      value: this.workspace.workspaceName,
    });
    new TerraformOutput(this, 'storage_container_name', {
      value: this.data.containerName,
    });

    // the tutorial's choices, which the rule pack flags
    suppressRule(
      this.endpoint.resource,
      'AML-EP-1',
      'the tutorial invokes the endpoint with its key; no output shows it',
    );
    suppressRule(
      this.endpoint.resource,
      'AML-EP-2',
      'the tutorial scores from the internet: this sample has no private endpoint',
    );
    for (const d of deployments) {
      suppressRule(
        d,
        'AML-DP-2',
        'the scoring script reads the data account over its public endpoint: no private endpoints here',
      );
    }
    this.securityChecks = new MlSecurityChecks();
    Aspects.of(this).add(this.securityChecks);
  }

  /** The tutorial's `blue` deployment, built with the constructs. */
  private addTutorialDeployment(config: AppConfig): OnlineDeployment {
    return this.endpoint.addDeployment('blue', {
      model: ModelSource.fromLocalPath(path.join(SCORING, 'model')),
      code: {
        codePath: path.join(SCORING, 'onlinescoring'),
        scoringScript: 'score.py',
      },
      environment: EnvironmentSource.fromImage(DEFAULT_IMAGE, {
        condaFilePath: path.join(SCORING, 'environment', 'conda.yaml'),
      }),
      instanceType: config.instanceType,
      instanceCount: config.instanceCount,
      environmentVariables: this.data.environmentVariables('hello.txt'),
    });
  }

  /**
   * Deployments from az ml files; the blob's variables win over the files'.
   * Several deployments without TRAFFIC: all live traffic to the first file's.
   */
  private addYamlDeployments(config: AppConfig): OnlineDeployment[] {
    const deployments = (config.deploymentYamls ?? []).map((file) =>
      DeploymentYaml.load(file, { set: config.deploymentSet }).addTo(
        this.endpoint,
        {
          environmentVariables: this.data.environmentVariables('hello.txt'),
        },
      ),
    );
    if (config.traffic) {
      this.endpoint.setTraffic(config.traffic);
    } else if (deployments.length > 1) {
      this.endpoint.setTraffic(
        Object.fromEntries(
          deployments.map((d, i) => [d.deploymentName, i === 0 ? 100 : 0]),
        ),
      );
    }
    return deployments;
  }

  private resourceGroup(config: AppConfig): string {
    if (config.resourceGroupName) return config.resourceGroupName;
    return new ResourceGroup(this, 'ResourceGroup', {
      name: `${config.namePrefix}-rg`,
      location: config.location,
    }).name;
  }
}

/**
 * The az ml YAML settings: files, and overrides in the order they apply (the
 * variables of the constructs-built app first, then the *_SET lists).
 */
function yamlConfigFromEnv(env: NodeJS.ProcessEnv): Partial<AppConfig> {
  if (env.ENDPOINT_YAML === undefined) return {};
  const list = (value: string | undefined, separator: string) =>
    (value ?? '')
      .split(separator)
      .map((v) => v.trim())
      .filter((v) => v !== '');
  const identity = env.IDENTITY_TYPE?.toLowerCase();
  const endpointSet = [
    ...(env.ENDPOINT_NAME !== undefined ? [`name=${env.ENDPOINT_NAME}`] : []),
    ...(identity !== undefined
      ? [
          `identity.type=${identity === 'user' ? 'user_assigned' : 'system_assigned'}`,
        ]
      : []),
    ...list(env.ENDPOINT_SET, ';'),
  ];
  const deploymentSet = [
    // the deployments follow a renamed endpoint
    ...(env.ENDPOINT_NAME !== undefined
      ? [`endpoint_name=${env.ENDPOINT_NAME}`]
      : []),
    ...(env.INSTANCE_TYPE !== undefined
      ? [`instance_type=${env.INSTANCE_TYPE}`]
      : []),
    ...(env.INSTANCE_COUNT !== undefined
      ? [`instance_count=${env.INSTANCE_COUNT}`]
      : []),
    ...list(env.DEPLOYMENT_SET, ';'),
  ];
  let traffic: { [name: string]: number } | undefined;
  if (env.TRAFFIC !== undefined) {
    traffic = {};
    for (const entry of list(env.TRAFFIC, ',')) {
      const m = /^([^=\s]+)\s*=\s*(\d+)$/.exec(entry);
      if (!m)
        throw new Error(
          `\`TRAFFIC\` must be 'name=percent,name=percent'; got '${env.TRAFFIC}'`,
        );
      traffic[m[1]] = Number(m[2]);
    }
  }
  return {
    endpointYaml: env.ENDPOINT_YAML,
    deploymentYamls: list(env.DEPLOYMENT_YAML, ','),
    endpointSet,
    deploymentSet,
    traffic,
  };
}

/** An endpoint name unique to the prefix: the name is unique per region. */
function defaultEndpointName(prefix: string, subscriptionId: string): string {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .replace(/^[^a-z]+/, '')
    .slice(0, 20)
    .replace(/-+$/, '');
  const suffix = Fn.substr(
    Fn.sha1(Fn.join('/', [subscriptionId, prefix])),
    0,
    8,
  );
  return `${base || 'ep'}-${suffix}`;
}

/** Builds the default app from environment variables. */
export function buildApp(
  env: NodeJS.ProcessEnv = process.env,
  outdir?: string,
): App {
  const app = new App(outdir ? { outdir } : {});
  const config = configFromEnv(env);
  try {
    new EndpointStack(app, config);
  } catch (e) {
    throw withVariableName(e, env);
  }
  return app;
}

/** Says which variable a construct field's value came from. */
function withVariableName(e: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!(e instanceof Error)) return e;
  const field = /^`([A-Za-z]+)`/.exec(e.message)?.[1];
  const variable = field && FIELD_VARIABLES[field];
  if (!variable || env[variable] === undefined) return e;
  e.message = `${variable}: ${e.message}`;
  return e;
}

function checkPattern(
  env: NodeJS.ProcessEnv,
  name: string,
  pattern: RegExp,
  rule: string,
): void {
  const value = env[name];
  if (value !== undefined && !pattern.test(value)) {
    throw new Error(`\`${name}\` must be ${rule}; got '${value}'`);
  }
}

if (require.main === module) {
  buildApp().synth();
}
