import { isLiteral, path } from './private/attributes';
import { azapiResourceOfArmType, ONLINE_DEPLOYMENT } from './private/azapi';
import {
  looksLikeSecretName,
  looksLikeSecretValue,
  secretReference,
} from './private/secrets';
import { IMlRule, RuleLevel } from './rule';

/** Deployments receive no secrets in environment variables. */
export const DeploymentEnvironmentSecrets: IMlRule = {
  id: 'AML-DP-3',
  level: RuleLevel.ERROR,
  title: 'Online deployments get no secrets through environment variables',
  rationale:
    'Environment variables are part of the deployment resource: anyone who can read it (and the Terraform state) ' +
    'reads them in clear text, and they do not rotate.',
  fix:
    "Give the endpoint's managed identity a data role and let the scoring script get a token (as this library's " +
    'scoring code does), or read the secret from Key Vault with the identity at init().',
  check(node) {
    const attrs = azapiResourceOfArmType(node, ONLINE_DEPLOYMENT);
    if (!attrs) return [];
    const vars = path(attrs.body, 'properties.environmentVariables');
    if (!vars || typeof vars !== 'object') return [];
    const problems: string[] = [];
    for (const [name, value] of Object.entries(
      vars as { [name: string]: unknown },
    )) {
      const reference = secretReference(value);
      if (reference) {
        problems.push(
          `environment variable ${name} takes the secret ${reference}`,
        );
      } else if (
        typeof value === 'string' &&
        value !== '' &&
        isLiteral(value)
      ) {
        if (looksLikeSecretValue(value))
          problems.push(
            `environment variable ${name} holds a literal key or signature`,
          );
        else if (looksLikeSecretName(name))
          problems.push(`environment variable ${name} holds a literal value`);
      }
    }
    return problems;
  },
};
