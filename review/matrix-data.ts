/**
 * The rows of datasets and model artifact sets: each candidate principal's read
 * (`s3:GetObject` of an object under the prefix), listing (for one that cannot read) and write
 * (`s3:PutObject` with the resource's key), end to end, and the findings they raise. One
 * dataset per class of datasets the policies treat alike is evaluated
 * (review/dataset-classes.ts); the others of its class take its outcomes with their own object
 * named in each step.
 */
import { CollectedBucket } from "./collect";
import { DatasetClasses } from "./dataset-classes";
import { AccessEvaluator, AccessResult, StepResult } from "./evaluate";
import { Add, acceptedByS3, decidingSteps, evaluationFailed, finish, grantOf, routeName, SAMPLE_OBJECT, statementsInWords } from "./matrix-steps";
import { AccessGrant, ReviewPrincipal, SharedResource } from "./model";
import { PrincipalSet } from "./principals";
import { SharedData } from "./shared";

/** What one principal gets on a dataset: the results its grants and findings are made of. */
interface DataOutcome {
  readonly p: ReviewPrincipal;
  /** The allowed read. */
  readonly read?: AccessResult;
  /** A denied read's steps that got past S3 (only the key refused). */
  readonly pastS3?: StepResult[];
  /** The allowed listing of a principal that cannot read. */
  readonly list?: AccessResult;
  /** The allowed write. */
  readonly write?: AccessResult;
  readonly error?: { readonly verb: string; readonly error: unknown };
}

/** A dataset's bucket and key, as the evaluator knows them. */
interface DataSetting {
  readonly bucket: CollectedBucket;
  readonly keyArn?: string;
  readonly notes: readonly string[];
}

/** The dataset's bucket and key; undefined (with the note) when the stacks do not make the bucket. */
function settingOf(ev: AccessEvaluator, t: SharedData): DataSetting | { readonly missing: string } {
  let bucket;
  try {
    bucket = ev.bucket(t.bucket);
  } catch {
    return { missing: `bucket ${t.bucket} is not made by these stacks; not evaluated` };
  }
  const notes: string[] = [];
  let keyArn: string | undefined;
  if (t.kmsKeyAlias) {
    try {
      keyArn = ev.key(t.kmsKeyAlias, bucket.accountId).arn;
    } catch {
      notes.push(`key ${t.kmsKeyAlias} is not made by these stacks; writes are evaluated with the bucket's default encryption`);
    }
  }
  return { bucket, ...(keyArn ? { keyArn } : {}), notes };
}

function grantFromResult(p: ReviewPrincipal, r: AccessResult, principals: PrincipalSet): AccessGrant {
  const route = r.routes.find((x) => x.allowed);
  return grantOf(p, routeName(r.via, principals), route?.steps ?? []);
}

/** The object the matrix reads and writes in a dataset. */
function sampleKey(t: SharedData): string {
  return `${t.prefix}${SAMPLE_OBJECT}`;
}

/** Every candidate's read, listing and write of a dataset, evaluated. */
async function evaluateData(ev: AccessEvaluator, t: SharedData, setting: DataSetting, candidates: readonly ReviewPrincipal[]): Promise<DataOutcome[]> {
  const key = sampleKey(t);
  const out: DataOutcome[] = [];
  for (const p of candidates) {
    let verb = "read";
    let outcome: { -readonly [K in keyof DataOutcome]: DataOutcome[K] } = { p };
    try {
      const read = await ev.s3({ principalArn: p.arn, action: "s3:GetObject", bucket: t.bucket, key });
      if (read.allowed) outcome.read = read;
      else {
        const pastS3 = acceptedByS3(read);
        if (pastS3 && p.kind !== "outside-organization") outcome.pastS3 = pastS3;
        verb = "list";
        const list = await ev.s3({ principalArn: p.arn, action: "s3:ListBucket", bucket: t.bucket, prefix: t.prefix });
        if (list.allowed) outcome.list = list;
      }
      verb = "write";
      // A writer names the resource's key; without a known key it names none and gets the
      // bucket's default encryption (a KMS header without a key id would mean aws/s3).
      const write = await ev.s3({ principalArn: p.arn, action: "s3:PutObject", bucket: t.bucket, key, ...(setting.keyArn ? { encryption: { algorithm: "aws:kms", kmsKeyId: setting.keyArn } } : {}) });
      if (write.allowed) outcome.write = write;
    } catch (e) {
      outcome = { ...outcome, error: { verb, error: e } };
    }
    if (outcome.read || outcome.pastS3 || outcome.list || outcome.write || outcome.error) out.push(outcome);
  }
  return out;
}

/**
 * The dataset's row of the matrix from its candidates' outcomes. `rewrite` turns the object
 * a step names into this dataset's (outcomes evaluated for another dataset of its class).
 */
