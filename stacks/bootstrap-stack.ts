import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { Account, S3State, Topology } from "../config/model";
import { AccountProviders } from "../constructs/account-providers";
import { SecureBucket } from "../constructs/secure-bucket";
import { useLocalState } from "../constructs/state-backend";

/** The name of the stack that makes the state bucket. */
export const BOOTSTRAP_STACK = "bootstrap";

/** Props of {@link BootstrapStack}. */
export interface BootstrapStackProps {
  readonly topology: Topology;
  readonly state: S3State;
  /** The account that holds the state bucket. */
  readonly account: Account;
  /**
   * The bootstrap state file, relative to the stack's folder in the output.
   * @default "../../../terraform.bootstrap.tfstate": beside cdktf.out, which synth replaces
   */
  readonly statePath?: string;
}

/**
 * The first thing applied: the state bucket every other stack keeps its state in (and the
 * lock table with `locking: dynamodb`). Its own state is local, since the bucket it would
 * use does not exist yet.
 */
export class BootstrapStack extends TerraformStack {
  constructor(scope: Construct, props: BootstrapStackProps) {
    super(scope, BOOTSTRAP_STACK);
    const { topology, state, account } = props;
    useLocalState(this, props.statePath ?? `../../../terraform.${BOOTSTRAP_STACK}.tfstate`);
    const provider = new AccountProviders(this, "Providers", {
      account,
      roles: ["management"],
      project: topology.project,
      tags: topology.tags,
      region: state.region,
      pipeline: topology.pipeline,
    }).of("management");

    const bucket = new SecureBucket(this, "StateBucket", {
      bucketName: state.bucket,
      partition: account.partition,
      provider,
    });
    new TerraformOutput(this, "state_bucket_arn", { description: "ARN of the Terraform state bucket", value: bucket.arn });

    if (state.locking === "dynamodb" && state.dynamodbTable) {
      new DynamodbTable(this, "LockTable", {
        provider,
        name: state.dynamodbTable,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "LockID",
        attribute: [{ name: "LockID", type: "S" }],
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
        lifecycle: { preventDestroy: true },
      });
      new TerraformOutput(this, "lock_table_name", { description: "Name of the state lock table", value: state.dynamodbTable });
    }
  }
}
