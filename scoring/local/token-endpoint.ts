import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

/** Issuer prefix that Azurite accepts (it checks only the prefix). */
const ISSUER_PREFIX = 'https://sts.windows.net/';

export type IdentityKind = 'system_assigned' | 'user_assigned';

/** A managed identity as the local token endpoint knows it. */
export interface LocalIdentity {
  readonly kind: IdentityKind;
  /** The application (client) id: what a token request names. */
  readonly clientId: string;
  /** The object (principal) id: what role assignments name. */
  readonly principalId: string;
  /** ARM id of a user-assigned identity. */
  readonly resourceId?: string;
}

/** Creates an identity with fresh random ids. */
export function newIdentity(
  kind: IdentityKind,
  name = 'scoring-identity',
): LocalIdentity {
  return {
    kind,
    clientId: randomUUID(),
    principalId: randomUUID(),
    resourceId:
      kind === 'user_assigned'
        ? `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`
        : undefined,
  };
}

export interface AccessTokenClaims {
  readonly aud: string;
  readonly iss: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly oid: string;
  readonly sub: string;
  readonly appid: string;
  readonly tid: string;
  readonly idtyp: 'app';
  readonly ver: '1.0';
  readonly xms_mirid?: string;
}

/**
 * Signs access tokens shaped like Entra ID's v1 tokens for a managed identity
 * (HS256 with a key made per run; Azurite does not check signatures, the
 * role gate does).
 */
export class TokenIssuer {
  readonly tenantId = randomUUID();
  private readonly key = randomBytes(32);

  get issuer(): string {
    return `${ISSUER_PREFIX}${this.tenantId}/`;
  }

  issue(
    identity: LocalIdentity,
    audience: string,
    lifetimeSeconds: number,
    nowSeconds: number,
  ): string {
    const claims: AccessTokenClaims = {
      aud: audience,
      iss: this.issuer,
      iat: nowSeconds,
      nbf: nowSeconds - 5,
      exp: nowSeconds + lifetimeSeconds,
      oid: identity.principalId,
      sub: identity.principalId,
      appid: identity.clientId,
      tid: this.tenantId,
      idtyp: 'app',
      ver: '1.0',
      ...(identity.resourceId ? { xms_mirid: identity.resourceId } : {}),
    };
    const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = base64url(JSON.stringify(claims));
    return `${head}.${body}.${this.signature(`${head}.${body}`)}`;
  }

