/**
 * `terraform validate` of every stack of a synthesized output, for the benchmark:
 * `validate-once <cdktf.out>` prints `{"ms", "maxRssMB", "stacks", "errors"}` and exits 1 when
 * a stack has an error. The stacks are child modules of one root module sharing one AWS
 * provider instance per alias (__tests__/helpers/terraform.ts, `shareProviders`): a plugin
 * process per provider block is too slow for a thousand stacks; the provider blocks are then
 * not validated, which the test suite does at smaller scale.
 */
import { performance } from "perf_hooks";
import { validateStacks } from "../__tests__/helpers/terraform";
import { removeTempDirs } from "../__tests__/helpers/tmp";
import { readSynthOutput } from "../review/review";

async function run(): Promise<void> {
  const [outdir] = process.argv.slice(2);
  const { stacks } = readSynthOutput(outdir);
  const start = performance.now();
  try {
    const diagnostics = await validateStacks(stacks, { shareProviders: true });
    const errors = Object.entries(diagnostics).flatMap(([stack, ds]) => ds.filter((d) => d.severity === "error").map((d) => `${stack}: ${d.summary}${d.detail ? `: ${d.detail}` : ""}`));
    process.stdout.write(`${JSON.stringify({ ms: performance.now() - start, maxRssMB: process.resourceUsage().maxRSS / 1024, stacks: Object.keys(stacks).length, errors: errors.slice(0, 20) })}\n`);
    if (errors.length) process.exitCode = 1;
  } finally {
    removeTempDirs();
  }
}

run().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
