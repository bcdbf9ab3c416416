#!/usr/bin/env node
'use strict';
/*
 * Synth benchmark: wall time and peak RSS of the default app against an L1
 * baseline, scaling with the number of endpoints, and the cost of importing
 * the root of @cdktf/provider-azurerm. See docs/benchmarks.md.
 *
 *   npm run bench                 full run (2-3 minutes on 2 cores)
 *   npm run bench -- --quick      fewer runs (about 1 minute)
 *   npm run bench -- --runs 25    runs per program in the main comparison
 *   npm run bench -- --only synth,scaling,imports,tsnode
 *   npm run bench -- --profile    also write CPU profiles of one synth of each
 *                                 program and print where the time goes
 *   npm run bench -- --keep       keep the compiled build in the temp folder
 *
 * Prints a markdown report to stdout (progress to stderr) and writes every
 * sample to bench/results/bench-<time>.json.
 */
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(__dirname, 'results');
const TIME_BIN = '/usr/bin/time';
const SECTIONS = ['synth', 'tsnode', 'scaling', 'imports'];

const PLANS = {
  full: {
    synth: 20,
    tsnode: 7,
    scaling: 9,
    imports: 7,
    scalingN: [1, 10, 100],
  },
  quick: {
    synth: 5,
    tsnode: 2,
    scaling: 3,
    imports: 3,
    scalingN: [1, 10, 100],
  },
};

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const plan = { ...PLANS[opts.quick ? 'quick' : 'full'] };
  if (opts.runs) plan.synth = opts.runs;
  const useTime = fs.existsSync(TIME_BIN);
  const startedAt = new Date();
  const t0 = Date.now();

  log(`compiling main.ts, lib/ and bench/ (transpile only) ...`);
  const build = compile();
  log(
    `  -> ${build.dir} (${build.files} files, ${build.ms.toFixed(0)} ms, not measured)`,
  );
  const ctx = { build, useTime, env: childEnv() };

  const result = {
    startedAt: startedAt.toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    plan,
    machine: machine(),
    git: { ...gitInfo(), sourceHash: build.sourceHash },
    peakRssSource: useTime
      ? '/usr/bin/time %M (whole node process)'
      : 'process.resourceUsage().maxRSS',
    sections: {},
  };

  try {
    if (opts.only.has('synth'))
      result.sections.synth = benchSynth(ctx, plan.synth);
    if (opts.only.has('tsnode'))
      result.sections.tsnode = benchTsNode(ctx, plan.tsnode);
    if (opts.only.has('scaling'))
      result.sections.scaling = benchScaling(ctx, plan.scaling, plan.scalingN);
    if (opts.only.has('imports'))
      result.sections.imports = benchImports(ctx, plan.imports);
    if (opts.profile) result.sections.profile = profile(ctx);
  } finally {
    if (!opts.keep) fs.rmSync(build.dir, { recursive: true, force: true });
  }
  result.machine.loadAvgEnd = os.loadavg();
  result.durationS = (Date.now() - t0) / 1000;

  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(
    RESULTS,
    `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(report(result));
  log(
    `\nraw samples: ${path.relative(ROOT, file)} (total ${result.durationS.toFixed(0)} s)`,
  );
}

function parseArgs(argv) {
  const opts = {
    quick: false,
    profile: false,
    keep: false,
    runs: 0,
    only: new Set(SECTIONS),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const [, inline] = a.split('=');
      return inline !== undefined ? inline : argv[++i];
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--profile') opts.profile = true;
    else if (a === '--keep') opts.keep = true;
    else if (a.startsWith('--runs')) opts.runs = Number(value());
    else if (a.startsWith('--only')) opts.only = new Set(value().split(','));
    else if (a === '--help' || a === '-h') {
      const header = fs
        .readFileSync(__filename, 'utf8')
        .split('*/')[0]
        .split('/*')[1];
      process.stdout.write(header.replace(/^ \* ?/gm, '').trim() + '\n');
      process.exit(0);
    } else fail(`unknown option '${a}' (try --help)`);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 0)
    fail(`--runs must be a whole number; got '${opts.runs}'`);
  for (const s of opts.only)
    if (!SECTIONS.includes(s))
      fail(`--only takes ${SECTIONS.join(',')}; got '${s}'`);
  return opts;
}

/* ---------------------------------------------------------------- build */

/**
 * Transpiles main.ts, lib/ and bench/ into a temporary folder with the
 * project's compiler options (what a TypeScript runner such as tsx does, ahead of
 * time), so that the measured processes run plain JS. node_modules and
 * scoring/ are linked in, so that paths relative to main.js still resolve.
 */
function compile() {
  const started = process.hrtime.bigint();
  const ts = require(require.resolve('typescript', { paths: [ROOT] }));
  const cfg = ts.readConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    ts.sys.readFile,
  );
  if (cfg.error)
    fail(ts.flattenDiagnosticMessageText(cfg.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT);
  const compilerOptions = {
    ...options,
    noEmit: false,
    declaration: false,
    sourceMap: false,
    inlineSourceMap: false,
  };
  delete compilerOptions.rootDir;
  delete compilerOptions.outDir;

  // dir/: compiled JS; dir/ts/: the same sources as TypeScript, for tsx
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bench-'));
  try {
    const filled = fill(dir, ts, compilerOptions);
    return {
      dir,
      ...filled,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
    };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Writes the compiled JS into dir/ and the TypeScript sources into dir/ts/. */
function fill(dir, ts, compilerOptions) {
  const tsDir = path.join(dir, 'ts');
  const hash = require('crypto').createHash('sha256');
  const sources = ['main.ts', ...walk('lib'), ...walk('bench')].filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'),
  );
  for (const rel of sources) {
    const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
    hash.update(`${rel}\0${text}\0`);
    const out = ts.transpileModule(text, {
      compilerOptions,
      fileName: path.join(ROOT, rel),
      reportDiagnostics: true,
    });
    const errors = (out.diagnostics || []).filter(
      (d) => d.category === ts.DiagnosticCategory.Error,
    );
    if (errors.length) {
      fail(
        `${rel}: ${ts.flattenDiagnosticMessageText(errors[0].messageText, '\n')}`,
      );
    }
    for (const [dest, body] of [
      [path.join(dir, rel.replace(/\.ts$/, '.js')), out.outputText],
      [path.join(tsDir, rel), text],
    ]) {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, body);
    }
  }
  for (const rel of walk('lib').filter((f) => f.endsWith('.json'))) {
    fs.cpSync(path.join(ROOT, rel), path.join(dir, rel));
    fs.cpSync(path.join(ROOT, rel), path.join(tsDir, rel));
  }
  fs.cpSync(
    path.join(ROOT, 'tsconfig.json'),
    path.join(tsDir, 'tsconfig.json'),
  );
  fs.cpSync(
    path.join(__dirname, 'probe.js'),
    path.join(dir, 'bench', 'probe.js'),
  );
  for (const d of [dir, tsDir]) {
    fs.symlinkSync(
      path.join(ROOT, 'node_modules'),
      path.join(d, 'node_modules'),
      'dir',
    );
    fs.symlinkSync(path.join(ROOT, 'scoring'), path.join(d, 'scoring'), 'dir');
  }
  fs.mkdirSync(path.join(dir, 'out'));
  return {
    tsDir,
    files: sources.length,
    sourceHash: hash.digest('hex').slice(0, 12),
  };
}

function walk(relDir) {
  const out = [];
  const visit = (rel) => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), {
      withFileTypes: true,
    })) {
      if (
        e.name === 'node_modules' ||
        e.name === 'results' ||
        e.name.startsWith('.')
      )
        continue;
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) visit(child);
      else if (e.isFile()) out.push(child);
    }
  };
  visit(relDir);
  return out.sort();
}

/** The deep provider modules main.ts and lib/ import (for import:deep). */
function deepModules() {
  const found = new Set();
  for (const rel of ['main.ts', ...walk('lib')].filter((f) =>
    f.endsWith('.ts'),
  )) {
    const src = fs.readFileSync(path.join(ROOT, rel), 'utf8');
    for (const m of src.matchAll(
      /from '(@cdktf\/provider-[a-z]+\/lib\/[^']+)'/g,
    ))
      found.add(m[1]);
  }
  return [...found].sort();
}

/** A clean environment: the default app reads its settings from env vars. */
function childEnv(extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CHECKPOINT_DISABLE: '1',
    ...extra,
  };
}

/* ---------------------------------------------------------------- running */

let outCounter = 0;

/**
 * Runs one fresh node process and measures it from outside: wall time from
 * spawn to exit (hrtime), peak RSS from /usr/bin/time when present. A probe
 * variant also reports its phases on stdout.
 */
function runOnce(ctx, spec) {
  const outdir = path.join(ctx.build.dir, 'out', String(outCounter++));
  const timeFile = `${outdir}.time`;
  const nodeArgs = [
    ...(spec.nodeFlags || []),
    ...(spec.script
      ? [spec.script]
      : [path.join(ctx.build.dir, 'bench', 'probe.js'), spec.variant, outdir]),
    ...(spec.args || []),
  ];
  const env = {
    ...ctx.env,
    ...(spec.env || {}),
    ...(spec.script ? { CDKTF_OUTDIR: outdir } : {}),
  };
  const [cmd, args] = ctx.useTime
    ? [
        TIME_BIN,
        ['-f', '%M %U %S', '-o', timeFile, process.execPath, ...nodeArgs],
      ]
    : [process.execPath, nodeArgs];
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: spec.cwd || ctx.build.dir,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) {
    fail(
      `${spec.label} exited with ${r.status ?? r.signal}:\n${(r.stderr || '').slice(-4000)}`,
    );
  }
  const line = (r.stdout || '').trim().split('\n').pop();
  const probe = spec.script ? {} : JSON.parse(line);
  let rssKb = probe.maxRssKb;
  let cpuMs = probe.inProcessCpuMs;
  if (ctx.useTime) {
    const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop();
    const [kb, user, sys] = last.split(' ').map(Number);
    rssKb = kb;
    cpuMs = (user + sys) * 1000;
  }
  const sample = {
    label: spec.label,
    wallMs,
    cpuMs,
    rssMb: rssKb / 1024,
    ...probe,
  };
  if (spec.keepOut) sample.outdir = outdir;
  else fs.rmSync(outdir, { recursive: true, force: true });
  fs.rmSync(timeFile, { force: true });
  return sample;
}

/**
 * Interleaves the programs: each round runs every program once, rotating the
 * order (A B C, B C A, C A B, ...), so that drift of a noisy machine spreads
 * over all of them. One unmeasured warm-up round comes first.
 */
function interleave(ctx, specs, rounds, title) {
  const samples = Object.fromEntries(specs.map((s) => [s.label, []]));
  specs.forEach((s) => runOnce(ctx, s));
  for (let r = 0; r < rounds; r++) {
    const order = specs.map((_, i) => specs[(i + r) % specs.length]);
    for (const s of order)
      samples[s.label].push({ round: r, ...runOnce(ctx, s) });
    log(`  ${title}: round ${r + 1}/${rounds}`);
  }
  return samples;
}

/* ---------------------------------------------------------------- sections */

function benchSynth(ctx, rounds) {
  log(`synth: default app vs L1 baseline, ${rounds} runs each`);
  const equivalence = compareOutputs(ctx);
  const samples = interleave(
    ctx,
    [
      { label: 'default', variant: 'default' },
      { label: 'baseline', variant: 'baseline' },
    ],
    rounds,
    'synth',
  );
  return {
    equivalence,
    samples,
    summary: summarize(samples),
    paired: paired(samples.default, samples.baseline),
  };
}

/**
 * Synthesizes both programs once and compares their output: byte for byte,
 * and modulo logical ids (construct paths may differ while lib/ changes; the
 * resources, their bodies and their references must not).
 */
function compareOutputs(ctx) {
  const env = { BENCH_LIST_FILES: '1' };
  const a = runOnce(ctx, {
    label: 'default',
    variant: 'default',
    keepOut: true,
    env,
  });
  const b = runOnce(ctx, {
    label: 'baseline',
    variant: 'baseline',
    keepOut: true,
    env,
  });
  const [ja, jb] = [stackJson(a.outdir), stackJson(b.outdir)];
  const [da, db] = [JSON.parse(ja), JSON.parse(jb)];
  const [treeA, treeB] = [listTree(a.outdir), listTree(b.outdir)];
  const diffs = [];
  diffJson(normalize(da), normalize(db), '', diffs);
  const eq = {
    identicalJson: ja === jb,
    identicalFileTree: JSON.stringify(treeA) === JSON.stringify(treeB),
    equivalentJson: diffs.length === 0,
    equivalentFileTree: sameFiles(treeA, treeB),
    differences: diffs.slice(0, 20),
    resourcesDefault: countResources(da),
    resourcesBaseline: countResources(db),
    jsonBytes: { default: ja.length, baseline: jb.length },
    annotations: {
      default: annotations(a.outdir),
      baseline: annotations(b.outdir),
    },
    sources: {
      default: tsSources(ctx, a.appFiles),
      baseline: tsSources(ctx, b.appFiles),
    },
  };
  fs.rmSync(a.outdir, { recursive: true, force: true });
  fs.rmSync(b.outdir, { recursive: true, force: true });
  log(`  output check: ${equivalenceText(eq)}`);
  return eq;
}

/** The TypeScript sources of the program's modules: what tsx transpiles per synth. */
function tsSources(ctx, jsFiles) {
  const files = jsFiles.map((f) => f.replace(/\.js$/, '.ts'));
  const bytes = files.reduce(
    (n, f) => n + fs.statSync(path.join(ctx.build.tsDir, f)).size,
    0,
  );
  return { files: files.length, kb: Math.round(bytes / 1024), list: files };
}

function equivalenceText(eq) {
  const n = total(eq.resourcesDefault);
  if (eq.identicalJson && eq.identicalFileTree)
    return `identical cdktf.out (${n} resources and data sources)`;
  if (eq.equivalentJson && eq.equivalentFileTree) {
    return `equivalent: the same ${n} resources and data sources with the same bodies, references and uploaded files; only logical ids (construct paths) differ`;
  }
  return `DIFFERENT (${eq.differences.length} differences; first: ${eq.differences.slice(0, 3).join('; ')}); update bench/baseline.ts`;
}

/**
 * The document with logical ids and asset folder names replaced by '#',
 * construct metadata dropped, and each type's resources as a sorted list of
 * bodies: two documents that declare the same things compare equal.
 */
function normalize(doc) {
  const ids = [];
  for (const kind of ['resource', 'data']) {
    for (const byName of Object.values(doc[kind] || {}))
      ids.push(...Object.keys(byName));
  }
  const idPattern = ids.length
    ? new RegExp(
        ids
          .sort((x, y) => y.length - x.length)
          .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('|'),
        'g',
      )
    : undefined;
  const clean = (v) => {
    if (typeof v === 'string')
      return anonymizeAssets(idPattern ? v.replace(idPattern, '#') : v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => k !== '//')
          .sort()
          .map((k) => [k, clean(v[k])]),
      );
    }
    return v;
  };
  const out = clean({ ...doc, resource: undefined, data: undefined });
  for (const kind of ['resource', 'data']) {
    out[kind] = {};
    for (const [type, byName] of Object.entries(doc[kind] || {})) {
      out[kind][type] = Object.values(byName)
        .map(clean)
        .sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
    }
  }
  return out;
}

/** The synthesized JSON of the app's only stack, found through manifest.json. */
function stackJson(outdir) {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'),
  );
  const stacks = Object.values(manifest.stacks || {});
  if (stacks.length !== 1)
    fail(`expected one stack in ${outdir}; got ${stacks.length}`);
  return fs.readFileSync(
    path.join(outdir, stacks[0].synthesizedStackPath),
    'utf8',
  );
}

/** Annotations (info, warnings, errors) in manifest.json, counted by level. */
function annotations(outdir) {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'),
  );
  const out = {};
  for (const stack of Object.values(manifest.stacks || {})) {
    for (const a of stack.annotations || [])
      out[a.level] = (out[a.level] || 0) + 1;
  }
  return out;
}

/**
 * The same uploaded files (name, content hash folder, size) apart from the
 * asset folder names; manifest.json may differ by annotations.
 */
function sameFiles(a, b) {
  const norm = (t) =>
    t
      .filter((f) => f.includes('/assets/'))
      .map(anonymizeAssets)
      .sort();
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function anonymizeAssets(s) {
  return s.replace(/assets\/[^/"\s]+\//g, 'assets/#/');
}

function benchTsNode(ctx, rounds) {
  log(
    `tsnode: the same two programs through tsx (as cdktf.json runs the app), ${rounds} runs each`,
  );
  const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const specs = [
    {
      label: 'default (tsx)',
      script: tsx,
      args: ['main.ts'],
      cwd: ctx.build.tsDir,
    },
    {
      label: 'baseline (tsx)',
      script: tsx,
      args: ['bench/baseline.ts'],
      cwd: ctx.build.tsDir,
    },
  ];
  const samples = interleave(ctx, specs, rounds, 'tsnode');
  return {
    samples,
    summary: summarize(samples),
    paired: paired(samples[specs[0].label], samples[specs[1].label]),
  };
}

function benchScaling(ctx, rounds, ns) {
  log(`scaling: N endpoints (${ns.join(', ')}), ${rounds} runs each`);
  const shapes = {};
  for (const n of ns) {
    const s = runOnce(ctx, {
      label: `N=${n}`,
      variant: 'scaling',
      args: [String(n)],
      keepOut: true,
    });
    const json = stackJson(s.outdir);
    const counts = countResources(JSON.parse(json));
    shapes[n] = {
      resources: Object.values(counts).reduce((x, y) => x + y, 0),
      jsonBytes: json.length,
      byType: counts,
    };
    fs.rmSync(s.outdir, { recursive: true, force: true });
  }
  const specs = ns.map((n) => ({
    label: `N=${n}`,
    variant: 'scaling',
    args: [String(n)],
  }));
  const samples = interleave(ctx, specs, rounds, 'scaling');
  return { shapes, samples, summary: summarize(samples) };
}

function benchImports(ctx, rounds) {
  const deep = deepModules();
  log(
    `imports: package root vs deep imports (${deep.length} deep modules), ${rounds} runs each`,
  );
  const env = { BENCH_DEEP_MODULES: deep.join(',') };
  const specs = [
    { label: 'node only', variant: 'import:node' },
    { label: 'cdktf + constructs', variant: 'import:cdktf', ref: 'node only' },
    {
      label: 'cdktf + deep imports',
      variant: 'import:deep',
      env,
      ref: 'cdktf + constructs',
    },
    {
      label: 'cdktf + package root',
      variant: 'import:root',
      ref: 'cdktf + deep imports',
    },
    { label: 'default app synth', variant: 'default' },
    {
      label: 'default app synth + root import',
      variant: 'default+root',
      ref: 'default app synth',
    },
  ];
  const samples = interleave(ctx, specs, rounds, 'imports');
  const refs = Object.fromEntries(
    specs.filter((s) => s.ref).map((s) => [s.label, s.ref]),
  );
  return { deepModules: deep, refs, samples, summary: summarize(samples) };
}

/**
 * One synth of each program with --cpu-prof; self time grouped by where the
 * code lives, and the heaviest functions of the default app.
 */
function profile(ctx) {
  log('profile: one CPU-profiled synth of each program');
  const dir = path.join(RESULTS, 'profiles');
  fs.mkdirSync(dir, { recursive: true });
  const out = {};
  for (const variant of ['default', 'baseline']) {
    const name = `${variant}-${Date.now()}.cpuprofile`;
    runOnce(ctx, {
      label: variant,
      variant,
      nodeFlags: [
        '--cpu-prof',
        `--cpu-prof-dir=${dir}`,
        `--cpu-prof-name=${name}`,
        '--cpu-prof-interval=200',
      ],
    });
    out[variant] = {
      file: path.relative(ROOT, path.join(dir, name)),
      ...summarizeProfile(path.join(dir, name), ctx.build.dir),
    };
  }
  return out;
}

function summarizeProfile(file, buildDir) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = prof.timeDeltas;
  prof.samples.forEach((id, i) =>
    self.set(id, (self.get(id) || 0) + (dt[i] || 0) / 1000),
  );
  const where = (url) => {
    if (!url) return '(native, gc, idle)';
    if (url.startsWith('node:')) return 'node internals';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1];
    const rel = url.replace('file://', '').replace(buildDir + '/', '');
    return rel.startsWith('lib/') ? 'lib/ (this library)' : rel;
  };
  const groups = {};
  const fns = {};
  let total = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    const g = where(n.callFrame.url);
    groups[g] = (groups[g] || 0) + ms;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${g}:${n.callFrame.lineNumber + 1}`;
    fns[key] = (fns[key] || 0) + ms;
    total += ms;
  }
  const top = (o, k) =>
    Object.entries(o)
      .sort((x, y) => y[1] - x[1])
      .slice(0, k)
      .map(([what, ms]) => ({ what, ms: round(ms, 1) }));
  return {
    sampledMs: round(total, 0),
    byLocation: top(groups, 12),
    topFunctions: top(fns, 15),
  };
}

