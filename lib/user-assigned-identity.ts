import { UserAssignedIdentity as AzurermUserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';

import { DataAzapiResource } from './azapi/data-resource';
import { IGrantee } from './grants';
import { USER_ASSIGNED_IDENTITY_ID } from './private/azure';
import { GrantRecorder } from './private/grant-recorder';
import { fail, isUnresolved } from './private/validation';

/** The ARM API version of the identity data source. */
const IDENTITY_TYPE =
  'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31';

/** A user-assigned managed identity. */
export interface IUserAssignedIdentity extends IGrantee, IConstruct {
  /** ARM id of the identity. */
  readonly identityId: string;
  /** The client (application) id: what a token request names. */
  readonly clientId: string;
  /** Role assignments granted to this identity so far. */
  readonly grants: readonly ITerraformDependable[];
  /**
   * Calls `listener` with every role assignment granted to the identity from
   * now on, so that an endpoint running as it is ordered after each.
   */
  onGrant?(listener: (grant: ITerraformDependable) => void): void;
}

export interface UserAssignedIdentityProps {
  readonly resourceGroupName: string;
  readonly location: string;
  /** Name of the identity (3-128 characters). */
  readonly name: string;
  /** @default - none */
  readonly tags?: { [key: string]: string };
}

/** Attributes of an existing user-assigned identity. */
export interface UserAssignedIdentityAttributes {
  readonly identityId: string;
  readonly principalId: string;
  readonly clientId: string;
}

/**
 * A user-assigned managed identity; unlike a system-assigned one it exists
 * before the endpoint, so its roles can be granted first.
 */
export class UserAssignedIdentity
  extends GrantRecorder
  implements IUserAssignedIdentity
{
  /** Imports an existing identity by its attributes. */
  public static fromIdentityAttributes(
    scope: Construct,
    id: string,
    attrs: UserAssignedIdentityAttributes,
  ): IUserAssignedIdentity {
    return new ImportedIdentity(scope, id, attrs);
  }

  /**
   * Imports an existing identity by its ARM id; its principal and client ids
   * are read at plan time with a data source.
   */
  public static fromIdentityId(
    scope: Construct,
    id: string,
    identityId: string,
  ): IUserAssignedIdentity {
    if (
      !isUnresolved(identityId) &&
      !USER_ASSIGNED_IDENTITY_ID.test(identityId)
    ) {
      fail(
        'userAssignedIdentityId',
        identityId,
        'must be the ARM id of a user-assigned identity: /subscriptions/<id>/resourceGroups/<name>/' +
          'providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>',
      );
    }
    return new LookedUpIdentity(scope, id, identityId);
  }

  public readonly identityId: string;
  public readonly principalId: string;
  public readonly clientId: string;
  public readonly resource: AzurermUserAssignedIdentity;

  constructor(scope: Construct, id: string, props: UserAssignedIdentityProps) {
    super(scope, id);
    if (
      !isUnresolved(props.name) &&
      (props.name.length < 3 ||
        props.name.length > 128 ||
        !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(props.name))
    ) {
      throw new Error(
        '`name` must be 3-128 characters of letters, digits, hyphens and underscores, ' +
          `starting with a letter or digit; got '${props.name}'`,
      );
    }

    this.resource = new AzurermUserAssignedIdentity(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    });

    this.identityId = this.resource.id;
    this.principalId = this.resource.principalId;
    this.clientId = this.resource.clientId;
  }
}

class ImportedIdentity extends GrantRecorder implements IUserAssignedIdentity {
  public readonly identityId: string;
  public readonly principalId: string;
  public readonly clientId: string;

  constructor(
    scope: Construct,
    id: string,
    attrs: UserAssignedIdentityAttributes,
  ) {
    super(scope, id);
    for (const [field, value] of Object.entries(attrs)) {
      if (value === '') fail(field, value, 'must not be empty');
    }
    this.identityId = attrs.identityId;
    this.principalId = attrs.principalId;
    this.clientId = attrs.clientId;
  }
}

class LookedUpIdentity extends GrantRecorder implements IUserAssignedIdentity {
  public readonly principalId: string;
  public readonly clientId: string;

  constructor(
    scope: Construct,
    id: string,
    public readonly identityId: string,
  ) {
    super(scope, id);
    const lookup = new DataAzapiResource(this, 'Lookup', {
      type: IDENTITY_TYPE,
      resourceId: identityId,
      responseExportValues: ['properties.principalId', 'properties.clientId'],
    });
    this.principalId = Token.asString(
      lookup.outputValue('properties.principalId'),
    );
    this.clientId = Token.asString(lookup.outputValue('properties.clientId'));
  }
}
