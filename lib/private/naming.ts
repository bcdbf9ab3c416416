import { Fn } from 'cdktf';
import { Node } from 'constructs';

import { hashStrings } from './files';
import { isUnresolved } from './validation';

/**
 * A globally unique name for a storage account, key vault or registry,
 * derived from a prefix: the prefix is reduced to lowercase letters and
 * digits (and, where allowed, hyphens) and cut so that an 8-character suffix
 * fits. The suffix hashes the construct path and the seed, and `uniqueIn`
 * (the subscription id) when given: then Terraform computes it at plan, so
 * two subscriptions deploying the same code get different names.
 */
export function deriveUniqueName(
  prefix: string,
  node: Node,
  opts: {
    maxLength: number;
    allowHyphens: boolean;
    seed?: string;
    /** A value, known at plan, that differs between deployers. */
    uniqueIn?: string;
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
  const seed = opts.seed && !isUnresolved(opts.seed) ? opts.seed : '';
  const suffix =
    opts.uniqueIn === undefined
      ? hashStrings(node.path, seed).slice(0, 8)
      : Fn.substr(
          Fn.sha1(Fn.join('/', [opts.uniqueIn, node.path, seed])),
          0,
          8,
        );
  let base = prefix
    .toLowerCase()
    .replace(opts.allowHyphens ? /[^a-z0-9-]/g : /[^a-z0-9]/g, '');
  if (opts.allowHyphens) base = base.replace(/-+/g, '-').replace(/^-+/, '');
  // key vault names start with a letter; storage names may not be empty
  base = base.replace(/^[0-9-]+/, '');
  base = base.slice(0, opts.maxLength - 8);
  if (opts.allowHyphens) base = base.replace(/-+$/, '');
  return `${base || 'ml'}${suffix}`;
}