  /** The claims of a token this issuer signed, or undefined. Lifetime is not checked. */
  verify(token: string): AccessTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.signature(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return undefined;
    try {
      return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  }

  private signature(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

/** One request the token endpoint received (never the secret or the token). */
export interface TokenRequestRecord {
  readonly apiVersion?: string;
  readonly resource?: string;
  /** The client id the request named, and the query parameter it used. */
  readonly clientId?: string;
  readonly clientIdParameter?: 'clientid' | 'client_id';
  readonly secretAccepted: boolean;
  readonly status: number;
  /** The identity a token was issued for. */
  readonly principalId?: string;
}

export interface TokenEndpointProps {
  readonly issuer: TokenIssuer;
  /** The endpoint's system-assigned identity, if it has one. */
  readonly systemAssigned?: LocalIdentity;
  /** @default [] */
  readonly userAssigned?: readonly LocalIdentity[];
  /** @default 900 (15 minutes) */
  readonly tokenLifetimeSeconds?: number;
  /** Answer 503 to this many requests first (endpoint not ready yet). @default 0 */
  readonly unavailableForFirst?: number;
}

/**
 * The managed identity endpoint of an Azure ML deployment's container, on
 * 127.0.0.1 over HTTP. Speaks both protocol versions:
 *
 * - `api-version=2017-09-01` (what Azure ML sets as MSI_ENDPOINT/MSI_SECRET):
 *   secret in the `secret` header, user-assigned client id as `clientid`;
 *   `expires_on` as a number.
 * - `api-version=2019-08-01` (IDENTITY_ENDPOINT/IDENTITY_HEADER): secret in
 *   `X-IDENTITY-HEADER`, client id as `client_id`; `expires_on` as a string.
 *
 * A request naming no client id gets the system-assigned identity; one naming
 * an unknown client id, or no client id when there is no system-assigned
 * identity, gets 400 "Identity not found".
 */
export class TokenEndpoint {
  readonly secret = randomBytes(24).toString('hex');
  readonly requests: TokenRequestRecord[] = [];
  private readonly server: http.Server;
  private served = 0;

  private constructor(private readonly props: TokenEndpointProps) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  static async start(props: TokenEndpointProps): Promise<TokenEndpoint> {
    const endpoint = new TokenEndpoint(props);
    await new Promise<void>((resolve, reject) => {
      endpoint.server.once('error', reject);
      endpoint.server.listen(0, '127.0.0.1', () => resolve());
    });
    return endpoint;
  }

  /** The value of MSI_ENDPOINT / IDENTITY_ENDPOINT. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/msi/token`;
  }

  /** Token requests that got a token. */
  get tokensIssued(): number {
    return this.requests.filter((r) => r.status === 200).length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const apiVersion = url.searchParams.get('api-version') ?? undefined;
    const resource = url.searchParams.get('resource') ?? undefined;
    const record: {
      -readonly [K in keyof TokenRequestRecord]: TokenRequestRecord[K];
    } = {
      apiVersion,
      resource,
      secretAccepted: false,
      status: 0,
    };
    const answer = (status: number, payload: object) => {
      record.status = status;
      this.requests.push(record);
      const body = JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    };

    if (req.method !== 'GET' || url.pathname !== '/msi/token') {
      answer(404, {
        error: 'not_found',
        error_description: `No route for ${req.method} ${url.pathname}`,
      });
      return;
    }
    const protocol =
      apiVersion === '2017-09-01'
        ? LEGACY
        : apiVersion === '2019-08-01'
          ? CURRENT
          : undefined;
    if (!protocol) {
      answer(400, {
        error: 'invalid_request',
        error_description: `api-version must be 2017-09-01 or 2019-08-01, got '${apiVersion ?? ''}'`,
      });
      return;
    }
    const clientId =
      url.searchParams.get(protocol.clientIdParameter) ?? undefined;
    if (clientId !== undefined) {
      record.clientId = clientId;
      record.clientIdParameter = protocol.clientIdParameter;
    }

    record.secretAccepted = sameSecret(
      req.headers[protocol.secretHeader],
      this.secret,
    );
    if (!record.secretAccepted) {
      answer(401, {
        error: 'unauthorized',
        error_description: `The '${protocol.secretHeader}' header is missing or wrong`,
      });
      return;
    }
    if (this.served++ < (this.props.unavailableForFirst ?? 0)) {
      answer(503, {
        error: 'temporarily_unavailable',
        error_description: 'The token service is starting',
      });
      return;
    }
    if (!resource) {
      answer(400, {
        error: 'invalid_request',
        error_description: "Required query parameter 'resource' is missing",
      });
      return;
    }

    const identity = this.findIdentity(clientId);
    if (!identity) {
      answer(400, {
        error: 'invalid_request',
        error_description: 'Identity not found',
      });
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const lifetime = this.props.tokenLifetimeSeconds ?? 900;
    const token = this.props.issuer.issue(identity, resource, lifetime, now);
    record.principalId = identity.principalId;
    answer(200, {
      access_token: token,
      expires_on: protocol.expiresOnAsString
        ? String(now + lifetime)
        : now + lifetime,
      not_before: protocol.expiresOnAsString ? String(now - 5) : now - 5,
      resource,
      token_type: 'Bearer',
      client_id: identity.clientId,
    });
  }

  private findIdentity(
    clientId: string | undefined,
  ): LocalIdentity | undefined {
    if (clientId === undefined || clientId === '')
      return this.props.systemAssigned;
    const wanted = clientId.toLowerCase();
    const all = [
      ...(this.props.userAssigned ?? []),
      ...(this.props.systemAssigned ? [this.props.systemAssigned] : []),
    ];
    return all.find((identity) => identity.clientId.toLowerCase() === wanted);
  }
}

interface ProtocolVersion {
  readonly secretHeader: string;
  readonly clientIdParameter: 'clientid' | 'client_id';
  readonly expiresOnAsString: boolean;
}

const LEGACY: ProtocolVersion = {
  secretHeader: 'secret',
  clientIdParameter: 'clientid',
  expiresOnAsString: false,
};
const CURRENT: ProtocolVersion = {
  secretHeader: 'x-identity-header',
  clientIdParameter: 'client_id',
  expiresOnAsString: true,
};

function sameSecret(
  given: string | string[] | undefined,
  expected: string,
): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
