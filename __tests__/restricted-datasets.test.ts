/**
 * Restricted datasets and the upload rules of every bucket, proven with AWS's evaluation
 * logic (@cloud-copilot/iam-simulate) over the synthesized JSON: a restricted dataset has a
 * bucket of its own whose default encryption is its own key, so a read-write consumer's
 * multipart upload (whose parts carry no encryption header) works, while an upload naming
 * another key, SSE-S3 or a customer-provided key (SSE-C) is denied; keys serve consumers only
 * for their own bucket (the encryption context S3 sends).
 */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { accountOf } from "../config/model";
import { readerRoleName } from "../config/naming";
import { planDataBuckets } from "../sharing/data-plan";
import { Decision, simulate, StackPolicies } from "./helpers/stack-policies";
import { planStacks, validateStacks, withoutImports } from "./helpers/terraform";
import { problemsOf, resolve } from "./helpers/topology";
import { stackText, synthInput } from "./helpers/synth";

const ORG = "o-abcdefghij";
const REGION = "eu-west-1";
const ID = { mgmt: "100000000001", lake: "100000000002", science: "100000000003", ops: "100000000004", other: "100000000005" };
const role = (account: keyof typeof ID, name: string) => `arn:aws:iam::${ID[account]}:role/${name}`;

const RESTRICTED = `mini-rd-pii-${ID.lake}-${REGION}`;
const DATA = `mini-data-${ID.lake}-${REGION}`;
const PII_KEY = "alias/mini/dataset/pii";
const DATA_KEY = "alias/mini/datasets";
const READER_ROLE = role("lake", readerRoleName("mini", ID.ops, "read-write", ["etl"]));
/** The external id names the grant: project, consumer account, access and roles. */
const EXTERNAL_ID = "mini:ops:read-write:etl";

const WRITER = role("science", "writer");
const ETL = role("ops", "etl");
const READER = role("other", "reader");
const SCIENCE_ADMIN = role("science", "admin");
const OPS_ADMIN = role("ops", "admin");

/** A restricted dataset written by a bucket-policy and an assume-role consumer, read by a third; and a dataset of the data bucket. */
function topology(): any {
  return {
    version: 1,
    project: "mini",
    defaultRegion: REGION,
    organization: { id: ORG, managementAccount: "mgmt" },
    state: { bucket: "mini-tfstate", region: REGION },
    accounts: Object.fromEntries(Object.entries(ID).map(([k, id]) => [k, { id }])),
    datasets: [
      {
        name: "pii",
        account: "lake",
        classification: "restricted",
        consumers: [
          { account: "science", access: "read-write", roles: ["writer"] },
          { account: "ops", access: "read-write", via: "assume-role", roles: ["etl"] },
          { account: "other", access: "read", roles: ["reader"] },
        ],
      },
      { name: "events", account: "lake", consumers: [{ account: "science", access: "read-write", roles: ["writer"] }] },
    ],
  };
}

const out = synthInput(topology());
const stacks = new StackPolicies(out);
const pii = stacks.key(PII_KEY);
const dataKey = stacks.key(DATA_KEY);

/** What a role could give itself in its own account: every action on everything. */
const EVERYTHING = [{ name: "(test) allows itself everything", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }];

/** A caller: a consumer role, or a session of the reader role it assumed. */
interface Caller {
  readonly principal: string;
  readonly roleArn: string;
  readonly identity: readonly { name: string; policy: unknown }[];
}

const asRole = (arn: string, identity = stacks.identityPolicies(arn)): Caller => ({ principal: arn, roleArn: arn, identity });
const readerSession: Caller = {
  principal: `arn:aws:sts::${ID.lake}:assumed-role/${READER_ROLE.split("/").pop()}/etl`,
  roleArn: READER_ROLE,
  identity: stacks.identityPolicies(READER_ROLE),
};

/** Encryption headers of an upload. */
type Headers = Record<string, string>;
const SSE_C = { "s3:x-amz-server-side-encryption-customer-algorithm": "AES256" };
const SSE_S3 = { "s3:x-amz-server-side-encryption": "AES256" };
const withKey = (arn: string) => ({ "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": arn });

