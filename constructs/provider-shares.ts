import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3AccessPoint } from "@cdktf/provider-aws/lib/s3-access-point";
import { Construct } from "constructs";
import { Account, Topology } from "../config/model";
import * as naming from "../config/naming";
import { PolicyDocument } from "../policies/document";
import { assertWithinQuota } from "../policies/quotas";
import { planArtifacts } from "../sharing/artifact-plan";
import { dataPlansOf, datasetPrefix, DataBucketPlan } from "../sharing/data-plan";
import { existingPlanOf } from "../sharing/existing-plan";
import { assertKeyPolicyFits, keyPolicyStatements, KeyUse } from "../sharing/key-plan";
import { groupBy } from "../sharing/principals";
import { ExistingShares } from "./existing-shares";
import { ReaderGrant, readerRoles } from "./reader-role";
import { SecureBucket } from "./secure-bucket";
import { DataOutput, optional } from "./outputs";
import { SharedKey } from "./shared-key";

/** Props of {@link ProviderShares}. */
export interface ProviderSharesProps {
  readonly topology: Topology;
  readonly account: Account;
  /** The provider aliased `provider` of the account's stack. */
  readonly provider: AwsProvider;
}

/**
 * The provider side of data and model sharing in one account: the dataset key and the data
 * bucket with one prefix per dataset, one bucket and key per restricted dataset, their access
 * log bucket, access points when grants outgrow a bucket policy, reader roles for
 * `via: assume-role`, and one bucket and key per model artifact set. Every policy admits
 * exactly the roles the topology grants.
 */
export class ProviderShares extends Construct {
  /** The grants through reader roles of every bucket, made into reader roles once all buckets are known. */
  private readonly readerGrants: ReaderGrant[] = [];

  constructor(scope: Construct, id: string, props: ProviderSharesProps) {
    super(scope, id);
    const { topology, account, provider } = props;
    const plans = dataPlansOf(topology, account.key);
    const artifacts = planArtifacts(topology, account.key);
    const existing = existingPlanOf(topology, account.key);
    const datasetsOutput: Record<string, unknown> = {};
    const datasets = plans.length > 0 || existing.buckets.length > 0;
    // The output object is read at synth, so the existing datasets added below are in it.
    if (plans.length || artifacts.length) this.managed(topology, account, provider, plans, artifacts, datasetsOutput, datasets);
    else if (datasets) this.datasetsOutput(datasetsOutput);
    // Datasets in buckets mlshare does not create: no bucket, no key, no access log bucket.
    if (existing.buckets.length) new ExistingShares(this, "ExistingData", { topology, account, provider, plan: existing, datasetsOutput });
    for (const plan of existing.buckets) {
      for (const access of plan.accesses) {
        const e = access.dataset.existing!;
        this.readerGrants.push({ access, target: { bucketArn: plan.bucketArn, prefix: e.prefix, keyArn: e.kmsKeyArn, region: plan.provider.region } });
      }
    }
    // One reader role per (consumer account, roles, access) across every bucket of the account.
    readerRoles(this, topology, account, provider, this.readerGrants);
  }

  private datasetsOutput(value: Record<string, unknown>): void {
    new DataOutput(this, "datasets", { staticId: true, description: "Datasets this account provides: where they are and who reads them", value });
  }

  /** mlshare's own buckets and keys: the data buckets, the model artifact buckets and their access log bucket. */
  private managed(
    topology: Topology,
    account: Account,
    provider: AwsProvider,
    plans: readonly DataBucketPlan[],
    artifacts: ReturnType<typeof planArtifacts>,
    datasetsOutput: Record<string, unknown>,
    datasets: boolean,
  ): void {
    const logs = new SecureBucket(this, "AccessLogBucket", {
      bucketName: account.names.logBucket,
      partition: account.partition,
      provider,
      encryption: { kind: "s3-managed-for-access-logs" },
      policy: this.logDeliveryPolicy(account, [...plans.map((p) => p.bucketName), ...artifacts.map((a) => a.bucketName)]),
    });
    const accessLogs = (bucket: string) => ({ target: logs, prefix: `s3/${bucket}/` });

    for (const plan of plans) this.dataBucket(topology, account, provider, plan, accessLogs(plan.bucketName), datasetsOutput);

    const artifactsOutput: Record<string, unknown> = {};
    for (const a of artifacts) {
      const keyStatements = keyPolicyStatements(topology, account, a.keyUses, [a.bucketArn]);
      assertKeyPolicyFits(`key policy of ${a.keyAlias}`, keyStatements, consumerAccounts(account, a.keyUses));
      const key = new SharedKey(this, `ArtifactKey-${a.access.set.name}`, {
        provider,
        alias: a.keyAlias,
        description: `mlshare: model artifacts ${a.access.set.name}`,
        statements: keyStatements,
      });
      const policy = new PolicyDocument(`bucket policy of ${a.bucketName}`, "bucket");
      for (const s of a.grantStatements) policy.add(s);
      new SecureBucket(this, `ArtifactBucket-${a.access.set.name}`, {
        bucketName: a.bucketName,
        partition: account.partition,
        provider,
        encryption: { kind: "kms", keyArn: key.arn },
        policy,
        accessLogs: accessLogs(a.bucketName),
      });
      artifactsOutput[a.access.set.name] = {
        s3Uri: `s3://${a.bucketName}/`,
        kmsKeyAlias: a.keyAlias,
        consumers: [...a.access.set.consumers],
        writers: a.access.writers.map((r) => r.roleArn),
        readers: a.access.readers.map((r) => r.roleArn),
      };
    }
    if (datasets) this.datasetsOutput(datasetsOutput);
    if (artifacts.length) new DataOutput(this, "model_artifacts", { staticId: true, description: "Model artifact sets this account owns", value: artifactsOutput });
  }

