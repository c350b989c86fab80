/**
 * Rules of `datasets[].existing`: data in a bucket (and under a key) that mlshare does not
 * create. The formats of the bucket name, prefix and key ARN; the key in the provider's account
 * and region; prefixes of one bucket that never contain one another; datasets of one bucket
 * that agree on how its policies are handled; `currentPolicies` only with `adopt`, its files
 * present (relative to the topology file) and policy documents. Every error names its path.
 */
import * as fs from "fs";
import * as path from "path";
import { show } from "../errors";
import { Format } from "../formats";
import * as naming from "../naming";
import { AccountView, arr, Checker, Json, obj, str } from "./common";

/**
 * An existing S3 bucket's name: general purpose bucket rules (3-63 characters of lower case
 * letters, digits, dots and hyphens, starting and ending with a letter or digit, no two
 * adjacent dots, not an IP address, none of AWS's reserved prefixes and suffixes). Dots are
 * accepted: an existing bucket may have them, and access points and ARNs do not mind.
 */
export const EXISTING_BUCKET: Format = {
  pattern:
    /^(?!xn--|sthree-|amzn-s3-demo-)(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)(?!.*(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  rule: "an S3 bucket name: 3-63 characters of [a-z0-9.-], starting and ending with a letter or digit, no two adjacent dots, not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)",
};

/**
 * A dataset's prefix in an existing bucket: path segments of S3's safe characters, each
 * ending with `/`. No `*`, `?` or `$`: the prefix is written into policy ARNs and conditions,
 * where they would be wildcards or policy variables.
 */
export const DATA_PREFIX: Format = {
  pattern: /^(?=.{2,512}$)([A-Za-z0-9!_.'()=+-]+\/)+$/,
  rule: "a key prefix ending with /: 2-512 characters, segments of [A-Za-z0-9!_.'()=+-] each followed by / (no leading /, no empty segment, no * ? or $)",
};

/** A KMS key ARN (not an alias): `arn:<partition>:kms:<region>:<account>:key/<key id>`. */
export const KMS_KEY_ARN: Format = {
  pattern: /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  rule: "a KMS key ARN such as arn:aws:kms:us-east-1:222222222222:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 (a key, not an alias)",
};

/** A policy document read from a file: the JSON data as written. */
export interface PolicyFileDocument {
  readonly Version?: string;
  readonly Id?: string;
  /** The statements, verbatim (a single statement object becomes a list of one). */
  readonly Statement: readonly Record<string, unknown>[];
}

/** What reading a policy file gave: the document, or why it is not one. */
export type PolicyFileResult = { readonly document: PolicyFileDocument; readonly file: string } | { readonly error: string; readonly file: string };

/** The path a `currentPolicies` entry names: relative paths are relative to the topology file's folder. */
export function policyFilePath(baseDir: string, file: string): string {
  return path.resolve(baseDir, file);
}

/**
 * Reads a current policy: a policy document, or what `aws s3api get-bucket-policy` and
 * `aws kms get-key-policy` print (`{"Policy": "<the document as a string>"}`). `kind` decides
 * what a statement must hold (`bucket`: a principal and resources; `key`: a principal).
 */
export function readPolicyFile(baseDir: string, file: string, kind: "bucket" | "key"): PolicyFileResult {
  const abs = policyFilePath(baseDir, file);
  let text: string;
  try {
    if (fs.statSync(abs).isDirectory()) return { file: abs, error: `${abs} is a directory; name the JSON file of the current ${kind} policy` };
    text = fs.readFileSync(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { file: abs, error: code === "ENOENT" || code === "ENOTDIR" ? `no such file: ${abs} (paths are relative to the topology file)` : `cannot read ${abs}: ${(e as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { file: abs, error: `${abs} is not JSON: ${(e as Error).message}` };
  }
  const wrapper = obj(value);
  if (wrapper && typeof wrapper.Policy === "string" && wrapper.Statement === undefined) {
    try {
      value = JSON.parse(wrapper.Policy);
    } catch (e) {
      return { file: abs, error: `${abs}: its "Policy" string is not JSON: ${(e as Error).message}` };
    }
  }
  const why = policyDocumentError(value, kind);
  if (why) return { file: abs, error: `${abs} is not a ${kind} policy document: ${why}` };
  const doc = value as Json;
  const statements = Array.isArray(doc.Statement) ? (doc.Statement as Record<string, unknown>[]) : [doc.Statement as Record<string, unknown>];
  return {
    file: abs,
    document: { ...(typeof doc.Version === "string" ? { Version: doc.Version } : {}), ...(typeof doc.Id === "string" ? { Id: doc.Id } : {}), Statement: statements },
  };
}

const DOCUMENT_KEYS = ["Version", "Id", "Statement"];
const STATEMENT_KEYS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/** Why a value is not a resource policy document of `kind`, or undefined when it is one. */
function policyDocumentError(value: unknown, kind: "bucket" | "key"): string | undefined {
  const doc = obj(value);
  if (!doc) return `a policy document is a JSON object with a Statement list (value: ${show(value)})`;
  const extra = Object.keys(doc).filter((k) => !DOCUMENT_KEYS.includes(k));
  if (extra.length) return `unknown key ${show(extra[0])}; a policy document holds ${DOCUMENT_KEYS.join(", ")}`;
  if (doc.Version !== undefined && doc.Version !== "2012-10-17" && doc.Version !== "2008-10-17") return `Version ${show(doc.Version)} is not 2012-10-17 or 2008-10-17`;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? undefined : [doc.Statement];
  if (!statements || !statements.length) return "it has no Statement";
  for (const [i, raw] of statements.entries()) {
    const s = obj(raw);
    const at = `Statement[${i}]`;
    if (!s) return `${at} is not an object`;
    const unknown = Object.keys(s).filter((k) => !STATEMENT_KEYS.includes(k));
    if (unknown.length) return `${at} has unknown key ${show(unknown[0])}`;
    // Not only letters and digits: KMS's default key policy has "Enable IAM User Permissions".
    if (s.Sid !== undefined && typeof s.Sid !== "string") return `${at}.Sid ${show(s.Sid)} is not a string`;
    if (s.Effect !== "Allow" && s.Effect !== "Deny") return `${at}.Effect must be Allow or Deny (value: ${show(s.Effect)})`;
    if (s.Principal === undefined && s.NotPrincipal === undefined) return `${at} names no Principal, which a ${kind} policy statement needs`;
    if (s.Action === undefined && s.NotAction === undefined) return `${at} names no Action`;
    if (kind === "bucket" && s.Resource === undefined && s.NotResource === undefined) return `${at} names no Resource`;
  }
  const sids = statements.map((s) => str(obj(s)?.Sid)).filter((s): s is string => !!s);
  const dup = sids.find((s, i) => sids.indexOf(s) !== i);
  if (dup) return `the Sid ${show(dup)} is used twice`;
  return undefined;
}

/** The key id of a key ARN (the part after `key/`): what `aws_kms_key_policy` is imported by. */
export function keyIdOf(keyArn: string): string {
  return keyArn.slice(keyArn.indexOf(":key/") + 5);
}

/** One dataset's `existing`, as far as the rules could read it. */
interface ExistingView {
  readonly index: number;
  readonly path: string;
  readonly dataset: string;
  readonly account?: string;
  readonly bucket?: string;
  readonly prefix?: string;
  readonly kmsKeyArn?: string;
  readonly policies: string;
  readonly bucketFile?: string;
  readonly keyFile?: string;
}

/**
 * Every bucket mlshare makes for the topology, with what it is: the data and log buckets of
 * every account, the buckets of restricted datasets and of model artifact sets (those named
 * and those made for ML projects), and the state bucket. Bucket names are global, so an
 * existing dataset may name none of them, whichever account it names.
 */
function bucketsMlshareMakes(t: Json, acc: AccountView, project: string): Map<string, string> {
  const out = new Map<string, string>();
  const where = (key: unknown) => {
    const k = str(key);
    const id = k ? acc.id.get(k) : undefined;
    const region = k ? acc.region.get(k) : undefined;
    return id && region ? { id, region } : undefined;
  };
  for (const key of acc.keys) {
    const a = where(key);
    if (!a) continue;
    const names = naming.accountNames(project, a.id, a.region);
    out.set(names.dataBucket, `the data bucket of ${show(key)}`);
    out.set(names.logBucket, `the log bucket of ${show(key)}`);
  }
  arr(t.datasets).forEach((raw) => {
    const d = obj(raw) ?? {};
    const a = where(d.account);
    const name = str(d.name);
    if (a && name && d.classification === "restricted" && !obj(d.existing)) {
      out.set(naming.restrictedDatasetBucketName(project, name, a.id, a.region), `the bucket of restricted dataset ${show(name)}`);
    }
  });
  arr(t.modelArtifacts).forEach((raw) => {
    const m = obj(raw) ?? {};
    const a = where(m.account);
    const name = str(m.name);
    if (a && name) out.set(naming.artifactBucketName(project, name, a.id, a.region), `the bucket of model artifact set ${show(name)}`);
  });
  const envs = arr(t.environments).filter((e): e is string => typeof e === "string");
  arr(t.mlProjects).forEach((raw) => {
    const p = obj(raw) ?? {};
    const name = str(p.name);
    const map = obj(p.accounts) ?? {};
    const first = envs.find((e) => e in map);
    const a = first ? where(map[first]) : undefined;
    if (a && name && p.modelArtifacts === undefined) {
      const set = naming.projectArtifactSetName(name);
      out.set(naming.artifactBucketName(project, set, a.id, a.region), `the bucket of model artifact set ${show(set)} (made for ML project ${show(name)})`);
    }
  });
  const state = str(obj(t.state)?.bucket);
  if (state) out.set(state, "the state bucket");
  return out;
}

/**
 * Checks every dataset's `existing`. `baseDir` is the topology file's folder, which relative
 * `currentPolicies` paths start from.
 */
export function checkExistingData(c: Checker, t: Json, acc: AccountView, baseDir: string): void {
  const views: ExistingView[] = [];
  const project = str(t.project);
  const ours = project ? bucketsMlshareMakes(t, acc, project) : new Map<string, string>();
  arr(t.datasets).forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const e = obj(d.existing);
    if (!e) return;
    const at = `datasets[${i}].existing`;
    const dataset = str(d.name) ?? `#${i}`;
    const account = str(d.account);
    const bucket = str(e.bucket) && EXISTING_BUCKET.pattern.test(e.bucket as string) ? (e.bucket as string) : undefined;
    const prefix = e.prefix === undefined ? `${dataset}/` : str(e.prefix) && DATA_PREFIX.pattern.test(e.prefix as string) ? (e.prefix as string) : undefined;
    const kmsKeyArn = str(e.kmsKeyArn) && KMS_KEY_ARN.pattern.test(e.kmsKeyArn as string) ? (e.kmsKeyArn as string) : undefined;
    const policies = str(e.policies) ?? "access-points";
    const current = obj(e.currentPolicies);

    // The key belongs to the provider account, in its region (and so its partition).
    const providerId = account ? acc.id.get(account) : undefined;
    const providerRegion = account ? acc.region.get(account) : undefined;
    if (kmsKeyArn && providerId && providerRegion) {
      const [, partition, , keyRegion, keyAccount] = kmsKeyArn.split(":");
      if (keyAccount !== providerId) {
        c.add(`${at}.kmsKeyArn`, `the key ${show(kmsKeyArn)} is in account ${keyAccount}, not in the provider account ${show(account)} (${providerId}); an existing dataset's key is its provider's`);
      } else if (keyRegion !== providerRegion || partition !== naming.partitionOf(providerRegion)) {
        c.add(`${at}.kmsKeyArn`, `the key ${show(kmsKeyArn)} is in ${partition}/${keyRegion}, not in the provider account's region ${providerRegion}; S3 uses keys of the bucket's region`);
      }
    }
    if (d.classification === "restricted" && e.kmsKeyArn === undefined) {
      c.add(`${at}.kmsKeyArn`, `dataset ${show(dataset)} is restricted, so its objects are encrypted with a key of its own: give the existing key (kmsKeyArn), or classify it confidential`);
    }
    const made = bucket ? ours.get(bucket) : undefined;
    if (bucket && made) {
      c.add(`${at}.bucket`, `${show(bucket)} is a bucket mlshare makes (${made}); an existing dataset lives in a bucket mlshare does not make, or the bucket would get two policies that replace each other (leave existing out to share under mlshare's data bucket)`);
    }

    let bucketFile: string | undefined;
    let keyFile: string | undefined;
    if (policies !== "adopt") {
      if (e.currentPolicies !== undefined) {
        c.add(`${at}.currentPolicies`, `is only for policies: adopt; with policies: ${show(policies)} the bucket and key policies stay the owner's and mlshare reads none of them (remove currentPolicies, or set policies: adopt)`);
      }
    } else if (!current) {
      if (e.currentPolicies === undefined) {
        c.add(`${at}.currentPolicies`, `is required with policies: adopt: mlshare replaces the bucket policy${e.kmsKeyArn !== undefined ? " and the key policy" : ""} only with the current statements kept; export them (aws s3api get-bucket-policy --bucket ${bucket ?? "BUCKET"}) and name the file in currentPolicies.bucket`);
      }
    } else {
      const file = (key: "bucket" | "key") => {
        const v = current[key];
        if (v === undefined) return undefined;
        if (typeof v !== "string" || !v.trim()) return undefined; // the shape check reports it
        const read = readPolicyFile(baseDir, v, key);
        if ("error" in read) {
          c.add(`${at}.currentPolicies.${key}`, `${read.error} (value: ${show(v)})`);
          return undefined;
        }
        return read.file;
      };
      if (current.bucket === undefined) {
        c.add(`${at}.currentPolicies.bucket`, `is required with policies: adopt: the file holding the bucket policy as it is today (aws s3api get-bucket-policy --bucket ${bucket ?? "BUCKET"})`);
      }
      bucketFile = file("bucket");
      if (e.kmsKeyArn !== undefined && current.key === undefined) {
        c.add(`${at}.currentPolicies.key`, `is required with policies: adopt and a kmsKeyArn: the file holding the key policy as it is today (aws kms get-key-policy --key-id ${kmsKeyArn ?? "KEY_ARN"} --policy-name default)`);
      }
      if (e.kmsKeyArn === undefined && current.key !== undefined) {
        c.add(`${at}.currentPolicies.key`, "names a key policy, but the dataset has no kmsKeyArn (SSE-S3 data has no key policy to adopt); give kmsKeyArn or remove currentPolicies.key");
      } else keyFile = file("key");
    }
    views.push({ index: i, path: at, dataset, account, bucket, prefix, kmsKeyArn, policies, bucketFile, keyFile });
  });
  checkSharedBuckets(c, views);
  checkSharedKeys(c, views);
  checkRestrictedKeys(c, t);
}

/** Datasets of one existing bucket: one provider, one way of handling its policy, prefixes apart. */
function checkSharedBuckets(c: Checker, views: readonly ExistingView[]): void {
  const byBucket = new Map<string, ExistingView[]>();
  for (const v of views) if (v.bucket) byBucket.set(v.bucket, [...(byBucket.get(v.bucket) ?? []), v]);
  for (const [bucket, list] of byBucket) {
    const first = list[0];
    list.forEach((v, n) => {
      if (n === 0) return;
      if (v.account && first.account && v.account !== first.account) {
        c.add(`${v.path}.bucket`, `bucket ${show(bucket)} is already dataset ${show(first.dataset)}'s of account ${show(first.account)} (${first.path}); a bucket belongs to one account, so its datasets have one provider`);
        return;
      }
      if (v.policies !== first.policies) {
        c.add(`${v.path}.policies`, `${show(v.policies)} differs from ${show(first.policies)} of dataset ${show(first.dataset)} in the same bucket ${show(bucket)} (${first.path}); a bucket's policy is either the owner's (access-points) or adopted (adopt), for all its datasets`);
      } else if (v.policies === "adopt" && v.bucketFile && first.bucketFile && v.bucketFile !== first.bucketFile) {
        c.add(`${v.path}.currentPolicies.bucket`, `names ${v.bucketFile}, but dataset ${show(first.dataset)} of the same bucket ${show(bucket)} names ${first.bucketFile}; a bucket has one current policy`);
      }
    });
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const x = list[a];
        const y = list[b];
        if (!x.prefix || !y.prefix) continue;
        if (x.prefix.startsWith(y.prefix) || y.prefix.startsWith(x.prefix)) {
          const [outer, inner] = x.prefix.length <= y.prefix.length ? [x, y] : [y, x];
          c.add(
            `${y.path}.prefix`,
            `${show(inner.prefix)} (dataset ${show(inner.dataset)}) lies inside ${show(outer.prefix)} (dataset ${show(outer.dataset)}) in bucket ${show(bucket)}; a grant on ${show(outer.dataset)} would reach ${show(inner.dataset)}'s objects, so prefixes of one bucket may not contain one another`,
          );
        }
      }
    }
  }
}

/** Datasets under one existing key: one way of handling its policy; a restricted dataset's key is its own. */
function checkSharedKeys(c: Checker, views: readonly ExistingView[]): void {
  const byKey = new Map<string, ExistingView[]>();
  for (const v of views) if (v.kmsKeyArn) byKey.set(v.kmsKeyArn, [...(byKey.get(v.kmsKeyArn) ?? []), v]);
  for (const [key, list] of byKey) {
    const first = list[0];
    for (const v of list.slice(1)) {
      if (v.policies !== first.policies) {
        c.add(`${v.path}.policies`, `${show(v.policies)} differs from ${show(first.policies)} of dataset ${show(first.dataset)} under the same key ${show(key)} (${first.path}); a key's policy is either the owner's or adopted, for all its datasets`);
      } else if (v.policies === "adopt" && v.keyFile && first.keyFile && v.keyFile !== first.keyFile) {
        c.add(`${v.path}.currentPolicies.key`, `names ${v.keyFile}, but dataset ${show(first.dataset)} under the same key names ${first.keyFile}; a key has one current policy`);
      }
    }
  }
}

/** The `restricted` rule over keys: no other dataset under a restricted dataset's key. Reads the datasets as written. */
function checkRestrictedKeys(c: Checker, t: Json): void {
  const datasets = arr(t.datasets).map((raw) => obj(raw) ?? {});
  datasets.forEach((d, i) => {
    const key = str(obj(d.existing)?.kmsKeyArn);
    if (d.classification !== "restricted" || !key) return;
    datasets.forEach((other, j) => {
      if (j === i || str(obj(other.existing)?.kmsKeyArn) !== key) return;
      c.add(`datasets[${j}].existing.kmsKeyArn`, `the key ${show(key)} is restricted dataset ${show(d.name)}'s own (datasets[${i}]); a restricted dataset's key encrypts nothing else`);
    });
  });
}
