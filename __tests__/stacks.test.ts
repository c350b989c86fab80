import { minimalInput, referenceInput, resolve } from "./helpers/topology";
import { stackText, synthInput, resourcesOf } from "./helpers/synth";

describe("one stack per account", () => {
  const out = synthInput(referenceInput());

  test("makes a stack named after each account key, plus the bootstrap stack", () => {
    expect(Object.keys(out.stacks).sort()).toEqual(["bootstrap", "data-lake", "management", "ml-dev", "ml-prod", "ml-staging"]);
  });

  test("aliases each provider by the role the account plays", () => {
    const aliases = (stack: string) => (out.stacks[stack].provider!.aws as any[]).map((p) => p.alias).sort();
    expect(aliases("management")).toEqual(["management"]);
    // data-lake's RAM share names an OU the topology has no id for: a read-only lookup in the management account.
    expect(aliases("data-lake")).toEqual(["management", "provider"]);
    expect(aliases("ml-dev")).toEqual(["consumer", "provider"]);
    expect(aliases("ml-staging")).toEqual(["consumer"]);
    expect(aliases("ml-prod")).toEqual(["consumer"]);
  });

  test("every provider assumes the account's deploy role with a session naming the stack", () => {
    expect(stackText(out, "management")).toHaveProviderWithProperties(
      { tfResourceType: "aws" } as any,
      {
        alias: "management",
        region: "us-east-1",
        allowed_account_ids: ["111111111111"],
        assume_role: [{ role_arn: "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole", session_name: "acme-ml-management" }],
      },
    );
    const dev = (out.stacks["ml-dev"].provider!.aws as any[])[0];
    expect(dev.assume_role).toEqual([{ role_arn: "arn:aws:iam::333333333333:role/mlshare-deploy", session_name: "acme-ml-ml-dev" }]);
  });

  test("every provider carries the topology's tags plus ManagedBy = mlshare", () => {
    for (const [name, stack] of Object.entries(out.stacks)) {
      for (const p of stack.provider!.aws as any[]) {
        expect({ name, tags: p.default_tags[0].tags }).toEqual({ name, tags: { CostCenter: "ml-platform", ManagedBy: "mlshare" } });
      }
    }
  });

  test("an account's region overrides the default region in its providers", () => {
    const input = referenceInput();
    input.accounts["ml-staging"].region = "eu-west-1";
    const s = synthInput(input);
    expect((s.stacks["ml-staging"].provider!.aws as any[])[0].region).toBe("eu-west-1");
    expect((s.stacks["ml-dev"].provider!.aws as any[])[0].region).toBe("us-east-1");
  });

  test("passes the deploy external id when the account sets one", () => {
    const input = referenceInput();
    input.accounts["data-lake"].deployExternalId = "acme-deploy-7";
    const s = synthInput(input);
    expect((s.stacks["data-lake"].provider!.aws as any[])[0].assume_role[0].external_id).toBe("acme-deploy-7");
  });

  test("orders deploys management, then providers, then consumers", () => {
    const deps = (stack: string) => [...out.manifest.stacks[stack].dependencies].sort();
    expect(deps("management")).toEqual([]);
    expect(deps("data-lake")).toEqual(["management"]);
    expect(deps("ml-dev")).toEqual(["management"]);
    expect(deps("ml-staging")).toEqual(["management", "ml-dev"]);
    expect(deps("ml-prod")).toEqual(["data-lake", "management", "ml-dev"]);
  });

  test("two providers sharing with each other do not depend on each other", () => {
    const input = minimalInput();
    input.datasets.push({ name: "labels", account: "science", consumers: [{ account: "lake", roles: ["trainer"] }] });
    const s = synthInput(input);
    expect(s.manifest.stacks.lake.dependencies).toEqual(["mgmt"]);
    expect(s.manifest.stacks.science.dependencies).toEqual(["mgmt"]);
  });

  test("no stack reads another stack's state; the only lookup is of an OU whose id the topology lacks", () => {
    for (const [name, stack] of Object.entries(out.stacks)) {
      expect({ name, remoteState: (stack.data as any)?.terraform_remote_state }).toEqual({ name, remoteState: undefined });
      expect(Object.keys(stack.data ?? {}).filter((t) => t !== "aws_organizations_organizational_unit")).toEqual([]);
    }
    const input = referenceInput();
    input.organization.organizationalUnits[0].id = "ou-a1b2-abcd1234";
    for (const stack of Object.values(synthInput(input).stacks)) expect(stack.data ?? {}).toEqual({});
  });
});

