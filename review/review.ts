/**
 * The access review of a synthesized `cdktf.out`: reads the manifest and the stacks' JSON
 * (nothing else), collects every policy (review/collect.ts), evaluates who can reach each
 * shared resource (review/matrix.ts), runs the checks that must hold everywhere
 * (review/checks.ts: TLS, the organization boundary, quotas, compliance; review/checks/:
 * scope overlap, approval paths, VPC guardrail gaps, SSE-C, management-account workloads),
 * and returns the {@link Review} that `review.json` holds and
 * `review.md` renders.
 */
import * as fs from "fs";
import * as path from "path";
import { StackJson } from "../compliance/rule";
import { Collection, collectStacks, ManifestInput, StackInput } from "./collect";
import { AccessEvaluator, OrganizationContext, organizationFromPolicies } from "./evaluate";
import { checkOutsideOrganization, checkPolicySizes, checkStacksCompliance, checkTls } from "./checks";
import { checkApprovalPaths } from "./checks/approval";
import { checkExistingData } from "./checks/existing-data";
import { checkManagementWorkloads } from "./checks/management";
import { checkScopeOverlap } from "./checks/scope-overlap";
import { checkSseC } from "./checks/sse-c";
import { checkVpcGuardrails } from "./checks/vpc-guardrail";
import { accessMatrix, MatrixOptions } from "./matrix";
import { Review, ReviewFinding, SEVERITIES, StackSummary } from "./model";
import { reviewPrincipals } from "./principals";
import { SharedData, sharedResources } from "./shared";
import { reviewTables } from "./tables";

/** A synthesized output, read. */
export interface SynthOutput {
  readonly manifest: ManifestInput;
  readonly stacks: Readonly<Record<string, StackInput>>;
}

