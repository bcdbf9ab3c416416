import {
  isLiteral,
  resourceAttributes,
  resourceOfType,
  show,
} from './private/attributes';
import { IMlRule, RuleLevel } from './rule';

/** Blob containers are private. */
export const StorageContainerPrivate: IMlRule = {
  id: 'AML-ST-5',
  level: RuleLevel.ERROR,
  title: 'Blob containers are private',
  rationale:
    "A 'blob' or 'container' access type lets anyone read (or list) the blobs without credentials.",
  fix: "Set `containerAccessType: 'private'` (the default) and grant readers a data role instead.",
  check(node) {
    const container = resourceOfType(node, 'azurerm_storage_container');
    if (!container) return [];
    const access = resourceAttributes(container).container_access_type;
    if (access === undefined || !isLiteral(access) || access === 'private')
      return [];
    return [`container_access_type is ${show(access)}`];
  },
};
