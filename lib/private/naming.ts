import { Node } from 'constructs';

import { hashStrings } from './files';
import { isUnresolved } from './validation';

/**
 * A globally unique-looking name for a storage account or key vault, derived
 * from a prefix: the prefix is reduced to lowercase letters and digits (and,
 * where allowed, hyphens), cut so that an 8-character suffix fits, and the
 * suffix is a hash of the construct path and the seed (stable across synths).
 */
export function deriveUniqueName(
  prefix: string,
  node: Node,
  opts: {
    maxLength: number;
    allowHyphens: boolean;
    seed?: string;
    /** The prop the prefix came from, for the error. */
    field: string;
  },
): string {
  if (isUnresolved(prefix)) {
    throw new Error(
      `\`${opts.field}\` must be a literal to derive names from it (a value known ` +
        'only after apply would put token text into names); give the names ' +
        'themselves instead',
    );
  }
  const suffix = hashStrings(
    node.path,
    opts.seed && !isUnresolved(opts.seed) ? opts.seed : '',
  ).slice(0, 8);
  let base = prefix
    .toLowerCase()
    .replace(opts.allowHyphens ? /[^a-z0-9-]/g : /[^a-z0-9]/g, '');
  if (opts.allowHyphens) base = base.replace(/-+/g, '-').replace(/^-+/, '');
  // key vault names start with a letter; storage names may not be empty
  base = base.replace(/^[0-9-]+/, '');
  base = base.slice(0, opts.maxLength - suffix.length);
  if (opts.allowHyphens) base = base.replace(/-+$/, '');
  return `${base || 'ml'}${suffix}`.slice(0, opts.maxLength);
}
