/**
 * `node bin/run.js bin/plan-summary --stack NAME [--plan-json FILE] [--log FILE] --out FILE`:
 * summarizes one stack's `terraform plan` for the pull-request comment
 * (review/pr/plan-summary.ts) and writes it as JSON. With `--plan-json` (the output of
 * `terraform show -json tfplan`) the plan's changes are summarized; without it, the log's
 * "Plan:" line (a remote Terraform Cloud plan), or, when the plan failed, the log's end.
 */
import * as fs from "fs";
import * as path from "path";
import { failedPlan, PlanJson, summarizeLog, summarizePlan } from "../review/pr/plan-summary";

/** The text of `--help`. */
export const USAGE = `Usage: node bin/run.js bin/plan-summary --stack NAME [--plan-json FILE] [--log FILE] --out FILE

Writes a JSON summary of one stack's plan (counts, changed addresses, Markdown) to FILE.
  --plan-json FILE   terraform show -json of the saved plan
  --log FILE         the plan's output: without a plan JSON, its "Plan:" line (a remote
                     Terraform Cloud plan) or, when the plan failed, its end`;

/** Runs the command; returns the exit status. */
export function main(args: readonly string[]): number {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!["--stack", "--plan-json", "--log", "--out"].includes(a) || args[i + 1] === undefined) {
      process.stderr.write(`mlshare plan-summary: ${args[i + 1] === undefined && a.startsWith("--") ? `${a} needs a value` : `unexpected argument ${a}`}\n\n${USAGE}\n`);
      return 2;
    }
    opts[a.slice(2)] = args[++i];
  }
  if (!opts.stack || !opts.out) {
    process.stderr.write(`mlshare plan-summary: --stack and --out are required\n\n${USAGE}\n`);
    return 2;
  }
  const planText = opts["plan-json"] && fs.existsSync(opts["plan-json"]) ? fs.readFileSync(opts["plan-json"], "utf8").trim() : "";
  const log = opts.log && fs.existsSync(opts.log) ? fs.readFileSync(opts.log, "utf8") : "";
  let summary;
  try {
    summary = planText ? summarizePlan(opts.stack, JSON.parse(planText) as PlanJson) : summarizeLog(opts.stack, log);
  } catch (e) {
    summary = failedPlan(opts.stack, `${log}\n(the plan's JSON could not be read: ${(e as Error).message})`);
  }
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${opts.stack}: ${summary.status}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
