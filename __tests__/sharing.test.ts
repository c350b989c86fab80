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
const RESTRICTED = "acme-ml-rd-churn-222222222222-us-east-1";
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
    expect(logs.Statement.map((s: any) => s.Sid)).toEqual(["S3ServerAccessLogsDelivery", "DenyInsecureTransport", "DenySseCUploads"]);
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

  test("the bucket policy denies non-TLS requests, SSE-C, and uploads naming another key or encryption", () => {
    const doc = bucketPolicy(out, "data-lake", DATA);
    const sids = doc.Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(["DenyInsecureTransport", "DenySseCUploads", "DenyUploadsWithOtherKey", "DenyUploadsWithoutKms"]));
    expect(doc.Statement.find((s: any) => s.Sid === "DenySseCUploads")).toEqual({
      Sid: "DenySseCUploads",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::${DATA}/*`,
      Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
    });
    // Each upload Deny holds only when its header is there: multipart parts carry none.
    for (const sid of ["DenyUploadsWithOtherKey", "DenyUploadsWithoutKms"]) {
      expect(Object.values(doc.Statement.find((s: any) => s.Sid === sid).Condition.Null)).toEqual(["false"]);
    }
  });

  test("every bucket mlshare makes denies SSE-C: data, log, artifact, restricted and state buckets", () => {
    const input = referenceInput();
    input.datasets[0].classification = "restricted";
    const buckets = [out, synthInput(input)].flatMap((s) =>
      Object.keys(s.stacks).flatMap((stack) => Object.values(resourcesOf(s, stack, "aws_s3_bucket")).map((b) => ({ s, stack, name: b.bucket as string }))),
    );
    expect(buckets.map((b) => b.name)).toEqual(expect.arrayContaining([LOGS, DATA, RESTRICTED, "acme-ml-ma-churn-model-333333333333-us-east-1"]));
    expect(buckets.some((b) => b.stack === "bootstrap")).toBe(true);
    for (const { s, ...b } of buckets) {
      const policies = Object.values(resourcesOf(s, b.stack, "aws_s3_bucket_policy")).map((p) => JSON.parse(p.policy));
      const doc = policies.find((d) => d.Statement.some((st: any) => [st.Resource].flat().includes(`arn:aws:s3:::${b.name}/*`)));
      const deny = doc?.Statement.find((st: any) => st.Sid === "DenySseCUploads");
      expect({ bucket: b.name, resource: deny?.Resource }).toEqual({ bucket: b.name, resource: `arn:aws:s3:::${b.name}/*` });
    }
  });

  test("the key policy lets consumer accounts decrypt only through S3 in the region, in the organization, and names accounts, never roles", () => {
    const doc = keyPolicy(out, "data-lake", "mlshare: datasets of this account");
    const consumers = doc.Statement.find((s: any) => s.Sid === "ConsumerAccountsDecryptThroughS3");
    expect(consumers.Action).toBe("kms:Decrypt");
    // Principal "*" narrowed by every condition below (the pattern of AWS managed keys).
    expect(consumers.Principal).toBe("*");
    expect(consumers.Condition.StringEquals).toEqual({
      "aws:PrincipalOrgID": "o-a1b2c3d4e5",
      "kms:CallerAccount": ["333333333333", "555555555555"],
      "kms:ViaService": "s3.us-east-1.amazonaws.com",
    });
    expect(Object.keys(consumers.Condition).sort()).toEqual(["StringEquals", "StringLike"]);
    // Which roles read which dataset is the bucket policy's to say: no role ARN in the key policy.
    expect(JSON.stringify(doc)).not.toMatch(/:role\//);
    expect(doc.Statement.map((s: any) => s.Sid)).toEqual(["AccountAdministersKey", "AccountGrantsForAwsResources", "AccountUsesKeyThroughS3", "ConsumerAccountsDecryptThroughS3"]);
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
    const rwKey = key.Statement.find((st: any) => st.Sid === "ConsumerAccountsReadWriteThroughS3");
    expect(rwKey.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    // An account with a read-write grant is listed once, where its actions include Decrypt.
    expect(rwKey.Condition.StringEquals["kms:CallerAccount"]).toBe("555555555555");
    expect(key.Statement.find((st: any) => st.Sid === "ConsumerAccountsDecryptThroughS3").Condition.StringEquals["kms:CallerAccount"]).toBe("333333333333");
    expect(JSON.stringify(doc)).not.toMatch(/s3:Delete/);
  });

  test("a restricted dataset gets a bucket of its own whose default encryption is its own key", () => {
    const input = referenceInput();
    input.datasets[0].classification = "restricted";
    const s = synthInput(input);
    const text = stackText(s, "data-lake");
    expect(text).toHaveResourceWithProperties(KmsAlias, { name: "alias/acme-ml/dataset/churn" });
    expect(text).toHaveResourceWithProperties(KmsKey, { description: "mlshare: restricted dataset churn", enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(text).toHaveResourceWithProperties(S3Bucket, { bucket: RESTRICTED, force_destroy: false, lifecycle: { prevent_destroy: true } });
    const encryption = Object.values(resourcesOf(s, "data-lake", "aws_s3_bucket_server_side_encryption_configuration")).find((e) => /RestrictedBucket-churn/.test(e.bucket));
    expect(encryption.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.Shares_RestrictedKey-churn_.+\.arn\}$/) }, bucket_key_enabled: true },
    ]);
    // The same baseline as the data bucket: public access blocks, owner enforced, versioning, logs.
    for (const type of ["aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_versioning", "aws_s3_bucket_logging"]) {
      expect(Object.values(resourcesOf(s, "data-lake", type)).filter((r) => /RestrictedBucket-churn/.test(r.bucket))).toHaveLength(1);
    }
    expect(text).toHaveResourceWithProperties(S3BucketLoggingA, { target_prefix: `s3/${RESTRICTED}/` });
    expect(bucketPolicy(s, "data-lake", LOGS).Statement[0].Condition.ArnLike["aws:SourceArn"]).toContain(`arn:aws:s3:::${RESTRICTED}`);

    const doc = bucketPolicy(s, "data-lake", RESTRICTED);
    const otherKey = doc.Statement.find((st: any) => st.Sid === "DenyUploadsWithOtherKey");
    expect(otherKey.Condition.StringNotEquals["s3:x-amz-server-side-encryption-aws-kms-key-id"]).toMatch(/^\$\{aws_kms_key\.Shares_RestrictedKey-churn_.+\.arn\}$/);
    expect(otherKey.Condition.Null).toEqual({ "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" });
    const grant = doc.Statement.find((st: any) => st.Sid === "Grant1Objects");
    expect(grant.Resource).toBe(`arn:aws:s3:::${RESTRICTED}/*`);
    // The shared data bucket no longer holds the dataset, and names no restricted key.
    expect(JSON.stringify(bucketPolicy(s, "data-lake", DATA) ?? {})).not.toContain("churn");

    const consumers = keyPolicy(s, "data-lake", "mlshare: restricted dataset churn").Statement.find((st: any) => st.Sid === "ConsumerAccountsDecryptThroughS3");
    expect([consumers.Condition.StringEquals["kms:CallerAccount"]].flat()).toContain("555555555555");
    expect(consumers.Condition.StringLike).toEqual({ "kms:EncryptionContext:aws:s3:arn": [`arn:aws:s3:::${RESTRICTED}`, `arn:aws:s3:::${RESTRICTED}/*`] });

    const provided = (s.stacks["data-lake"] as any).output.datasets.value.churn;
    expect(provided).toEqual(expect.objectContaining({ s3Uri: `s3://${RESTRICTED}/`, kmsKeyAlias: "alias/acme-ml/dataset/churn", classification: "restricted" }));
    expect((s.stacks["ml-prod"] as any).output.datasets.value.churn).toEqual(expect.objectContaining({ s3Uri: `s3://${RESTRICTED}/`, kmsKeyAlias: "alias/acme-ml/dataset/churn" }));
    const [identity] = Object.values(resourcesOf(s, "ml-prod", "aws_iam_role_policy")).filter((p) => p.role === "batch-scoring");
    const statements = JSON.parse(identity.policy).Statement;
    expect(statements.find((st: any) => st.Sid === "DataObjects1").Resource).toBe(`arn:aws:s3:::${RESTRICTED}/*`);
    // A bucket of its own is listed whole.
    expect(statements.find((st: any) => st.Sid === "ListBuckets").Resource).toBe(`arn:aws:s3:::${RESTRICTED}`);
  });

  test("the key policy binds consumers to the key's bucket, and the owner's grants to AWS services' resources", () => {
    const doc = keyPolicy(out, "data-lake", "mlshare: datasets of this account");
    const consumerStatements = doc.Statement.filter((x: any) => x.Sid.startsWith("ConsumerAccounts"));
    expect(consumerStatements.length).toBeGreaterThan(0);
    for (const st of consumerStatements) {
      expect(st.Condition.StringLike).toEqual({ "kms:EncryptionContext:aws:s3:arn": [`arn:aws:s3:::${DATA}`, `arn:aws:s3:::${DATA}/*`] });
    }
    const admin = doc.Statement.find((s: any) => s.Sid === "AccountAdministersKey");
    expect([admin.Action].flat().filter((a: string) => a.startsWith("kms:Create"))).toEqual(["kms:CreateAlias"]);
    expect(doc.Statement.find((s: any) => s.Sid === "AccountGrantsForAwsResources")).toEqual({
      Sid: "AccountGrantsForAwsResources",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::222222222222:root" },
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
    const grants = doc.Statement.filter((s: any) => [s.Action].flat().some((a: string) => a === "kms:CreateGrant" || a === "kms:Create*" || a === "kms:*"));
    expect(grants.map((s: any) => s.Sid)).toEqual(["AccountGrantsForAwsResources"]);
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
          StringLike: { "kms:EncryptionContext:aws:s3:arn": [`arn:aws:s3:::${DATA}`, `arn:aws:s3:::${DATA}/*`] },
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
    // One reader role per (consumer account, roles, access), named for the consumer account and a hash of the rest.
    expect(reader.name).toMatch(/^mini-reader-100000000003-[0-9a-f]{10}$/);
    expect(stackText(s, "lake")).toHaveResourceWithProperties(IamRole, { name: reader.name });
    expect(JSON.parse(reader.assume_role_policy).Statement).toEqual([
      {
        Sid: "GrantedConsumerRolesAssume",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::100000000003:root" },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::100000000003:role/analyst" },
          StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij", "sts:ExternalId": "mini:science:read:analyst" },
        },
      },
    ]);
  });

  test("the reader role holds the dataset permissions; the bucket policy names no consumer", () => {
    const [policy] = Object.values(resourcesOf(s, "lake", "aws_iam_role_policy"));
    const statements = JSON.parse(policy.policy).Statement;
    expect(statements.map((st: any) => st.Sid)).toEqual(["DatasetObjects1", "ListDatasets1", "DatasetKey1"]);
    expect(statements[0].Resource).toBe("arn:aws:s3:::mini-data-100000000002-eu-west-1/events/*");
    const doc = bucketPolicy(s, "lake", "mini-data-100000000002-eu-west-1");
    expect(JSON.stringify(doc)).not.toContain("100000000003");
  });

  test("the consumer roles may assume the reader role, and nothing more", () => {
    const [grant] = Object.values(resourcesOf(s, "science", "aws_iam_role_policy"));
    expect(grant.role).toBe("analyst");
    expect(JSON.parse(grant.policy).Statement).toEqual([
      { Sid: "AssumeDatasetReaderRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::100000000002:role/${reader.name}` },
    ]);
    expect((s.stacks.science as any).output.datasets.value.events).toEqual(
      expect.objectContaining({ via: "assume-role", readerRoleArn: `arn:aws:iam::100000000002:role/${reader.name}`, externalId: "mini:science:read:analyst" }),
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
    expect((error as Error).message).toMatch(/^mlshare: trust policy of mini-reader-100000000003-[0-9a-f]{10} is \d{4} characters, over the IAM role trust policy \(2,048 characters\) quota; grant the dataset through a reader role to fewer roles/);
  });
});

describe("regions", () => {
  test("key policies name S3 by its regional host, amazonaws.com.cn in China", () => {
    const input = minimalInput();
    input.defaultRegion = "cn-north-1";
    input.state.region = "cn-north-1";
    const s = synthInput(input);
    const doc = keyPolicy(s, "lake", "mlshare: datasets of this account");
    const consumers = doc.Statement.find((st: any) => st.Sid === "ConsumerAccountsDecryptThroughS3");
    expect(consumers.Condition.StringEquals["kms:ViaService"]).toBe("s3.cn-north-1.amazonaws.com.cn");
    expect(consumers.Condition.StringEquals["kms:CallerAccount"]).toBe("100000000003");
    expect(doc.Statement.find((st: any) => st.Sid === "AccountAdministersKey").Principal.AWS).toBe("arn:aws-cn:iam::100000000002:root");
  });
});