/** The S3 request, then the KMS request S3 makes with the caller's credentials (none for SSE-C or SSE-S3). */
async function s3AndKms(c: Caller, action: string, bucket: string, objectKey: string, headers: Headers = {}, context = `arn:aws:s3:::${bucket}`) {
  const s3 = await simulate({
    principal: c.principal,
    roleArn: c.roleArn,
    action,
    resource: `arn:aws:s3:::${bucket}/${objectKey}`,
    resourceAccount: ID.lake,
    identity: c.identity,
    resourcePolicy: stacks.bucketPolicy(bucket),
    context: headers,
    orgId: ORG,
  });
  if (SSE_C["s3:x-amz-server-side-encryption-customer-algorithm"] in headers || headers["s3:x-amz-server-side-encryption"] === "AES256") return { s3, kms: "none" as const };
  const key = headers["s3:x-amz-server-side-encryption-aws-kms-key-id"] === dataKey.arn || bucket === DATA ? dataKey : pii;
  const kms = await kmsUse(c, action.startsWith("s3:Get") ? "kms:Decrypt" : "kms:GenerateDataKey", key, context);
  return { s3, kms };
}

/** A KMS request S3 makes for the caller, with the encryption context S3 sends (the bucket ARN, with S3 Bucket Keys). */
function kmsUse(c: Caller, action: string, key: { arn: string; policy: unknown; aliases: string[] }, encryptionContext: string): Promise<Decision> {
  return simulate({
    principal: c.principal,
    roleArn: c.roleArn,
    action,
    resource: key.arn,
    resourceAccount: ID.lake,
    identity: c.identity,
    resourcePolicy: key.policy,
    viaAwsService: true,
    orgId: ORG,
    context: {
      "kms:ViaService": `s3.${REGION}.amazonaws.com`,
      "kms:CallerAccount": c.roleArn.split(":")[4],
      "kms:ResourceAliases": key.aliases,
      "kms:EncryptionContext:aws:s3:arn": encryptionContext,
      "kms:EncryptionContextKeys": ["aws:s3:arn"],
    },
  });
}

const OK = { s3: "Allowed", kms: "Allowed" };
const put = (c: Caller, headers: Headers = {}, bucket = RESTRICTED) => s3AndKms(c, "s3:PutObject", bucket, "batch/2024/part-0001.parquet", headers);
const get = (c: Caller, bucket = RESTRICTED) => s3AndKms(c, "s3:GetObject", bucket, "batch/2024/part-0001.parquet");

describe("a restricted dataset has a bucket of its own", () => {
  test("named through the naming module, kept on destroy", () => {
    expect(stackText(out, "lake")).toHaveResourceWithProperties(S3Bucket, { bucket: RESTRICTED, force_destroy: false, lifecycle: { prevent_destroy: true } });
  });

  test("a restricted dataset whose bucket name would pass 63 characters is refused with the dataset's path", () => {
    const t = topology();
    t.datasets[0].name = "p".repeat(33);
    const bucket = `mini-rd-${"p".repeat(33)}-${ID.lake}-${REGION}`;
    expect(problemsOf(t)).toEqual([
      `datasets[0].name: the derived bucket name "${bucket}" is ${bucket.length} characters, over AWS's limit of 63; shorten the project prefix or the name`,
    ]);
    // The same name is fine for a dataset of the shared data bucket.
    t.datasets[0].classification = "confidential";
    expect(problemsOf(t)).toEqual([]);
  });
});

describe("the real Terraform and AWS provider accept the stacks", () => {
  test("every stack passes terraform validate and plans offline, creating what it declares", async () => {
    const diagnostics = await validateStacks(out.stacks);
    for (const name of Object.keys(diagnostics)) expect({ stack: name, diagnostics: diagnostics[name] }).toEqual({ stack: name, diagnostics: [] });
    const names = Object.keys(out.stacks).filter((n) => !Object.keys(out.stacks[n].data ?? {}).length);
    const plan = await planStacks(Object.fromEntries(names.map((n) => [n, withoutImports(out.stacks[n])])));
    expect(plan.error).toBeUndefined();
    expect(plan.ok).toBe(true);
    expect([...plan.creates.lake]).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_s3_bucket\.Shares_RestrictedBucket-pii_/)]));
  }, 180_000);
});

