/**
 * What the synthesized stacks share, read from their outputs (never from the topology):
 * provider stacks output `datasets` (name -> s3Uri, kmsKeyAlias, consumers) and
 * `model_artifacts` (name -> s3Uri, kmsKeyAlias, writers, readers); ML project stacks
 * output `ml_projects` (-> modelPackageGroupArn); RAM shares come from the stacks'
 * `aws_ram_resource_share` resources. Model package groups with a resource policy count even
 * when no output names them.
 */
import { Collection, CollectedPolicy, CollectedRamShare, JsonValue } from "./collect";
import { SharedKind, SharedResource } from "./model";

/** What every shared thing has, as the review's model describes it. */
type Base = Pick<SharedResource, "kind" | "name" | "id" | "owner" | "ownerAccountId" | "location">;

/** A dataset (a prefix of a data bucket) or a model artifact set (a bucket). */
export interface SharedData extends Base {
  readonly kind: "dataset" | "model-artifacts";
  readonly bucket: string;
  /** The object key prefix (`churn/`), empty for a whole bucket. */
  readonly prefix: string;
  /** The alias of the key that encrypts it, when the output names one. */
  readonly kmsKeyAlias?: string;
}

/** A SageMaker model package group. */
export interface SharedModelPackageGroup extends Base {
  readonly kind: "model-package-group";
  readonly arn: string;
  readonly region: string;
  readonly policy?: CollectedPolicy;
}

/** A RAM resource share. */
export interface SharedRamShare extends Base {
  readonly kind: "ram-share";
  readonly share: CollectedRamShare;
}

/** Something the stacks share. */
export type SharedTarget = SharedData | SharedModelPackageGroup | SharedRamShare;

type Obj = { readonly [key: string]: JsonValue };

function isObj(v: JsonValue | undefined): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseS3Uri(uri: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1], prefix: m[2] } : undefined;
}

/** Every shared resource the outputs and resources name, in a stable order. */
export function sharedResources(collection: Collection): SharedTarget[] {
  const out: SharedTarget[] = [];
  const groups = new Map<string, SharedModelPackageGroup>();
  const stackOfAccount = (id: string) => collection.stacks.find((s) => s.accountId === id && s.name !== "bootstrap")?.name ?? id;
  for (const stack of collection.stacks) {
    const datasets = stack.outputs.datasets;
    if (isObj(datasets)) {
      for (const [name, d] of Object.entries(datasets)) {
        // The provider's view lists consumers; a consumer's view names its provider.
        if (!isObj(d) || !isObj(d.consumers) || typeof d.s3Uri !== "string") continue;
        const where = parseS3Uri(d.s3Uri);
        if (!where) continue;
        out.push({
          kind: "dataset",
          name,
          id: `dataset:${stack.name}:${name}`,
          owner: stack.name,
          ownerAccountId: stack.accountId,
          location: d.s3Uri,
          ...where,
          ...(typeof d.kmsKeyAlias === "string" ? { kmsKeyAlias: d.kmsKeyAlias } : {}),
        });
      }
    }
    const artifacts = stack.outputs.model_artifacts;
    if (isObj(artifacts)) {
      for (const [name, a] of Object.entries(artifacts)) {
        if (!isObj(a) || typeof a.s3Uri !== "string" || typeof a.owner === "string") continue;
        const where = parseS3Uri(a.s3Uri);
        if (!where) continue;
        out.push({
          kind: "model-artifacts",
          name,
          id: `model-artifacts:${stack.name}:${name}`,
          owner: stack.name,
          ownerAccountId: stack.accountId,
          location: a.s3Uri,
          ...where,
          ...(typeof a.kmsKeyAlias === "string" ? { kmsKeyAlias: a.kmsKeyAlias } : {}),
        });
      }
    }
    const projects = stack.outputs.ml_projects;
    if (isObj(projects)) {
      for (const p of Object.values(projects)) {
        if (isObj(p) && typeof p.modelPackageGroupArn === "string") addGroup(p.modelPackageGroupArn);
      }
    }
  }
  for (const g of collection.modelPackageGroupPolicies) addGroup(g.arn, g.policy);
  for (const share of collection.ramShares) {
    out.push({ kind: "ram-share", name: share.name, id: `ram-share:${share.stack}:${share.name}`, owner: share.stack, ownerAccountId: share.accountId, location: `${share.stack}/${share.address}`, share });
  }
  out.push(...groups.values());
  const order: SharedKind[] = ["dataset", "model-artifacts", "model-package-group", "ram-share"];
  return out.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name) || a.owner.localeCompare(b.owner));

  function addGroup(arn: string, policy?: CollectedPolicy): void {
    const m = /^arn:[^:]+:sagemaker:([^:]+):(\d{12}):model-package-group\/(.+)$/.exec(arn);
    if (!m) return;
    const existing = groups.get(arn);
    if (existing) {
      if (policy && !existing.policy) groups.set(arn, { ...existing, policy });
      return;
    }
    const owner = stackOfAccount(m[2]);
    const found = policy ?? collection.modelPackageGroupPolicies.find((g) => g.arn === arn)?.policy;
    groups.set(arn, { kind: "model-package-group", name: m[3], id: `model-package-group:${owner}:${m[3]}`, owner, ownerAccountId: m[2], location: arn, arn, region: m[1], ...(found ? { policy: found } : {}) });
  }
}
