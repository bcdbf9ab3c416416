import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

import {
  AzapiBody,
  AzapiMetaProps,
  AzapiRetry,
  AzapiTimeouts,
  retryToTerraform,
  timeoutsToTerraform,
} from './common';

export interface AzapiUpdateResourceProps extends AzapiMetaProps {
  /** `<resource type>@<api version>`. */
  readonly type: string;
  /** ARM id of the existing resource to update. */
  readonly resourceId: string;
  /** The properties to merge into the remote body. */
  readonly body: AzapiBody;
  /**
   * Paths of the response body to export into `output`.
   * @default - nothing exported
   */
  readonly responseExportValues?: string[];
  /**
   * ARM ids that serialize operations on the same resource.
   * @default - none
   */
  readonly locks?: string[];
  /** @default - the provider's default timeouts */
  readonly timeouts?: AzapiTimeouts;
  /** @default - no retries */
  readonly retry?: AzapiRetry;
}

/**
 * `azapi_update_resource`: reads an existing resource, merges `body` into it
 * and writes it back. Destroying it changes nothing in Azure.
 */
export class AzapiUpdateResource extends TerraformResource {
  public static readonly tfResourceType = 'azapi_update_resource';

  private readonly props: AzapiUpdateResourceProps;

  constructor(scope: Construct, id: string, props: AzapiUpdateResourceProps) {
    super(scope, id, {
      terraformResourceType: AzapiUpdateResource.tfResourceType,
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

  /** The ARM id of the updated resource. */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    const p = this.props;
    return {
      type: p.type,
      resource_id: p.resourceId,
      body: p.body,
      response_export_values: p.responseExportValues,
      locks: p.locks,
      timeouts: timeoutsToTerraform(p.timeouts),
      retry: retryToTerraform(p.retry),
    };
  }
}
