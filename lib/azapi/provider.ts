import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

/** The azapi provider version range the bindings in this folder are written for. */
export const AZAPI_VERSION_CONSTRAINT = '~> 2.8';

export interface AzapiProviderProps {
  /**
   * Alias of this provider instance, for stacks with several.
   * @default - the default provider
   */
  readonly alias?: string;
  /**
   * Subscription to use.
   * @default - from the environment (ARM_SUBSCRIPTION_ID, or the Azure CLI)
   */
  readonly subscriptionId?: string;
  /**
   * Tenant to use.
   * @default - from the environment (ARM_TENANT_ID, or the Azure CLI)
   */
  readonly tenantId?: string;
  /**
   * Authenticate with OIDC (workload identity federation, e.g. in HCP
   * Terraform dynamic credentials).
   * @default - from the environment (ARM_USE_OIDC)
   */
  readonly useOidc?: boolean;
  /**
   * Authenticate with a managed identity.
   * @default - from the environment (ARM_USE_MSI)
   */
  readonly useMsi?: boolean;
  /**
   * Turn off the provider's usage telemetry.
   * @default - the provider's default (telemetry on)
   */
  readonly disableTelemetry?: boolean;
}

/** The `azure/azapi` provider (v2). */
export class AzapiProvider extends TerraformProvider {
  public static readonly tfResourceType = 'azapi';

  private readonly props: AzapiProviderProps;

  constructor(scope: Construct, id: string, props: AzapiProviderProps = {}) {
    super(scope, id, {
      terraformResourceType: AzapiProvider.tfResourceType,
      terraformGeneratorMetadata: {
        providerName: 'azapi',
        providerVersionConstraint: AZAPI_VERSION_CONSTRAINT,
      },
      terraformProviderSource: 'azure/azapi',
    });
    this.props = props;
    this.alias = props.alias;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return {
      alias: this.props.alias,
      subscription_id: this.props.subscriptionId,
      tenant_id: this.props.tenantId,
      use_oidc: this.props.useOidc,
      use_msi: this.props.useMsi,
      disable_telemetry: this.props.disableTelemetry,
    };
  }
}