describe("when a restricted bucket's policy overflows 20 KB", () => {
  // 400 roles of one consumer: their ARNs alone do not fit a bucket policy beside the baseline.
  const t = topology();
  const roles = Array.from({ length: 400 }, (_, i) => `team-${i}`);
  t.datasets[0].consumers = [{ account: "science", access: "read-write", roles }];
  t.datasets[1].consumers = [{ account: "science", roles }];
  const topo = resolve(t);
  const plans = planDataBuckets(topo, accountOf(topo, "lake"));
  const restricted = plans.find((p) => p.restricted)!;
  const shared = plans.find((p) => !p.restricted)!;

  test("the consumer reaches the restricted bucket through access points of its own, named apart from the data bucket's", () => {
    expect(restricted.bucketName).toBe(RESTRICTED);
    expect(restricted.mode).toBe("access-points");
    const names = plans.flatMap((p) => p.accessPoints.map((ap) => ap.name));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(restricted.accessPoints.map((ap) => ap.name)));
  });

  test("the access point grants the bucket's objects and a listing of the whole bucket", () => {
    const [ap] = restricted.accessPoints;
    const objects = ap.statements.find((s) => s.sid.endsWith("Objects"))!;
    expect(objects.resources).toEqual([`${ap.arn}/object/*`]);
    expect(objects.actions).toEqual(expect.arrayContaining(["s3:PutObject", "s3:AbortMultipartUpload"]));
    const list = ap.statements.find((s) => s.sid.endsWith("List"))!;
    expect(list.resources).toEqual([ap.arn]);
    expect(list.conditions?.StringLike).toBeUndefined();
    // The data bucket's access points still list by prefix.
    if (shared.mode === "access-points") {
      expect(shared.accessPoints[0].statements.find((s) => s.sid.endsWith("List"))!.conditions?.StringLike).toEqual({ "s3:prefix": ["events/*"] });
    }
  });
});

// CreateMultipartUpload, UploadPart and CompleteMultipartUpload are all authorized as
// s3:PutObject; only CreateMultipartUpload may carry encryption headers, the parts never do.
describe.each([
  ["a bucket-policy consumer", () => asRole(WRITER)],
  ["an assume-role consumer, through the reader role", () => readerSession],
])("%s with read-write access", (_name, caller) => {
  test("may upload in parts: CreateMultipartUpload, UploadPart and CompleteMultipartUpload without headers", async () => {
    const c = caller();
    expect(await put(c)).toEqual(OK); // CreateMultipartUpload with the bucket's default key
    expect(await put(c)).toEqual(OK); // UploadPart: no encryption header
    expect((await put(c)).s3).toBe("Allowed"); // CompleteMultipartUpload
    expect(
      (await simulate({ principal: c.principal, roleArn: c.roleArn, action: "s3:AbortMultipartUpload", resource: `arn:aws:s3:::${RESTRICTED}/x`, resourceAccount: ID.lake, identity: c.identity, resourcePolicy: stacks.bucketPolicy(RESTRICTED), orgId: ORG })),
    ).toBe("Allowed");
  });

  test("may PutObject without headers and naming the dataset's own key", async () => {
    const c = caller();
    expect(await put(c)).toEqual(OK);
    expect(await put(c, withKey(pii.arn))).toEqual(OK);
  });

  test("may not PutObject naming another key, no key with aws:kms, SSE-S3 or a customer-provided key", async () => {
    const c = caller();
    expect((await put(c, withKey(dataKey.arn))).s3).toBe("ExplicitlyDenied");
    expect((await put(c, withKey(`arn:aws:kms:${REGION}:${ID.science}:key/11111111-2222-3333-4444-555555555555`))).s3).toBe("ExplicitlyDenied");
    expect((await put(c, SSE_S3)).s3).toBe("ExplicitlyDenied");
    // aws:kms without a key id: S3 would use the account's AWS managed key (aws/s3).
    expect((await put(c, { "s3:x-amz-server-side-encryption": "aws:kms" })).s3).toBe("ExplicitlyDenied");
    expect((await put(c, SSE_C)).s3).toBe("ExplicitlyDenied");
  });

  test("reads what it wrote", async () => {
    expect(await get(caller())).toEqual(OK);
  });
});

describe("the reader role", () => {
  test("is assumed by the granted role with the external id, by nobody else", async () => {
    const assume = (c: Caller, externalId?: string) =>
      simulate({
        principal: c.principal,
        action: "sts:AssumeRole",
        resource: READER_ROLE,
        resourceAccount: ID.lake,
        identity: c.identity,
        resourcePolicy: stacks.trustPolicy(READER_ROLE),
        orgId: ORG,
        context: externalId ? { "sts:ExternalId": externalId } : {},
      });
    expect(await assume(asRole(ETL), EXTERNAL_ID)).toBe("Allowed");
    expect(await assume(asRole(ETL))).not.toBe("Allowed");
    expect(await assume(asRole(OPS_ADMIN, EVERYTHING), EXTERNAL_ID)).not.toBe("Allowed");
  });
});

describe("a read-only consumer", () => {
  test("reads the restricted dataset", async () => {
    expect(await get(asRole(READER))).toEqual(OK);
  });

  test("may not write to it, with or without headers", async () => {
    expect((await put(asRole(READER))).s3).not.toBe("Allowed");
    expect((await put(asRole(READER), withKey(pii.arn))).s3).not.toBe("Allowed");
    expect(await kmsUse(asRole(READER), "kms:GenerateDataKey", pii, `arn:aws:s3:::${RESTRICTED}`)).not.toBe("Allowed");
  });
});

