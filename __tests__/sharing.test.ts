/** Datasets and model artifacts (topology `datasets`, `modelArtifacts`): both sides of every grant. */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import * as path from "path";
import { QuotaError } from "../policies/quotas";
import { synthesize } from "../synth";
import { resourcesOf, stackText, synthInput, Synthesized } from "./helpers/synth";
import { minimalInput, referenceInput, resolve } from "./helpers/topology";
import { tempDir } from "./helpers/tmp";

const DATA = "acme-ml-data-222222222222-us-east-1";
const LOGS = "acme-ml-logs-222222222222-us-east-1";
const out = synthInput(referenceInput());
const lake = stackText(out, "data-lake");

const bucketPolicy = (s: Synthesized, stack: string, bucket: string) => {
  const policies = Object.values(resourcesOf(s, stack, "aws_s3_bucket_policy")).map((p) => JSON.parse(p.policy));
  return policies.find((d) => d.Statement.some((st: any) => [st.Resource].flat().includes(`arn:aws:s3:::${bucket}`)));
};
const keyPolicy = (s: Synthesized, stack: string, description: string) =>
  JSON.parse(Object.values(resourcesOf(s, stack, "aws_kms_key")).find((k) => k.description === description).policy);

describe("the provider side", () => {
  test("makes a data bucket named for the account and region, kept on destroy", () => {
    expect(lake).toHaveResourceWithProperties(S3Bucket, { bucket: DATA, force_destroy: false, lifecycle: { prevent_destroy: true } });
  });

  test("encrypts the data bucket with the account's dataset key and bucket keys", () => {
    expect(lake).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.Shares_DatasetKey_.+\.arn\}$/) }, bucket_key_enabled: true }],
    });
  });

  test("sends the data bucket's access logs to a secured log bucket of the same account", () => {
    expect(lake).toHaveResourceWithProperties(S3BucketLoggingA, { target_prefix: `s3/${DATA}/` });
    expect(lake).toHaveResourceWithProperties(S3Bucket, { bucket: LOGS, lifecycle: { prevent_destroy: true } });
    const logs = bucketPolicy(out, "data-lake", LOGS);
    expect(logs.Statement.map((s: any) => s.Sid)).toEqual(["S3ServerAccessLogsDelivery", "DenyInsecureTransport"]);
    expect(logs.Statement[0].Condition).toEqual({
      ArnLike: { "aws:SourceArn": `arn:aws:s3:::${DATA}` },
      StringEquals: { "aws:SourceAccount": "222222222222" },
    });
  });

  test("the dataset key rotates and is named by its alias", () => {
    expect(lake).toHaveResourceWithProperties(KmsKey, { description: "mlshare: datasets of this account", enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(lake).toHaveResourceWithProperties(KmsAlias, { name: "alias/acme-ml/datasets" });
  });

  test("the bucket policy admits exactly the granted roles, from inside the organization, to the dataset's prefix", () => {
    const doc = bucketPolicy(out, "data-lake", DATA);
    const objects = doc.Statement.find((s: any) => s.Sid === "Grant1Objects");
    expect(objects).toEqual({
      Sid: "Grant1Objects",
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::333333333333:root", "arn:aws:iam::555555555555:root"] },
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: `arn:aws:s3:::${DATA}/churn/*`,
      Condition: {
        ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::333333333333:role/acme-ml-sm-alice", "arn:aws:iam::555555555555:role/batch-scoring"] },
        StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
      },
    });
    const list = doc.Statement.find((s: any) => s.Sid === "Grant1List");
    expect(list.Action).toBe("s3:ListBucket");
    expect(list.Resource).toBe(`arn:aws:s3:::${DATA}`);
    expect(list.Condition.StringLike).toEqual({ "s3:prefix": "churn/*" });
  });

  test("the bucket policy denies non-TLS requests and uploads with another key or without KMS", () => {
    const sids = bucketPolicy(out, "data-lake", DATA).Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(["DenyInsecureTransport", "DenyUploadsWithOtherKey", "DenyUploadsWithoutKms"]));
  });

  test("the key policy lets consumers decrypt only through S3 in the region, from their own accounts", () => {
    const doc = keyPolicy(out, "data-lake", "mlshare: datasets of this account");
    const consumers = doc.Statement.find((s: any) => s.Sid === "ConsumersDecryptThroughS3");
    expect(consumers.Action).toBe("kms:Decrypt");
    expect(consumers.Condition.StringEquals).toEqual({
      "aws:PrincipalOrgID": "o-a1b2c3d4e5",
      "kms:CallerAccount": ["333333333333", "555555555555"],
      "kms:ViaService": "s3.us-east-1.amazonaws.com",
    });
    const admin = doc.Statement.find((s: any) => s.Sid === "AccountAdministersKey");
    expect(admin.Principal).toEqual({ AWS: "arn:aws:iam::222222222222:root" });
    expect([admin.Action].flat()).not.toContain("kms:*");
  });

  test("read-write grants add PutObject and AbortMultipartUpload, and GenerateDataKey on the key, never deletes", () => {
    const input = referenceInput();
    input.datasets[0].consumers[1].access = "read-write";
    const s = synthInput(input);
    const doc = bucketPolicy(s, "data-lake", DATA);
    const rw = doc.Statement.find((st: any) => [st.Action].flat().includes("s3:PutObject") && st.Effect === "Allow");
    expect(rw.Action).toEqual(["s3:AbortMultipartUpload", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]);
    expect(rw.Condition.ArnEquals["aws:PrincipalArn"]).toBe("arn:aws:iam::555555555555:role/batch-scoring");
    const key = keyPolicy(s, "data-lake", "mlshare: datasets of this account");
    expect(key.Statement.find((st: any) => st.Sid === "ConsumersReadWriteThroughS3").Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(JSON.stringify(doc)).not.toMatch(/s3:Delete/);
  });

  test("a restricted dataset gets a key of its own, and uploads to it must name that key", () => {
    const input = referenceInput();
    input.datasets[0].classification = "restricted";
    const s = synthInput(input);
    const text = stackText(s, "data-lake");
    expect(text).toHaveResourceWithProperties(KmsAlias, { name: "alias/acme-ml/dataset/churn" });
    expect(text).toHaveResourceWithProperties(KmsKey, { description: "mlshare: restricted dataset churn", enable_key_rotation: true });
    const deny = bucketPolicy(s, "data-lake", DATA).Statement.find((st: any) => st.Sid === "DenyRestrictedUploadsWithoutOwnKey1");
    expect(deny.Resource).toBe(`arn:aws:s3:::${DATA}/churn/*`);
    expect(deny.Condition.StringNotEquals["s3:x-amz-server-side-encryption-aws-kms-key-id"]).toMatch(/^\$\{aws_kms_key\.Shares_RestrictedKey-churn_.+\.arn\}$/);
    const consumers = keyPolicy(s, "data-lake", "mlshare: restricted dataset churn").Statement.find((st: any) => st.Sid === "ConsumersDecryptThroughS3");
    expect(consumers.Condition.ArnEquals["aws:PrincipalArn"]).toContain("arn:aws:iam::555555555555:role/batch-scoring");
  });

  test("outputs each dataset's location, key alias and consumers", () => {
    const datasets = (out.stacks["data-lake"] as any).output.datasets.value;
    expect(datasets.churn).toEqual({
      s3Uri: `s3://${DATA}/churn/`,
      kmsKeyAlias: "alias/acme-ml/datasets",
      classification: "confidential",
      accessPointArns: {},
      consumers: {
        "ml-dev": { access: "read", via: "bucket-policy", roles: ["arn:aws:iam::333333333333:role/acme-ml-sm-alice"] },
        "ml-prod": { access: "read", via: "bucket-policy", roles: ["arn:aws:iam::555555555555:role/batch-scoring"] },
      },
    });
  });
});