/* ---------------------------------------------------------------- statistics */

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function stats(xs) {
  const s = [...xs]
    .filter((x) => typeof x === 'number' && !Number.isNaN(x))
    .sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  return {
    n: s.length,
    median: median(s),
    p90: quantile(s, 0.9),
    min: s[0],
    max: s[s.length - 1],
  };
}

function summarize(samples) {
  const out = {};
  for (const [label, xs] of Object.entries(samples)) {
    out[label] = {};
    for (const k of [
      'wallMs',
      'cpuMs',
      'rssMb',
      'bootMs',
      'loadMs',
      'constructMs',
      'synthMs',
      'inProcessMs',
      'modules',
      'heapUsedMb',
    ]) {
      const st = stats(xs.map((x) => x[k]));
      if (st) out[label][k] = st;
    }
    const exit = stats(
      xs
        .filter((x) => x.inProcessMs !== undefined)
        .map((x) => x.wallMs - x.inProcessMs),
    );
    if (exit) out[label].exitAndSpawnMs = exit;
  }
  return out;
}

/** Ratios of runs from the same round (same moment of a noisy machine). */
function paired(a, b) {
  const byRound = new Map(b.map((x) => [x.round, x]));
  const wall = [];
  const cpu = [];
  const rss = [];
  for (const x of a) {
    const y = byRound.get(x.round);
    if (!y) continue;
    wall.push(x.wallMs / y.wallMs);
    if (x.cpuMs && y.cpuMs) cpu.push(x.cpuMs / y.cpuMs);
    rss.push(x.rssMb / y.rssMb);
  }
  return { wallRatio: stats(wall), cpuRatio: stats(cpu), rssRatio: stats(rss) };
}

