import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';

import { OutputLog, exited, stopChild, waitForLine } from './processes';

const HOST_SCRIPT = path.join(__dirname, 'host.py');

export interface StartHostProps {
  readonly python: string;
  /** The deployment's code folder (its scoring script is `scoringScript` inside it). */
  readonly codeDir: string;
  /** @default 'score.py' */
  readonly scoringScript?: string;
  /**
   * The container's environment: the deployment's environment variables plus
   * what the platform sets (MSI_ENDPOINT, MSI_SECRET, AZUREML_MODEL_DIR).
   */
  readonly env: Readonly<Record<string, string>>;
  /** @default a random key */
  readonly key?: string;
  /** Log every request (the inference server logs one line per request). @default false */
  readonly accessLog?: boolean;
  /** Called with each line the host prints. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** How long init() may take. @default 120000 */
  readonly initTimeoutMs?: number;
}

/** A running local host. */
export interface ScoringHost {
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  readonly scoringUri: string;
  readonly key: string;
  /** Import of the scoring script (numpy, joblib) as measured by the host. */
  readonly importSeconds: number;
  /** init() alone (token, blob read, model load) as measured by the host. */
  readonly initSeconds: number;
  /** Spawn to ready, as seen from here (includes Python start-up and imports). */
  readonly readyMs: number;
  readonly output: OutputLog;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export type StartHostResult =
  | { readonly ok: true; readonly host: ScoringHost }
  | {
      readonly ok: false;
      /** The exception init() raised, as the host reported it. */
      readonly error: string;
      readonly exitCode: number | null;
      readonly output: OutputLog;
    };

/**
 * Starts scoring/local/host.py: it imports the scoring script, runs init()
 * and serves /score on 127.0.0.1. Resolves once it serves, or once init()
 * failed and the host exited.
 */
export async function startScoringHost(
  props: StartHostProps,
): Promise<StartHostResult> {
  const key = props.key ?? randomBytes(24).toString('base64url');
  const args = [
    HOST_SCRIPT,
    '--code-dir',
    props.codeDir,
    '--scoring-script',
    props.scoringScript ?? 'score.py',
  ];
  if (props.accessLog) args.push('--access-log');
  const started = Date.now();
  const child: ChildProcess = spawn(props.python, args, {
    cwd: props.codeDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      ...props.env,
      LOCAL_ENDPOINT_KEY: key,
    },
  });
  // a failed spawn is reported by waitForLine below; keep it from throwing
  child.on('error', () => undefined);
  const output = new OutputLog(5000, props.onLine);
  output.attach(child);

  interface Ready {
    port: number;
    importSeconds: number;
    initSeconds: number;
  }
  type Signal = { ready: Ready } | { failed: string };
  let signal: Signal;
  try {
    signal = await waitForLine<Signal>(
      child,
      (line) => {
        const ready =
          /^LOCAL_HOST_READY port=(\d+) import_seconds=([\d.]+) init_seconds=([\d.]+)/.exec(
            line,
          );
        if (ready) {
          const [port, importSeconds, initSeconds] = ready.slice(1).map(Number);
          return { ready: { port, importSeconds, initSeconds } };
        }
        const failed = /^LOCAL_HOST_INIT_FAILED: (.*)$/.exec(line);
        return failed ? { failed: failed[1] } : undefined;
      },
      props.initTimeoutMs ?? 120_000,
      'the scoring host',
    );
  } catch (error) {
    await stopChild(child);
    return {
      ok: false,
      error: (error as Error).message,
      exitCode: child.exitCode,
      output,
    };
  }
  if ('failed' in signal) {
    const exitCode = await exited(child);
    return { ok: false, error: signal.failed, exitCode, output };
  }

  const origin = `http://127.0.0.1:${signal.ready.port}`;
  return {
    ok: true,
    host: {
      origin,
      scoringUri: `${origin}/score`,
      key,
      importSeconds: signal.ready.importSeconds,
      initSeconds: signal.ready.initSeconds,
      readyMs: Date.now() - started,
      output,
      pid: child.pid,
      stop: () => stopChild(child),
    },
  };
}
