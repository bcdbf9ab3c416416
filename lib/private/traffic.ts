import { isUnresolved } from './validation';

/** What the traffic rules look at. */
export interface TrafficInput {
  readonly endpointName: string;
  /** Names of the endpoint's deployments. */
  readonly deployments: readonly string[];
  /** Traffic as given (undefined: not given). */
  readonly traffic?: { readonly [name: string]: number };
  /** Traffic as it will be sent (the default filled in). */
  readonly effective: { readonly [name: string]: number };
  readonly mirrorTraffic?: { readonly [name: string]: number };
  /** Deployments an endpoint takes before a quota exception is needed. */
  readonly maxDeployments: number;
}

/** A warning: the field, the value, and what it should be. */
export interface TrafficWarning {
  readonly field: string;
  readonly value: unknown;
  readonly advice: string;
}

/**
 * The traffic rules of managed online endpoints: only known deployments,
 * whole percentages, live traffic summing to 100 (or 0, which stops it),
 * mirroring at most 50 % to one deployment that gets no live traffic.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints
 */
export function checkTraffic(input: TrafficInput): {
  errors: string[];
  warnings: TrafficWarning[];
} {
  const errors: string[] = [];
  const warnings: TrafficWarning[] = [];
  const { endpointName, deployments, traffic, mirrorTraffic } = input;
  const known = new Set(deployments);

  if (deployments.length > 1 && !traffic) {
    errors.push(
      `\`traffic\` must be set when endpoint '${endpointName}' has several deployments ` +
        `(${deployments.join(', ')}): give each a percentage, summing to 100; got nothing`,
    );
  }
  const check = (
    field: string,
    map: { readonly [k: string]: number } | undefined,
    max: number,
  ) => {
    for (const [name, pct] of Object.entries(map ?? {})) {
      if (!known.has(name) && !isUnresolved(name)) {
        errors.push(
          `\`${field}\` names deployment '${name}', which endpoint '${endpointName}' does not have ` +
            `(deployments: ${deployments.join(', ') || 'none'})`,
        );
      }
      if (
        !isUnresolved(pct) &&
        (!Number.isInteger(pct) || pct < 0 || pct > max)
      ) {
        errors.push(
          `\`${field}.${name}\` must be a whole percentage from 0 to ${max}; got ${pct}`,
        );
      }
    }
  };
  check('traffic', traffic, 100);
  check('mirrorTraffic', mirrorTraffic, 50);

  const values = Object.values(traffic ?? {});
  // an empty map with deployments present is a sum of 0, not nothing
  const judged = values.length > 0 || deployments.length > 0;
  if (traffic && judged && !values.some(isUnresolved)) {
    const sum = values.reduce((a, b) => a + b, 0);
    if (sum !== 100 && sum !== 0) {
      errors.push(
        `\`traffic\` values must sum to 100; got ${sum} (${JSON.stringify(traffic)})`,
      );
    }
    if (sum === 0) {
      warnings.push({
        field: 'traffic',
        value: traffic,
        advice:
          'should send traffic somewhere: values summing to 0 stop all live traffic',
      });
    }
  }

  const mirrored = Object.entries(mirrorTraffic ?? {}).filter(
    ([, pct]) => pct !== 0,
  );
  if (mirrored.length > 1) {
    errors.push(
      `\`mirrorTraffic\` must name one deployment at most (Azure mirrors to one); got ${mirrored.length} (${mirrored.map(([n]) => n).join(', ')})`,
    );
  }
  for (const [name, pct] of Object.entries(mirrorTraffic ?? {})) {
    const live = input.effective[name];
    if (live !== undefined && live !== 0 && pct !== 0) {
      errors.push(
        `\`mirrorTraffic.${name}\` must target a deployment without live traffic; got ${pct} while \`traffic.${name}\` is ${live}`,
      );
    }
  }
  if (deployments.length > input.maxDeployments) {
    warnings.push({
      field: 'deployments',
      value: `${deployments.length} deployments`,
      advice: `should be at most ${input.maxDeployments} per endpoint unless the subscription has a quota exception`,
    });
  }
  return { errors, warnings };
}