describe("principals no grant names", () => {
  test("an administrator of a consumer account reads and writes nothing: S3 refuses, so S3 never asks the key", async () => {
    const admin = asRole(SCIENCE_ADMIN, EVERYTHING);
    for (const bucket of [RESTRICTED, DATA]) {
      expect((await get(admin, bucket)).s3).not.toBe("Allowed");
      expect((await put(admin, {}, bucket)).s3).not.toBe("Allowed");
    }
    // The key admits the account's requests through S3 for its bucket (it names accounts, not
    // roles); every other use by the administrator is refused by the key itself.
    expect(await kmsUse(admin, "kms:Decrypt", pii, `arn:aws:s3:::${RESTRICTED}`)).toBe("Allowed");
    expect(await kmsUse(admin, "kms:Decrypt", pii, `arn:aws:s3:::science-scratch-${ID.science}`)).not.toBe("Allowed");
    expect(await kmsUse(admin, "kms:Decrypt", pii, `arn:aws:s3:::${DATA}`)).not.toBe("Allowed");
  });

  test("an administrator of a consumer account cannot decrypt outside S3, nor through another service", async () => {
    const admin = asRole(SCIENCE_ADMIN, EVERYTHING);
    for (const key of [pii, dataKey]) {
      const direct = await simulate({
        principal: admin.principal,
        action: "kms:Decrypt",
        resource: key.arn,
        resourceAccount: ID.lake,
        identity: admin.identity,
        resourcePolicy: key.policy,
        orgId: ORG,
        context: { "kms:CallerAccount": ID.science, "kms:ResourceAliases": key.aliases, "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${RESTRICTED}`, "kms:EncryptionContextKeys": ["aws:s3:arn"] },
      });
      expect(direct).not.toBe("Allowed");
      const viaOther = await simulate({
        principal: admin.principal,
        action: "kms:Decrypt",
        resource: key.arn,
        resourceAccount: ID.lake,
        identity: admin.identity,
        resourcePolicy: key.policy,
        viaAwsService: true,
        orgId: ORG,
        context: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`, "kms:CallerAccount": ID.science, "kms:ResourceAliases": key.aliases, "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${RESTRICTED}`, "kms:EncryptionContextKeys": ["aws:s3:arn"] },
      });
      expect(viaOther).not.toBe("Allowed");
    }
  });

  test("an account with no grant on a key, and a principal outside the organization, cannot use it even through S3", async () => {
    const mgmtAdmin = asRole(role("mgmt", "admin"), EVERYTHING);
    expect(await kmsUse(mgmtAdmin, "kms:Decrypt", pii, `arn:aws:s3:::${RESTRICTED}`)).not.toBe("Allowed");
    // ops reads pii only through the reader role of the provider account: its own roles are not listed.
    expect(await kmsUse(asRole(OPS_ADMIN, EVERYTHING), "kms:Decrypt", pii, `arn:aws:s3:::${RESTRICTED}`)).not.toBe("Allowed");
    const outside = await simulate({
      principal: "arn:aws:iam::999999999999:role/admin",
      action: "kms:Decrypt",
      resource: pii.arn,
      resourceAccount: ID.lake,
      identity: EVERYTHING,
      resourcePolicy: pii.policy,
      viaAwsService: true,
      orgId: "o-zzzzzzzzzz",
      context: { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:CallerAccount": "999999999999", "kms:ResourceAliases": pii.aliases, "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${RESTRICTED}`, "kms:EncryptionContextKeys": ["aws:s3:arn"] },
    });
    expect(outside).not.toBe("Allowed");
  });

  test("a read-only consumer account cannot have the key encrypt for it, even through S3 for its bucket", async () => {
    const otherAdmin = asRole(role("other", "admin"), EVERYTHING);
    expect(await kmsUse(otherAdmin, "kms:Decrypt", pii, `arn:aws:s3:::${RESTRICTED}`)).toBe("Allowed");
    expect(await kmsUse(otherAdmin, "kms:GenerateDataKey", pii, `arn:aws:s3:::${RESTRICTED}`)).not.toBe("Allowed");
    expect((await put(otherAdmin)).s3).not.toBe("Allowed");
  });

  test("a consumer of the data bucket's dataset gets nothing of the restricted one", async () => {
    const t = topology();
    t.datasets[0].consumers = t.datasets[0].consumers.filter((c: any) => c.account !== "science");
    const other = new StackPolicies(synthInput(t));
    const writer = other.identityPolicies(WRITER);
    expect(JSON.stringify(writer)).not.toContain(RESTRICTED);
    const key = other.key(PII_KEY);
    const decision = await simulate({
      principal: WRITER,
      action: "kms:Decrypt",
      resource: key.arn,
      resourceAccount: ID.lake,
      identity: writer,
      resourcePolicy: key.policy,
      viaAwsService: true,
      orgId: ORG,
      context: { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:CallerAccount": ID.science, "kms:ResourceAliases": key.aliases, "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${RESTRICTED}` },
    });
    expect(decision).not.toBe("Allowed");
  });
});

