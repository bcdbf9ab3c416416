import { Fn } from 'cdktf';

import { fail, isUnresolved } from './validation';

/** The parts of a workspace's ARM id. */
export interface WorkspaceIdParts {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly workspaceName: string;
}

const WORKSPACE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)$/i;

/**
 * Splits a workspace ARM id. Literal ids are checked; an id known only after
 * apply is split with Terraform functions.
 */
export function parseWorkspaceId(field: string, id: string): WorkspaceIdParts {
  if (isUnresolved(id)) {
    return {
      subscriptionId: segment(id, 2),
      resourceGroupName: segment(id, 4),
      workspaceName: segment(id, 8),
    };
  }
  const m = WORKSPACE_ID.exec(id);
  if (!m) {
    fail(
      field,
      id,
      'must be a workspace ARM id: /subscriptions/<id>/resourceGroups/<name>/' +
        'providers/Microsoft.MachineLearningServices/workspaces/<name>',
    );
  }
  return { subscriptionId: m[1], resourceGroupName: m[2], workspaceName: m[3] };
}

/** The n-th '/'-separated segment of an ARM id (literal or token). */
export function segment(id: string, n: number): string {
  if (!isUnresolved(id)) return id.split('/')[n];
  return Fn.element(Fn.split('/', id), n);
}
