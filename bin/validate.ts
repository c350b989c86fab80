/**
 * `npm run validate -- [file]`: checks a topology file without synthesizing anything.
 *
 * Prints one summary line and exits 0 when the file is valid; prints every problem on stderr
 * (no stack trace) and exits 1 when it is not. Without a file argument it checks the file the
 * app would read: `MLSHARE_CONFIG`, else the reference topology. Relative paths are the user's:
 * from INIT_CWD, the folder npm was run in (npm runs the script in the package's folder).
 */
import * as path from "path";
import { TopologyError } from "../config/errors";
import { CONFIG_ENV, configOrigin, loadTopology, topologyPath, userCwd } from "../config/load";
import { Topology } from "../config/model";
import { projectArtifactSetName } from "../config/naming";

/** The text of `--help`. */
export const USAGE = `Usage: npm run validate -- [file]

Checks an mlshare topology file (YAML or JSON) against the topology contract, without
synthesizing any stack. Every problem of the file is reported at once.

  file        the topology to check, relative to the folder you typed the command in;
              default: $${CONFIG_ENV}, else examples/reference.yaml
  -h, --help  show this help

Exit status: 0 when the file is valid, 1 when it has problems, 2 on a usage error.`;

/** "1 dataset", "2 datasets". */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** " (N made for ML projects)" when projects that name no set get one, else "". */
function madeForProjects(t: Topology): string {
  const made = t.mlProjects.filter((p) => p.artifactSet === projectArtifactSetName(p.name)).length;
  return made ? ` (${made} made for ML projects)` : "";
}

/** The one line printed for a valid topology: what the file defines. */
export function summary(file: string, t: Topology): string {
  const accounts = t.accounts.length + t.pendingAccounts.length + Object.keys(t.externalAccounts).length;
  const parts = [
    count(accounts, "account"),
    count(t.datasets.length, "dataset"),
    count(t.modelArtifacts.length, "model artifact set") + madeForProjects(t),
    count(t.sagemakerDomains.length, "SageMaker domain"),
    count(t.mlProjects.length, "ML project"),
    count(t.ramShares.length, "RAM share"),
  ];
  if (t.pendingAccounts.length) parts.push(`${t.pendingAccounts.length} to be created`);
  return `${file}: valid (${parts.join(", ")})`;
}

/** How a path is shown: relative to the folder the user typed the command in when it is inside it. */
function displayPath(file: string): string {
  const rel = path.relative(userCwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/** Runs the command with its arguments; returns the exit status. */
export function main(args: readonly string[]): number {
  if (args.some((a) => a === "-h" || a === "--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = args.find((a) => a.startsWith("-"));
  if (unknown !== undefined || args.length > 1) {
    const why = unknown !== undefined ? `unknown option ${unknown}` : "give at most one topology file";
    process.stderr.write(`mlshare validate: ${why}\n\n${USAGE}\n`);
    return 2;
  }
  // npm runs the script in the package's folder: a relative path is the user's, from INIT_CWD.
  const file = args.length ? path.resolve(userCwd(), args[0]) : topologyPath();
  const shown = args.length ? args[0] : displayPath(file);
  try {
    process.stdout.write(`${summary(shown, loadTopology(file, { shown, origin: args.length ? undefined : configOrigin() }))}\n`);
    return 0;
  } catch (e) {
    if (e instanceof TopologyError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