/* ---------------------------------------------------------------- report */

function report(r) {
  const L = [];
  const m = r.machine;
  L.push(`# Synth benchmark (${r.mode} run)`);
  L.push('');
  L.push(
    `${r.startedAt} · ${m.cpus} × ${m.cpuModel} · ${m.totalMemGb} GB · node ${m.node} · ${m.platform}`,
  );
  L.push(
    `sources ${r.git.sourceHash} (sha256 of main.ts, lib/, bench/ as measured) · git ${r.git.commit}${r.git.dirty ? ` + uncommitted changes (${r.git.dirty})` : ''} · load average ${m.loadAvgStart.map((x) => x.toFixed(2)).join(' ')} → ${m.loadAvgEnd.map((x) => x.toFixed(2)).join(' ')}`,
  );
  L.push(
    `Each sample is a fresh \`node\` process running compiled JS (tsx section: TypeScript); wall = spawn to exit; CPU = user + sys of the whole process${r.peakRssSource.startsWith('/usr') ? ' (/usr/bin/time, 10 ms resolution)' : ' (in-process)'}; peak RSS from ${r.peakRssSource}.`,
  );
  L.push('');

  const s = r.sections.synth;
  if (s) {
    const d = s.summary.default;
    const b = s.summary.baseline;
    const ratio = (k, q = 'median') => d[k] && b[k] && d[k][q] / b[k][q];
    const wallRatio = ratio('wallMs');
    const pr = s.paired;
    L.push(
      `## Default app vs L1 baseline (${d.wallMs.n} runs each, interleaved)`,
    );
    L.push('');
    L.push(
      `Output check, baseline against default app: ${equivalenceText(s.equivalence)}.` +
        ` Annotations in manifest.json: default ${JSON.stringify(s.equivalence.annotations.default)}, baseline ${JSON.stringify(s.equivalence.annotations.baseline)}.`,
    );
    L.push('');
    L.push(
      '| program | wall median | wall p90 | CPU (user+sys) median | peak RSS median | peak RSS p90 | modules loaded |',
    );
    L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, x] of [
      ['default app (main.ts)', d],
      ['L1 baseline (bench/baseline.ts)', b],
    ]) {
      L.push(
        `| ${name} | ${ms(x.wallMs.median)} | ${ms(x.wallMs.p90)} | ${x.cpuMs ? ms(x.cpuMs.median) : 'n/a'} | ${mb(x.rssMb.median)} | ${mb(x.rssMb.p90)} | ${x.modules.median} |`,
      );
    }
    L.push(
      `| **ratio default / baseline** | **${times(wallRatio)}** | ${times(ratio('wallMs', 'p90'))} | ${times(ratio('cpuMs'))} | **${times(ratio('rssMb'))}** | ${times(ratio('rssMb', 'p90'))} | |`,
    );
    L.push('');
    L.push(
      `Ratios of the two runs of each round (same moment of a noisy machine): wall median ${times(pr.wallRatio.median)} (min ${times(pr.wallRatio.min)}, p90 ${times(pr.wallRatio.p90)})` +
        `${pr.cpuRatio ? `; CPU median ${times(pr.cpuRatio.median)} (p90 ${times(pr.cpuRatio.p90)})` : ''}; peak RSS median ${times(pr.rssRatio.median)}.`,
    );
    L.push('');
    L.push(
      `Targets: wall ≤ 1.3× baseline: **${wallRatio <= 1.3 ? 'met' : 'MISSED'}** (${times(wallRatio)} of medians, ${times(pr.wallRatio.median)} paired); ` +
        `peak RSS ≤ 150 MB: **${d.rssMb.p90 <= 150 ? 'met' : 'MISSED'}** (median ${mb(d.rssMb.median)}, p90 ${mb(d.rssMb.p90)}).`,
    );
    L.push('');
    L.push('Phases (medians; inside the process unless noted):');
    L.push('');
    L.push(
      '| program | node start-up | module loading | construct tree | synth (JSON + assets) | exit + spawn (outside) | wall |',
    );
    L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, x] of [
      ['default app', d],
      ['L1 baseline', b],
    ]) {
      L.push(
        `| ${name} | ${ms(x.bootMs.median)} | ${ms(x.loadMs.median)} | ${ms(x.constructMs.median)} | ${ms(x.synthMs.median)} | ${ms(x.exitAndSpawnMs.median)} | ${ms(x.wallMs.median)} |`,
      );
    }
    const diff = (k) => signed(d[k].median - b[k].median, ms);
    L.push(
      `| difference | ${diff('bootMs')} | ${diff('loadMs')} | ${diff('constructMs')} | ${diff('synthMs')} | ${diff('exitAndSpawnMs')} | ${diff('wallMs')} |`,
    );
    L.push('');
  }

  const t = r.sections.tsnode;
  if (t) {
    const x = t.summary['default (tsx)'];
    const y = t.summary['baseline (tsx)'];
    L.push(
      `## Through tsx, as \`cdktf synth\` runs the app (${x.wallMs.n} runs each)`,
    );
    L.push('');
    L.push(
      '| program | TypeScript transpiled per synth | wall median | wall p90 | CPU median | peak RSS median | peak RSS p90 | runner overhead (wall − compiled wall) |',
    );
    L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const src = s && s.equivalence.sources;
    const rows = [
      ['default app', x, src && src.default, s && s.summary.default],
      ['L1 baseline', y, src && src.baseline, s && s.summary.baseline],
    ];
    for (const [name, v, files, compiled] of rows) {
      const size = files ? `${files.files} files, ${files.kb} KB` : '';
      const over = compiled ? ms(v.wallMs.median - compiled.wallMs.median) : '';
      L.push(
        `| ${name} | ${size} | ${ms(v.wallMs.median)} | ${ms(v.wallMs.p90)} | ${v.cpuMs ? ms(v.cpuMs.median) : 'n/a'} | ${mb(v.rssMb.median)} | ${mb(v.rssMb.p90)} | ${over} |`,
      );
    }
    L.push(
      `| **ratio default / baseline** | | **${times(x.wallMs.median / y.wallMs.median)}** | | ${x.cpuMs && y.cpuMs ? times(x.cpuMs.median / y.cpuMs.median) : 'n/a'} | **${times(x.rssMb.median / y.rssMb.median)}** | | |`,
    );
    L.push('');
    L.push(
      `Paired ratios (same round): wall median ${t.paired.wallRatio.median.toFixed(2)}×; peak RSS median ${t.paired.rssRatio.median.toFixed(2)}×. Not the target's measure (compile time included), but what \`npm run synth\` costs.`,
    );
    L.push('');
  }

  const sc = r.sections.scaling;
  if (sc) {
    L.push(
      `## Scaling: N endpoints, one deployment each, one workspace and one data source (${Object.values(sc.summary)[0].wallMs.n} runs each)`,
    );
    L.push('');
    L.push(
      '| N | resources | cdk.tf.json | wall median | wall p90 | CPU median | peak RSS median | peak RSS p90 | construct tree | synth | wall per extra endpoint |',
    );
    L.push(
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    const ns = Object.keys(sc.shapes).map(Number);
    const first = sc.summary[`N=${ns[0]}`];
    for (const n of ns) {
      const x = sc.summary[`N=${n}`];
      const per =
        n === ns[0]
          ? ''
          : ms((x.wallMs.median - first.wallMs.median) / (n - ns[0]));
      L.push(
        `| ${n} | ${sc.shapes[n].resources} | ${(sc.shapes[n].jsonBytes / 1024).toFixed(0)} KB | ${ms(x.wallMs.median)} | ${ms(x.wallMs.p90)} | ${x.cpuMs ? ms(x.cpuMs.median) : 'n/a'} | ${mb(x.rssMb.median)} | ${mb(x.rssMb.p90)} | ${ms(x.constructMs.median)} | ${ms(x.synthMs.median)} | ${per} |`,
      );
    }
    L.push('');
  }

  const im = r.sections.imports;
  if (im) {
    const su = im.summary;
    const deep = su['cdktf + deep imports'];
    const def = su['default app synth'];
    L.push(
      `## Package root vs deep imports of @cdktf/provider-azurerm (${deep.wallMs.n} runs each)`,
    );
    L.push('');
    L.push(
      '| process | wall median | wall p90 | peak RSS median | modules loaded | compared with | extra wall | extra peak RSS |',
    );
    L.push('| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |');
    for (const [label, x] of Object.entries(su)) {
      const refLabel = im.refs[label];
      const ref = refLabel && su[refLabel];
      const dw = ref ? signed(x.wallMs.median - ref.wallMs.median, ms) : '';
      const dr = ref ? signed(x.rssMb.median - ref.rssMb.median, mb) : '';
      L.push(
        `| ${label} | ${ms(x.wallMs.median)} | ${ms(x.wallMs.p90)} | ${mb(x.rssMb.median)} | ${x.modules.median} | ${refLabel || ''} | ${dw} | ${dr} |`,
      );
    }
    L.push('');
    const root = su['cdktf + package root'];
    L.push(
      `One root import costs ${signed(root.wallMs.median - deep.wallMs.median, ms)} and ${signed(root.rssMb.median - deep.rssMb.median, mb)} peak RSS over the deep imports (${(root.wallMs.median / deep.wallMs.median).toFixed(1)}× the wall time); in the default app it makes synth ${(su['default app synth + root import'].wallMs.median / def.wallMs.median).toFixed(1)}× slower and ${(su['default app synth + root import'].rssMb.median / def.rssMb.median).toFixed(1)}× bigger.`,
    );
    L.push('');
    L.push(
      `Deep imports: the ${im.deepModules.length} \`@cdktf/provider-*/lib/<resource>\` modules that main.ts and lib/ import.`,
    );
    L.push('');
  }

  const p = r.sections.profile;
  if (p) {
    L.push('## CPU profile, one synth each (self time by location, ms)');
    L.push('');
    for (const [variant, x] of Object.entries(p)) {
      L.push(
        `${variant} (${x.sampledMs} ms sampled, ${x.file}): ` +
          x.byLocation.map((g) => `${g.what} ${g.ms}`).join(' · '),
      );
      L.push('');
    }
    L.push(
      'Heaviest functions of the default app (self ms): ' +
        p.default.topFunctions
          .slice(0, 8)
          .map((f) => `${f.what} ${f.ms}`)
          .join(' · '),
    );
    L.push('');
  }
  return L.join('\n') + '\n';
}

