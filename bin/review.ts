/**
 * `npm run review -- [--out DIR] [--base BASE_CDKTF_OUT] [--fail-on LEVEL] [CDKTF_OUT]`: the
 * access review of a synthesized `cdktf.out`, for pull requests.
 *
 * Writes `review.md` (the pull-request comment: a summary that fits one comment),
 * `review-full.md` (every row and principal of the matrix) and `review.json` (everything, the
 * matrix factored: review/report-json.ts) into the output folder, prints one summary line,
 * and exits 1 when a finding at or above `--fail-on` exists.
 */
import * as fs from "fs";
import * as path from "path";
import { diffReviews, ReviewDiff } from "../review/diff";
import { FULL_REPORT, renderFullReview, renderReview } from "../review/markdown";
import { reviewToJson } from "../review/report-json";
import { countBySeverity, findingsAtOrAbove, Review, Severity, SEVERITIES } from "../review/model";
import { reviewDirectory } from "../review/review";

/** The text of `--help`. */
export const USAGE = `Usage: npm run review -- [--out DIR] [--base BASE_CDKTF_OUT] [--fail-on LEVEL] [CDKTF_OUT]

Reviews a synthesized cdktf.out (its manifest and stacks' JSON, nothing else): who can read
and write every shared dataset, model artifact set, model package group and RAM share, with
the statements that decide it; the checks that must hold everywhere (no request without TLS,
nothing reachable from outside the organization); the classes of defect (a name scope of one
role covering another's names, approval open to the build account, SageMaker compute a VPC
guardrail misses, buckets accepting SSE-C, workloads in the management account); every
policy's size against its quota; the compliance rules; the values it could not resolve.

  CDKTF_OUT          the synthesized output to review; default: cdktf.out
  --out DIR          where review.md (the summary for the pull-request comment, under
                     50,000 characters), review-full.md (the full access matrix and every
                     list) and review.json go; default: review-out
  --base DIR         another synthesized output (the base branch): the report starts with
                     the access granted and revoked and the findings that appeared or went away
  --fail-on LEVEL    high (default), medium, low, or none: exit 1 when a finding at or above
                     LEVEL exists (suppressed compliance findings never count)
  -h, --help         show this help

Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a usage error or an
output that cannot be read.`;

/** Parsed arguments. */
export interface ReviewArgs {
  readonly target: string;
  readonly out: string;
  readonly base?: string;
  readonly failOn: Severity | "none";
}

/** Parses the command line; throws a message on a usage error. */
export function parseArgs(args: readonly string[]): ReviewArgs {
  let out = "review-out";
  let base: string | undefined;
  let failOn: Severity | "none" = "high";
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--out") out = value();
    else if (a === "--base") base = value();
    else if (a === "--fail-on") {
      const v = value();
      if (v !== "none" && !SEVERITIES.includes(v as Severity)) throw new Error(`--fail-on must be one of ${[...SEVERITIES, "none"].join(", ")} (value: ${v})`);
      failOn = v as Severity | "none";
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length > 1) throw new Error(`give at most one cdktf.out to review (given: ${positional.join(" ")})`);
  return { target: positional[0] ?? "cdktf.out", out, ...(base !== undefined ? { base } : {}), failOn };
}

/** The one line printed at the end. */
export function summaryLine(review: Review, changes: ReviewDiff | undefined, args: ReviewArgs): string {
  const c = countBySeverity(review.findings);
  const parts = [
    `${review.stacks.length} stacks`,
    `${review.matrix.length} shared resources`,
    `findings: ${c.high} high, ${c.medium} medium, ${c.low} low${review.suppressed.length ? ` (+${review.suppressed.length} suppressed)` : ""}`,
  ];
  if (changes) parts.push(`${changes.access.length} access changes and ${changes.findings.length} finding changes since ${args.base}`);
  return `mlshare review of ${args.target}: ${parts.join("; ")} -> ${path.join(args.out, "review.md")}, ${path.join(args.out, "review.json")}`;
}

/** Runs the review; returns the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  if (args.some((a) => a === "-h" || a === "--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let parsed: ReviewArgs;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    process.stderr.write(`mlshare review: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  let review: Review;
  let changes: ReviewDiff | undefined;
  try {
    review = await reviewDirectory(parsed.target);
    if (parsed.base !== undefined) changes = diffReviews(await reviewDirectory(parsed.base), review);
  } catch (e) {
    process.stderr.write(`mlshare review: ${(e as Error).message}\n`);
    return 2;
  }
  fs.mkdirSync(parsed.out, { recursive: true });
  // One line: indentation alone doubled the file at scale (`jq .` prints it indented).
  fs.writeFileSync(path.join(parsed.out, "review.json"), `${JSON.stringify(reviewToJson(review, changes ? { changes } : {}))}\n`);
  fs.writeFileSync(path.join(parsed.out, "review.md"), renderReview(review, changes, { failOn: parsed.failOn }));
  fs.writeFileSync(path.join(parsed.out, FULL_REPORT), renderFullReview(review, changes, { failOn: parsed.failOn }));
  process.stdout.write(`${summaryLine(review, changes, parsed)}\n`);
  const failing = parsed.failOn === "none" ? [] : findingsAtOrAbove(review.findings, parsed.failOn);
  if (!failing.length) return 0;
  process.stderr.write(
    `mlshare review: ${failing.length} finding${failing.length === 1 ? "" : "s"} at or above ${parsed.failOn}:\n` +
      failing.map((f) => `  - [${f.severity}] ${f.rule} ${f.resource}: ${f.what}`).join("\n") +
      "\n",
  );
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
