import { IResolvable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

import {
  AzapiBody,
  AzapiMetaProps,
  AzapiTimeouts,
  timeoutsToTerraform,
} from './common';

export interface AzapiResourceActionProps extends AzapiMetaProps {
  /** `<resource type>@<api version>`. */
  readonly type: string;
  /** ARM id of the resource the action runs on. */
  readonly resourceId: string;
  /** Name of the action, e.g. `listKeys`. */
  readonly action: string;
  /**
   * HTTP method.
   * @default 'POST'
   */
  readonly method?: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /**
   * Request body.
   * @default - none
   */
  readonly body?: AzapiBody;
  /**
   * Paths of the response to export into the sensitive `sensitive_output`.
   * @default - nothing exported
   */
  readonly sensitiveResponseExportValues?: string[];
  /**
   * Run the action on `apply` or on `destroy`.
   * @default 'apply'
   */
  readonly when?: 'apply' | 'destroy';
  /** @default - the provider's default timeouts */
  readonly timeouts?: AzapiTimeouts;
}

/** `azapi_resource_action`: a POST (or other) action on an existing resource. */
export class AzapiResourceAction extends TerraformResource {
  public static readonly tfResourceType = 'azapi_resource_action';

  private readonly props: AzapiResourceActionProps;

  constructor(scope: Construct, id: string, props: AzapiResourceActionProps) {
    super(scope, id, {
      terraformResourceType: AzapiResourceAction.tfResourceType,
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

  /** A value exported with `sensitiveResponseExportValues` (sensitive). */
  public sensitiveOutputValue(path: string): IResolvable {
    return this.interpolationForAttribute(`sensitive_output.${path}`);
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    const p = this.props;
    return {
      type: p.type,
      resource_id: p.resourceId,
      action: p.action,
      method: p.method,
      body: p.body,
      sensitive_response_export_values: p.sensitiveResponseExportValues,
      when: p.when,
      timeouts: timeoutsToTerraform(p.timeouts),
    };
  }
}
