import { isLiteral, path, show } from './private/attributes';
import { azapiResourceOfArmType, ONLINE_ENDPOINT } from './private/azapi';
import { IMlRule, RuleLevel } from './rule';

/** Endpoints take scoring requests from private networks only. */
export const EndpointPublicNetworkAccess: IMlRule = {
  id: 'AML-EP-2',
  level: RuleLevel.WARNING,
  title: 'Online endpoints disable public network access',
  rationale:
    'A public scoring URI can be reached (and its auth probed) from anywhere on the internet; with access disabled, ' +
    'only clients reaching the workspace over a private endpoint can score.',
  fix: "Set `publicNetworkAccess: false` and reach the endpoint through the workspace's private endpoint; or suppress with the reason.",
  check(node) {
    const attrs = azapiResourceOfArmType(node, ONLINE_ENDPOINT);
    if (!attrs) return [];
    const access = path(attrs.body, 'properties.publicNetworkAccess');
    // unset means Enabled
    if (
      !isLiteral(access) ||
      (typeof access === 'string' && access.toLowerCase() === 'disabled')
    )
      return [];
    return [
      `properties.publicNetworkAccess is ${access === undefined ? 'unset (Enabled)' : show(access)}`,
    ];
  },
};
