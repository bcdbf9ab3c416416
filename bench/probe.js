'use strict';
/*
 * One measured process of the synth benchmark. bench/run.js copies this file
 * next to the compiled bench/*.js and starts it as a fresh `node` process:
 *
 *   node probe.js <variant> <outdir> [arg]
 *
 * It loads the program, builds the construct tree, synthesizes into <outdir>
 * and prints one JSON line with the time of each phase (milliseconds since
 * the process started, from performance.now()), the number of modules loaded
 * and the process's peak RSS. Wall time and peak RSS seen from outside are
 * measured by run.js.
 *
 * Variants:
 *   default        the default app (main.ts: buildApp(env, outdir).synth())
 *   baseline       the same resources written with L1 bindings (bench/baseline.ts)
 *   scaling        bench/scaling.ts with [arg] endpoints
 *   default+root   the default app after one require of @cdktf/provider-azurerm's root
 *   import:node    nothing (node's own start-up)
 *   import:cdktf   cdktf and constructs only
 *   import:deep    cdktf + the deep provider modules listed in BENCH_DEEP_MODULES
 *   import:root    cdktf + the root of @cdktf/provider-azurerm
 */
const { performance } = require('perf_hooks');

const started = performance.now();
const [variant, outdir, arg] = process.argv.slice(2);
const marks = { boot: started };
let build;

switch (variant) {
  case 'default': {
    const main = require('../main');
    build = () => main.buildApp(process.env, outdir);
    break;
  }
  case 'default+root': {
    require('@cdktf/provider-azurerm');
    const main = require('../main');
    build = () => main.buildApp(process.env, outdir);
    break;
  }
  case 'baseline': {
    const baseline = require('./baseline');
    build = () => baseline.buildBaselineApp(outdir);
    break;
  }
  case 'scaling': {
    const scaling = require('./scaling');
    build = () => scaling.buildScalingApp(Number(arg), outdir);
    break;
  }
  case 'import:node':
    break;
  case 'import:cdktf':
    require('constructs');
    require('cdktf');
    break;
  case 'import:deep':
    require('constructs');
    require('cdktf');
    for (const m of (process.env.BENCH_DEEP_MODULES || '')
      .split(',')
      .filter(Boolean))
      require(m);
    break;
  case 'import:root':
    require('constructs');
    require('cdktf');
    require('@cdktf/provider-azurerm');
    break;
  default:
    process.stderr.write(`probe: unknown variant '${variant}'\n`);
    process.exit(2);
}
marks.load = performance.now();

if (build) {
  const app = build();
  marks.construct = performance.now();
  app.synth();
  marks.synth = performance.now();
}

const phases = { bootMs: marks.boot, loadMs: marks.load - marks.boot };
if (build) {
  phases.constructMs = marks.construct - marks.load;
  phases.synthMs = marks.synth - marks.construct;
}
process.stdout.write(
  JSON.stringify({
    variant,
    ...phases,
    inProcessMs: performance.now(),
    modules: Object.keys(require.cache).length,
    heapUsedMb: process.memoryUsage().heapUsed / 1048576,
    maxRssKb: process.resourceUsage().maxRSS,
    inProcessCpuMs: cpuMs(),
    ...(process.env.BENCH_LIST_FILES ? { appFiles: appFiles() } : {}),
  }) + '\n',
);

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The program's own modules (compiled from main.ts, lib/, bench/), relative to the build folder. */
function appFiles() {
  const root = require('path').resolve(__dirname, '..');
  return Object.keys(require.cache)
    .filter((f) => f.startsWith(root + '/') && !f.includes('/node_modules/'))
    .map((f) => f.slice(root.length + 1))
    .filter((f) => f !== 'bench/probe.js')
    .sort();
}
