/**
 * What changed between two reviews (the base branch's synth and the pull request's): access
 * granted and revoked, shared resources added and removed, findings that appeared and went
 * away, each as a sentence a reviewer reads at the top of the comment:
 * "ml-prod/batch-scoring can now read churn".
 */
import { Review, ReviewFinding, SEVERITIES, SharedKind, SharedResource } from "./model";
import { tableAccessChanges } from "./tables";

/** One principal's access to one resource, gained or lost. */
export interface AccessChange {
  readonly change: "granted" | "revoked";
  readonly resource: string;
  readonly kind: SharedKind;
  readonly name: string;
  readonly verb: string;
  readonly principal: string;
  readonly arn: string;
  readonly sentence: string;
}

/** A shared resource that appeared or disappeared. */
export interface ResourceChange {
  readonly change: "added" | "removed";
  readonly resource: string;
  readonly sentence: string;
}

/** A finding that appeared or went away. */
export interface FindingChange {
  readonly change: "appeared" | "resolved";
  readonly finding: ReviewFinding;
  readonly sentence: string;
}

/** Every change, in report order. */
export interface ReviewDiff {
  readonly access: readonly AccessChange[];
  /** Table reads granted and revoked, as sentences ("ml-prod/churn-scorer can now read customers-safe (no email, phone; country = 'DE')"). */
  readonly tables?: readonly string[];
  readonly resources: readonly ResourceChange[];
  readonly findings: readonly FindingChange[];
}

const KIND_WORDS: Readonly<Record<SharedKind, string>> = {
  dataset: "dataset",
  "model-artifacts": "model artifacts",
  "model-package-group": "model package group",
  "ram-share": "RAM share",
};

/** How a resource is named in a sentence: a dataset by its name, anything else with its kind. */
export function resourcePhrase(kind: SharedKind, name: string): string {
  return kind === "dataset" ? name : `${KIND_WORDS[kind]} ${name}`;
}

/** How a verb reads in a sentence, before the resource. */
export function verbPhrase(kind: SharedKind, verb: string): string {
  if (kind === "model-package-group") return { describe: "describe the model packages of", register: "register model packages in", approve: "approve model packages in" }[verb] ?? verb;
  return verb;
}

function entries(r: Review): Map<string, { resource: SharedResource; verb: string; principal: string; arn: string }> {
  const out = new Map<string, { resource: SharedResource; verb: string; principal: string; arn: string }>();
  for (const resource of r.matrix) {
    for (const [verb, grants] of Object.entries(resource.access)) {
      for (const g of grants) out.set(`${resource.id}\u0000${verb}\u0000${g.arn}`, { resource, verb, principal: g.principal, arn: g.arn });
    }
  }
  return out;
}

/** The changes from `base` to `head`. */
export function diffReviews(base: Review, head: Review): ReviewDiff {
  const before = entries(base);
  const after = entries(head);
  const access: AccessChange[] = [];
  const change = (kind: "granted" | "revoked", e: { resource: SharedResource; verb: string; principal: string; arn: string }): AccessChange => ({
    change: kind,
    resource: e.resource.id,
    kind: e.resource.kind,
    name: e.resource.name,
    verb: e.verb,
    principal: e.principal,
    arn: e.arn,
    sentence: `${e.principal} can ${kind === "granted" ? "now" : "no longer"} ${verbPhrase(e.resource.kind, e.verb)} ${resourcePhrase(e.resource.kind, e.resource.name)}`,
  });
  for (const [k, e] of after) if (!before.has(k)) access.push(change("granted", e));
  for (const [k, e] of before) if (!after.has(k)) access.push(change("revoked", e));
  access.sort((a, b) => Number(a.change === "revoked") - Number(b.change === "revoked") || a.resource.localeCompare(b.resource) || a.verb.localeCompare(b.verb) || a.principal.localeCompare(b.principal));

  const baseResources = new Map(base.matrix.map((r) => [r.id, r]));
  const headResources = new Map(head.matrix.map((r) => [r.id, r]));
  const resources: ResourceChange[] = [
    ...[...headResources.values()].filter((r) => !baseResources.has(r.id)).map((r) => ({ change: "added" as const, resource: r.id, sentence: `new ${KIND_WORDS[r.kind]} ${r.name} in ${r.owner}` })),
    ...[...baseResources.values()].filter((r) => !headResources.has(r.id)).map((r) => ({ change: "removed" as const, resource: r.id, sentence: `${KIND_WORDS[r.kind]} ${r.name} in ${r.owner} is gone` })),
  ];

  const baseFindings = new Map(base.findings.map((f) => [f.id, f]));
  const headFindings = new Map(head.findings.map((f) => [f.id, f]));
  const findings: FindingChange[] = [
    ...[...headFindings.values()].filter((f) => !baseFindings.has(f.id)).map((f) => ({ change: "appeared" as const, finding: f, sentence: `new ${f.severity} finding ${f.rule} on ${f.resource}: ${f.what}` })),
    ...[...baseFindings.values()].filter((f) => !headFindings.has(f.id)).map((f) => ({ change: "resolved" as const, finding: f, sentence: `resolved: ${f.severity} finding ${f.rule} on ${f.resource}` })),
  ].sort((a, b) => Number(a.change === "resolved") - Number(b.change === "resolved") || SEVERITIES.indexOf(a.finding.severity) - SEVERITIES.indexOf(b.finding.severity) || a.finding.id.localeCompare(b.finding.id));
  return { access, tables: tableAccessChanges(base, head), resources, findings };
}

/** Whether nothing changed. */
export function isEmptyDiff(d: ReviewDiff): boolean {
  return !d.access.length && !d.tables?.length && !d.resources.length && !d.findings.length;
}