function dataRow(t: SharedData, outcomes: readonly DataOutcome[], evaluated: number, notes: string[], bucket: CollectedBucket, principals: PrincipalSet, add: Add, rewrite: (resource: string) => string): SharedResource {
  const access: Record<string, AccessGrant[]> = { read: [], write: [] };
  const grant = (p: ReviewPrincipal, r: AccessResult): AccessGrant => {
    const g = grantFromResult(p, r, principals);
    return { ...g, steps: g.steps.map((s) => ({ ...s, resource: rewrite(s.resource) })) };
  };
  for (const o of outcomes) {
    const p = o.p;
    if (o.read) access.read.push(grant(p, o.read));
    if (o.pastS3) {
      add({
        id: `access:ACCESS_BUCKET_ONLY:${t.id}:${p.label}`,
        source: "access",
        severity: "medium",
        rule: "ACCESS_BUCKET_ONLY",
        resource: `${t.owner}/${t.name}`,
        what: `${p.label} gets past the bucket's policies for s3:GetObject on ${t.kind} ${t.name}; only the KMS key policy refuses to decrypt (${statementsInWords(decidingSteps(o.pastS3))})`,
        why: "A principal no grant names can read object metadata (HeadObject) and objects not encrypted with the key; the bucket policy should not admit it.",
      });
    }
    if (o.list) {
      const g = grant(p, o.list);
      add({
        id: `access:ACCESS_LIST_WITHOUT_READ:${t.id}:${p.label}`,
        source: "access",
        severity: p.kind === "outside-organization" ? "high" : "medium",
        rule: "ACCESS_LIST_WITHOUT_READ",
        resource: `${t.owner}/${t.name}`,
        what: `${p.label} can list the objects of ${t.kind} ${t.name} but not read them (via ${g.via}; ${statementsInWords(g.steps)})`,
        why: "Grants give listing together with reading; a listing grant alone exposes object names to a principal no grant names.",
      });
    }
    if (o.write) access.write.push(grant(p, o.write));
    if (o.error) add(evaluationFailed(t, p, o.error.verb, o.error.error));
  }
  return finish(t, access, evaluated, notes, bucket.accountId, principals, add);
}

/**
 * Evaluates the datasets, one per class (review/dataset-classes.ts): the others of a class
 * take its outcomes with their own objects named. A class whose evaluation failed for some
 * principal is not shared (an error may name the object).
 */
export async function dataRows(ev: AccessEvaluator, targets: readonly SharedData[], principals: PrincipalSet, add: Add, share: boolean): Promise<Map<SharedData, SharedResource>> {
  const classes = new DatasetClasses(ev);
  const rows = new Map<SharedData, SharedResource>();
  const planned: { t: SharedData; setting: DataSetting; cls: string }[] = [];
  for (const t of targets) {
    const setting = settingOf(ev, t);
    if ("missing" in setting) {
      const access: Record<string, AccessGrant[]> = { read: [], write: [] };
      rows.set(t, { kind: t.kind, name: t.name, id: t.id, owner: t.owner, ownerAccountId: t.ownerAccountId, location: t.location, access, evaluated: 0, notes: [setting.missing] });
      continue;
    }
    let objectKeyArn: string;
    try {
      objectKeyArn = ev.objectKey(setting.bucket, sampleKey(t))?.arn ?? "";
    } catch {
      objectKeyArn = `unknown:${t.id}`;
    }
    const cls = !share ? `each:${t.id}` : classes.classOf({ bucket: setting.bucket, objectKey: sampleKey(t), prefix: t.prefix, keys: `${setting.keyArn ?? ""} ${objectKeyArn}` });
    planned.push({ t, setting, cls });
  }
  const left = new Map<string, number>();
  for (const x of planned) left.set(x.cls, (left.get(x.cls) ?? 0) + 1);
  const shared = new Map<string, { readonly key: string; readonly outcomes: readonly DataOutcome[] }>();
  for (const { t, setting, cls } of planned) {
    const candidates = principals.principals.filter((p) => !(p.kind === "any-other-role" && p.accountId === setting.bucket.accountId));
    const remaining = left.get(cls)! - 1;
    left.set(cls, remaining);
    const known = shared.get(cls);
    let outcomes: readonly DataOutcome[];
    let rewrite = (resource: string) => resource;
    if (known) {
      outcomes = known.outcomes;
      const from = `/${known.key}`;
      const to = sampleKey(t);
      rewrite = (resource) => (resource.endsWith(from) ? `${resource.slice(0, resource.length - known.key.length)}${to}` : resource);
    } else {
      outcomes = await evaluateData(ev, t, setting, candidates);
      if (remaining > 0 && !outcomes.some((o) => o.error)) shared.set(cls, { key: sampleKey(t), outcomes });
    }
    if (remaining === 0) shared.delete(cls);
    rows.set(t, dataRow(t, outcomes, candidates.length, [...setting.notes], setting.bucket, principals, add, rewrite));
  }
  return rows;
}