  /** The log bucket's policy: S3 server access logging delivers only for this account's buckets. */
  private logDeliveryPolicy(account: Account, sources: readonly string[]): PolicyDocument {
    return new PolicyDocument(`bucket policy of ${account.names.logBucket}`, "bucket").add({
      sid: "S3ServerAccessLogsDelivery",
      effect: "Allow",
      principals: { Service: ["logging.s3.amazonaws.com"] },
      actions: ["s3:PutObject"],
      resources: [`${naming.bucketArn(account.partition, account.names.logBucket)}/s3/*`],
      conditions: {
        ArnLike: { "aws:SourceArn": sources.map((b) => naming.bucketArn(account.partition, b)) },
        StringEquals: { "aws:SourceAccount": account.id },
      },
    });
  }

  /** One bucket of datasets: its key, the bucket, its access points and reader roles, and their outputs. */
  private dataBucket(
    topology: Topology,
    account: Account,
    provider: AwsProvider,
    plan: DataBucketPlan,
    accessLogs: { target: SecureBucket; prefix: string },
    output: Record<string, unknown>,
  ): void {
    const restricted = plan.restricted?.name;
    const uses: KeyUse[] = plan.accesses.filter((a) => a.via === "bucket-policy").flatMap((a) => a.roles.map((role) => ({ role, access: a.access })));
    const keyStatements = keyPolicyStatements(topology, account, uses, [plan.bucketArn]);
    assertKeyPolicyFits(`key policy of ${plan.keyAlias}`, keyStatements, consumerAccounts(account, uses));
    const key = new SharedKey(this, restricted ? `RestrictedKey-${restricted}` : "DatasetKey", {
      provider,
      alias: plan.keyAlias,
      description: restricted ? `mlshare: restricted dataset ${restricted}` : "mlshare: datasets of this account",
      statements: keyStatements,
    });

    const policy = new PolicyDocument(`bucket policy of ${plan.bucketName}`, "bucket");
    for (const s of plan.grantStatements) policy.add(s);
    // The key is the bucket's default: uploads name no key, multipart parts included.
    const bucket = new SecureBucket(this, restricted ? `RestrictedBucket-${restricted}` : "DataBucket", {
      bucketName: plan.bucketName,
      partition: account.partition,
      provider,
      encryption: { kind: "kms", keyArn: key.arn },
      policy,
      accessLogs,
    });

    for (const ap of plan.accessPoints) {
      const doc = new PolicyDocument(`access point policy of ${ap.name}`, "access-point");
      for (const s of ap.statements) doc.add(s);
      const json = doc.toString();
      assertWithinQuota("access-point", doc.name, json);
      new S3AccessPoint(this, `AccessPoint-${ap.name}`, {
        provider,
        bucket: bucket.bucket.id,
        name: ap.name,
        policy: json,
        publicAccessBlockConfiguration: {
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
      });
    }

    for (const access of plan.accesses) {
      this.readerGrants.push({ access, target: { bucketArn: plan.bucketArn, prefix: datasetPrefix(access.dataset), keyArn: key.arn, region: plan.provider.region } });
    }

    // Grouped once: filtering every grant per dataset was quadratic at 1,000 consumer accounts.
    const accessesOf = groupBy(plan.accesses, (a) => a.dataset.name);
    const accessPointsOf = new Map<string, Record<string, string>>();
    for (const ap of plan.accessPoints) {
      for (const name of new Set(ap.grants.map((g) => g.dataset))) {
        if (!accessPointsOf.has(name)) accessPointsOf.set(name, {});
        accessPointsOf.get(name)![ap.consumer.key] = ap.arn;
      }
    }
    for (const d of plan.datasets) {
      const accesses = accessesOf.get(d.name) ?? [];
      const aps: Record<string, string> = accessPointsOf.get(d.name) ?? {};
      output[d.name] = {
        s3Uri: `s3://${plan.bucketName}/${datasetPrefix(d)}`,
        kmsKeyAlias: plan.keyAlias,
        classification: d.classification,
        accessPointArns: aps,
        consumers: Object.fromEntries(
          accesses.map((a) => [
            a.consumer.key,
            {
              access: a.access,
              via: a.via,
              roles: a.roles.map((r) => r.roleArn),
              ...optional("readerRoleArn", a.roles.length ? a.readerRole?.roleArn : undefined),
            },
          ]),
        ),
      };
    }
  }
}

/** The consumer accounts (other than the owner) a key's policy lists. */
function consumerAccounts(owner: Account, uses: readonly KeyUse[]): number {
  return new Set(uses.filter((u) => u.role.account !== owner.key).map((u) => u.role.account)).size;
}
