/**
 * `npm run bench`: time and peak memory of synthesis, median of several runs.
 *
 *  - reference topology, app only (`node bin/run.js main`, what `cdktf synth` runs; compiled)
 *  - reference topology, through `npx cdktf synth`
 *  - the scale topology (100 consumer accounts x 200 datasets), app only
 *  - the access review (`npm run review`) of the scale topology's synthesized output
 *  - the mixed scale topology (100 x 200, one grant in five through a reader role, one in
 *    five read-write), app only and its access review
 *  - the largest organization (1,000 consumer accounts x 200 datasets, all read), app only,
 *    its access review, `terraform validate` of its 1,003 stacks (one run, the stacks as
 *    child modules sharing one AWS provider instance per alias: bench/validate-once.ts), and
 *    an offline `terraform plan` of its provider stack, `data-lake` (the bucket, the key and
 *    2,000 access points; one run, the stack's test copy with fake credentials and local state,
 *    `plan -refresh=false` then `show -json`: bench/plan-once.ts). The plan's peak RSS is the
 *    larger of the node process and terraform (GNU time around each terraform run); the
 *    terraform process holds most of it, its provider plugin far less
 *
 * Targets on the project's 2-core machines: app-only synth <= 1 s, `npx cdktf synth` <= 5 s,
 * scale synth <= 20 s and <= 1.5 GB, scale review <= 30 s, mixed review <= 15 s, 1,000 x 200
 * synth <= 30 s and <= 2 GB, its review <= 60 s and <= 2 GB, its validate <= 10 min and its
 * data-lake plan <= 10 min (each must pass; their times are recorded). `BENCH_ONLY=mixed,large`
 * runs only the named groups (reference, scale, mixed, large). The table goes to stdout and,
 * as JSON, to bench/results/latest.json. Everything it synthesizes goes into one folder of the
 * temporary directory, emptied as it goes and removed at the end.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { DEFAULT_TOPOLOGY } from "../config/load";
import { PROJECT_ROOT } from "../config/paths";
import { scaleTopology } from "./scale-topology";

const root = PROJECT_ROOT;

/**
 * The benchmark's own temporary folder: everything it and the processes it starts make in the
 * temporary directory goes there (TMPDIR); it must be empty at the end, and is removed.
 */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-bench-"));
// DISABLE_V8_COMPILE_CACHE: ts-node (bin/run.js runs the sources through it when dist/ is
// stale) would keep a compile cache in the temporary directory.
const env = { ...process.env, CHECKPOINT_DISABLE: "1", TMPDIR: scratch, DISABLE_V8_COMPILE_CACHE: "1" };

