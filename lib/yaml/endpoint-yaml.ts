import { Token } from 'cdktf';
import { Construct } from 'constructs';

import {
  AuthMode,
  IdentityType,
  ManagedEndpointWithIdentity,
  ManagedEndpointWithIdentityProps,
} from '../managed-endpoint-with-identity';
import { IMlWorkspace } from '../ml-workspace';
import { USER_ASSIGNED_IDENTITY_ID } from '../private/azure';
import { checkOnlineName } from '../private/validation';
import {
  ENDPOINT_KEYS,
  IDENTITY_KEYS,
  USER_ASSIGNED_IDENTITY_KEYS,
} from './private/keys';
import { NO_VALUE, YNode } from './private/node';
import { YamlOverrides, YamlSource } from './private/source';

/** How a YAML file is read. */
export interface YamlLoadOptions {
  /**
   * Values set over the file's, like `az ml ... --set`: `'key.sub=value'`
   * strings, or an object of dotted paths to values (cdktf tokens allowed).
   * Relative paths given here resolve against the file's folder too.
   * @default - the file as it is
   */
  readonly set?: YamlOverrides;
}

/** The construct properties an endpoint file sets. */
export interface EndpointYamlProps {
  /** From `name`. */
  readonly endpointName: string;
  /**
   * From `auth_mode`.
   * @default - the construct's default (AuthMode.KEY, as az ml)
   */
  readonly authMode?: AuthMode;
  /**
   * From `identity.type`.
   * @default - UserAssigned when `identity.user_assigned_identities` is given, else SystemAssigned
   */
  readonly identityType?: IdentityType;
  /**
   * From `identity.user_assigned_identities[0].resource_id`.
   * @default - none: a user-assigned identity is created when the type asks for one
   */
  readonly userAssignedIdentityId?: string;
  /**
   * From `public_network_access` (`enabled` is true).
   * @default - the construct's default (true, as az ml)
   */
  readonly publicNetworkAccess?: boolean;
  /** @default - none */
  readonly description?: string;
  /** @default - none */
  readonly tags?: { [key: string]: string };
}

/** What `createEndpoint` takes besides the file: the workspace, and props that win over the file's. */
export interface EndpointFromYamlOptions extends Partial<ManagedEndpointWithIdentityProps> {
  readonly workspace: IMlWorkspace;
}

/**
 * An `az ml` managed online endpoint file (managedOnlineEndpoint schema),
 * read into `ManagedEndpointWithIdentity` props. Every key the schema has is
 * either turned into a prop or fails with a `YamlConfigError` that says why.
 */
export class EndpointYaml {
  /** Reads an endpoint file; relative paths resolve against its folder. */
  public static load(
    file: string,
    options: YamlLoadOptions = {},
  ): EndpointYaml {
    return new EndpointYaml(YamlSource.read(file, options.set));
  }

  /** Absolute path of the file. */
  public readonly file: string;
  /** The props the file sets. */
  public readonly props: EndpointYamlProps;

  private constructor(source: YamlSource) {
    this.file = source.file;
    const root = source.root();
    checkSchema(root.peek('$schema'));
    const keys = root.entries(ENDPOINT_KEYS);
    const get = (key: string) => YNode.child(keys, root, key);

    const name = get('name').required('the endpoint name').string();
    get('name').check((field) => checkOnlineName(field, name));
    const identity = readIdentity(get('identity'));

    this.props = {
      endpointName: name,
      ...identity,
      ...optional('authMode', get('auth_mode'), (n) =>
        n.oneOf({
          key: AuthMode.KEY,
          aml_token: AuthMode.AML_TOKEN,
          aad_token: AuthMode.AAD_TOKEN,
        }),
      ),
      ...optional('publicNetworkAccess', get('public_network_access'), (n) =>
        n.oneOf({ enabled: true, disabled: false }),
      ),
      ...optional('description', get('description'), (n) => n.string()),
      ...optional('tags', get('tags'), (n) =>
        n.stringMap('tag names to values'),
      ),
    };
  }

  /**
   * Creates the endpoint with the file's props; `options` adds what the file
   * has no key for (`roleAssignmentWaitSeconds`, `traffic`, ...) and wins
   * over the file.
   */
  public createEndpoint(
    scope: Construct,
    id: string,
    options: EndpointFromYamlOptions,
  ): ManagedEndpointWithIdentity {
    return new ManagedEndpointWithIdentity(scope, id, {
      ...this.props,
      ...options,
    });
  }
}

/** `{ [prop]: value }` when the key is there, `{}` when not. */
export function optional<K extends string, T>(
  prop: K,
  node: YNode,
  read: (n: YNode) => T,
): { [P in K]?: T } {
  return node.missing ? {} : ({ [prop]: read(node) } as { [P in K]?: T });
}

/** `$schema` may name the endpoint schema (or anything else), not the deployment's. */
function checkSchema(node: YNode): void {
  if (node.missing) return;
  const schema = node.string();
  if (/deployment/i.test(schema)) {
    node.fail(
      'names a deployment schema: this is a deployment file; pass it as a deployment file, not as the endpoint file',
    );
  }
  if (/kubernetes/i.test(schema)) {
    node.fail(
      'names the Kubernetes online endpoint schema: this library makes managed online endpoints (managedOnlineEndpoint schema)',
    );
  }
}

function readIdentity(
  node: YNode,
): Pick<EndpointYamlProps, 'identityType' | 'userAssignedIdentityId'> {
  if (node.missing) return {};
  const keys = node.entries(IDENTITY_KEYS);
  const typeNode = YNode.child(keys, node, 'type');
  const type = typeNode.missing
    ? undefined
    : typeNode.oneOf<IdentityType | 'none'>({
        system_assigned: IdentityType.SYSTEM_ASSIGNED,
        user_assigned: IdentityType.USER_ASSIGNED,
        none: 'none',
      });
  if (type === 'none') {
    return typeNode.fail(
      'must be system_assigned or user_assigned: the endpoint reads Blob Storage as its identity',
    );
  }

  const list = YNode.child(keys, node, 'user_assigned_identities');
  if (list.missing) return type === undefined ? {} : { identityType: type };
  if (type === IdentityType.SYSTEM_ASSIGNED) {
    list.failKey(
      'must not be given with `identity.type: system_assigned`: set the type to user_assigned',
    );
  }
  const items = list.items('one user-assigned identity');
  if (items.length > 1) {
    list.fail(
      `must hold one identity, not ${items.length}: Azure ML runs an endpoint as one user-assigned identity`,
      NO_VALUE,
    );
  }
  if (items.length === 0) return { identityType: IdentityType.USER_ASSIGNED };

  const item = items[0];
  let idNode = item;
  if (item.isMap) {
    const itemKeys = item.entries(USER_ASSIGNED_IDENTITY_KEYS);
    idNode = YNode.child(itemKeys, item, 'resource_id').required(
      'the ARM id of the user-assigned identity',
    );
  }
  const id = idNode.string();
  if (!Token.isUnresolved(id) && !USER_ASSIGNED_IDENTITY_ID.test(id)) {
    idNode.fail(
      'must be the ARM id of a user-assigned identity: /subscriptions/<id>/resourceGroups/<name>/' +
        'providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>',
    );
  }
  return {
    identityType: IdentityType.USER_ASSIGNED,
    userAssignedIdentityId: id,
  };
}
