import { IConstruct } from 'constructs';

import {
  armType,
  Attributes,
  resourceAttributes,
  resourceOfType,
} from './attributes';

/** ARM types this pack looks into. */
export const ONLINE_ENDPOINT =
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints';
export const ONLINE_DEPLOYMENT =
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments';

/** The synthesized attributes of an `azapi_resource` of this ARM type. */
export function azapiResourceOfArmType(
  node: IConstruct,
  type: string,
): Attributes | undefined {
  const resource = resourceOfType(node, 'azapi_resource');
  if (!resource) return undefined;
  const attrs = resourceAttributes(resource);
  return armType(attrs)?.toLowerCase() === type.toLowerCase()
    ? attrs
    : undefined;
}