/** Reads `manifest.json` and every stack file it names; throws naming what is missing. */
export function readSynthOutput(outdir: string): SynthOutput {
  const manifestFile = path.join(outdir, "manifest.json");
  if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile} does not exist: synthesize first (npx cdktf synth), or name the cdktf.out to review`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as ManifestInput;
  const stacks: Record<string, StackInput> = {};
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    const file = path.join(outdir, entry.synthesizedStackPath ?? path.join("stacks", name, "cdk.tf.json"));
    stacks[name] = JSON.parse(fs.readFileSync(file, "utf8")) as StackInput;
  }
  return { manifest, stacks };
}

/** Reviews a `cdktf.out` directory. */
export async function reviewDirectory(outdir: string): Promise<Review> {
  return reviewOutput(readSynthOutput(outdir), outdir);
}

/** The organization as the stacks show it, and what the review cannot know about it. */
export function organizationOf(collection: Collection): { organization: OrganizationContext; notes: string[] } {
  const notes: string[] = [];
  let id = "o-unknown";
  try {
    id = organizationFromPolicies(collection).id;
  } catch (e) {
    notes.push(`${(e as Error).message.replace(/; pass the organization$/, "")}: principals are evaluated as members of ${id}`);
  }
  const accountIds = [...new Set(collection.stacks.map((s) => s.accountId).filter((a) => /^\d{12}$/.test(a)))];
  const orgPolicies = collection.organization.policies;
  const rootId = orgPolicies.flatMap((p) => p.targets).find((t) => t.startsWith("r-"));
  const managementAccountId = orgPolicies[0]?.policy.accountId;
  for (const p of orgPolicies) {
    const ous = p.targets.filter((t) => t.startsWith("ou-"));
    if (ous.length) {
      notes.push(`${p.policy.name} (${p.type === "SERVICE_CONTROL_POLICY" ? "SCP" : p.type === "RESOURCE_CONTROL_POLICY" ? "RCP" : p.type}) is attached to ${ous.join(", ")}, whose member accounts the stacks do not show: it is not applied in this review`);
    }
  }
  return { organization: { id, accountIds, ...(rootId ? { rootId } : {}), ...(managementAccountId ? { managementAccountId } : {}) }, notes };
}

/** Resource counts by type, per stack. */
function stackSummaries(collection: Collection, stacks: Readonly<Record<string, StackInput>>): StackSummary[] {
  return collection.stacks.map((s) => {
    const resources: Record<string, number> = {};
    for (const [type, byId] of Object.entries(stacks[s.name]?.resource ?? {})) resources[type] = Object.keys(byId).length;
    const sorted = Object.fromEntries(Object.entries(resources).sort(([a], [b]) => a.localeCompare(b)));
    return { name: s.name, accountId: s.accountId, region: s.region, dependencies: s.dependencies, resources: sorted, resourceCount: Object.values(resources).reduce((a, b) => a + b, 0) };
  });
}

function worstFirst(a: ReviewFinding, b: ReviewFinding): number {
  return SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.rule.localeCompare(b.rule) || a.resource.localeCompare(b.resource) || a.id.localeCompare(b.id);
}

/** Reviews a synthesized output already read. */
export async function reviewOutput(output: SynthOutput, source: string, options: MatrixOptions = {}): Promise<Review> {
  const collection = collectStacks(output.stacks, output.manifest);
  const { organization, notes } = organizationOf(collection);
  const principals = reviewPrincipals(collection, organization);
  const ev = new AccessEvaluator(collection, {
    organization,
    otherOrgIds: principals.otherOrgIds,
    extraIdentityPolicies: principals.extraIdentityPolicies,
    missingPolicyDocuments: "skip",
    pruneUnreachableRoutes: true,
  });
  const shared = sharedResources(collection);
  const matrix = await accessMatrix(ev, shared, principals, organization, options);
  const tls = await checkTls(ev, collection, principals);
  const prefixes = shared.flatMap((t) => (t.kind === "dataset" || t.kind === "model-artifacts" ? [{ bucket: (t as SharedData).bucket, prefix: (t as SharedData).prefix }] : []));
  const outside = await checkOutsideOrganization(ev, collection, principals, prefixes);
  const overlap = checkScopeOverlap(collection, principals);
  const approval = await checkApprovalPaths(ev, shared, matrix.resources, principals);
  const guardrails = await checkVpcGuardrails(ev, collection, organization, principals);
  const sseC = await checkSseC(ev, collection, shared, matrix.resources, principals);
  const management = checkManagementWorkloads(collection, organization, matrix.resources, principals);
  const existing = checkExistingData(collection);
  const sizes = checkPolicySizes(collection);
  const tables = await reviewTables(ev, collection, organization);
  const compliance = checkStacksCompliance(output.stacks as Readonly<Record<string, StackJson>>);
  const skipped = [...new Set(collection.roles.flatMap((r) => [...r.awsManagedPolicyArns, ...r.unknownPolicyArns]))];
  if (skipped.length) notes.push(`attached policies whose documents are not in the stacks are left out of the evaluation: ${skipped.join(", ")}`);
  const byId = new Map<string, ReviewFinding>();
  for (const f of [...matrix.findings, ...tls, ...outside, ...overlap, ...approval, ...guardrails, ...sseC, ...management, ...existing, ...sizes.findings, ...compliance.findings, ...tables.findings]) if (!byId.has(f.id)) byId.set(f.id, f);
  return {
    version: 1,
    source,
    organization: { id: organization.id, accountIds: organization.accountIds, ...(organization.managementAccountId ? { managementAccountId: organization.managementAccountId } : {}), ...(organization.rootId ? { rootId: organization.rootId } : {}) },
    stacks: stackSummaries(collection, output.stacks),
    principals: principals.principals,
    matrix: matrix.resources,
    findings: [...byId.values()].sort(worstFirst),
    suppressed: [...compliance.suppressed].sort(worstFirst),
    policySizes: sizes.sizes,
    unresolved: collection.unresolved,
    notes,
    ...(tables.entries.length ? { tables: tables.entries } : {}),
  };
}
