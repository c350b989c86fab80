/**
 * Synthesis that never leaves a half-written or non-compliant output behind: the app is
 * synthesized into a staging directory beside the output, checked there, and only then
 * swapped in. On any error the previous output stays exactly as it was.
 */
import { App } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { TopologyError } from "./config/errors";
import { loadTopology } from "./config/load";
import { Topology } from "./config/model";
import { checkCompliance, ComplianceReport, renderFindings } from "./compliance/check";
import { StackJson } from "./compliance/rule";
import { QuotaError } from "./policies/quotas";
import { PolicyError } from "./policies/document";
import { addStacks } from "./stacks/app";

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

/** Synthesizes a topology into `outdir`, atomically. Throws on any problem, leaving `outdir` untouched. */
export function synthesize(topology: Topology, outdir: string): SynthResult {
  const target = path.resolve(outdir);
  const staging = `${target}.staging-${process.pid}`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging, skipValidation: false });
    // The bootstrap's local state lives in the folder synth runs in, outside the output that
    // each synth replaces: named relative to where the stack's folder will finally be.
    const bootstrapStatePath = path.relative(path.join(target, "stacks", "bootstrap"), path.join(process.cwd(), "terraform.bootstrap.tfstate"));
    addStacks(app, topology, { bootstrapStatePath });
    app.synth();
    const stacks = readStacks(staging);
    const compliance = checkCompliance(stacks, topology.suppressions);
    if (compliance.violations.length) throw new ComplianceError(compliance);
    swapIn(staging, target);
    return { topology, stacks: Object.keys(stacks), compliance };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Replaces `target` by `staging` with renames, so readers never see a mix of both. */
function swapIn(staging: string, target: string): void {
  const old = `${target}.old-${process.pid}`;
  const hadTarget = fs.existsSync(target);
  if (hadTarget) fs.renameSync(target, old);
  try {
    fs.renameSync(staging, target);
  } catch (e) {
    if (hadTarget) fs.renameSync(old, target);
    throw e;
  }
  if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
}

/** Errors a user can act on: printed as they are, without a stack trace. */
export function isUserError(e: unknown): e is Error {
  return e instanceof TopologyError || e instanceof ComplianceError || e instanceof QuotaError || e instanceof PolicyError;
}

/**
 * What a user should know about a valid topology that synth cannot check: settings outside it
 * that AWS needs. One line each, printed on stderr; they never fail synth.
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

/** The app's entry: load the topology named by MLSHARE_CONFIG, synthesize, report. Returns the exit code. */
export function runSynth(outdir: string = process.env.CDKTF_OUTDIR ?? "cdktf.out"): number {
  try {
    const topology = loadTopology();
    for (const line of notices(topology)) process.stderr.write(`mlshare: ${line}\n`);
    for (const p of topology.pendingAccounts) {
      process.stderr.write(
        `mlshare: account ${p.key} has no id yet: the management stack creates it; no other stack references it until you write its id into accounts.${p.key}.id\n`,
      );
    }
    const result = synthesize(topology, outdir);
    for (const s of result.compliance.unusedSuppressions) {
      process.stderr.write(`mlshare: warning: suppression of ${s.rule} for ${s.resource} matches no finding; remove it\n`);
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
