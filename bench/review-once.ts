/**
 * One access review in this process, for the benchmark: `review-once <cdktf.out>` prints
 * `{"ms": <review time>, "maxRssMB": <peak resident memory>}`.
 */
import { performance } from "perf_hooks";
import { reviewDirectory } from "../review/review";

const [outdir] = process.argv.slice(2);
const start = performance.now();
reviewDirectory(outdir).then(
  () => process.stdout.write(`${JSON.stringify({ ms: performance.now() - start, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);
