import { fail, isUnresolved } from './validation';

export type AssetKind = 'models' | 'environments' | 'codes';

/**
 * Turns an asset reference into the id a deployment takes:
 * `azureml:<name>:<version>` becomes the workspace's ARM id of that version;
 * ARM ids, registry URIs and values known only after apply pass through.
 */
export function resolveAssetReference(
  field: string,
  kind: AssetKind,
  reference: string,
  workspaceId: string,
): string {
  if (isUnresolved(reference)) return reference;
  if (reference.startsWith('/subscriptions/')) {
    const want = `/${kind}/`;
    if (
      !reference.toLowerCase().includes(want.toLowerCase()) ||
      !/\/versions\/[^/]+$/i.test(reference)
    ) {
      fail(
        field,
        reference,
        `must be the ARM id of a ${kind.slice(0, -1)} version (…${want}<name>/versions/<version>)`,
      );
    }
    return reference;
  }
  if (reference.startsWith('azureml://registries/')) {
    const m = new RegExp(
      `^azureml://registries/[^/]+/${kind}/[^/]+/(versions/[^/]+|labels/[^/]+)$`,
    ).exec(reference);
    if (!m) {
      fail(
        field,
        reference,
        `must be a registry URI: azureml://registries/<registry>/${kind}/<name>/versions/<version>`,
      );
    }
    return reference;
  }
  const short = /^azureml:([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+)$/.exec(reference);
  if (short) return `${workspaceId}/${kind}/${short[1]}/versions/${short[2]}`;
  if (/^azureml:[^@]+@/.test(reference)) {
    fail(
      field,
      reference,
      'must pin a version (azureml:<name>:<version>): labels resolve only in the az ml tool',
    );
  }
  return fail(
    field,
    reference,
    `must be azureml:<name>:<version>, an ARM id or azureml://registries/<registry>/${kind}/<name>/versions/<version>`,
  );
}
