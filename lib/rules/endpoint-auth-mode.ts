import { path, show } from './private/attributes';
import { azapiResourceOfArmType, ONLINE_ENDPOINT } from './private/azapi';
import { IMlRule, RuleLevel } from './rule';

/** Endpoints authenticate callers with Microsoft Entra tokens. */
export const EndpointAuthMode: IMlRule = {
  id: 'AML-EP-1',
  level: RuleLevel.WARNING,
  title:
    'Online endpoints authenticate callers with Entra ID tokens (AADToken)',
  rationale:
    'Endpoint keys never expire, name no caller and are shared by every client; Entra tokens expire, identify the ' +
    'caller and are granted per identity with Azure RBAC. Key auth is allowed (the tutorial uses it), so this is a warning.',
  fix: 'Set `authMode: AuthMode.AAD_TOKEN` and grant callers the endpoint scoring role; or suppress with the reason key auth is needed.',
  check(node) {
    const attrs = azapiResourceOfArmType(node, ONLINE_ENDPOINT);
    if (!attrs) return [];
    const mode = path(attrs.body, 'properties.authMode');
    return typeof mode === 'string' && mode.toLowerCase() === 'key'
      ? [`properties.authMode is ${show(mode)}`]
      : [];
  },
};
