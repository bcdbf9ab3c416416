import { spawnSync } from 'child_process';

/** What the scoring code needs from Debian (or pip) to run locally. */
export const PYTHON_INSTALL_HINT =
  'apt-get install python3-sklearn python3-joblib python3-numpy';

const DEBIAN_PYTHON = '/usr/bin/python3';

const PROBE = [
  'import json, platform, joblib, numpy, scipy, sklearn',
  'print(json.dumps({"python": platform.python_version(),',
  ' "scikit-learn": sklearn.__version__, "numpy": numpy.__version__,',
  ' "scipy": scipy.__version__, "joblib": joblib.__version__}))',
].join('\n');

export interface PythonInfo {
  /** The interpreter to run, as given or found. */
  readonly executable: string;
  /** Versions of Python and the model libraries, keyed like conda.yaml. */
  readonly versions: Readonly<Record<string, string>>;
}

export class PythonNotFoundError extends Error {}

/**
 * Picks the Python interpreter for the scoring code: `SCORING_PYTHON` if set
 * (no fallback then), else `/usr/bin/python3` if it imports scikit-learn,
 * else `python3` from PATH. Throws a PythonNotFoundError naming how to install
 * the libraries when none fits.
 */
export function findPython(env: NodeJS.ProcessEnv = process.env): PythonInfo {
  const chosen = env.SCORING_PYTHON?.trim();
  if (chosen) {
    const probe = probePython(chosen);
    if ('versions' in probe) return probe;
    throw new PythonNotFoundError(
      `SCORING_PYTHON='${chosen}' cannot run the scoring code (${probe.problem}). ` +
        `Install the libraries (${PYTHON_INSTALL_HINT}) or point SCORING_PYTHON ` +
        'at an interpreter that has scikit-learn, joblib, numpy and scipy.',
    );
  }
  const problems: string[] = [];
  for (const candidate of [DEBIAN_PYTHON, 'python3']) {
    const probe = probePython(candidate);
    if ('versions' in probe) return probe;
    problems.push(`${candidate}: ${probe.problem}`);
  }
  throw new PythonNotFoundError(
    'No Python interpreter with scikit-learn, joblib, numpy and scipy ' +
      `(${problems.join('; ')}). On Debian or Ubuntu: ${PYTHON_INSTALL_HINT}; ` +
      'or set SCORING_PYTHON to an interpreter that has them.',
  );
}

function probePython(executable: string): PythonInfo | { problem: string } {
  const result = spawnSync(executable, ['-c', PROBE], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (result.error) return { problem: result.error.message };
  if (result.status !== 0) {
    const lastLine = result.stderr.trim().split('\n').pop() ?? '';
    return { problem: lastLine || `exit status ${result.status}` };
  }
  return { executable, versions: JSON.parse(result.stdout) };
}
