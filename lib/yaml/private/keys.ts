/**
 * The keys of the az ml v2 YAML schemas for managed online endpoints and
 * deployments, and what this library does with each.
 * @see https://learn.microsoft.com/azure/machine-learning/reference-yaml-endpoint-online
 * @see https://learn.microsoft.com/azure/machine-learning/reference-yaml-deployment-managed-online
 */

/** What happens to a key. */
export type KeyRule =
  /** Read and turned into a construct property. */
  | { readonly kind: 'supported' }
  /** In the schema, but this library cannot honour it: fails with the reason. */
  | { readonly kind: 'unsupported'; readonly reason: string }
  /** Set by the service; a file that has it was probably dumped by `az ml ... show`. */
  | { readonly kind: 'readOnly' };

/** The keys one YAML mapping accepts. */
export interface KeySpec {
  /** What the mapping is, for messages: 'managed online endpoint'. */
  readonly title: string;
  readonly keys: { readonly [key: string]: KeyRule };
  /** Keys of the other kind of file, with the sentence that says where they go. */
  readonly elsewhere?: {
    readonly keys: readonly string[];
    readonly where: string;
  };
  /** Keys with a message of their own (e.g. `traffic`). */
  readonly explained?: { readonly [key: string]: string };
}

const OK: KeyRule = { kind: 'supported' };
const READ_ONLY: KeyRule = { kind: 'readOnly' };

function unsupported(reason: string): KeyRule {
  return { kind: 'unsupported', reason };
}

const KUBERNETES_ONLY =
  'applies to Kubernetes online endpoints only; this library makes managed ones';
const CUSTOM_CONTAINER =
  'configures a custom serving container, which this library does not support: use a scoring script ' +
  '(`code_configuration`) on an image';

/** Keys only a deployment file has (for "belongs in ..." messages). */
const DEPLOYMENT_ONLY_KEYS = [
  'endpoint_name',
  'model',
  'model_mount_path',
  'code_configuration',
  'environment',
  'environment_variables',
  'instance_type',
  'instance_count',
  'app_insights_enabled',
  'scale_settings',
  'request_settings',
  'liveness_probe',
  'readiness_probe',
  'egress_public_network_access',
  'data_collector',
  'private_network_connection',
  'resources',
  'creation_context',
];

/** Keys only an endpoint file has. */
const ENDPOINT_ONLY_KEYS = [
  'auth_mode',
  'identity',
  'traffic',
  'mirror_traffic',
  'public_network_access',
  'compute',
  'scoring_uri',
  'openapi_uri',
  'kind',
];

const TRAFFIC_EXPLAINED =
  'cannot be set in the endpoint file: Azure ML takes traffic only once the deployments exist, so the ' +
  'library routes it with a separate update after every deployment (100% to a single deployment by ' +
  'default); set it with the `traffic` prop of ManagedEndpointWithIdentity or with `setTraffic()` ' +
  "(TRAFFIC='blue=90,green=10' in the default app)";

const MIRROR_EXPLAINED =
  'cannot be set in the endpoint file: mirrored traffic needs the deployments to exist, so the library ' +
  'routes it after them; set it with the `mirrorTraffic` prop of ManagedEndpointWithIdentity or with `setTraffic()`';

export const ENDPOINT_KEYS: KeySpec = {
  title: 'managed online endpoint',
  keys: {
    $schema: OK,
    name: OK,
    description: OK,
    tags: OK,
    auth_mode: OK,
    identity: OK,
    public_network_access: OK,
    compute: unsupported(KUBERNETES_ONLY),
    properties: unsupported(
      '(free-form endpoint properties) is not supported by this library',
    ),
    location: unsupported(
      "is not set per endpoint: the endpoint is created in the workspace's region",
    ),
    id: READ_ONLY,
    provisioning_state: READ_ONLY,
    scoring_uri: READ_ONLY,
    openapi_uri: READ_ONLY,
    kind: READ_ONLY,
  },
  explained: { traffic: TRAFFIC_EXPLAINED, mirror_traffic: MIRROR_EXPLAINED },
  elsewhere: {
    keys: DEPLOYMENT_ONLY_KEYS,
    where:
      'is a deployment key: it belongs in a deployment file (managedOnlineDeployment schema), not in the endpoint file',
  },
};

export const DEPLOYMENT_KEYS: KeySpec = {
  title: 'managed online deployment',
  keys: {
    $schema: OK,
    name: OK,
    endpoint_name: OK,
    description: OK,
    tags: OK,
    properties: OK,
    type: OK,
    model: OK,
    code_configuration: OK,
    environment: OK,
    environment_variables: OK,
    instance_type: OK,
    instance_count: OK,
    app_insights_enabled: OK,
    scale_settings: OK,
    request_settings: OK,
    liveness_probe: OK,
    readiness_probe: OK,
    egress_public_network_access: OK,
    model_mount_path: unsupported(CUSTOM_CONTAINER),
    data_collector: unsupported(
      '(model data collection) is not supported by this library: collect data in the scoring script',
    ),
    private_network_connection: unsupported(
      '(a preview network isolation flag) is not supported by this library',
    ),
    resources: unsupported(KUBERNETES_ONLY),
    id: READ_ONLY,
    provisioning_state: READ_ONLY,
    creation_context: READ_ONLY,
  },
  elsewhere: {
    keys: ENDPOINT_ONLY_KEYS,
    where:
      'is an endpoint key: it belongs in the endpoint file (managedOnlineEndpoint schema), not in a deployment file',
  },
};

