/**
 * The sizes of the review's reports for a generated topology, for the scale figures of the
 * README: `report-sizes <consumers> <datasets> <mixed: 0|1> <dir>` synthesizes the topology
 * into `<dir>/cdktf.out`, runs `npm run review` into `<dir>/review-out`, and prints
 * `{"reviewJsonBytes", "reviewMdChars", "fullMdBytes"}`. The caller removes `<dir>`.
 */
import * as fs from "fs";
import * as path from "path";
import { main as review } from "../bin/review";
import { loadTopology } from "../config/load";
import { synthesize } from "../synth";
import { scaleTopology } from "./scale-topology";

async function run(): Promise<void> {
  const [consumers, datasets, mixed, dir] = process.argv.slice(2);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "topology.json");
  fs.writeFileSync(file, JSON.stringify(scaleTopology({ consumers: Number(consumers), datasets: Number(datasets), mixed: mixed === "1" })));
  const outdir = path.join(dir, "cdktf.out");
  synthesize(loadTopology(file), outdir);
  const reports = path.join(dir, "review-out");
  await review(["--out", reports, "--fail-on", "none", outdir]);
  const size = (name: string) => (fs.existsSync(path.join(reports, name)) ? fs.statSync(path.join(reports, name)).size : undefined);
  process.stdout.write(
    `${JSON.stringify({ reviewJsonBytes: size("review.json"), reviewMdChars: fs.readFileSync(path.join(reports, "review.md"), "utf8").length, fullMdBytes: size("review-full.md") })}\n`,
  );
}

run().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