describe("the consumer side", () => {
  const policies = (s: Synthesized, stack: string) => Object.values(resourcesOf(s, stack, "aws_iam_role_policy"));

  test("attaches the grant to an existing role by name, with the same S3 actions and the key by alias", () => {
    const [grant] = policies(out, "ml-prod").filter((p) => p.role === "batch-scoring");
    expect(grant.name).toBe("acme-ml-data-grants");
    expect(JSON.parse(grant.policy).Statement).toEqual([
      { Sid: "DataObjects1", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `arn:aws:s3:::${DATA}/churn/*` },
      { Sid: "ListDatasets1", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${DATA}`, Condition: { StringLike: { "s3:prefix": "churn/*" } } },
      {
        Sid: "DataKeys1",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:us-east-1:222222222222:key/*",
        Condition: {
          "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/acme-ml/datasets" },
          StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
        },
      },
    ]);
  });

  test("outputs where the consumer's datasets are and how it reaches them", () => {
    expect((out.stacks["ml-prod"] as any).output.datasets.value.churn).toEqual({
      provider: "data-lake",
      access: "read",
      via: "bucket-policy",
      roles: ["arn:aws:iam::555555555555:role/batch-scoring"],
      s3Uri: `s3://${DATA}/churn/`,
      kmsKeyAlias: "alias/acme-ml/datasets",
    });
  });
});

describe("via: assume-role", () => {
  const input = minimalInput();
  input.datasets[0].consumers[0].via = "assume-role";
  const s = synthInput(input);
  const reader = Object.values(resourcesOf(s, "lake", "aws_iam_role"))[0];

  test("makes a reader role in the provider account trusted only by the granted roles, with org and external id conditions", () => {
    expect(stackText(s, "lake")).toHaveResourceWithProperties(IamRole, { name: "mini-events-100000000003" });
    expect(JSON.parse(reader.assume_role_policy).Statement).toEqual([
      {
        Sid: "GrantedConsumerRolesAssume",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::100000000003:root" },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::100000000003:role/analyst" },
          StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij", "sts:ExternalId": "mini:events:science" },
        },
      },
    ]);
  });

  test("the reader role holds the dataset permissions; the bucket policy names no consumer", () => {
    const [policy] = Object.values(resourcesOf(s, "lake", "aws_iam_role_policy"));
    const statements = JSON.parse(policy.policy).Statement;
    expect(statements.map((st: any) => st.Sid)).toEqual(["DatasetObjects", "ListDataset", "DatasetKey"]);
    expect(statements[0].Resource).toBe("arn:aws:s3:::mini-data-100000000002-eu-west-1/events/*");
    const doc = bucketPolicy(s, "lake", "mini-data-100000000002-eu-west-1");
    expect(JSON.stringify(doc)).not.toContain("100000000003");
  });

  test("the consumer roles may assume the reader role, and nothing more", () => {
    const [grant] = Object.values(resourcesOf(s, "science", "aws_iam_role_policy"));
    expect(grant.role).toBe("analyst");
    expect(JSON.parse(grant.policy).Statement).toEqual([
      { Sid: "AssumeDatasetReaderRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::100000000002:role/mini-events-100000000003" },
    ]);
    expect((s.stacks.science as any).output.datasets.value.events).toEqual(
      expect.objectContaining({ via: "assume-role", readerRoleArn: "arn:aws:iam::100000000002:role/mini-events-100000000003", externalId: "mini:events:science" }),
    );
  });
});

