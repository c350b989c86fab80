/**
 * One offline `terraform plan` of one stack of a synthesized output, for the benchmark:
 * `plan-once <cdktf.out> <stack>` prints `{"ms", "maxRssMB", "terraformMaxRssMB", "resources",
 * "byType", "errors"}` and exits 1 when the plan fails. The stack is planned as its test copy
 * (__tests__/helpers/terraform.ts, `planStacks`: fake credentials and the provider's skip
 * flags, local state, `terraform plan -refresh=false` then `terraform show -json`) without its
 * import blocks, so no resource is read from AWS; a stack with a data source (the reference
 * topology's organizational-unit lookup) still reads AWS and cannot plan offline. `resources`
 * counts what the plan would create, `byType` per resource type; `errors` holds terraform's
 * error diagnostics, at most 20.
 *
 * `maxRssMB` is this process's peak; `terraformMaxRssMB` the peak of the `terraform plan` and
 * `terraform show` runs, taken by GNU time around each (its %M is the larger of terraform and
 * the provider plugin process terraform starts and waits for), or absent on a machine without
 * /usr/bin/time.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { removeTempDirs } from "../__tests__/helpers/tmp";

const GNU_TIME = "/usr/bin/time";

/** The named stack's JSON, read alone: the largest organization's other stacks are a gigabyte of heap. */
function readStack(outdir: string, name: string): unknown {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath?: string }> };
  const entry = manifest.stacks[name];
  if (!entry) throw new Error(`${outdir} has no stack '${name}' (stacks: ${Object.keys(manifest.stacks).slice(0, 10).join(", ")}, ...)`);
  return JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath ?? path.join("stacks", name, "cdk.tf.json")), "utf8"));
}

/** The terraform that PATH names, before {@link measureTerraform} puts its wrapper first. */
function terraformOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = path.join(dir || ".", "terraform");
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Puts a `terraform` first on PATH that runs the real one under GNU time, each run appending
 * "<subcommand> <peak KB>" to a log. It must run before the terraform helper is loaded, which
 * copies the environment once. Returns the folder (wrapper and log), or undefined when the
 * machine has no GNU time.
 */
function measureTerraform(): string | undefined {
  const real = terraformOnPath();
  if (!real || !fs.existsSync(GNU_TIME)) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-plan-time-"));
  const log = path.join(dir, "peaks.log");
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(path.join(dir, "terraform"), `#!/bin/sh\nexec ${GNU_TIME} -a -o ${quote(log)} -f "$1 %M" ${quote(real)} "$@"\n`, { mode: 0o755 });
  process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ""}`;
  return dir;
}

/**
 * The "Error: ..." diagnostics of a failed plan's output, or its end when it has none. Each
 * line is cut short: a diagnostic quotes its source line, and a stack's JSON is one line.
 */
function planErrors(output: string): string[] {
  const cut = (text: string) =>
    text
      .split("\n")
      .map((line) => (line.length > 300 ? `${line.slice(0, 300)}...` : line))
      .join("\n")
      .trim();
  const diagnostics = output.split(/^(?=Error: )/m).slice(1);
  if (!diagnostics.length) return [cut(output.slice(-2000)) || "the plan failed, without a message"];
  return diagnostics.slice(0, 20).map((d) => cut(d.split("\n").slice(0, 12).join("\n")));
}

/** The largest peak, in MB, of the logged `terraform plan` and `terraform show` runs. */
function terraformPeakMB(dir: string): number | undefined {
  const log = path.join(dir, "peaks.log");
  if (!fs.existsSync(log)) return undefined;
  const kb = fs
    .readFileSync(log, "utf8")
    .split("\n")
    .map((line) => /^(plan|show) (\d+)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[2]));
  return kb.length ? Math.max(...kb) / 1024 : undefined;
}

async function run(): Promise<void> {
  const [outdir, name] = process.argv.slice(2);
  if (!outdir || !name) throw new Error("usage: plan-once <cdktf.out> <stack>");
  const stack = readStack(outdir, name);
  const timeDir = measureTerraform();
  try {
    // Loaded after the wrapper is on PATH: the helper copies the environment when it loads.
    const { planStacks, withoutImports } = await import("../__tests__/helpers/terraform");
    const start = performance.now();
    const plan = await planStacks({ [name]: withoutImports(stack) });
    const ms = performance.now() - start;
    const byType: Record<string, number> = {};
    for (const r of plan.after?.[name] ?? []) byType[r.type] = (byType[r.type] ?? 0) + 1;
    const errors = plan.ok ? [] : planErrors(plan.error ?? "");
    const terraformMaxRssMB = timeDir ? terraformPeakMB(timeDir) : undefined;
    process.stdout.write(
      `${JSON.stringify({
        ms,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
        terraformMaxRssMB,
        resources: plan.creates[name]?.length ?? 0,
        byType: Object.fromEntries(Object.entries(byType).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))),
        errors,
      })}\n`,
    );
    if (!plan.ok) process.exitCode = 1;
  } finally {
    removeTempDirs();
    if (timeDir) fs.rmSync(timeDir, { recursive: true, force: true });
  }
}

run().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