describe("remote state", () => {
  test("each account stack keeps encrypted, lockfile-locked state under <keyPrefix>/<stack>.tfstate", () => {
    const out = synthInput(referenceInput());
    expect(out.stacks["ml-prod"].terraform!.backend).toEqual({
      s3: { bucket: "acme-ml-tfstate", key: "ml-sharing/ml-prod.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true },
    });
  });

  test("the key prefix defaults to the project name", () => {
    const out = synthInput(minimalInput());
    expect((out.stacks.lake.terraform!.backend as any).s3.key).toBe("mini/lake.tfstate");
  });

  test("locking: dynamodb uses the table and no lockfile, and bootstrap makes the table", () => {
    const input = minimalInput();
    input.state = { ...input.state, locking: "dynamodb", dynamodbTable: "mini-locks" };
    const out = synthInput(input);
    const s3 = (out.stacks.lake.terraform!.backend as any).s3;
    expect(s3.dynamodb_table).toBe("mini-locks");
    expect(s3.use_lockfile).toBeUndefined();
    expect(JSON.stringify(out.stacks.bootstrap)).toHaveResourceWithProperties({ tfResourceType: "aws_dynamodb_table" } as any, {
      name: "mini-locks",
      hash_key: "LockID",
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
    });
  });

  test("state.roleArn is assumed for state access", () => {
    const input = minimalInput();
    input.state.roleArn = "arn:aws:iam::100000000001:role/terraform-state";
    const out = synthInput(input);
    expect((out.stacks.science.terraform!.backend as any).s3.assume_role).toEqual({
      role_arn: "arn:aws:iam::100000000001:role/terraform-state",
      session_name: "mini-state-science",
    });
  });

  test("backend: cloud gives each stack its own workspace and no bootstrap stack", () => {
    const input = minimalInput();
    input.state = { backend: "cloud", organization: "acme", workspacePrefix: "ml-sharing-" };
    const out = synthInput(input);
    expect(Object.keys(out.stacks).sort()).toEqual(["lake", "mgmt", "science"]);
    expect(out.stacks.science.terraform!.cloud).toEqual({ organization: "acme", workspaces: { name: "ml-sharing-science" } });
    expect(out.stacks.science.terraform!.backend).toBeUndefined();
  });
});

describe("bootstrap stack", () => {
  const out = synthInput(referenceInput());
  const text = stackText(out, "bootstrap");

  test("keeps its own state locally, in the folder synth ran in: outside the output that every synth replaces", () => {
    const local = (out.stacks.bootstrap.terraform!.backend as any).local.path as string;
    const resolved = require("path").resolve(out.outdir, "stacks", "bootstrap", local);
    expect(resolved).toBe(require("path").join(process.cwd(), "terraform.bootstrap.tfstate"));
    expect(resolved.startsWith(out.outdir)).toBe(false);
  });

  test("makes the state bucket with every public access block and prevent_destroy", () => {
    expect(text).toHaveResourceWithProperties({ tfResourceType: "aws_s3_bucket" } as any, {
      bucket: "acme-ml-tfstate",
      lifecycle: { prevent_destroy: true },
    });
    expect(text).toHaveResourceWithProperties({ tfResourceType: "aws_s3_bucket_public_access_block" } as any, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("enforces bucket ownership, versioning and KMS encryption on the state bucket", () => {
    expect(text).toHaveResourceWithProperties({ tfResourceType: "aws_s3_bucket_ownership_controls" } as any, {
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
    expect(text).toHaveResourceWithProperties({ tfResourceType: "aws_s3_bucket_versioning" } as any, {
      versioning_configuration: { status: "Enabled" },
    });
    expect(text).toHaveResourceWithProperties({ tfResourceType: "aws_s3_bucket_server_side_encryption_configuration" } as any, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true }],
    });
  });

  test("the state bucket policy denies every non-TLS request", () => {
    const [policy] = Object.values(resourcesOf(out, "bootstrap", "aws_s3_bucket_policy"));
    const doc = JSON.parse(policy.policy);
    expect(doc.Statement).toContainEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::acme-ml-tfstate", "arn:aws:s3:::acme-ml-tfstate/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  test("runs in the state account's deploy role, in the state region", () => {
    const input = minimalInput();
    input.state.region = "us-west-2";
    input.state.account = "lake";
    const s = synthInput(input);
    const [p] = s.stacks.bootstrap.provider!.aws as any[];
    expect(p.region).toBe("us-west-2");
    expect(p.assume_role[0].role_arn).toBe("arn:aws:iam::100000000002:role/mlshare-deploy");
  });
});

describe("compliance suppressions", () => {
  test("travel in the JSON of the stack they apply to, for the review to read", () => {
    const input = minimalInput();
    input.compliance = { suppressions: [{ rule: "S3_VERSIONED", resource: "lake/aws_s3_bucket.Example", reason: "a reason long enough to count" }] };
    const s = synthInput(input);
    expect((s.stacks.lake as any)["//"].mlshare).toEqual({
      suppressions: [{ rule: "S3_VERSIONED", resource: "lake/aws_s3_bucket.Example", reason: "a reason long enough to count" }],
    });
    expect((s.stacks.science as any)["//"].mlshare).toBeUndefined();
  });
});

describe("notices", () => {
  const { notices } = require("../synth") as typeof import("../synth");

  test("say when a RAM share names the organization or an OU but RAM sharing with the organization is not enabled", () => {
    const input = referenceInput();
    delete input.organization.ramSharingWithOrganization;
    expect(notices(resolve(input))).toEqual([
      "RAM share ai-training names ou:ml-workloads, which needs RAM sharing enabled with the organization: set organization.ramSharingWithOrganization: true, unless it is already enabled outside mlshare",
    ]);
  });

  test("say nothing when it is enabled, or when shares name accounts only", () => {
    expect(notices(resolve(referenceInput()))).toEqual([]);
    const input = referenceInput();
    delete input.organization.ramSharingWithOrganization;
    input.ramShares[0].principals = ["account:ml-dev"];
    expect(notices(resolve(input))).toEqual([]);
  });
});
