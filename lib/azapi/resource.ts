import { IResolvable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

import {
  AzapiBody,
  AzapiMetaProps,
  AzapiRetry,
  AzapiTimeouts,
  retryToTerraform,
  timeoutsToTerraform,
} from './common';

/** The `identity` block of an azapi resource. */
export interface AzapiIdentity {
  /** `SystemAssigned`, `UserAssigned`, `SystemAssigned, UserAssigned` or `None`. */
  readonly type: string;
  /**
   * ARM ids of the user-assigned identities.
   * @default - none
   */
  readonly identityIds?: string[];
}

export interface AzapiResourceProps extends AzapiMetaProps {
  /** `<resource type>@<api version>`. */
  readonly type: string;
  /** Name of the Azure resource. */
  readonly name: string;
  /** ARM id of the parent resource (resource group, workspace, ...). */
  readonly parentId: string;
  /**
   * Azure region.
   * @default - none (child resources inherit it)
   */
  readonly location?: string;
  /**
   * The request body, as an object (azapi v2).
   * @default {}
   */
  readonly body?: AzapiBody;
  /**
   * Managed identity of the resource.
   * @default - none
   */
  readonly identity?: AzapiIdentity;
  /**
   * Tags of the resource.
   * @default - none
   */
  readonly tags?: { [key: string]: string };
  /**
   * Paths of the response body to export into `output`.
   * @default - nothing exported
   */
  readonly responseExportValues?: string[];
  /**
   * Validate `body` against the provider's embedded schema at plan time.
   * @default true
   */
  readonly schemaValidationEnabled?: boolean;
  /**
   * Ignore properties the service does not return (e.g. secrets).
   * @default true
   */
  readonly ignoreMissingProperty?: boolean;
  /**
   * ARM ids that serialize operations on the same parent.
   * @default - none
   */
  readonly locks?: string[];
  /**
   * Values whose change replaces the resource instead of updating it.
   * @default - none
   */
  readonly replaceTriggersExternalValues?: unknown;
  /** @default - the provider's default timeouts */
  readonly timeouts?: AzapiTimeouts;
  /** @default - no retries */
  readonly retry?: AzapiRetry;
}

/** `azapi_resource`: any ARM resource, managed through its REST body. */
export class AzapiResource extends TerraformResource {
  public static readonly tfResourceType = 'azapi_resource';

  private readonly props: AzapiResourceProps;

  constructor(scope: Construct, id: string, props: AzapiResourceProps) {
    super(scope, id, {
      terraformResourceType: AzapiResource.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'azapi' },
      provider: props.provider,
      dependsOn: props.dependsOn,
      count: props.count,
      lifecycle: props.lifecycle,
      forEach: props.forEach,
      provisioners: props.provisioners,
      connection: props.connection,
    });
    this.props = props;
  }

  /** The ARM id of the resource. */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** The `name` argument. */
  public get name(): string {
    return this.props.name;
  }

  /** The `type` argument (`<resource type>@<api version>`). */
  public get type(): string {
    return this.props.type;
  }

  /** The principal (object) id of the system-assigned identity. */
  public get identityPrincipalId(): string {
    return this.getStringAttribute('identity[0].principal_id');
  }

  /**
   * A value exported with `responseExportValues`, e.g.
   * `outputValue('properties.scoringUri')`.
   */
  public outputValue(path: string): IResolvable {
    return this.interpolationForAttribute(`output.${path}`);
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    const p = this.props;
    return {
      type: p.type,
      name: p.name,
      parent_id: p.parentId,
      location: p.location,
      body: p.body ?? {},
      identity:
        p.identity === undefined
          ? undefined
          : [{ type: p.identity.type, identity_ids: p.identity.identityIds }],
      tags: p.tags,
      response_export_values: p.responseExportValues,
      schema_validation_enabled: p.schemaValidationEnabled,
      ignore_missing_property: p.ignoreMissingProperty,
      locks: p.locks,
      replace_triggers_external_values: p.replaceTriggersExternalValues,
      timeouts: timeoutsToTerraform(p.timeouts),
      retry: retryToTerraform(p.retry),
    };
  }
}
