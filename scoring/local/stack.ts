import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  Azurite,
  DEV_ACCOUNT_NAME,
  SharedKeyClient,
  startAzurite,
} from './azurite';
import { StartHostResult, startScoringHost } from './host';
import { BLOB_DATA_READER, RoleGate } from './role-gate';
import { LocalTls, createLocalTls } from './tls';
import {
  IdentityKind,
  LocalIdentity,
  TokenEndpoint,
  TokenIssuer,
  newIdentity,
} from './token-endpoint';

/** scoring/ in the repository. */
export const SCORING_DIR = path.resolve(__dirname, '..');
export const CODE_DIR = path.join(SCORING_DIR, 'onlinescoring');
export const MODEL_DIR = path.join(SCORING_DIR, 'model');
export const BLOB_FILE = path.join(SCORING_DIR, 'hello.txt');
export const SAMPLE_REQUEST_FILE = path.join(
  SCORING_DIR,
  'sample-request.json',
);

export const CONTAINER_NAME = 'scoring-data';
export const FILE_NAME = 'hello.txt';

export interface EmulatorsProps {
  /** Called with one line per step. */
  readonly log?: (line: string) => void;
}

/**
 * What stays up across deployments: a temp folder, TLS material, Azurite
 * with the container and the blob uploaded, the token issuer and the role
 * gate in front of Azurite.
 */
export class Emulators {
  private constructor(
    readonly tempDir: string,
    readonly tls: LocalTls,
    readonly azurite: Azurite,
    readonly gate: RoleGate,
    readonly issuer: TokenIssuer,
    readonly modelDir: string,
  ) {}

