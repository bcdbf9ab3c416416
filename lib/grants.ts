import { ITerraformDependable } from 'cdktf';

/**
 * Built-in role names this library assigns.
 * @see https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 */
export const BuiltInRole = {
  /** Read blobs and list containers (2a2b9908-6ea1-4ae2-8e65-a410df84e7d1). */
  STORAGE_BLOB_DATA_READER: 'Storage Blob Data Reader',
  /** Read, write and delete blobs (ba92f5b4-2d11-453d-a403-e96b0029c9fe). */
  STORAGE_BLOB_DATA_CONTRIBUTOR: 'Storage Blob Data Contributor',
  /** Pull images from a container registry (7f951dda-4ed3-4680-a7ca-43fe172d538d). */
  ACR_PULL: 'AcrPull',
} as const;

/**
 * A managed identity that can be granted roles. Grants take its principal
 * (object) id; a client id is rejected.
 */
export interface IGrantee {
  /** The principal (object) id of the identity, never its client id. */
  readonly principalId: string;
  /**
   * Called with each role assignment granted to this identity, so that what
   * runs as the identity can be ordered after it.
   */
  recordGrant?(grant: ITerraformDependable): void;
}