describe("model artifacts", () => {
  test("get a bucket and key of their own in the owning account, read-only for consumers", () => {
    const dev = stackText(out, "ml-dev");
    expect(dev).toHaveResourceWithProperties(S3Bucket, { bucket: "acme-ml-ma-churn-model-333333333333-us-east-1" });
    expect(dev).toHaveResourceWithProperties(KmsAlias, { name: "alias/acme-ml/artifacts/churn-model" });
    const input = referenceInput();
    input.mlProjects[0].modelArtifacts = "churn-model";
    const s = synthInput(input);
    const doc = bucketPolicy(s, "ml-dev", "acme-ml-ma-churn-model-333333333333-us-east-1");
    const read = doc.Statement.find((st: any) => st.Sid === "ConsumersReadArtifacts");
    expect(read.Action).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(read.Condition.ArnEquals["aws:PrincipalArn"]).toEqual([
      "arn:aws:iam::444444444444:role/acme-ml-churn-staging",
      "arn:aws:iam::555555555555:role/acme-ml-churn-prod",
    ]);
  });
});

describe("quotas", () => {
  test("a grant that cannot fit is refused with the policy's name, its size and the quota", () => {
    const input = minimalInput();
    input.datasets[0].consumers[0] = { account: "science", via: "assume-role", roles: Array.from({ length: 60 }, (_, i) => `team-role-${i}`) };
    let error: unknown;
    try {
      synthesize(resolve(input), path.join(tempDir("mlshare-quota-"), "cdktf.out"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuotaError);
    expect((error as Error).message).toMatch(/^mlshare: trust policy of mini-events-100000000003 is \d{4} characters, over the IAM role trust policy \(2,048 characters\) quota/);
  });
});

describe("regions", () => {
  test("key policies name S3 by its regional host, amazonaws.com.cn in China", () => {
    const input = minimalInput();
    input.defaultRegion = "cn-north-1";
    input.state.region = "cn-north-1";
    const s = synthInput(input);
    const doc = keyPolicy(s, "lake", "mlshare: datasets of this account");
    const consumers = doc.Statement.find((st: any) => st.Sid === "ConsumersDecryptThroughS3");
    expect(consumers.Condition.StringEquals["kms:ViaService"]).toBe("s3.cn-north-1.amazonaws.com.cn");
    expect(consumers.Principal.AWS).toBe("arn:aws-cn:iam::100000000003:root");
  });
});
