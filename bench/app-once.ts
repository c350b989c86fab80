/**
 * One synthesis in this process, for the benchmark: `app-once <topology> <outdir>` prints
 * `{"ms": <synth time>, "maxRssMB": <peak resident memory>}`.
 */
import { performance } from "perf_hooks";
import { loadTopology } from "../config/load";
import { synthesize } from "../synth";

const [file, outdir] = process.argv.slice(2);
const start = performance.now();
synthesize(loadTopology(file), outdir);
const ms = performance.now() - start;
process.stdout.write(`${JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
