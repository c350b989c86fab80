/**
 * `node bin/run.js bin/pr-comment --review FILE --plans DIR [--stacks JSON] [--out FILE] [--post --pr N]`:
 * composes the pull request's one comment from the access review (`review.md`) and the plan
 * summaries (the `*.json` files bin/plan-summary writes), and with `--post` creates it, or
 * updates the comment an earlier run posted (review/pr/comment.ts). Posting reads
 * GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL from the environment, as GitHub Actions
 * sets them.
 */
import * as fs from "fs";
import * as path from "path";
import { composeComment, upsertComment } from "../review/pr/comment";
import { PlanSummary } from "../review/pr/plan-summary";

/** The text of `--help`. */
export const USAGE = `Usage: node bin/run.js bin/pr-comment --review FILE --plans DIR [--stacks JSON] [--run-url URL] [--out FILE] [--post --pr N]

  --review FILE    review.md of the access review (missing: the comment says the review did not run)
  --plans DIR      folder holding the plan summaries (*.json, from bin/plan-summary), searched recursively
  --stacks JSON    the stacks that should have a plan (the matrix), to name the missing ones
  --run-url URL    link to the workflow run, for the artifacts
  --out FILE       write the comment there (default: print it)
  --post           create or update the comment on pull request --pr N`;

/** Every plan summary under a folder. */
export function readPlans(dir: string): PlanSummary[] {
  if (!fs.existsSync(dir)) return [];
  const out: PlanSummary[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith(".json")) {
        const s = JSON.parse(fs.readFileSync(full, "utf8")) as PlanSummary;
        if (typeof s.stack === "string" && typeof s.markdown === "string") out.push(s);
      }
    }
  };
  walk(dir);
  return out;
}

/** Runs the command; returns the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts: Record<string, string> = {};
  let post = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--post") post = true;
    else if (["--review", "--plans", "--stacks", "--run-url", "--out", "--pr"].includes(a) && args[i + 1] !== undefined) opts[a.slice(2)] = args[++i];
    else {
      process.stderr.write(`mlshare pr-comment: unexpected argument ${a}\n\n${USAGE}\n`);
      return 2;
    }
  }
  if (!opts.plans || (post && !opts.pr)) {
    process.stderr.write(`mlshare pr-comment: --plans is required, and --pr with --post\n\n${USAGE}\n`);
    return 2;
  }
  const review = opts.review && fs.existsSync(opts.review) ? fs.readFileSync(opts.review, "utf8") : undefined;
  const plans = readPlans(opts.plans);
  const expected: string[] = opts.stacks ? JSON.parse(opts.stacks) : [];
  const missingPlans = expected.filter((s) => !plans.some((p) => p.stack === s));
  const body = composeComment({ review, plans, missingPlans, ...(opts["run-url"] ? { runUrl: opts["run-url"] } : {}) });
  if (opts.out) fs.writeFileSync(opts.out, body);
  else if (!post) process.stdout.write(`${body}\n`);
  if (!post) return 0;
  const token = process.env.GITHUB_TOKEN;
  const repository = process.env.GITHUB_REPOSITORY;
  if (!token || !repository) {
    process.stderr.write("mlshare pr-comment: --post needs GITHUB_TOKEN and GITHUB_REPOSITORY in the environment\n");
    return 2;
  }
  const result = await upsertComment({ fetch: (url, init) => fetch(url, init), token, repository, apiUrl: process.env.GITHUB_API_URL }, Number(opts.pr), body);
  process.stdout.write(`mlshare pr-comment: ${result.action} comment ${result.id} on #${opts.pr}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`mlshare pr-comment: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
