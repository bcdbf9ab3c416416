import { TerraformProvider, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * The stack's default (unaliased) azurerm provider, found by its Terraform
 * type rather than by class, so that a stack built with another copy of the
 * provider bindings is judged alike.
 */
export function defaultAzurermProvider(
  scope: IConstruct,
): TerraformProvider | undefined {
  return TerraformStack.of(scope)
    .node.findAll()
    .filter(
      (c): c is TerraformProvider =>
        TerraformProvider.isTerraformProvider(c) &&
        c.terraformResourceType === 'azurerm',
    )
    .find((p) => p.alias === undefined);
}

/** Whether a provider reaches storage data planes with Entra ID. */
export function usesEntraIdForStorage(
  provider: TerraformProvider | undefined,
): unknown {
  return (provider as { storageUseAzuread?: unknown } | undefined)
    ?.storageUseAzuread;
}
