import { TerraformOutput, TerraformStack } from 'cdktf';

import {
  outputAttributes,
  resourceAttributes,
  resourceOfType,
} from './private/attributes';
import { secretReference } from './private/secrets';
import { IMlRule, RuleLevel } from './rule';

/** Keys and connection strings are never printed by outputs. */
export const OutputSecrets: IMlRule = {
  id: 'AML-KEY-1',
  level: RuleLevel.ERROR,
  title: 'Terraform outputs that carry keys are sensitive',
  rationale:
    'A plain output is printed after every apply and kept readable in CI logs; endpoint keys (listKeys), storage keys ' +
    'and connection strings in it are as good as published.',
  fix: 'Set `sensitive: true` on the output, or better, output no key and let callers fetch it when they need it.',
  check(node) {
    if (!TerraformOutput.isTerraformOutput(node)) return [];
    const attrs = outputAttributes(node);
    if (attrs.sensitive === true) return [];
    const reference =
      secretReference(attrs.value) ?? keyActionReference(node, attrs.value);
    return reference
      ? [
          `output '${node.friendlyUniqueId}' shows ${reference} without sensitive: true`,
        ]
      : [];
  },
};

/** A reference to anything a `listKeys`-like azapi action returns. */
function keyActionReference(
  output: TerraformOutput,
  value: unknown,
): string | undefined {
  const text = JSON.stringify(value ?? null);
  if (!text.includes('${azapi_resource_action.')) return undefined;
  for (const c of TerraformStack.of(output).node.findAll()) {
    const action = resourceOfType(c, 'azapi_resource_action');
    if (
      !action ||
      !/^list\w*(keys|secrets|credentials)$/i.test(
        String(resourceAttributes(action).action),
      )
    )
      continue;
    const prefix = `\${azapi_resource_action.${action.friendlyUniqueId}.`;
    if (text.includes(prefix))
      return `azapi_resource_action.${action.friendlyUniqueId} (${resourceAttributes(action).action})`;
  }
  return undefined;
}