describe("keys serve consumers only for their own bucket (kms:EncryptionContext:aws:s3:arn)", () => {
  test("the context S3 sends with S3 Bucket Keys (the bucket ARN) passes, and so does an object ARN of the bucket", async () => {
    expect(await kmsUse(asRole(WRITER), "kms:Decrypt", pii, `arn:aws:s3:::${RESTRICTED}`)).toBe("Allowed");
    expect(await kmsUse(asRole(WRITER), "kms:Decrypt", pii, `arn:aws:s3:::${RESTRICTED}/batch/part-1`)).toBe("Allowed");
    expect(await kmsUse(readerSession, "kms:GenerateDataKey", pii, `arn:aws:s3:::${RESTRICTED}`)).toBe("Allowed");
  });

  test("the key refuses S3 acting for another bucket: a consumer's own, or another of the provider's", async () => {
    const ownBucket = `arn:aws:s3:::science-scratch-${ID.science}`;
    expect(await kmsUse(asRole(WRITER), "kms:Decrypt", pii, ownBucket)).not.toBe("Allowed");
    expect(await kmsUse(asRole(WRITER), "kms:GenerateDataKey", pii, ownBucket)).not.toBe("Allowed");
    expect(await kmsUse(asRole(WRITER), "kms:Decrypt", pii, `arn:aws:s3:::${DATA}`)).not.toBe("Allowed");
    expect(await kmsUse(asRole(WRITER), "kms:Decrypt", dataKey, `arn:aws:s3:::${RESTRICTED}`)).not.toBe("Allowed");
    // A bucket whose name starts with the right one is another bucket.
    expect(await kmsUse(asRole(WRITER), "kms:Decrypt", pii, `arn:aws:s3:::${RESTRICTED}-copy`)).not.toBe("Allowed");
    expect(await kmsUse(readerSession, "kms:Decrypt", pii, ownBucket)).not.toBe("Allowed");
  });

  test("the data bucket's dataset still reads and uploads in parts, and refuses SSE-C", async () => {
    const writer = asRole(WRITER);
    expect(await s3AndKms(writer, "s3:GetObject", DATA, "events/day=1/part-0")).toEqual(OK);
    expect(await s3AndKms(writer, "s3:PutObject", DATA, "events/day=1/part-0")).toEqual(OK);
    expect((await s3AndKms(writer, "s3:PutObject", DATA, "events/day=1/part-0", SSE_C)).s3).toBe("ExplicitlyDenied");
    expect((await s3AndKms(writer, "s3:PutObject", DATA, "events/day=1/part-0", withKey(pii.arn))).s3).toBe("ExplicitlyDenied");
  });
});

describe("the owner account's grants on the keys", () => {
  const ownerAdmin = asRole(role("lake", "admin"), EVERYTHING);
  const grant = (context: Record<string, string | string[]>) =>
    simulate({ principal: ownerAdmin.principal, action: "kms:CreateGrant", resource: pii.arn, resourceAccount: ID.lake, identity: ownerAdmin.identity, resourcePolicy: pii.policy, orgId: ORG, context });

  test("a grant for an outside principal, which would ignore the via-S3 conditions, is refused", async () => {
    expect(
      await grant({ "kms:GrantIsForAWSResource": "false", "kms:GranteePrincipal": "arn:aws:iam::999999999999:role/x", "kms:GrantOperations": ["Decrypt"], "kms:CallerAccount": ID.lake }),
    ).not.toBe("Allowed");
  });

  test("a grant an AWS service makes for a resource of the account is allowed", async () => {
    expect(await grant({ "kms:GrantIsForAWSResource": "true", "kms:CallerAccount": ID.lake, "kms:ViaService": `ec2.${REGION}.amazonaws.com` })).toBe("Allowed");
  });

  test("the owner's own principals still use the key through S3", async () => {
    const owner = asRole(role("lake", "pipeline"), EVERYTHING);
    expect(await kmsUse(owner, "kms:GenerateDataKey", pii, `arn:aws:s3:::${RESTRICTED}`)).toBe("Allowed");
  });
});
