import { ITerraformDependable, Lazy, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';

import { AzapiResource } from './azapi/resource';
import { AzapiResourceAction } from './azapi/resource-action';
import { AzapiUpdateResource } from './azapi/update-resource';
import { BuiltInRole, IGrantee } from './grants';
import { IMlWorkspace } from './ml-workspace';
import { OnlineDeployment, OnlineDeploymentOptions } from './online-deployment';
import { grantRole } from './private/role-assignment';
import { resolveValue } from './private/tokens';
import { mlType } from './private/azure';
import { checkTraffic } from './private/traffic';
import { addDependsOn, GrantGate } from './private/grant-gate';
import {
  checkInteger,
  checkOnlineName,
  checkTags,
  fail,
  isUnresolved,
  warn,
} from './private/validation';
import {
  IUserAssignedIdentity,
  UserAssignedIdentity,
} from './user-assigned-identity';

/** ARM type of managed online endpoints, with the API version this library speaks. */
export const ONLINE_ENDPOINT_TYPE = mlType('workspaces/onlineEndpoints');

/**
 * Deployments per endpoint before a quota exception is needed.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints
 */
export const MAX_DEPLOYMENTS_PER_ENDPOINT = 20;

/** Ids of the endpoint's own children: a deployment added by name cannot take them. */
const ENDPOINT_CHILD_IDS = [
  'Resource',
  'Identity',
  'Keys',
  'RolePropagationWait',
  'TrafficRouting',
  'WorkspaceRegistryPull',
  'WorkspaceStorageRead',
];

/** How callers authenticate to the endpoint (`properties.authMode`). */
export enum AuthMode {
  /** Static keys (the tutorial's choice). */
  KEY = 'Key',
  /** Azure ML tokens, which expire. */
  AML_TOKEN = 'AMLToken',
  /** Microsoft Entra tokens. */
  AAD_TOKEN = 'AADToken',
}

/** Which managed identity the endpoint runs as. */
export enum IdentityType {
  /** Created with the endpoint; Azure ML grants it registry and workspace storage access. */
  SYSTEM_ASSIGNED = 'SystemAssigned',
  /** Exists before the endpoint; every role it needs is granted here first. */
  USER_ASSIGNED = 'UserAssigned',
}

export interface ManagedEndpointWithIdentityProps {
  readonly workspace: IMlWorkspace;
  /**
   * Endpoint name: 3-32 characters, a letter first, letters, digits and
   * hyphens, a letter or digit last; unique in the Azure region.
   */
  readonly endpointName: string;
  /**
   * The kind of identity. `USER_ASSIGNED` without `userAssignedIdentity`
   * creates an identity named `<endpointName>-identity`.
   * @default - USER_ASSIGNED when `userAssignedIdentity` is given, else SYSTEM_ASSIGNED
   */
  readonly identityType?: IdentityType;
  /**
   * The user-assigned identity to run as.
   * @default - none (see `identityType`)
   */
  readonly userAssignedIdentity?: IUserAssignedIdentity;
  /**
   * ARM id of an existing user-assigned identity to run as, instead of
   * `userAssignedIdentity`; its principal and client ids are read at plan time.
   * @default - none (see `identityType`)
   */
  readonly userAssignedIdentityId?: string;
  /** @default AuthMode.KEY */
  readonly authMode?: AuthMode;
  /**
   * Accept scoring requests from the public internet.
   * @default true
   */
  readonly publicNetworkAccess?: boolean;
  /** @default - none */
  readonly description?: string;
  /** @default - none */
  readonly tags?: { [key: string]: string };
  /**
   * Seconds to wait after the identity's role assignments before what runs
   * as the identity starts (role propagation takes minutes).
   * @default 120
   */
  readonly roleAssignmentWaitSeconds?: number;
  /**
   * Live traffic in percent per deployment name; the values sum to 100.
   * @default - 100 to the only deployment; required with several
   */
  readonly traffic?: { [deploymentName: string]: number };
  /**
   * Percent of live traffic copied to a deployment that gets no live
   * traffic (at most 50).
   * @default - no mirroring
   */
  readonly mirrorTraffic?: { [deploymentName: string]: number };
  /**
   * Read the endpoint's keys into Terraform (sensitive) with `listKeys`.
   * @default false
   */
  readonly retrieveKeys?: boolean;
}

/**
 * A managed online endpoint running as a managed identity, with its
 * deployments and traffic. Role assignments granted to it order what runs as
 * the identity after them and after a propagation wait.
 */
export class ManagedEndpointWithIdentity extends Construct implements IGrantee {
  public readonly endpointName: string;
  /** ARM id of the endpoint. */
  public readonly endpointId: string;
  /** Principal (object) id of the identity the endpoint runs as. */
  public readonly principalId: string;
  /** Client id of the user-assigned identity, if any. */
  public readonly clientId?: string;
  public readonly identityType: IdentityType;
  /** The user-assigned identity, if any. */
  public readonly userAssignedIdentity?: IUserAssignedIdentity;
  /** URL that takes scoring requests. */
  public readonly scoringUri: string;
  /** URL of the endpoint's OpenAPI document. */
  public readonly swaggerUri: string;
  public readonly workspace: IMlWorkspace;
  public readonly location: string;
  public readonly resource: AzapiResource;

  private readonly gate: GrantGate;
  private readonly deploymentsAdded: OnlineDeployment[] = [];
  private trafficRouting?: AzapiUpdateResource;
  private traffic?: { [name: string]: number };
  private mirrorTraffic?: { [name: string]: number };
  private keys?: AzapiResourceAction;
  private readonly warnedAtSynth = new Set<string>();

  constructor(
    scope: Construct,
    id: string,
    props: ManagedEndpointWithIdentityProps,
  ) {
    super(scope, id);
    checkOnlineName('endpointName', props.endpointName);
    checkInteger(
      'roleAssignmentWaitSeconds',
      props.roleAssignmentWaitSeconds,
      0,
    );
    checkTags('tags', props.tags);
    if (props.roleAssignmentWaitSeconds === 0) {
      warn(
        this,
        'roleAssignmentWaitSeconds',
        0,
        'should leave time for role propagation (minutes), or init() gets 403 until it is done',
      );
    }
    if (
      props.identityType === IdentityType.SYSTEM_ASSIGNED &&
      props.userAssignedIdentity
    ) {
      fail(
        'identityType',
        props.identityType,
        'must be UserAssigned when `userAssignedIdentity` is given',
      );
    }
    if (props.userAssignedIdentityId !== undefined) {
      if (props.userAssignedIdentity) {
        fail(
          'userAssignedIdentityId',
          props.userAssignedIdentityId,
          'must not be given with `userAssignedIdentity`',
        );
      }
      if (props.identityType === IdentityType.SYSTEM_ASSIGNED) {
        fail(
          'identityType',
          props.identityType,
          'must be UserAssigned when `userAssignedIdentityId` is given',
        );
      }
    }
    // last of the checks: a name is taken only by an endpoint that gets built
    claimEndpointName(props.workspace, props.endpointName, this.node.path);

    this.workspace = props.workspace;
    this.endpointName = props.endpointName;
    this.location = props.workspace.location;
    this.traffic = props.traffic;
    this.mirrorTraffic = props.mirrorTraffic;
    this.identityType =
      props.identityType ??
      (props.userAssignedIdentity || props.userAssignedIdentityId !== undefined
        ? IdentityType.USER_ASSIGNED
        : IdentityType.SYSTEM_ASSIGNED);

    if (this.identityType === IdentityType.USER_ASSIGNED) {
      this.userAssignedIdentity =
        props.userAssignedIdentity ??
        (props.userAssignedIdentityId !== undefined
          ? UserAssignedIdentity.fromIdentityId(
              this,
              'Identity',
              props.userAssignedIdentityId,
            )
          : undefined) ??
        new UserAssignedIdentity(this, 'Identity', {
          name: `${props.endpointName}-identity`,
          resourceGroupName: props.workspace.resourceGroupName,
          location: props.workspace.location,
          tags: props.tags,
        });
    }

    this.resource = new AzapiResource(this, 'Resource', {
      type: ONLINE_ENDPOINT_TYPE,
      name: props.endpointName,
      parentId: props.workspace.workspaceId,
      location: this.location,
      identity: this.userAssignedIdentity
        ? {
            type: IdentityType.USER_ASSIGNED,
            identityIds: [this.userAssignedIdentity.identityId],
          }
        : { type: IdentityType.SYSTEM_ASSIGNED },
      // traffic is set by TrafficRouting once the deployments exist
      body: {
        properties: {
          authMode: props.authMode ?? AuthMode.KEY,
          publicNetworkAccess:
            props.publicNetworkAccess === false ? 'Disabled' : 'Enabled',
          ...(props.description !== undefined
            ? { description: props.description }
            : {}),
        },
      },
      tags: props.tags,
      responseExportValues: ['properties.scoringUri', 'properties.swaggerUri'],
      // a system-assigned identity cannot become another kind in place
      replaceTriggersExternalValues: [this.identityType],
    });

    this.endpointId = this.resource.id;
    this.scoringUri = Token.asString(
      this.resource.outputValue('properties.scoringUri'),
    );
    this.swaggerUri = Token.asString(
      this.resource.outputValue('properties.swaggerUri'),
    );
    this.principalId =
      this.userAssignedIdentity?.principalId ??
      this.resource.identityPrincipalId;
    this.clientId = this.userAssignedIdentity?.clientId;

    this.gate = new GrantGate(this, props.roleAssignmentWaitSeconds ?? 120);
    if (this.userAssignedIdentity) {
      // a user-assigned identity's roles must exist before the endpoint
      this.gate.gate(this.resource);
      // grants to the identity, made before the endpoint existed and after
      this.userAssignedIdentity.grants.forEach((g) => this.orderAfterGrant(g));
      this.userAssignedIdentity.onGrant?.((g) => this.orderAfterGrant(g));
      this.grantWorkspaceAccess(this.userAssignedIdentity);
    }
    if (props.retrieveKeys) this.retrieveKeys();

    this.node.addValidation({ validate: () => this.validateTraffic() });
  }

  /** The deployments added so far. */
  public get deployments(): readonly OnlineDeployment[] {
    return this.deploymentsAdded;
  }

  /**
   * The environment variables that tell a scoring script which identity it
   * runs as: `IDENTITY_KIND`, and `UAI_CLIENT_ID` for a user-assigned one.
   */
  public get identityEnvironmentVariables(): { [name: string]: string } {
    return this.userAssignedIdentity
      ? {
          IDENTITY_KIND: 'user_assigned',
          UAI_CLIENT_ID: this.userAssignedIdentity.clientId,
        }
      : { IDENTITY_KIND: 'system_assigned' };
  }

  /**
   * Adds a deployment. The name is also the construct id, so it must be a
   * literal; for a name known only after apply, create an `OnlineDeployment`
   * with an id of your own.
   */
  public addDeployment(
    deploymentName: string,
    options: OnlineDeploymentOptions,
  ): OnlineDeployment {
    if (isUnresolved(deploymentName)) {
      fail(
        'deploymentName',
        deploymentName,
        'must be a literal in addDeployment (it becomes the construct id); use ' +
          "new OnlineDeployment(endpoint, 'Id', { deploymentName, ... }) for a value known after apply",
      );
    }
    if (ENDPOINT_CHILD_IDS.includes(deploymentName)) {
      fail(
        'deploymentName',
        deploymentName,
        `must not be one of the endpoint's own construct ids in addDeployment (${ENDPOINT_CHILD_IDS.join(', ')}); use ` +
          "new OnlineDeployment(endpoint, 'Id', { deploymentName, ... }) for this name",
      );
    }
    return new OnlineDeployment(this, deploymentName, {
      ...options,
      endpoint: this,
      deploymentName,
    });
  }

  /**
   * Sets live traffic per deployment name (percent, summing to 100), and
   * optionally mirrored traffic. Checked at synth.
   */
  public setTraffic(
    traffic: { [deploymentName: string]: number },
    mirrorTraffic?: { [deploymentName: string]: number },
  ): void {
    this.traffic = { ...traffic };
    this.mirrorTraffic = mirrorTraffic ? { ...mirrorTraffic } : undefined;
  }

  /**
   * The endpoint's keys, read with `listKeys` into Terraform state (sensitive).
   * Keys are write-only on the endpoint itself and always read back as null.
   */
  public retrieveKeys(): { primaryKey: string; secondaryKey: string } {
    this.keys ??= new AzapiResourceAction(this, 'Keys', {
      type: ONLINE_ENDPOINT_TYPE,
      resourceId: this.endpointId,
      action: 'listKeys',
      method: 'POST',
      sensitiveResponseExportValues: ['primaryKey', 'secondaryKey'],
    });
    return {
      primaryKey: Token.asString(this.keys.sensitiveOutputValue('primaryKey')),
      secondaryKey: Token.asString(
        this.keys.sensitiveOutputValue('secondaryKey'),
      ),
    };
  }

  /** @internal orders the identity's consumers after a new grant. */
  public recordGrant(grant: ITerraformDependable): void {
    const identity = this.userAssignedIdentity;
    if (identity?.onGrant && identity.recordGrant) {
      // the identity tells every endpoint that runs as it
      identity.recordGrant(grant);
    } else {
      identity?.recordGrant?.(grant);
      this.orderAfterGrant(grant);
    }
  }

  /** @internal called by OnlineDeployment. */
  public registerDeployment(deployment: OnlineDeployment): void {
    if (
      !isUnresolved(deployment.deploymentName) &&
      this.deploymentsAdded.some(
        (d) =>
          !isUnresolved(d.deploymentName) &&
          d.deploymentName.toLowerCase() ===
            deployment.deploymentName.toLowerCase(),
      )
    ) {
      fail(
        'deploymentName',
        deployment.deploymentName,
        `must be unique within endpoint '${this.endpointName}' (names are compared ignoring case)`,
      );
    }
    this.deploymentsAdded.push(deployment);
    // with a system-assigned identity, what runs as it is the deployment
    if (!this.userAssignedIdentity) this.gate.gate(deployment.resource);
    addDependsOn(this.routing(), deployment.resource);
  }

  private orderAfterGrant(grant: ITerraformDependable): void {
    this.gate.addGrant(grant);
  }

  private grantWorkspaceAccess(identity: IUserAssignedIdentity): void {
    const ws = this.workspace;
    if (ws.containerRegistryId === undefined) {
      fail(
        'workspace',
        ws.node.path,
        'must have a container registry for a user-assigned identity (AcrPull is granted before ' +
          'the endpoint exists): create the workspace with `containerRegistry: true`',
      );
    }
    const pull = grantRole(this, 'WorkspaceRegistryPull', {
      scope: ws.containerRegistryId,
      roleDefinitionName: BuiltInRole.ACR_PULL,
      grantee: this.identityGrantee(identity),
      description: 'Lets the endpoint pull its environment image.',
    });
    if (isUnresolved(ws.containerRegistryId)) {
      // an existing workspace may have no registry yet: say so at plan
      const ref = String(resolveValue(this, ws.containerRegistryId));
      pull.lifecycle = {
        ...pull.lifecycle,
        precondition: [
          {
            condition: `\${${ref.slice(2, -1)} != null}`,
            errorMessage:
              'The workspace has no container registry yet (Azure ML makes one on its ' +
              'first image build); a user-assigned endpoint identity needs AcrPull on ' +
              'it before the endpoint exists. Give the workspace a registry first.',
          },
        ],
      };
    }
    grantRole(this, 'WorkspaceStorageRead', {
      scope: ws.storageAccountId,
      roleDefinitionName: BuiltInRole.STORAGE_BLOB_DATA_READER,
      grantee: this.identityGrantee(identity),
      description:
        'Lets the endpoint read its model and code from the workspace storage.',
    });
  }

  private identityGrantee(identity: IUserAssignedIdentity): IGrantee {
    return {
      principalId: identity.principalId,
      recordGrant: (g) => this.recordGrant(g),
    };
  }

  private routing(): AzapiUpdateResource {
    this.trafficRouting ??= new AzapiUpdateResource(this, 'TrafficRouting', {
      type: ONLINE_ENDPOINT_TYPE,
      resourceId: this.endpointId,
      body: Lazy.anyValue({ produce: () => this.trafficBody() }) as never,
      // an update of the endpoint PUTs a body without traffic, which resets it:
      // route again after every change of the endpoint
      lifecycle: { replaceTriggeredBy: [this.resource] },
    });
    return this.trafficRouting;
  }

  private effectiveTraffic(): { [name: string]: number } {
    if (this.traffic) return this.traffic;
    if (this.deploymentsAdded.length === 1)
      return { [this.deploymentsAdded[0].deploymentName]: 100 };
    return {};
  }

  private trafficBody(): object {
    return {
      properties: {
        traffic: this.effectiveTraffic(),
        ...(this.mirrorTraffic ? { mirrorTraffic: this.mirrorTraffic } : {}),
      },
    };
  }

  private validateTraffic(): string[] {
    const { errors, warnings } = checkTraffic({
      endpointName: this.endpointName,
      deployments: this.deploymentsAdded.map((d) => d.deploymentName),
      traffic: this.traffic,
      effective: this.effectiveTraffic(),
      mirrorTraffic: this.mirrorTraffic,
      maxDeployments: MAX_DEPLOYMENTS_PER_ENDPOINT,
    });
    for (const w of warnings) this.warnOnce(w.field, w.value, w.advice);
    return errors;
  }

  /** Validations run on every synth: warn once. */
  private warnOnce(field: string, value: unknown, advice: string): void {
    if (this.warnedAtSynth.has(field)) return;
    this.warnedAtSynth.add(field);
    warn(this, field, value, advice);
  }
}

/**
 * Endpoint names per app, by workspace and name (ARM names ignore case). A
 * workspace is known by its ARM id when literal, so importing it twice does
 * not hide a clash.
 */
const endpointNames = new WeakMap<IConstruct, Map<string, string>>();

function claimEndpointName(
  workspace: IMlWorkspace,
  name: string,
  path: string,
): void {
  if (isUnresolved(name)) return;
  const root = workspace.node.root;
  const names = endpointNames.get(root) ?? new Map<string, string>();
  endpointNames.set(root, names);
  const ws = isUnresolved(workspace.workspaceId)
    ? `path:${workspace.node.path}`
    : `id:${workspace.workspaceId.toLowerCase()}`;
  const key = `${ws}\0${name.toLowerCase()}`;
  const holder = names.get(key);
  if (holder !== undefined) {
    fail(
      'endpointName',
      name,
      `must be unique within the workspace (names are compared ignoring case; '${holder}' has it)`,
    );
  }
  names.set(key, path);
}