  static async start(props: EmulatorsProps = {}): Promise<Emulators> {
    const log = props.log ?? (() => undefined);
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoring-local-'));
    let azurite: Azurite | undefined;
    try {
      const tls = createLocalTls(path.join(tempDir, 'tls'));
      log(
        `tls: made a throw-away CA and a certificate for 127.0.0.1 in ${tempDir}/tls`,
      );

      azurite = await startAzurite({ tls, cwd: tempDir });
      log(
        `azurite: blob service on ${azurite.origin} (HTTPS, OAuth basic, in memory, telemetry off)`,
      );

      const content = fs.readFileSync(BLOB_FILE);
      const deployer = new SharedKeyClient(azurite.accountUrl, tls.ca);
      try {
        await deployer.createContainer(CONTAINER_NAME);
        await deployer.putBlob(
          CONTAINER_NAME,
          FILE_NAME,
          content,
          'text/plain; charset=utf-8',
        );
      } finally {
        deployer.close();
      }
      log(
        `upload: ${DEV_ACCOUNT_NAME}/${CONTAINER_NAME}/${FILE_NAME} (${content.length} bytes) ` +
          'with the dev account key',
      );

      const issuer = new TokenIssuer();
      const gate = await RoleGate.start({
        tls,
        issuer,
        upstream: azurite.origin,
      });
      log(
        `rbac: role gate (Azure RBAC for bearer tokens) on ${gate.origin} in front of Azurite`,
      );

      // what the model registration uploads: the folder scoring/model, so the
      // files land under $AZUREML_MODEL_DIR/model/
      const modelDir = path.join(
        tempDir,
        'azureml-models',
        'sklearn-regression',
        '1',
      );
      fs.cpSync(MODEL_DIR, path.join(modelDir, 'model'), { recursive: true });

      return new Emulators(tempDir, tls, azurite, gate, issuer, modelDir);
    } catch (error) {
      await azurite?.stop();
      fs.rmSync(tempDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The account's blob endpoint as the scoring script sees it (through the gate). */
  get blobEndpoint(): string {
    return `${this.gate.origin}/${DEV_ACCOUNT_NAME}`;
  }

  async stop(): Promise<void> {
    try {
      await this.gate.stop();
      await this.azurite.stop();
    } finally {
      fs.rmSync(this.tempDir, { recursive: true, force: true });
    }
  }
}

export interface DeploymentProps {
  readonly python: string;
  /** @default 'system_assigned' */
  readonly identityKind?: IdentityKind;
  /**
   * The role assignment for the identity: how many blob reads are denied
   * before it takes effect, or 'none' for no assignment at all.
   * @default 0
   */
  readonly propagationDenials?: number | 'none';
  /** Which variables the platform sets for the token endpoint. @default 'msi' */
  readonly identityProtocol?: 'msi' | 'identity';
  /** Leave UAI_CLIENT_ID out of a user-assigned deployment (FR-1). @default false */
  readonly omitClientId?: boolean;
  /** Extra or overriding environment variables of the deployment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Token requests answered 503 first. @default 0 */
  readonly tokenEndpointUnavailableForFirst?: number;
  readonly accessLog?: boolean;
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  readonly log?: (line: string) => void;
}

/** One deployment: an identity, its token endpoint, its role assignment and the host. */
export interface Deployment {
  readonly identity: LocalIdentity;
  readonly tokenEndpoint: TokenEndpoint;
  /** The environment the host was started with. */
  readonly env: Readonly<Record<string, string>>;
  readonly result: StartHostResult;
  stop(): Promise<void>;
}

/** Starts a deployment of scoring/onlinescoring against the emulators. */
export async function deploy(
  emulators: Emulators,
  props: DeploymentProps,
): Promise<Deployment> {
  const log = props.log ?? (() => undefined);
  const kind = props.identityKind ?? 'system_assigned';
  const identity = newIdentity(kind);
  const tokenEndpoint = await TokenEndpoint.start({
    issuer: emulators.issuer,
    systemAssigned: kind === 'system_assigned' ? identity : undefined,
    userAssigned: kind === 'user_assigned' ? [identity] : [],
    unavailableForFirst: props.tokenEndpointUnavailableForFirst,
  });
  const protocol = props.identityProtocol ?? 'msi';
  log(
    `identity: ${kind.replace('_', '-')} identity (client id ${identity.clientId}, ` +
      `principal id ${identity.principalId}); token endpoint ${tokenEndpoint.url} ` +
      `(${protocol === 'msi' ? 'MSI_ENDPOINT, api-version 2017-09-01' : 'IDENTITY_ENDPOINT, api-version 2019-08-01'})`,
  );

  const denials = props.propagationDenials ?? 0;
  if (denials !== 'none') {
    emulators.gate.assign({
      principalId: identity.principalId,
      account: DEV_ACCOUNT_NAME,
      container: CONTAINER_NAME,
      propagationDenials: denials,
    });
    log(
      `role: ${BLOB_DATA_READER} for principal ${identity.principalId} on container ` +
        `${CONTAINER_NAME}` +
        (denials > 0 ? ` (takes effect after ${denials} denied requests)` : ''),
    );
  } else {
    log(
      `role: none for principal ${identity.principalId}: every blob read is denied`,
    );
  }

  const env: Record<string, string> = {
    // the deployment's environment variables
    STORAGE_ACCOUNT_NAME: DEV_ACCOUNT_NAME,
    STORAGE_CONTAINER_NAME: CONTAINER_NAME,
    FILE_NAME,
    IDENTITY_KIND: kind,
    ...(kind === 'user_assigned' && !props.omitClientId
      ? { UAI_CLIENT_ID: identity.clientId }
      : {}),
    // what the platform sets
    AZUREML_MODEL_DIR: emulators.modelDir,
    ...(protocol === 'msi'
      ? { MSI_ENDPOINT: tokenEndpoint.url, MSI_SECRET: tokenEndpoint.secret }
      : {
          IDENTITY_ENDPOINT: tokenEndpoint.url,
          IDENTITY_HEADER: tokenEndpoint.secret,
        }),
    // local only: the emulator instead of <account>.blob.core.windows.net
    STORAGE_BLOB_ENDPOINT: emulators.blobEndpoint,
    SCORING_CA_FILE: emulators.tls.caFile,
    ...props.env,
  };

  let result: StartHostResult;
  try {
    result = await startScoringHost({
      python: props.python,
      codeDir: CODE_DIR,
      env,
      accessLog: props.accessLog,
      onLine: props.onLine,
    });
  } catch (error) {
    await tokenEndpoint.stop();
    throw error;
  }
  return {
    identity,
    tokenEndpoint,
    env,
    result,
    stop: async () => {
      if (result.ok) await result.host.stop();
      await tokenEndpoint.stop();
    },
  };
}
