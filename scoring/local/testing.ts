import { spawnSync } from 'child_process';

import { PythonInfo, PythonNotFoundError, findPython } from './python';

/** Why the scoring tests cannot run here, or undefined when they can. */
export interface ScoringTestEnvironment {
  readonly python?: PythonInfo;
  readonly skipReason?: string;
}

/**
 * Finds what the scoring tests need (a Python with the model libraries and
 * the openssl CLI). Under CI (CI=true) a missing piece throws, so that the
 * test file fails instead of being skipped; elsewhere it returns the reason
 * to skip.
 */
export function scoringTestEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): ScoringTestEnvironment {
  const problems: string[] = [];
  let python: PythonInfo | undefined;
  try {
    python = findPython(env);
  } catch (error) {
    if (!(error instanceof PythonNotFoundError)) throw error;
    problems.push(error.message);
  }
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (openssl.error || openssl.status !== 0) {
    problems.push('the openssl CLI is missing (apt-get install openssl)');
  }
  if (problems.length === 0) return { python };
  const reason = `scoring tests need ${problems.join('; and ')} (.ci/python-deps.sh installs them)`;
  if (env.CI === 'true') {
    throw new Error(`CI=true: refusing to skip: ${reason}`);
  }
  return { skipReason: reason };
}
