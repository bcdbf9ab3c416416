import { randomUUID } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';

import { TokenIssuer } from './token-endpoint';
import { LocalTls } from './tls';

/** The only data role the gate knows. */
export const BLOB_DATA_READER = 'Storage Blob Data Reader';

/** Operations Storage Blob Data Reader allows: reads only. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/** A role assignment of Storage Blob Data Reader, as the gate evaluates it. */
export interface RoleAssignment {
  /** The identity's object (principal) id, as in the token's `oid` claim. */
  readonly principalId: string;
  readonly account: string;
  /** Scope: one container, or the whole account when absent. */
  readonly container?: string;
  /**
   * How many requests of this principal are still denied before the
   * assignment takes effect (role propagation). @default 0
   */
  readonly propagationDenials?: number;
}

export type GateOutcome =
  | 'forwarded'
  | 'denied: role not yet effective'
  | 'denied: no role assignment'
  | 'denied: not a read'
  | 'denied: token not from the local issuer';

export interface GateRecord {
  readonly method: string;
  readonly path: string;
  readonly principalId?: string;
  readonly outcome: GateOutcome;
  readonly status: number;
}

export interface RoleGateProps {
  readonly tls: LocalTls;
  readonly issuer: TokenIssuer;
  /** Azurite's https origin, e.g. https://127.0.0.1:41234 */
  readonly upstream: string;
}

/**
 * An HTTPS front of Azurite that evaluates Azure RBAC for bearer tokens, which
 * Azurite itself does not: a request whose token's principal has no
 * Storage Blob Data Reader assignment covering the container, or whose
 * assignment has not taken effect yet, gets Azure's own answer, 403
 * AuthorizationPermissionMismatch, without reaching Azurite. Everything else
 * (allowed bearer requests, Shared Key requests of the deployer) is passed to
 * Azurite unchanged, which then checks the token's issuer, audience and
 * lifetime as usual.
 */
export class RoleGate {
  readonly records: GateRecord[] = [];
  private readonly assignments: Array<{
    assignment: RoleAssignment;
    denialsLeft: number;
  }> = [];
  private readonly server: https.Server;
  private readonly agent: https.Agent;
  private readonly upstream: URL;

  private constructor(private readonly props: RoleGateProps) {
    this.upstream = new URL(props.upstream);
    this.agent = new https.Agent({
      ca: props.tls.ca,
      keepAlive: true,
      maxSockets: 16,
    });
    this.server = https.createServer(
      { cert: props.tls.cert, key: props.tls.key },
      (req, res) => this.handle(req, res),
    );
    this.server.keepAliveTimeout = 1000;
  }

  static async start(props: RoleGateProps): Promise<RoleGate> {
    const gate = new RoleGate(props);
    await new Promise<void>((resolve, reject) => {
      gate.server.once('error', reject);
      gate.server.listen(0, '127.0.0.1', () => resolve());
    });
    return gate;
  }

  get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    return `https://127.0.0.1:${port}`;
  }

  assign(assignment: RoleAssignment): void {
    this.assignments.push({
      assignment,
      denialsLeft: assignment.propagationDenials ?? 0,
    });
  }

  /** Records of requests by one principal. */
  recordsFor(principalId: string): GateRecord[] {
    return this.records.filter((r) => r.principalId === principalId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const authorization = req.headers.authorization ?? '';
    if (!authorization.startsWith('Bearer ')) {
      this.forward(req, res, { method, path, outcome: 'forwarded', status: 0 });
      return;
    }

    const claims = this.props.issuer.verify(
      authorization.slice('Bearer '.length).trim(),
    );
    if (!claims) {
      this.deny(
        req,
        res,
        {
          method,
          path,
          outcome: 'denied: token not from the local issuer',
          status: 403,
        },
        'AuthenticationFailed',
        'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
      );
      return;
    }
    const record = { method, path, principalId: claims.oid };
    const [account, container] = new URL(path, 'https://127.0.0.1').pathname
      .split('/')
      .slice(1);
    const matching = this.assignments.filter(
      ({ assignment }) =>
        assignment.principalId === claims.oid &&
        assignment.account === account &&
        (assignment.container === undefined ||
          assignment.container === container),
    );
    if (matching.length === 0) {
      this.denyPermission(req, res, {
        ...record,
        outcome: 'denied: no role assignment',
        status: 403,
      });
      return;
    }
    const propagating = matching.find((m) => m.denialsLeft > 0);
    if (propagating && matching.every((m) => m.denialsLeft > 0)) {
      propagating.denialsLeft -= 1;
      this.denyPermission(req, res, {
        ...record,
        outcome: 'denied: role not yet effective',
        status: 403,
      });
      return;
    }
    if (!READ_METHODS.has(method)) {
      this.denyPermission(req, res, {
        ...record,
        outcome: 'denied: not a read',
        status: 403,
      });
      return;
    }
    this.forward(req, res, { ...record, outcome: 'forwarded', status: 0 });
  }

  private denyPermission(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: GateRecord,
  ): void {
    this.deny(
      req,
      res,
      record,
      'AuthorizationPermissionMismatch',
      'This request is not authorized to perform this operation using this permission.',
    );
  }

  // the error shape of the Blob service: XML body plus x-ms-error-code
  private deny(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: GateRecord,
    code: string,
    message: string,
  ): void {
    req.resume();
    const requestId = randomUUID();
    const body =
      '<?xml version="1.0" encoding="utf-8"?>' +
      `<Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\n` +
      `Time:${new Date().toISOString()}</Message></Error>`;
    this.records.push(record);
    res.writeHead(403, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-ms-error-code': code,
      'x-ms-request-id': requestId,
      'x-ms-version': String(req.headers['x-ms-version'] ?? ''),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: GateRecord,
  ): void {
    const upstreamReq = https.request(
      {
        protocol: 'https:',
        hostname: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.upstream.host },
        agent: this.agent,
      },
      (upstreamRes) => {
        this.records.push({ ...record, status: upstreamRes.statusCode ?? 0 });
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on('error', (error) => {
      this.records.push({ ...record, status: 502 });
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
      }
      res.end(`role gate: Azurite is not reachable: ${error.message}`);
    });
    req.pipe(upstreamReq);
  }
}