export const IDENTITY_KEYS: KeySpec = {
  title: 'endpoint identity',
  keys: {
    type: OK,
    user_assigned_identities: OK,
    principal_id: READ_ONLY,
    tenant_id: READ_ONLY,
  },
};

const READ_FROM_IDENTITY = unsupported(
  'is read from the identity at plan time: give only `resource_id` (the ARM id of the identity)',
);

export const USER_ASSIGNED_IDENTITY_KEYS: KeySpec = {
  title: 'user-assigned identity',
  keys: {
    resource_id: OK,
    client_id: READ_FROM_IDENTITY,
    principal_id: READ_FROM_IDENTITY,
    object_id: READ_FROM_IDENTITY,
  },
};

const REGISTER_FIRST =
  'is not supported on an inline asset: register the asset and reference it as azureml:<name>:<version>';

export const MODEL_KEYS: KeySpec = {
  title: 'inline model',
  keys: {
    $schema: OK,
    name: OK,
    version: OK,
    type: OK,
    path: OK,
    description: OK,
    tags: unsupported(REGISTER_FIRST),
    properties: unsupported(REGISTER_FIRST),
    flavors: unsupported(REGISTER_FIRST),
    local_path: unsupported("is the preview schema's name: write `path`"),
    id: READ_ONLY,
    creation_context: READ_ONLY,
    latest_version: READ_ONLY,
    job_name: READ_ONLY,
    utc_time_created: READ_ONLY,
  },
};

export const ENVIRONMENT_KEYS: KeySpec = {
  title: 'inline environment',
  keys: {
    $schema: OK,
    name: OK,
    version: OK,
    description: OK,
    image: OK,
    conda_file: OK,
    build: OK,
    os_type: OK,
    inference_config: unsupported(CUSTOM_CONTAINER),
    tags: unsupported(REGISTER_FIRST),
    properties: unsupported(REGISTER_FIRST),
    datastore: unsupported(
      "is not supported: uploads go to the workspace's default datastore",
    ),
    docker: unsupported(
      "is the preview schema's name: write `image` (or `build`)",
    ),
    id: READ_ONLY,
    creation_context: READ_ONLY,
    latest_version: READ_ONLY,
  },
};

export const BUILD_KEYS: KeySpec = {
  title: 'environment build context',
  keys: { path: OK, dockerfile_path: OK },
};

export const CODE_KEYS: KeySpec = {
  title: 'code configuration',
  keys: { code: OK, scoring_script: OK },
};

export const REQUEST_SETTINGS_KEYS: KeySpec = {
  title: 'request settings',
  keys: {
    request_timeout_ms: OK,
    max_concurrent_requests_per_instance: OK,
    max_queue_wait_ms: OK,
  },
};

export const PROBE_KEYS: KeySpec = {
  title: 'probe',
  keys: {
    initial_delay: OK,
    period: OK,
    timeout: OK,
    success_threshold: OK,
    failure_threshold: OK,
  },
};

const TARGET_UTILIZATION = unsupported(
  'belongs to `type: target_utilization`, which ' +
    KUBERNETES_ONLY +
    ' (scale a managed deployment with autoscale rules)',
);

export const SCALE_SETTINGS_KEYS: KeySpec = {
  title: 'scale settings',
  keys: {
    type: OK,
    polling_interval: TARGET_UTILIZATION,
    target_utilization_percentage: TARGET_UTILIZATION,
    min_instances: TARGET_UTILIZATION,
    max_instances: TARGET_UTILIZATION,
  },
};

/** The keys of a spec a user may write (for "allowed" lists and suggestions). */
export function writableKeys(spec: KeySpec): string[] {
  return Object.entries(spec.keys)
    .filter(([, rule]) => rule.kind === 'supported')
    .map(([key]) => key);
}

/**
 * The writable key nearest to `key` by edit distance, if it is close enough
 * to be a typo (at most 2 edits, or a quarter of the key's length).
 */
export function nearestKey(key: string, spec: KeySpec): string | undefined {
  const candidates = Object.entries(spec.keys)
    .filter(([, rule]) => rule.kind !== 'readOnly')
    .map(([k]) => k);
  const limit = Math.max(2, Math.floor(key.length / 4));
  let best: string | undefined;
  let bestDistance = Number.MAX_SAFE_INTEGER;
  for (const candidate of candidates) {
    const d = editDistance(key.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance, with a transposition counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