/* ---------------------------------------------------------------- helpers */

function countResources(doc) {
  const out = {};
  for (const kind of ['resource', 'data']) {
    for (const [type, byName] of Object.entries(doc[kind] || {})) {
      out[kind === 'data' ? `data.${type}` : type] = Object.keys(byName).length;
    }
  }
  return out;
}

function total(counts) {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function diffJson(a, b, at, out) {
  if (
    typeof a !== typeof b ||
    Array.isArray(a) !== Array.isArray(b) ||
    a === null ||
    b === null ||
    typeof a !== 'object'
  ) {
    if (a !== b) out.push(`${at || '/'}: ${short(a)} != ${short(b)}`);
    return;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
    diffJson(a[k], b[k], `${at}/${k}`, out);
}

function short(v) {
  const s = JSON.stringify(v);
  return s === undefined
    ? 'missing'
    : s.length > 60
      ? `${s.slice(0, 57)}...`
      : s;
}

function listTree(dir) {
  const out = [];
  const visit = (d, rel) => {
    for (const e of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(p, r);
      else out.push(`${r} ${fs.statSync(p).size}`);
    }
  };
  visit(dir, '');
  return out;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: (cpus[0] && cpus[0].model.trim()) || 'unknown',
    totalMemGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAvgStart: os.loadavg(),
  };
}

function gitInfo() {
  const git = (...args) =>
    execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const dirty = git(
      'status',
      '--porcelain',
      '--',
      'main.ts',
      'lib',
      'bench',
      'scoring',
    )
      .split('\n')
      .filter(Boolean).length;
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirty: dirty ? `${dirty} files in main.ts, lib/, bench/, scoring/` : '',
    };
  } catch {
    return { commit: 'unknown', dirty: '' };
  }
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function times(x) {
  return x === undefined || Number.isNaN(x) ? 'n/a' : `${x.toFixed(2)}×`;
}

function signed(x, fmt) {
  return x >= 0 ? `+${fmt(x)}` : `−${fmt(-x)}`;
}

function ms(x) {
  return `${Math.round(x)} ms`;
}

function mb(x) {
  return `${x.toFixed(1)} MB`;
}

function log(msg) {
  process.stderr.write(msg + '\n');
}

function fail(msg) {
  throw new BenchError(msg);
}

class BenchError extends Error {}

try {
  main();
} catch (e) {
  process.stderr.write(
    `bench: ${e instanceof BenchError ? e.message : e.stack}\n`,
  );
  process.exitCode = 1;
}
