/**
 * What bucket rules share: finding the resources attached to a bucket in the same stack.
 */
import { Element, StackJson } from "./rule";

/** The values by which attached resources may name a bucket: its reference or its literal name. */
export function bucketHandles(bucket: Element): string[] {
  const handles = [`\${${bucket.type}.${bucket.name}.id}`, `\${${bucket.type}.${bucket.name}.bucket}`];
  if (typeof bucket.config.bucket === "string") handles.push(bucket.config.bucket);
  return handles;
}

/** The resources of `type` in the stack whose `bucket` names this bucket. */
export function attachedTo(bucket: Element, type: string): Record<string, unknown>[] {
  const handles = bucketHandles(bucket);
  const all = (bucket.stackJson as StackJson).resource?.[type] ?? {};
  return Object.values(all).filter((r) => handles.includes(String(r.bucket)));
}

/** The first block of a nested block list (Terraform JSON may write one block as an object or a list). */
export function firstBlock(value: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(value)) return value[0] as Record<string, unknown> | undefined;
  return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
}

/** The parsed bucket policy document attached to a bucket, if any. */
export function bucketPolicyOf(bucket: Element): { Statement?: unknown[] } | undefined {
  const [policy] = attachedTo(bucket, "aws_s3_bucket_policy");
  if (!policy || typeof policy.policy !== "string") return undefined;
  try {
    return JSON.parse(policy.policy);
  } catch {
    return undefined;
  }
}

/** A statement's value as a list. */
export function asList(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** True when this is a server access log target: it grants the S3 logging service. */
export function isAccessLogTarget(bucket: Element): boolean {
  const doc = bucketPolicyOf(bucket);
  return asList(doc?.Statement).some((s) => {
    const st = s as { Effect?: string; Principal?: { Service?: unknown } };
    return st.Effect === "Allow" && asList(st.Principal?.Service).includes("logging.s3.amazonaws.com");
  });
}
