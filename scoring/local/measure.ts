/**
 * Measures the local host: init() time and per-request latency of /score.
 *
 *   npx tsx scoring/local/measure.ts [--requests 2000] [--init-runs 5]
 *
 * Starts the emulators once, deploys the scoring script `--init-runs` times
 * (init time: as measured inside the host, and from spawn to ready), then
 * sends the sample request `--requests` times over one keep-alive connection
 * and again over 8 concurrent ones, after a warm-up of 200 requests.
 */
import * as fs from 'fs';
import * as http from 'http';

import { invoke } from './client';
import { findPython } from './python';
import { Emulators, SAMPLE_REQUEST_FILE, deploy } from './stack';

function percentile(sorted: number[], p: number): number {
  const index = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, index)];
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const fmt = (n: number) => n.toFixed(2);
  return (
    `${label}: n=${sorted.length} median ${fmt(percentile(sorted, 50))} ms, ` +
    `p99 ${fmt(percentile(sorted, 99))} ms, max ${fmt(sorted[sorted.length - 1])} ms`
  );
}

async function load(
  scoringUri: string,
  key: string,
  body: string,
  total: number,
  connections: number,
): Promise<{ latencies: number[]; errors: number; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (sent < total) {
      sent += 1;
      const t0 = process.hrtime.bigint();
      try {
        const response = await invoke(scoringUri, key, body, agent);
        if (response.status !== 200) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { latencies, errors, seconds };
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number of at least 1`);
  }
  return value;
}

async function main(): Promise<void> {
  const requests = option('--requests', 2000);
  const initRuns = option('--init-runs', 5);
  const python = findPython();
  const body = fs.readFileSync(SAMPLE_REQUEST_FILE, 'utf8');
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`python: ${python.executable} ${JSON.stringify(python.versions)}`);

  const emulators = await Emulators.start();
  try {
    const imports: number[] = [];
    const inits: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < initRuns; i++) {
      const deployment = await deploy(emulators, { python: python.executable });
      if (!deployment.result.ok) throw new Error(deployment.result.error);
      imports.push(deployment.result.host.importSeconds * 1000);
      inits.push(deployment.result.host.initSeconds * 1000);
      ready.push(deployment.result.host.readyMs);
      if (i < initRuns - 1) await deployment.stop();
      else {
        const host = deployment.result.host;
        try {
          out(summary('import of score.py (numpy, joblib)', imports));
          out(summary('init() (token, blob read, model load)', inits));
          out(
            summary(
              'spawn to ready (Python start, import, init(), listen)',
              ready,
            ),
          );
          await load(host.scoringUri, host.key, body, 200, 8);
          const one = await load(host.scoringUri, host.key, body, requests, 1);
          out(
            `${summary('POST /score, 1 connection', one.latencies)}, ` +
              `${(requests / one.seconds).toFixed(0)} req/s, ${one.errors} errors`,
          );
          const eight = await load(
            host.scoringUri,
            host.key,
            body,
            requests,
            8,
          );
          out(
            `${summary('POST /score, 8 connections', eight.latencies)}, ` +
              `${(requests / eight.seconds).toFixed(0)} req/s, ${eight.errors} errors, ` +
              `${deployment.tokenEndpoint.tokensIssued} token fetch(es)`,
          );
        } finally {
          await deployment.stop();
        }
      }
    }
  } finally {
    await emulators.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`measure: ${error.message}\n`);
  process.exit(1);
});
