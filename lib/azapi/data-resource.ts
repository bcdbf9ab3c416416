import { IResolvable, TerraformDataSource } from 'cdktf';
import { Construct } from 'constructs';

import { AzapiMetaProps } from './common';

export interface DataAzapiResourceProps extends AzapiMetaProps {
  /** `<resource type>@<api version>`. */
  readonly type: string;
  /** ARM id of the resource to read. */
  readonly resourceId: string;
  /**
   * Paths of the response body to export into `output`.
   * @default - nothing exported
   */
  readonly responseExportValues?: string[];
}

/** The `azapi_resource` data source: reads an existing ARM resource. */
export class DataAzapiResource extends TerraformDataSource {
  public static readonly tfResourceType = 'azapi_resource';

  private readonly props: DataAzapiResourceProps;

  constructor(scope: Construct, id: string, props: DataAzapiResourceProps) {
    super(scope, id, {
      terraformResourceType: DataAzapiResource.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'azapi' },
      provider: props.provider,
      dependsOn: props.dependsOn,
      count: props.count,
      lifecycle: props.lifecycle,
      forEach: props.forEach,
    });
    this.props = props;
  }

  /** A value exported with `responseExportValues`. */
  public outputValue(path: string): IResolvable {
    return this.interpolationForAttribute(`output.${path}`);
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return {
      type: this.props.type,
      resource_id: this.props.resourceId,
      response_export_values: this.props.responseExportValues,
    };
  }
}
