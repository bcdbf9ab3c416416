import { isLiteral, path } from './private/attributes';
import { azapiResourceOfArmType, ONLINE_DEPLOYMENT } from './private/azapi';
import { IMlRule, RuleLevel } from './rule';

/** Deployments send request logs and metrics to Application Insights. */
export const DeploymentAppInsights: IMlRule = {
  id: 'AML-DP-1',
  level: RuleLevel.WARNING,
  title: 'Online deployments send logs and metrics to Application Insights',
  rationale:
    'Without them, failed or abusive scoring requests leave no trace to investigate.',
  fix: 'Set `appInsightsEnabled: true` (the default of OnlineDeployment; the service default is false).',
  check(node) {
    const attrs = azapiResourceOfArmType(node, ONLINE_DEPLOYMENT);
    if (!attrs) return [];
    const enabled = path(attrs.body, 'properties.appInsightsEnabled');
    if (enabled === true || !isLiteral(enabled)) return [];
    return [
      `properties.appInsightsEnabled is ${enabled === undefined ? 'unset (false)' : String(enabled)}`,
    ];
  },
};
