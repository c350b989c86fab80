/**
 * Synthesis that never leaves a half-written or non-compliant output behind: the app is
 * synthesized into a staging folder in the temporary directory, checked there, and only then
 * published into the output (output/publish.ts: generated files replaced in place, everything
 * else in a stack folder kept). On any error the output is not touched at all.
 */
import { App } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TopologyError } from "./config/errors";
import { loadTopology } from "./config/load";
import { Topology } from "./config/model";
import { checkCompliance, ComplianceReport, renderFindings } from "./compliance/check";
import { StackJson } from "./compliance/rule";
import { QuotaError } from "./policies/quotas";
import { PolicyError } from "./policies/document";
import { publish, runByCdktfCli } from "./output/publish";
import { addStacks } from "./stacks/app";
import { checkAccountCounts } from "./sharing/counts";
import { preflight } from "./sharing/preflight";

/** Raised when synthesized stacks break compliance rules the topology does not suppress. */
export class ComplianceError extends Error {
  constructor(readonly report: ComplianceReport) {
    super(
      `mlshare: ${report.violations.length} compliance finding${report.violations.length === 1 ? "" : "s"} ` +
        "(suppress one only with a reason, under compliance.suppressions in the topology):\n" +
        renderFindings(report.violations),
    );
    this.name = "ComplianceError";
  }
}

/** Reads the synthesized stacks of an output directory, by stack name. */
export function readStacks(outdir: string): Record<string, StackJson> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
  const out: Record<string, StackJson> = {};
  for (const [name, stack] of Object.entries<{ synthesizedStackPath: string }>(manifest.stacks)) {
    out[name] = JSON.parse(fs.readFileSync(path.join(outdir, stack.synthesizedStackPath), "utf8"));
  }
  return out;
}

/** What a successful synth reports. */
export interface SynthResult {
  readonly topology: Topology;
  readonly stacks: readonly string[];
  readonly compliance: ComplianceReport;
}

/** Options of {@link synthesize}. */
export interface SynthOptions {
  /**
   * Remove the folders of stacks the topology no longer has. Default: only when the app runs
   * on its own; under cdktf-cli, which removes them itself after the app (output/publish.ts).
   */
  readonly removeStaleStacks?: boolean;
}

/** Synthesizes a topology into `outdir`. Throws on any problem, leaving `outdir` untouched. */
export function synthesize(topology: Topology, outdir: string, options: SynthOptions = {}): SynthResult {
  const target = path.resolve(outdir);
  // Staged outside the output: a refused synth changes nothing in it or beside it, not even an mtime.
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-staging-"));
  try {
    // Quotas that grow with the organization, checked before any stack is built.
    preflight(topology);
    const app = new App({ outdir: staging, skipValidation: false });
    // The bootstrap's local state lives in the folder synth runs in, outside the output:
    // named relative to where the stack's folder is in the output, not in the staging folder.
    const bootstrapStatePath = path.relative(path.join(target, "stacks", "bootstrap"), path.join(process.cwd(), "terraform.bootstrap.tfstate"));
    addStacks(app, topology, { bootstrapStatePath });
    app.synth();
    const stacks = readStacks(staging);
    checkAccountCounts(topology, stacks);
    const compliance = checkCompliance(stacks, topology.suppressions);
    if (compliance.violations.length) throw new ComplianceError(compliance);
    publish(staging, target, { removeStaleStacks: options.removeStaleStacks ?? !runByCdktfCli() });
    return { topology, stacks: Object.keys(stacks), compliance };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Errors a user can act on: printed as they are, without a stack trace. */
export function isUserError(e: unknown): e is Error {
  return e instanceof TopologyError || e instanceof ComplianceError || e instanceof QuotaError || e instanceof PolicyError;
}

/**
 * What a user should know about a valid topology that synth cannot check: settings outside it
 * that AWS needs. One line each, printed on stdout after synth; they never fail synth.
 */
export function notices(topology: Topology): string[] {
  const out: string[] = [];
  if (!topology.organization.ramSharingWithOrganization) {
    for (const share of topology.ramShares) {
      const orgWide = share.principals.filter((p) => p === "organization" || p.startsWith("ou:"));
      if (orgWide.length) {
        out.push(
          `RAM share ${share.name} names ${orgWide.join(", ")}, which needs RAM sharing enabled with the organization: ` +
            "set organization.ramSharingWithOrganization: true, unless it is already enabled outside mlshare",
        );
      }
    }
  }
  return out;
}

/**
 * Writes a line the user should read that is not an error. On stdout: cdktf-cli shows the
 * app's stdout as it is, while it prints every line of the app's stderr as `[ERROR]`.
 */
function tell(line: string): void {
  process.stdout.write(`mlshare: ${line}\n`);
}

/**
 * The app's entry: load the topology named by MLSHARE_CONFIG, synthesize, report. Returns the
 * exit code. A user's error goes to stderr once, without a stack trace; notices and warnings
 * go to stdout, and only after a synth that succeeded (after a refused one they are noise).
 */
export function runSynth(outdir: string = process.env.CDKTF_OUTDIR ?? "cdktf.out"): number {
  try {
    const topology = loadTopology();
    const result = synthesize(topology, outdir);
    for (const line of notices(topology)) tell(line);
    for (const p of topology.pendingAccounts) {
      tell(`account ${p.key} has no id yet: the management stack creates it; no other stack references it until you write its id into accounts.${p.key}.id`);
    }
    for (const s of result.compliance.unusedSuppressions) {
      tell(`warning: suppression of ${s.rule} for ${s.resource} matches no finding; remove it`);
    }
    return 0;
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
