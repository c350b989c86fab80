import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { DatasetAccess } from "../config/grants";
import { Account, Topology } from "../config/model";
import { planArtifacts } from "../sharing/artifact-plan";
import { accessPointFor, dataPlanFor, datasetPrefix } from "../sharing/data-plan";
import { existingBucketPlanFor } from "../sharing/existing-plan";
import { accessesOfConsumer, identityStatementsOf } from "../sharing/identity-plan";
import { DataOutput, optional } from "./outputs";
import { RoleGrants } from "./role-grants";

/** Props of {@link ConsumerAccess}. */
export interface ConsumerAccessProps {
  readonly topology: Topology;
  readonly account: Account;
  /** The provider the identity policies are made with. */
  readonly provider: AwsProvider;
  /** How to name roles this stack makes (see RoleGrants). @default role names as they are */
  readonly roleName?: (name: string) => string;
  /** Inline-policy quota already used per role (see RoleGrants). */
  readonly inlineUsed?: (name: string) => number;
}

/**
 * The consumer side of every grant in one account: the identity policies of the granted
 * roles, and outputs telling the account's users where their data is and how to reach it.
 */
export class ConsumerAccess extends Construct {
  readonly grants: RoleGrants;

  constructor(scope: Construct, id: string, props: ConsumerAccessProps) {
    super(scope, id);
    const { topology, account } = props;
    this.grants = new RoleGrants(this, "RoleGrants", {
      provider: props.provider,
      account,
      project: topology.project,
      roles: identityStatementsOf(topology, account.key),
      roleName: props.roleName,
      inlineUsed: props.inlineUsed,
    });

    const datasets: Record<string, unknown> = {};
    for (const a of accessesOfConsumer(topology, account.key)) {
      if (a.dataset.existing) {
        datasets[a.dataset.name] = existingDatasetOutput(topology, a);
        continue;
      }
      const plan = dataPlanFor(topology, a.dataset);
      const aps = [...new Set(a.roles.map((r) => accessPointFor(plan, r, a.dataset.name)?.arn).filter((x): x is string => !!x))];
      datasets[a.dataset.name] = {
        provider: a.provider.key,
        access: a.access,
        via: a.via,
        roles: a.roles.map((r) => r.roleArn),
        s3Uri: `s3://${plan.bucketName}/${datasetPrefix(a.dataset)}`,
        kmsKeyAlias: plan.keyAlias,
        ...optional("accessPointArn", aps[0]),
        ...optional("readerRoleArn", a.readerRole?.roleArn),
        ...optional("externalId", a.readerRole?.externalId),
      };
    }
    const artifacts: Record<string, unknown> = {};
    for (const p of planArtifacts(topology)) {
      if (!p.access.set.consumers.includes(account.key)) continue;
      artifacts[p.access.set.name] = {
        owner: p.access.owner.key,
        s3Uri: `s3://${p.bucketName}/`,
        kmsKeyAlias: p.keyAlias,
        roles: p.access.readers.filter((r) => r.account === account.key).map((r) => r.roleArn),
      };
    }
    if (Object.keys(datasets).length) {
      new DataOutput(this, "datasets", { staticId: true, description: "Datasets this account reads: where, how, and with which roles", value: datasets });
    }
    if (Object.keys(artifacts).length) {
      new DataOutput(this, "model_artifacts", { staticId: true, description: "Model artifact sets this account reads", value: artifacts });
    }
  }
}

/**
 * A consumer's view of a dataset in an existing bucket: the bucket and prefix, the key by ARN,
 * and the access points its roles read through (access-points mode; an access point's alias
 * is known only to the provider stack, which outputs it in `existing_data`).
 */
function existingDatasetOutput(topology: Topology, a: DatasetAccess): Record<string, unknown> {
  const existing = a.dataset.existing!;
  const plan = existingBucketPlanFor(topology, a.dataset);
  const aps = [...new Set(a.roles.map((r) => plan.accessPointIndex.get(`${r.roleArn} ${a.dataset.name}`)?.arn).filter((x): x is string => !!x))];
  return {
    provider: a.provider.key,
    access: a.access,
    via: a.via,
    roles: a.roles.map((r) => r.roleArn),
    s3Uri: `s3://${existing.bucket}/${existing.prefix}`,
    ...optional("kmsKeyArn", existing.kmsKeyArn),
    policies: existing.policies,
    ...optional("accessPointArn", aps[0]),
    ...(aps.length > 1 ? { accessPointArns: aps } : {}),
    ...optional("readerRoleArn", a.readerRole?.roleArn),
    ...optional("externalId", a.readerRole?.externalId),
  };
}