interface Sample {
  readonly wallMs: number;
  readonly appMs?: number;
  readonly maxRssMB?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A fresh output folder in the scratch folder, removed by {@link done}. */
function fresh(): string {
  return path.join(fs.mkdtempSync(path.join(scratch, "run-")), "cdktf.out");
}

/** Removes an output folder made by {@link fresh}, so the runs do not fill the disk. */
function done(outdir: string): void {
  fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
}

/** One app synth into `outdir`, or into a fresh folder removed afterwards. */
function appOnce(topology: string, outdir?: string): Sample {
  const target = outdir ?? fresh();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["bin/run.js", "bench/app-once", topology, target], {
    cwd: root,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - t0;
  if (!outdir) done(target);
  if (r.status !== 0) throw new Error(`app synth failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return { wallMs, appMs: out.ms, maxRssMB: out.maxRssMB };
}

/**
 * Runs one of the bench/*-once entry points in a process of its own and reads the JSON line it
 * prints last; throws `failure` with its output when it exits with an error.
 */
function runOnce(entry: string, args: string[], failure: string): { wallMs: number; out: any } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["bin/run.js", entry, ...args], { cwd: root, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${failure}: ${r.stdout}${r.stderr}`);
  return { wallMs, out: JSON.parse(r.stdout.trim().split("\n").pop()!) };
}

/** One access review of a synthesized output, in a process of its own (`npm run review` minus the reports). */
function reviewOnce(outdir: string): Sample {
  const { wallMs, out } = runOnce("bench/review-once", [outdir], "review failed");
  return { wallMs, appMs: out.ms, maxRssMB: out.maxRssMB };
}

/** `terraform validate` of every stack of a synthesized output, in a process of its own; fails the benchmark on an error. */
function validateOnce(outdir: string): Sample {
  const { wallMs, out } = runOnce("bench/validate-once", [outdir], "terraform validate failed");
  return { wallMs, appMs: out.ms, maxRssMB: out.maxRssMB };
}

/**
 * An offline `terraform plan` of one stack of a synthesized output, in a process of its own;
 * fails the benchmark when the plan fails or creates nothing. Peak memory: the larger of the
 * node process and terraform's runs, when the machine has GNU time to measure the latter.
 */
function planOnce(outdir: string, stack: string): Sample {
  const { wallMs, out } = runOnce("bench/plan-once", [outdir, stack], `terraform plan of ${stack} failed`);
  if (!out.resources) throw new Error(`terraform plan of ${stack} creates nothing: ${JSON.stringify(out)}`);
  return { wallMs, appMs: out.ms, maxRssMB: Math.max(out.maxRssMB, out.terraformMaxRssMB ?? 0) };
}

/** `npx cdktf synth`; peak memory through GNU time when the machine has it. */
function cliOnce(): Sample {
  const outdir = fresh();
  const time = fs.existsSync("/usr/bin/time");
  const cmd = time ? "/usr/bin/time" : "npx";
  const args = [...(time ? ["-f", "MAXRSS_KB=%M", "npx"] : []), "cdktf", "synth", "--output", outdir];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8" });
  const wallMs = performance.now() - t0;
  done(outdir);
  if (r.status !== 0) throw new Error(`cdktf synth failed: ${r.stderr}`);
  const kb = /MAXRSS_KB=(\d+)/.exec(r.stderr ?? "");
  return { wallMs, maxRssMB: kb ? Number(kb[1]) / 1024 : undefined };
}

function summarize(name: string, samples: Sample[], targetMs: number, targetMB?: number) {
  const wall = median(samples.map((s) => s.wallMs));
  const apps = samples.map((s) => s.appMs).filter((x): x is number => x !== undefined);
  const rss = samples.map((s) => s.maxRssMB).filter((x): x is number => x !== undefined);
  return {
    name,
    runs: samples.length,
    medianWallMs: Math.round(wall),
    medianSynthMs: apps.length ? Math.round(median(apps)) : undefined,
    peakRssMB: rss.length ? Math.round(Math.max(...rss)) : undefined,
    targetMs,
    targetMB,
    withinTarget: wall <= targetMs && (targetMB === undefined || rss.length === 0 || Math.max(...rss) <= targetMB),
  };
}

/** "123 ms", or a dash when there is no figure. */
function ms(value: number | undefined): string {
  return value === undefined ? "–" : `${value} ms`;
}

/** "123 MB", or a dash when there is no figure. */
function mb(value: number | undefined): string {
  return value === undefined ? "–" : `${value} MB`;
}

/**
 * A generated topology's synth (app only) and access review, `runs` times each; with `validate`,
 * one `terraform validate` of all its stacks, and with `plan`, one offline plan of the named stack.
 */
function scaleGroup(
  name: string,
  topology: Record<string, unknown>,
  runs: number,
  synth: [number, number?],
  review: [number, number?],
  validate?: [number, number?],
  plan?: { readonly stack: string; readonly target: [number, number?] },
): ReturnType<typeof summarize>[] {
  const file = path.join(scratch, "topology.json");
  fs.writeFileSync(file, JSON.stringify(topology));
  const out = [summarize(`${name}, app only`, Array.from({ length: runs }, () => appOnce(file)), ...synth)];
  const outdir = fresh();
  appOnce(file, outdir);
  out.push(summarize(`${name}, access review`, Array.from({ length: runs }, () => reviewOnce(outdir)), ...review));
  if (validate) out.push(summarize(`${name}, terraform validate (shared provider)`, [validateOnce(outdir)], ...validate));
  if (plan) out.push(summarize(`${name}, terraform plan of ${plan.stack} (offline)`, [planOnce(outdir, plan.stack)], ...plan.target));
  done(outdir);
  fs.rmSync(file);
  return out;
}

function main(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : undefined;
  const wanted = (group: string) => !only || only.has(group);
  const results: ReturnType<typeof summarize>[] = [];
  if (wanted("reference")) {
    results.push(summarize("reference topology, app only", Array.from({ length: runs }, () => appOnce(DEFAULT_TOPOLOGY)), 1000));
    results.push(summarize("reference topology, npx cdktf synth", Array.from({ length: Math.max(3, Math.ceil(runs / 2)) }, cliOnce), 5000));
  }
  if (wanted("scale")) results.push(...scaleGroup("scale topology (100 x 200)", scaleTopology(), Math.min(3, runs), [20000, 1536], [30000]));
  if (wanted("mixed")) results.push(...scaleGroup("mixed scale topology (100 x 200)", scaleTopology({ mixed: true }), Math.min(3, runs), [20000, 1536], [15000]));
  if (wanted("large")) results.push(...scaleGroup("largest organization (1,000 x 200)", scaleTopology({ consumers: 1000 }), 1, [30000, 2048], [60000, 2048], [600000], { stack: "data-lake", target: [600000] }));
  const table = [
    "| benchmark | runs | median wall | median in process (synth or review) | peak RSS | target | met |",
    "|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.runs} | ${ms(r.medianWallMs)} | ${ms(r.medianSynthMs)} | ${mb(r.peakRssMB)} | ${r.targetMs} ms${r.targetMB ? `, ${r.targetMB} MB` : ""} | ${r.withinTarget ? "yes" : "NO"} |`,
    ),
  ].join("\n");
  process.stdout.write(`${table}\n`);
  fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true });
  fs.writeFileSync(
    // A partial run (BENCH_ONLY) keeps the full run's file.
    path.join(root, "bench", "results", only ? `latest-${[...only].sort().join("-")}.json` : "latest.json"),
    JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, node: process.version, results }, null, 2),
  );
}

/** Runs the benchmark; the scratch folder goes whatever happens, and must be empty by then. */
function run(): void {
  try {
    main();
    const left = fs.readdirSync(scratch);
    if (left.length) throw new Error(`the benchmark left ${left.join(", ")} in ${scratch}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

run();
