/**
 * Facts about Azure that several files rely on, kept in one place.
 */

/**
 * The Machine Learning REST API version every azapi resource here speaks.
 * @see https://learn.microsoft.com/rest/api/azureml/
 */
export const ML_API_VERSION = '2025-09-01';

/** The ARM type of an ML resource, with the API version: `mlType('workspaces')`. */
export function mlType(resourceType: string): string {
  return `Microsoft.MachineLearningServices/${resourceType}@${ML_API_VERSION}`;
}

/** The ARM id of a user-assigned managed identity. */
export const USER_ASSIGNED_IDENTITY_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i;

/** The shape of a VM size name such as `Standard_DS3_v2`. */
export const VM_SIZE = /^[A-Za-z][A-Za-z0-9_]+$/;

/**
 * A value that refers to an identity's client (application) id, which a role
 * assignment must never take in place of the principal (object) id.
 */
export const CLIENT_ID_REFERENCE = /client_?id/i;
