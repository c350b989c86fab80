/**
 * `node bin/run.js bin/stack-matrix [MANIFEST] [--include-bootstrap | --plan-role]`: prints,
 * as one line of JSON, the stacks a pull request plans (review/pr/stack-matrix.ts), for a
 * GitHub Actions matrix: `echo "stacks=$(node bin/run.js bin/stack-matrix)" >> "$GITHUB_OUTPUT"`.
 * With `--plan-role`, prints instead the plan CI role of the topology's pipeline (an empty
 * line without one).
 */
import { planRoleOf, readManifest, stackMatrix } from "../review/pr/stack-matrix";

/** The text of `--help`. */
export const USAGE = `Usage: node bin/run.js bin/stack-matrix [MANIFEST] [--include-bootstrap | --plan-role]

Prints the stacks to plan as a JSON array, dependencies first, read from MANIFEST
(default: cdktf.out/manifest.json). The bootstrap stack (local state) is left out unless
--include-bootstrap is given. With --plan-role, prints the ARN of the hub's plan CI role
when the topology has a pipeline, and an empty line when it has none.`;

/** Runs the command; returns the exit status. */
export function main(args: readonly string[]): number {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const includeBootstrap = args.includes("--include-bootstrap");
  const planRole = args.includes("--plan-role");
  const rest = args.filter((a) => a !== "--include-bootstrap" && a !== "--plan-role");
  const bad = rest.find((a) => a.startsWith("-"));
  if (bad !== undefined || rest.length > 1) {
    process.stderr.write(`mlshare stack-matrix: ${bad !== undefined ? `unknown option ${bad}` : "give at most one manifest"}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    if (planRole) {
      process.stdout.write(`${planRoleOf(rest[0] ?? "cdktf.out/manifest.json") ?? ""}\n`);
      return 0;
    }
    const stacks = stackMatrix(readManifest(rest[0] ?? "cdktf.out/manifest.json"), { includeBootstrap });
    process.stdout.write(`${JSON.stringify(stacks)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`mlshare stack-matrix: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
