import { isLiteral, path, show } from './private/attributes';
import { azapiResourceOfArmType, ONLINE_DEPLOYMENT } from './private/azapi';
import { IMlRule, RuleLevel } from './rule';

/** Deployments reach only what they need, over private endpoints. */
export const DeploymentEgress: IMlRule = {
  id: 'AML-DP-2',
  level: RuleLevel.WARNING,
  title: 'Online deployments restrict outbound (egress) public network access',
  rationale:
    'Scoring code with open egress can send data anywhere, and model, code and images are fetched over public ' +
    'endpoints; a workspace managed network (or egress disabled with private endpoints) limits what it can reach.',
  fix:
    'Use a workspace managed virtual network, or set `egressPublicNetworkAccess: false` with private endpoints to what the ' +
    'deployment reads; or suppress with the reason.',
  check(node) {
    const attrs = azapiResourceOfArmType(node, ONLINE_DEPLOYMENT);
    if (!attrs) return [];
    const egress = path(attrs.body, 'properties.egressPublicNetworkAccess');
    // unset means Enabled
    if (
      !isLiteral(egress) ||
      (typeof egress === 'string' && egress.toLowerCase() === 'disabled')
    )
      return [];
    return [
      `properties.egressPublicNetworkAccess is ${egress === undefined ? 'unset (Enabled)' : show(egress)}`,
    ];
  },
};
