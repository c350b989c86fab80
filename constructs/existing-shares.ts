import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3AccessPoint } from "@cdktf/provider-aws/lib/s3-access-point";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, Topology } from "../config/model";
import { keyIdOf } from "../config/rules/existing";
import { PolicyDocument } from "../policies/document";
import { assertWithinQuota } from "../policies/quotas";
import { adoptedPolicyText, ExistingBucketPlan, ExistingKeyPlan, ExistingPlan, existingPath, ownerStatementsJson } from "../sharing/existing-plan";
import { optional } from "./outputs";

/** Props of {@link ExistingShares}. */
export interface ExistingSharesProps {
  readonly topology: Topology;
  readonly account: Account;
  readonly provider: AwsProvider;
  readonly plan: ExistingPlan;
  /** The provider's `datasets` output, which this construct adds its datasets to. */
  readonly datasetsOutput: Record<string, unknown>;
}

/**
 * The provider side of datasets in existing buckets and keys. Never an `aws_s3_bucket`, a
 * bucket setting or an `aws_kms_key`: only access points on the bucket (access-points), or the
 * bucket and key policies imported and kept statement by statement (adopt), reader roles for
 * `via: assume-role`, and outputs: where each dataset is, and in access-points mode the
 * statements the owner adds once.
 */
export class ExistingShares extends Construct {
  constructor(scope: Construct, id: string, props: ExistingSharesProps) {
    super(scope, id);
    const { topology, plan } = props;
    const summary: Record<string, unknown> = {};
    for (const bucket of plan.buckets) summary[bucket.bucketName] = this.bucket(props, bucket);
    for (const key of plan.keys) {
      const keyOutput = this.key(props, key);
      for (const arn of key.bucketArns) {
        const entry = Object.values(summary).find((b) => (b as { bucketArn: string }).bucketArn === arn) as { keys: Record<string, unknown> } | undefined;
        if (entry) entry.keys[key.keyArn] = keyOutput;
      }
    }
    new TerraformOutput(this, "existing_data", {
      staticId: true,
      description:
        "Datasets in existing buckets, per bucket: how its policies are handled (access-points: the bucket and key policy statements the owner adds once, as JSON documents ready to merge; adopt: imported and kept), and mlshare's access points",
      value: summary,
    });
    void topology;
  }

  /** One existing bucket: its access points or its adopted policy, reader roles, outputs. */
  private bucket(props: ExistingSharesProps, plan: ExistingBucketPlan): Record<string, unknown> {
    const { topology, provider } = props;
    const accessPoints: Record<string, { arn: string; alias: string }[]> = {};
    for (const ap of plan.accessPoints) {
      const doc = new PolicyDocument(`access point policy of ${ap.name}`, "access-point");
      for (const s of ap.statements) doc.add(s);
      const json = doc.toString();
      assertWithinQuota("access-point", doc.name, json);
      const made = new S3AccessPoint(this, `AccessPoint-${ap.name}`, {
        provider,
        bucket: plan.bucketName,
        name: ap.name,
        policy: json,
        publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      });
      (accessPoints[ap.consumer.key] ??= []).push({ arn: ap.arn, alias: made.alias });
    }

    let adopted: Record<string, unknown> | undefined;
    if (plan.mode === "adopt") {
      const text = adoptedPolicyText(`bucket policy of ${plan.bucketName}`, "bucket", plan.current!, plan.statements, `${existingPath(topology, plan.datasets[0])}.currentPolicies.bucket`);
      // Imported: the first apply takes the policy over in place, it never creates a second one.
      const policy = new S3BucketPolicy(this, `BucketPolicy-${plan.bucketName}`, { provider, bucket: plan.bucketName, policy: text });
      policy.importFrom(plan.bucketName, provider);
      adopted = { currentStatements: plan.current!.document.Statement.length, currentPolicyFile: plan.current!.source, tlsDenyAdded: plan.tlsDenyAdded };
    }

    // Reader roles are made by the provider's shares, one per (consumer account, roles, access) across all its buckets.
    for (const d of plan.datasets) {
      const existing = d.existing!;
      const accesses = plan.accesses.filter((a) => a.dataset.name === d.name);
      const aps: Record<string, string> = {};
      for (const ap of plan.accessPoints) if (ap.grants.some((g) => g.dataset === d.name)) aps[ap.consumer.key] = ap.arn;
      props.datasetsOutput[d.name] = {
        s3Uri: `s3://${plan.bucketName}/${existing.prefix}`,
        ...optional("kmsKeyArn", existing.kmsKeyArn),
        classification: d.classification,
        existing: { bucket: plan.bucketName, policies: existing.policies },
        accessPointArns: aps,
        consumers: Object.fromEntries(
          accesses.map((a) => [
            a.consumer.key,
            { access: a.access, via: a.via, roles: a.roles.map((r) => r.roleArn), ...optional("readerRoleArn", a.roles.length ? a.readerRole?.roleArn : undefined) },
          ]),
        ),
      };
    }
    return {
      bucketArn: plan.bucketArn,
      policies: plan.mode,
      datasets: plan.datasets.map((d) => d.name),
      accessPoints,
      ...(plan.mode === "access-points" && plan.statements.length ? { ownerBucketPolicyStatements: ownerStatementsJson(plan.statements) } : {}),
      ...(adopted ? { adopted } : {}),
      keys: {},
    };
  }

  /** One existing key: its adopted policy, or the owner's statements. */
  private key(props: ExistingSharesProps, plan: ExistingKeyPlan): Record<string, unknown> {
    const { topology, provider } = props;
    if (plan.mode === "adopt") {
      const text = adoptedPolicyText(`key policy of ${plan.keyArn}`, "key", plan.current!, plan.statements, `${existingPath(topology, plan.datasets[0])}.currentPolicies.key`);
      const keyId = keyIdOf(plan.keyArn);
      // The current statements stay, so whoever administers the key today still does.
      const policy = new KmsKeyPolicy(this, `KeyPolicy-${keyId}`, { provider, keyId, policy: text, bypassPolicyLockoutSafetyCheck: false });
      policy.importFrom(keyId, provider);
      return { policies: "adopt", currentStatements: plan.current!.document.Statement.length, currentPolicyFile: plan.current!.source };
    }
    return { policies: "access-points", ...(plan.statements.length ? { ownerKeyPolicyStatements: ownerStatementsJson(plan.statements) } : {}) };
  }
}
