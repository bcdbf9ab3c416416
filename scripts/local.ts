/**
 * `npm run local`: runs the scoring script the way the online deployment
 * does, against local emulators, and invokes it with the sample request.
 *
 *   npm run local                      run once, stop everything
 *   npm run local -- --keep            keep serving until Ctrl-C
 *   npm run local -- --identity user_assigned --propagation-denials 3
 *
 * See docs/local.md.
 */
import * as fs from 'fs';

import { invoke } from '../scoring/local/client';
import { findPython } from '../scoring/local/python';
import {
  Deployment,
  Emulators,
  SAMPLE_REQUEST_FILE,
  deploy,
} from '../scoring/local/stack';
import { IdentityKind } from '../scoring/local/token-endpoint';

interface Options {
  keep: boolean;
  identityKind: IdentityKind;
  propagationDenials: number | 'none';
  protocol: 'msi' | 'identity';
  requestFile: string;
  verbose: boolean;
}

const USAGE = `usage: npm run local -- [--keep] [--identity system_assigned|user_assigned]
       [--propagation-denials N|none] [--protocol msi|identity]
       [--request FILE] [--verbose]`;

function parseArgs(argv: string[]): Options {
  const options: Options = {
    keep: false,
    identityKind: 'system_assigned',
    propagationDenials: 0,
    protocol: 'msi',
    requestFile: SAMPLE_REQUEST_FILE,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === '--keep') options.keep = true;
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '--identity') {
      const kind = value();
      if (kind !== 'system_assigned' && kind !== 'user_assigned') {
        throw new Error(
          `--identity must be system_assigned or user_assigned, got '${kind}'`,
        );
      }
      options.identityKind = kind;
    } else if (arg === '--propagation-denials') {
      const raw = value();
      const n = Number(raw);
      if (raw !== 'none' && !(Number.isInteger(n) && n >= 0)) {
        throw new Error(
          `--propagation-denials must be a whole number or 'none', got '${raw}'`,
        );
      }
      options.propagationDenials = raw === 'none' ? 'none' : n;
    } else if (arg === '--protocol') {
      const protocol = value();
      if (protocol !== 'msi' && protocol !== 'identity') {
        throw new Error(
          `--protocol must be msi or identity, got '${protocol}'`,
        );
      }
      options.protocol = protocol;
    } else if (arg === '--request') options.requestFile = value();
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument '${arg}'\n${USAGE}`);
  }
  return options;
}

function step(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  let emulators: Emulators | undefined;
  let deployment: Deployment | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      await deployment?.stop();
      await emulators?.stop();
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      step(`stop: ${signal}, stopping everything`);
      void stopAll().finally(() => {
        step('stop: everything stopped; temp files removed');
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
    });
  }

  try {
    const python = findPython();
    step(
      `python: ${python.executable} (Python ${python.versions.python}, scikit-learn ` +
        `${python.versions['scikit-learn']}, numpy ${python.versions.numpy})`,
    );
    const requestBody = fs.readFileSync(options.requestFile, 'utf8');

    emulators = await Emulators.start({ log: step });
    const blobLines: string[] = [];
    deployment = await deploy(emulators, {
      python: python.executable,
      identityKind: options.identityKind,
      propagationDenials: options.propagationDenials,
      identityProtocol: options.protocol,
      // short waits so that a simulated propagation delay takes seconds, not minutes
      env: {
        BLOB_READ_BACKOFF_SECONDS: '0.5',
        BLOB_READ_BACKOFF_MAX_SECONDS: '4',
      },
      log: step,
      onLine: (line, stream) => {
        if (line.includes('Blob content of')) blobLines.push(line);
        if (options.verbose || line.includes(' W [') || line.includes(' E [')) {
          (stream === 'stderr' ? process.stderr : process.stdout).write(
            `  host| ${line}\n`,
          );
        }
      },
    });

    const result = deployment.result;
    if (!result.ok) {
      process.stderr.write(`host: init() failed: ${result.error}\n`);
      return 1;
    }
    const host = result.host;
    step(
      `host: score.py imported in ${host.importSeconds.toFixed(2)} s, init() done in ` +
        `${host.initSeconds.toFixed(2)} s, serving ${host.readyMs} ms after start; ` +
        `scoring URI ${host.scoringUri}; ` +
        `${deployment.tokenEndpoint.tokensIssued} token(s) issued`,
    );
    const content = /: (".*")$/.exec(blobLines[0] ?? '');
    step(
      `init() read: ${content ? JSON.parse(content[1]).trim() : '(no blob line in the log)'}`,
    );

    const response = await invoke(host.scoringUri, host.key, requestBody);
    step(
      `invoke: POST /score with ${options.requestFile} -> HTTP ${response.status} ${response.text}`,
    );
    if (response.status !== 200) return 1;

    if (options.keep) {
      step(
        `keep: serving at ${host.scoringUri}; try\n` +
          `  curl -s -H "Authorization: Bearer ${host.key}" -H "Content-Type: application/json" ` +
          `--data @${SAMPLE_REQUEST_FILE} ${host.scoringUri}\n` +
          'Ctrl-C stops everything.',
      );
      await new Promise<never>(() => undefined);
    }
    return 0;
  } finally {
    // with --keep the wait above never ends: only Ctrl-C or SIGTERM stop it
    if (emulators) {
      await stopAll();
      step(
        'stop: host, token endpoint, role gate and Azurite stopped; temp files removed',
      );
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`local: ${error.message}\n`);
    process.exit(1);
  },
);
