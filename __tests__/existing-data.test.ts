/**
 * Datasets in existing buckets and keys (`datasets[].existing`), proven with AWS's evaluation
 * logic (@cloud-copilot/iam-simulate) over the synthesized JSON of examples/existing-data.yaml:
 * - clickstream: an existing bucket with a customer key, access-points mode, read by two
 *   consumer accounts (one through its SageMaker user): access point policy, the owner's
 *   one-time bucket and key statements (the provider's `existing_data` output), identity policy;
 * - sales: an SSE-S3 bucket adopted with two current statements (a crawler's Allow, a Deny);
 * - payroll: restricted, in an existing bucket with a key, adopted, read-write through a
 *   reader role (assume-role);
 * - features: a dataset of mlshare's own data bucket beside them.
 * Each grant is allowed end to end through its route; another role of a consumer account, an
 * object outside the prefix and kms:Decrypt outside S3 are denied; the current statements are
 * kept verbatim and still decide. Every refusal of the rules is asserted with its message.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { promisify } from "util";
import { parse } from "yaml";
import { TopologyError } from "../config/errors";
import { loadTopology } from "../config/load";
import { reviewOutput } from "../review/review";
import { Decision, simulate, StackPolicies } from "./helpers/stack-policies";
import { readerRoleName } from "../config/naming";
import { synthInput } from "./helpers/synth";
import { Diagnostic, planStacks, PLUGIN_DIR, requireTerraform, validateStacks, withoutImports } from "./helpers/terraform";
import { tempDir } from "./helpers/tmp";

const EXAMPLES = path.join(__dirname, "..", "examples");
const EXAMPLE = path.join(EXAMPLES, "existing-data.yaml");
const ORG = "o-lake123456";
const REGION = "eu-west-1";
const ID = { management: "300000000001", lake: "300000000002", science: "300000000003", finance: "300000000004" };
const role = (account: keyof typeof ID, name: string) => `arn:aws:iam::${ID[account]}:role/${name}`;
const CURATED_KEY = "arn:aws:kms:eu-west-1:300000000002:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const RESTRICTED_KEY = "arn:aws:kms:eu-west-1:300000000002:key/1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1";
const ALICE = role("science", "lakeml-sm-alice");
const BI = role("finance", "bi-reader");
const ANALYST = role("science", "analyst");
const ETL = role("finance", "payroll-etl");
const READER = role("lake", readerRoleName("lakeml", ID.finance, "read-write", ["payroll-etl"]));
const CRAWLER = role("lake", "glue-crawler");
const ap = (consumer: keyof typeof ID) => `arn:aws:s3:${REGION}:${ID.lake}:accesspoint/lakeml-ex-${ID[consumer]}-1`;

const out = synthInput(loadTopology(EXAMPLE));
const stacks = new StackPolicies(out);
const lake = out.stacks.lake as any;
const existingOutput = lake.output.existing_data.value;

/** What a role could give itself in its own account: every action on everything. */
const EVERYTHING = [{ name: "(test) allows itself everything", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }];

function resources(type: string): any[] {
  return Object.values(lake.resource[type] ?? {});
}
const adoptedBucketPolicy = (bucket: string) => JSON.parse(resources("aws_s3_bucket_policy").find((p) => p.bucket === bucket).policy);
const adoptedKeyPolicy = (keyArn: string) => JSON.parse(resources("aws_kms_key_policy").find((p) => keyArn.endsWith(`/${p.key_id}`)).policy);
const accessPointPolicy = (arn: string) => JSON.parse(resources("aws_s3_access_point").find((p) => arn.endsWith(`/${p.name}`)).policy);
/** The owner's one-time statements, as the provider stack outputs them (access-points mode). */
const ownerBucketStatements = JSON.parse(existingOutput["corp-lake-curated"].ownerBucketPolicyStatements);
const ownerKeyStatements = JSON.parse(existingOutput["corp-lake-curated"].keys[CURATED_KEY].ownerKeyPolicyStatements);

interface Caller {
  readonly principal: string;
  readonly roleArn: string;
  readonly identity: readonly { name: string; policy: unknown }[];
}
/**
 * The data grants mlshare attaches to a role (its inline policy `lakeml-data-grants`), by the
 * role's ARN: the only identity policy of a consumer role that names shared data.
 */
function grants(roleArn: string): { name: string; policy: any }[] {
  const [, , , , accountId, resource] = roleArn.split(":");
  const name = resource.split("/").pop();
  const stack = out.topology.accounts.find((a) => a.id === accountId)!.key;
  const res = (out.stacks[stack] as any).resource ?? {};
  const roleRef = (ref: string) => {
    const m = /^\$\{aws_iam_role\.([^.]+)\.name\}$/.exec(ref);
    return m ? res.aws_iam_role[m[1]].name : ref;
  };
  return Object.values<any>(res.aws_iam_role_policy ?? {})
    .filter((p) => p.name === "lakeml-data-grants" && roleRef(p.role) === name)
    .map((p) => ({ name: p.name, policy: JSON.parse(p.policy) }));
}
const asRole = (arn: string, identity = grants(arn)): Caller => ({ principal: arn, roleArn: arn, identity });
const readerSession: Caller = { principal: `arn:aws:sts::${ID.lake}:assumed-role/${READER.split("/").pop()}/etl`, roleArn: READER, identity: grants(READER) };

/** The KMS request S3 makes with the caller's credentials, with the context S3 sends (the bucket's ARN). */
function kmsThroughS3(c: Caller, action: string, keyArn: string, keyPolicy: unknown, bucket: string): Promise<Decision> {
  return simulate({
    principal: c.principal,
    roleArn: c.roleArn,
    action,
    resource: keyArn,
    resourceAccount: ID.lake,
    identity: c.identity,
    resourcePolicy: keyPolicy,
    viaAwsService: true,
    orgId: ORG,
    context: {
      "kms:ViaService": `s3.${REGION}.amazonaws.com`,
      "kms:CallerAccount": c.roleArn.split(":")[4],
      "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${bucket}`,
      "kms:EncryptionContextKeys": ["aws:s3:arn"],
    },
  });
}

/**
 * The bucket policy's check of a request made through an access point: S3 sets the access
 * point keys, which AWS's action data does not list for bucket resources, so the simulator's
 * unvalidated evaluation takes them; the identity side was decided at the access point.
 */
async function bucketCheckThroughAccessPoint(c: Caller, action: string, objectArn: string, accessPointArn: string, bucketPolicy: unknown): Promise<Decision> {
  return (await runUnsafeSimulation(
    {
      request: {
        principal: c.principal,
        action,
        resource: { resource: objectArn, accountId: ID.lake },
        contextVariables: {
          "aws:PrincipalArn": c.roleArn,
          "aws:PrincipalAccount": c.roleArn.split(":")[4],
          "aws:PrincipalOrgID": ORG,
          "aws:SecureTransport": "true",
          "s3:DataAccessPointAccount": ID.lake,
          "s3:DataAccessPointArn": accessPointArn,
          "s3:AccessPointNetworkOrigin": "Internet",
        },
      },
      identityPolicies: [{ name: "(authorized at the access point)", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: { __validated: true, policyDocument: bucketPolicy, metadata: { name: "bucket policy" }, errors: [] } as any,
    },
    {},
  )) as Decision;
}

/** A read through an access point, end to end: the access point, the bucket's delegation, the key. */
async function readThroughAccessPoint(c: Caller, accessPointArn: string, objectKey: string) {
  const atAccessPoint = await simulate({
    principal: c.principal,
    roleArn: c.roleArn,
    action: "s3:GetObject",
    resource: `${accessPointArn}/object/${objectKey}`,
    resourceAccount: ID.lake,
    identity: c.identity,
    resourcePolicy: accessPointPolicy(accessPointArn),
    orgId: ORG,
  });
  const atBucket = await bucketCheckThroughAccessPoint(c, "s3:GetObject", `arn:aws:s3:::corp-lake-curated/${objectKey}`, accessPointArn, ownerBucketStatements);
  const kms = await kmsThroughS3(c, "kms:Decrypt", CURATED_KEY, ownerKeyStatements, "corp-lake-curated");
  return { atAccessPoint, atBucket, kms };
}

/** A request straight to an adopted bucket. */
function direct(c: Caller, action: string, bucket: string, objectKey: string, context: Record<string, string> = {}): Promise<Decision> {
  return simulate({
    principal: c.principal,
    roleArn: c.roleArn,
    action,
    resource: `arn:aws:s3:::${bucket}/${objectKey}`,
    resourceAccount: ID.lake,
    identity: c.identity,
    resourcePolicy: adoptedBucketPolicy(bucket),
    orgId: ORG,
    context,
  });
}

const ALLOWED = { atAccessPoint: "Allowed", atBucket: "Allowed", kms: "Allowed" };

describe("nothing of the owner's is created or replaced", () => {
  const existingBuckets = ["corp-lake-curated", "corp-lake-raw", "corp-lake-restricted"];

  test("no bucket, bucket setting or key for an existing bucket or key, in any stack", () => {
    for (const [name, stack] of Object.entries(out.stacks)) {
      for (const [type, byId] of Object.entries((stack as any).resource ?? {})) {
        for (const r of Object.values(byId as Record<string, any>)) {
          if (type.startsWith("aws_s3_bucket") && type !== "aws_s3_bucket_policy") expect({ stack: name, type, bucket: r.bucket }).not.toEqual(expect.objectContaining({ bucket: expect.stringMatching(/^corp-lake-/) }));
        }
      }
      expect(Object.values((stack as any).resource?.aws_kms_key ?? {}).length).toBe(name === "lake" ? 1 : (stack as any).resource?.aws_kms_key ? Object.keys((stack as any).resource.aws_kms_key).length : 0);
    }
    // The lake's one key is mlshare's dataset key for `features`, under its alias.
    expect(resources("aws_kms_alias").map((a) => a.name)).toEqual(["alias/lakeml/datasets"]);
    expect(resources("aws_s3_bucket").map((b) => b.bucket).sort()).toEqual([`lakeml-data-${ID.lake}-${REGION}`, `lakeml-logs-${ID.lake}-${REGION}`]);
    for (const b of existingBuckets) expect(resources("aws_s3_bucket").some((x) => x.bucket === b)).toBe(false);
  });

  test("adopted policies are imported, by the bucket name and the key id", () => {
    expect(lake.import.map((i: any) => i.id).sort()).toEqual(["1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1", "corp-lake-raw", "corp-lake-restricted"]);
    for (const i of lake.import) expect(i.to).toMatch(/^aws_(s3_bucket_policy|kms_key_policy)\./);
    // No policy of the access-points bucket, nor of its key: they stay the owner's.
    expect(resources("aws_s3_bucket_policy").some((p) => p.bucket === "corp-lake-curated")).toBe(false);
    expect(resources("aws_kms_key_policy").map((p) => p.key_id)).toEqual(["1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1"]);
  });

  test("an adopted document is the current statements verbatim, then mlshare's", () => {
    const current = JSON.parse(fs.readFileSync(path.join(EXAMPLES, "policies", "corp-lake-raw.bucket.json"), "utf8"));
    const adopted = adoptedBucketPolicy("corp-lake-raw");
    expect(adopted.Statement.slice(0, 2)).toEqual(current.Statement);
    expect(adopted.Statement.slice(2).every((s: any) => s.Sid.startsWith("Mlshare"))).toBe(true);
    const key = JSON.parse(fs.readFileSync(path.join(EXAMPLES, "policies", "corp-lake-restricted.key.json"), "utf8"));
    const adoptedKey = adoptedKeyPolicy(RESTRICTED_KEY);
    expect(adoptedKey.Id).toBe(key.Id);
    expect(adoptedKey.Statement[0]).toEqual(key.Statement[0]);
  });

  test("a TLS-only Deny is added when the current policy has none, and said so in the output", () => {
    const raw = adoptedBucketPolicy("corp-lake-raw").Statement.filter((s: any) => s.Condition?.Bool?.["aws:SecureTransport"] === "false");
    expect(raw.map((s: any) => s.Sid)).toEqual(["MlshareDenyInsecureTransport"]);
    expect(existingOutput["corp-lake-raw"].adopted.tlsDenyAdded).toBe(true);
    // The restricted bucket's policy has its own: none is added.
    const restricted = adoptedBucketPolicy("corp-lake-restricted").Statement.filter((s: any) => s.Condition?.Bool?.["aws:SecureTransport"] === "false");
    expect(restricted.map((s: any) => s.Sid)).toEqual(["DenyInsecureTransport"]);
    expect(existingOutput["corp-lake-restricted"].adopted.tlsDenyAdded).toBe(false);
  });

  test("the provider outputs the owner's one-time statements and the access points per consumer", () => {
    expect(ownerBucketStatements.Statement.map((s: any) => s.Sid)).toEqual(["MlshareDelegateToAccessPoints"]);
    expect(ownerKeyStatements.Statement.map((s: any) => s.Sid)).toEqual(["MlshareConsumerAccountsDecryptThroughS3"]);
    // As for mlshare's own keys: accounts, never roles, within the organization, through S3, for the bucket.
    const [consumers] = ownerKeyStatements.Statement;
    expect(consumers.Principal).toBe("*");
    expect(consumers.Condition.StringEquals).toEqual({
      "kms:ViaService": `s3.${REGION}.amazonaws.com`,
      "kms:CallerAccount": [ID.science, ID.finance].sort(),
      "aws:PrincipalOrgID": ORG,
    });
    expect(consumers.Condition.StringLike["kms:EncryptionContext:aws:s3:arn"]).toEqual(["arn:aws:s3:::corp-lake-curated", "arn:aws:s3:::corp-lake-curated/*"]);
    expect(JSON.stringify(ownerKeyStatements)).not.toContain(":role/");
    const aps = existingOutput["corp-lake-curated"].accessPoints;
    expect(aps.science[0].arn).toBe(ap("science"));
    expect(aps.finance[0].arn).toBe(ap("finance"));
    expect(aps.finance[0].alias).toMatch(/^\$\{aws_s3_access_point\..+\.alias\}$/);
    const consumer = (out.stacks.finance as any).output.datasets.value.clickstream;
    expect(consumer).toEqual(expect.objectContaining({ accessPointArn: ap("finance"), kmsKeyArn: CURATED_KEY, s3Uri: "s3://corp-lake-curated/events/clickstream/", policies: "access-points" }));
  });
});

describe("access-points: two consumer accounts read through access points of their own", () => {
  test.each([
    ["the SageMaker user of science", ALICE, "science"],
    ["finance's bi-reader", BI, "finance"],
  ] as const)("%s reads, end to end", async (_, arn, account) => {
    expect(await readThroughAccessPoint(asRole(arn), ap(account), "events/clickstream/2024/01/part-0.parquet")).toEqual(ALLOWED);
  });

  test("another role of a consumer account (an administrator) is denied at the access point", async () => {
    const admin = asRole(role("science", "admin"), EVERYTHING);
    expect((await readThroughAccessPoint(admin, ap("science"), "events/clickstream/x.parquet")).atAccessPoint).toBe("ImplicitlyDenied");
  });

  test("a consumer cannot use another account's access point", async () => {
    expect((await readThroughAccessPoint(asRole(BI), ap("science"), "events/clickstream/x.parquet")).atAccessPoint).toBe("ImplicitlyDenied");
  });

  test("an object outside the prefix is denied", async () => {
    expect((await readThroughAccessPoint(asRole(ALICE), ap("science"), "events/orders/x.parquet")).atAccessPoint).toBe("ImplicitlyDenied");
  });

  test("the owner's delegation admits only mlshare's access points of the account, and only the prefix", async () => {
    const objectArn = "arn:aws:s3:::corp-lake-curated/events/clickstream/x.parquet";
    const other = `arn:aws:s3:${REGION}:${ID.lake}:accesspoint/someone-elses`;
    expect(await bucketCheckThroughAccessPoint(asRole(ALICE), "s3:GetObject", objectArn, other, ownerBucketStatements)).toBe("ImplicitlyDenied");
    expect(await bucketCheckThroughAccessPoint(asRole(ALICE), "s3:GetObject", "arn:aws:s3:::corp-lake-curated/hr/x", ap("science"), ownerBucketStatements)).toBe("ImplicitlyDenied");
    expect(await bucketCheckThroughAccessPoint(asRole(ALICE), "s3:PutObject", objectArn, ap("science"), ownerBucketStatements)).toBe("ImplicitlyDenied");
  });

  test("kms:Decrypt outside S3 is denied, and through S3 only for the bucket", async () => {
    const direct = await simulate({
      principal: ALICE,
      action: "kms:Decrypt",
      resource: CURATED_KEY,
      resourceAccount: ID.lake,
      identity: grants(ALICE),
      resourcePolicy: ownerKeyStatements,
      orgId: ORG,
      context: { "kms:CallerAccount": ID.science },
    });
    expect(direct).toBe("ImplicitlyDenied");
    expect(await kmsThroughS3(asRole(ALICE), "kms:Decrypt", CURATED_KEY, ownerKeyStatements, "corp-lake-raw")).toBe("ImplicitlyDenied");
  });

  test("an administrator of a consumer account is refused by S3 on both routes, though its account may use the key through S3", async () => {
    const admin = asRole(role("science", "admin"), EVERYTHING);
    // Straight to the bucket: the owner's statements admit only requests through mlshare's access points.
    const atBucket = await simulate({
      principal: admin.principal,
      action: "s3:GetObject",
      resource: "arn:aws:s3:::corp-lake-curated/events/clickstream/x.parquet",
      resourceAccount: ID.lake,
      identity: admin.identity,
      resourcePolicy: ownerBucketStatements,
      orgId: ORG,
    });
    expect(atBucket).toBe("ImplicitlyDenied");
    expect((await readThroughAccessPoint(admin, ap("science"), "events/clickstream/x.parquet")).atAccessPoint).toBe("ImplicitlyDenied");
    // The key names the account, so the refusal above is what keeps the administrator out.
    expect(await kmsThroughS3(admin, "kms:Decrypt", CURATED_KEY, ownerKeyStatements, "corp-lake-curated")).toBe("Allowed");
  });

  test("an account of the organization without a grant, and an account outside it, are refused by the key", async () => {
    const management = asRole(role("management", "admin"), EVERYTHING);
    expect(await kmsThroughS3(management, "kms:Decrypt", CURATED_KEY, ownerKeyStatements, "corp-lake-curated")).toBe("ImplicitlyDenied");
    const outsider = asRole("arn:aws:iam::999999999999:role/admin", EVERYTHING);
    const decision = await simulate({
      principal: outsider.principal,
      action: "kms:Decrypt",
      resource: CURATED_KEY,
      resourceAccount: ID.lake,
      identity: outsider.identity,
      resourcePolicy: ownerKeyStatements,
      viaAwsService: true,
      orgId: "o-other000000",
      context: {
        "kms:ViaService": `s3.${REGION}.amazonaws.com`,
        "kms:CallerAccount": ID.science,
        "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::corp-lake-curated",
        "kms:EncryptionContextKeys": ["aws:s3:arn"],
      },
    });
    expect(decision).toBe("ImplicitlyDenied");
  });
});

describe("adopt, with a key and a bucket-policy grant: the adopted key names the account, the bucket policy the role", () => {
  /** The example with science's analyst also reading payroll straight from the adopted bucket. */
  const variant = (() => {
    const dir = tempDir("mlshare-existing-adopted-key-");
    fs.cpSync(path.join(EXAMPLES, "policies"), path.join(dir, "policies"), { recursive: true });
    const t = parse(fs.readFileSync(EXAMPLE, "utf8"));
    t.datasets[2].consumers.push({ account: "science", roles: ["analyst"] });
    const file = path.join(dir, "topology.json");
    fs.writeFileSync(file, JSON.stringify(t));
    return synthInput(loadTopology(file));
  })();
  const policies = new StackPolicies(variant);
  const lakeRes = (type: string) => Object.values<any>((variant.stacks.lake as any).resource[type] ?? {});
  const key = JSON.parse(lakeRes("aws_kms_key_policy").find((p) => RESTRICTED_KEY.endsWith(`/${p.key_id}`)).policy);
  const bucket = JSON.parse(lakeRes("aws_s3_bucket_policy").find((p) => p.bucket === "corp-lake-restricted").policy);
  const analyst = asRole(ANALYST, policies.identityPolicies(ANALYST));
  const read = (c: Caller) =>
    simulate({ principal: c.principal, roleArn: c.roleArn, action: "s3:GetObject", resource: "arn:aws:s3:::corp-lake-restricted/payroll/2024/01.parquet", resourceAccount: ID.lake, identity: c.identity, resourcePolicy: bucket, orgId: ORG });

  test("the key's statements: the current one verbatim, the granted account's use through S3, the reader role by name", () => {
    expect(key.Statement.map((s: any) => s.Sid)).toEqual(["Enable IAM User Permissions", "MlshareConsumerAccountsDecryptThroughS3", "MlshareReaderRolesReadWriteThroughS3"]);
    const consumers = key.Statement[1];
    expect(consumers.Principal).toBe("*");
    expect(consumers.Condition.StringEquals).toEqual({ "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:CallerAccount": ID.science, "aws:PrincipalOrgID": ORG });
    expect(JSON.stringify(consumers)).not.toContain(":role/");
  });

  test("the declared role reads end to end; the reader session still writes", async () => {
    expect(await read(analyst)).toBe("Allowed");
    expect(await kmsThroughS3(analyst, "kms:Decrypt", RESTRICTED_KEY, key, "corp-lake-restricted")).toBe("Allowed");
    expect(await kmsThroughS3(readerSession, "kms:GenerateDataKey", RESTRICTED_KEY, key, "corp-lake-restricted")).toBe("Allowed");
  });

  test("an administrator of the consumer account is refused by S3; a read grant gives no encryption", async () => {
    expect(await read(asRole(role("science", "admin"), EVERYTHING))).toBe("ImplicitlyDenied");
    expect(await kmsThroughS3(analyst, "kms:GenerateDataKey", RESTRICTED_KEY, key, "corp-lake-restricted")).toBe("ImplicitlyDenied");
  });

  test("no decrypt outside S3, nor through S3 for another bucket", async () => {
    const outside = await simulate({ principal: ANALYST, action: "kms:Decrypt", resource: RESTRICTED_KEY, resourceAccount: ID.lake, identity: analyst.identity, resourcePolicy: key, orgId: ORG, context: { "kms:CallerAccount": ID.science } });
    expect(outside).toBe("ImplicitlyDenied");
    expect(await kmsThroughS3(analyst, "kms:Decrypt", RESTRICTED_KEY, key, "corp-lake-raw")).toBe("ImplicitlyDenied");
  });

  test("a consumer account with no bucket-policy grant on the key is refused by it, even through S3", async () => {
    // finance reaches payroll only through the reader role; its own roles get nothing from the key.
    expect(await kmsThroughS3(asRole(role("finance", "admin"), EVERYTHING), "kms:Decrypt", RESTRICTED_KEY, key, "corp-lake-restricted")).toBe("ImplicitlyDenied");
    expect(await kmsThroughS3(asRole(role("management", "admin"), EVERYTHING), "kms:Decrypt", RESTRICTED_KEY, key, "corp-lake-restricted")).toBe("ImplicitlyDenied");
  });
});

describe("adopt: an SSE-S3 bucket whose current statements stay and still decide", () => {
  test("the granted role reads the prefix, with no KMS part", async () => {
    expect(await direct(asRole(ANALYST), "s3:GetObject", "corp-lake-raw", "sales/2024/q1.csv")).toBe("Allowed");
    expect(grants(ANALYST).flatMap((p) => p.policy.Statement).filter((s: any) => JSON.stringify(s).includes("corp-lake-raw") && JSON.stringify(s.Action).includes("kms:"))).toEqual([]);
  });

  test("another role of the consumer account and an object outside the prefix are denied", async () => {
    expect(await direct(asRole(role("science", "admin"), EVERYTHING), "s3:GetObject", "corp-lake-raw", "sales/2024/q1.csv")).toBe("ImplicitlyDenied");
    expect(await direct(asRole(ANALYST), "s3:GetObject", "corp-lake-raw", "hr/salaries.csv")).toBe("ImplicitlyDenied");
  });

  test("the crawler still reads the whole bucket (its Allow, verbatim)", async () => {
    expect(await direct(asRole(CRAWLER, []), "s3:GetObject", "corp-lake-raw", "anything/at/all.json")).toBe("Allowed");
  });

  test("the current Deny still denies, even an administrator of the owning account", async () => {
    expect(await direct(asRole(role("lake", "admin"), EVERYTHING), "s3:DeleteObject", "corp-lake-raw", "sales/2024/q1.csv")).toBe("ExplicitlyDenied");
  });

  test("the added TLS Deny denies a plain-HTTP read of the granted role", async () => {
    expect(await direct(asRole(ANALYST), "s3:GetObject", "corp-lake-raw", "sales/2024/q1.csv", { "aws:SecureTransport": "false" })).toBe("ExplicitlyDenied");
  });
});

describe("adopt, restricted, read-write through a reader role", () => {
  const trust = stacks.trustPolicy(READER);
  const assume = (c: Caller, externalId = "lakeml:finance:read-write:payroll-etl") =>
    simulate({ principal: c.principal, action: "sts:AssumeRole", resource: READER, resourceAccount: ID.lake, identity: c.identity, resourcePolicy: trust, orgId: ORG, context: { "sts:ExternalId": externalId } });

  test("the granted role assumes the reader role; an administrator of its account does not", async () => {
    expect(await assume(asRole(ETL))).toBe("Allowed");
    expect(await assume(asRole(role("finance", "admin"), EVERYTHING))).toBe("ImplicitlyDenied");
  });

  test("the reader session writes and reads the prefix, S3 using the key for it", async () => {
    expect(await direct(readerSession, "s3:PutObject", "corp-lake-restricted", "payroll/2024/01.parquet")).toBe("Allowed");
    expect(await direct(readerSession, "s3:GetObject", "corp-lake-restricted", "payroll/2024/01.parquet")).toBe("Allowed");
    const key = adoptedKeyPolicy(RESTRICTED_KEY);
    expect(await kmsThroughS3(readerSession, "kms:GenerateDataKey", RESTRICTED_KEY, key, "corp-lake-restricted")).toBe("Allowed");
    expect(await kmsThroughS3(readerSession, "kms:Decrypt", RESTRICTED_KEY, key, "corp-lake-restricted")).toBe("Allowed");
  });

  test("outside the prefix, with SSE-C, and kms:Decrypt outside S3 are denied", async () => {
    expect(await direct(readerSession, "s3:GetObject", "corp-lake-restricted", "hr/x.parquet")).toBe("ImplicitlyDenied");
    expect(
      await direct(readerSession, "s3:PutObject", "corp-lake-restricted", "payroll/2024/02.parquet", { "s3:x-amz-server-side-encryption-customer-algorithm": "AES256" }),
    ).toBe("ExplicitlyDenied");
    const decrypt = await simulate({
      principal: readerSession.principal,
      roleArn: READER,
      action: "kms:Decrypt",
      resource: RESTRICTED_KEY,
      resourceAccount: ID.lake,
      identity: readerSession.identity,
      resourcePolicy: adoptedKeyPolicy(RESTRICTED_KEY),
      orgId: ORG,
      context: { "kms:CallerAccount": ID.lake },
    });
    expect(decrypt).toBe("ImplicitlyDenied");
  });
});

describe("the managed dataset beside them keeps today's behaviour", () => {
  test("the analyst reads features from mlshare's data bucket", async () => {
    const bucket = `lakeml-data-${ID.lake}-${REGION}`;
    const s3 = await simulate({
      principal: ANALYST,
      action: "s3:GetObject",
      resource: `arn:aws:s3:::${bucket}/features/x.parquet`,
      resourceAccount: ID.lake,
      identity: grants(ANALYST),
      resourcePolicy: stacks.bucketPolicy(bucket),
      orgId: ORG,
    });
    expect(s3).toBe("Allowed");
  });
});

describe("the real Terraform and AWS provider accept the stacks", () => {
  test("the provider stack, import blocks included, passes terraform validate as a root module", async () => {
    expect(lake.import.length).toBe(3);
    expect(await validateAsRootModule(lake)).toEqual([]);
  }, 240_000);

  test("every stack passes terraform validate and plans offline (imports aside), creating what it declares", async () => {
    // Terraform takes import blocks only in a root module, which validateStacks' child modules are not.
    const diagnostics = await validateStacks(Object.fromEntries(Object.entries(out.stacks).map(([n, s]) => [n, withoutImports(s)])));
    for (const name of Object.keys(diagnostics)) expect({ stack: name, diagnostics: diagnostics[name] }).toEqual({ stack: name, diagnostics: [] });
    const names = Object.keys(out.stacks).filter((n) => !Object.keys(out.stacks[n].data ?? {}).length);
    const plan = await planStacks(Object.fromEntries(names.map((n) => [n, withoutImports(out.stacks[n])])));
    expect(plan.error).toBeUndefined();
    expect(plan.ok).toBe(true);
    expect(plan.creates.lake.filter((a) => a.startsWith("aws_s3_bucket.")).length).toBe(2);
  }, 240_000);
});

const run = promisify(execFile);
const tfEnv = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_CONFIG_FILE: "/dev/null" };

/** `terraform validate` of one stack as a root module of its own, where import blocks are allowed. */
async function validateAsRootModule(stack: unknown): Promise<Diagnostic[]> {
  requireTerraform();
  const dir = tempDir("mlshare-tf-root-");
  const copy = JSON.parse(JSON.stringify(stack));
  delete copy.terraform.backend;
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(copy));
  await run("terraform", ["init", "-backend=false", `-plugin-dir=${PLUGIN_DIR}`, "-input=false", "-no-color"], { cwd: dir, env: tfEnv });
  const { stdout } = await run("terraform", ["validate", "-json", "-no-color"], { cwd: dir, env: tfEnv }).catch((e) => e);
  const parsed = JSON.parse(stdout);
  return parsed.valid ? (parsed.diagnostics ?? []) : [...(parsed.diagnostics ?? []), { severity: "error", summary: "invalid" }];
}

/** The example, changed by `change`, written with its policy files into a fresh folder; the errors it gives. */
function errorsOf(change: (t: any, dir: string) => void, files: Record<string, string> = {}): string[] {
  const dir = tempDir("mlshare-existing-");
  fs.cpSync(path.join(EXAMPLES, "policies"), path.join(dir, "policies"), { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const t = parse(fs.readFileSync(EXAMPLE, "utf8"));
  change(t, dir);
  const file = path.join(dir, "topology.json");
  fs.writeFileSync(file, JSON.stringify(t));
  try {
    synthInput(loadTopology(file));
    return [];
  } catch (e) {
    if (e instanceof TopologyError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
}

describe("refusals, each with its path and rule", () => {
  test("paths in currentPolicies are relative to the topology file, wherever the command runs", () => {
    expect(errorsOf(() => undefined)).toEqual([]);
  });

  test("bucket name, prefix and key ARN formats", () => {
    const errors = errorsOf((t) => {
      t.datasets[0].existing.bucket = "Corp_Lake";
      t.datasets[0].existing.prefix = "events/clickstream";
      t.datasets[0].existing.kmsKeyArn = "arn:aws:kms:eu-west-1:300000000002:alias/lake";
    });
    expect(errors).toEqual([
      expect.stringMatching(/^datasets\[0\]\.existing\.bucket: must be an S3 bucket name: .* \(value: "Corp_Lake"\)$/),
      expect.stringMatching(/^datasets\[0\]\.existing\.prefix: must be a key prefix ending with \/: .* \(value: "events\/clickstream"\)$/),
      expect.stringMatching(/^datasets\[0\]\.existing\.kmsKeyArn: must be a KMS key ARN .*\(a key, not an alias\) \(value: .*alias\/lake"\)$/),
    ]);
    expect(errorsOf((t) => (t.datasets[0].existing.prefix = "events/*/"))).toEqual([expect.stringMatching(/^datasets\[0\]\.existing\.prefix: must be a key prefix .*no \* \? or \$/)]);
  });

  test("a key of another account or region", () => {
    expect(errorsOf((t) => (t.datasets[0].existing.kmsKeyArn = CURATED_KEY.replace(ID.lake, ID.finance)))).toEqual([
      `datasets[0].existing.kmsKeyArn: the key "${CURATED_KEY.replace(ID.lake, ID.finance)}" is in account ${ID.finance}, not in the provider account "lake" (${ID.lake}); an existing dataset's key is its provider's`,
    ]);
    expect(errorsOf((t) => (t.datasets[0].existing.kmsKeyArn = CURATED_KEY.replace(REGION, "us-east-1")))).toEqual([
      `datasets[0].existing.kmsKeyArn: the key "${CURATED_KEY.replace(REGION, "us-east-1")}" is in aws/us-east-1, not in the provider account's region ${REGION}; S3 uses keys of the bucket's region`,
    ]);
  });

  test("prefixes of one existing bucket that contain one another", () => {
    const errors = errorsOf((t) => {
      t.datasets[1].existing = { bucket: "corp-lake-curated", prefix: "events/" };
    });
    expect(errors).toEqual([
      `datasets[1].existing.prefix: "events/clickstream/" (dataset "clickstream") lies inside "events/" (dataset "sales") in bucket "corp-lake-curated"; a grant on "sales" would reach "clickstream"'s objects, so prefixes of one bucket may not contain one another`,
    ]);
  });

  test("currentPolicies only with adopt; with adopt, its bucket file, and its key file with a kmsKeyArn", () => {
    expect(errorsOf((t) => (t.datasets[0].existing.currentPolicies = { bucket: "policies/corp-lake-raw.bucket.json" }))).toEqual([
      `datasets[0].existing.currentPolicies: is only for policies: adopt; with policies: "access-points" the bucket and key policies stay the owner's and mlshare reads none of them (remove currentPolicies, or set policies: adopt)`,
    ]);
    expect(errorsOf((t) => delete t.datasets[1].existing.currentPolicies)).toEqual([
      `datasets[1].existing.currentPolicies: is required with policies: adopt: mlshare replaces the bucket policy only with the current statements kept; export them (aws s3api get-bucket-policy --bucket corp-lake-raw) and name the file in currentPolicies.bucket`,
    ]);
    expect(errorsOf((t) => delete t.datasets[2].existing.currentPolicies.key)).toEqual([
      `datasets[2].existing.currentPolicies.key: is required with policies: adopt and a kmsKeyArn: the file holding the key policy as it is today (aws kms get-key-policy --key-id ${RESTRICTED_KEY} --policy-name default)`,
    ]);
    expect(errorsOf((t) => (t.datasets[1].existing.currentPolicies.key = "policies/corp-lake-restricted.key.json"))).toEqual([
      "datasets[1].existing.currentPolicies.key: names a key policy, but the dataset has no kmsKeyArn (SSE-S3 data has no key policy to adopt); give kmsKeyArn or remove currentPolicies.key",
    ]);
  });

  test("a current policy file that is missing, not JSON, or not a policy document", () => {
    let dir = "";
    expect(errorsOf((t, d) => ((dir = d), (t.datasets[1].existing.currentPolicies.bucket = "policies/missing.json")))).toEqual([
      `datasets[1].existing.currentPolicies.bucket: no such file: ${path.join(dir, "policies", "missing.json")} (paths are relative to the topology file) (value: "policies/missing.json")`,
    ]);
    expect(errorsOf((t, d) => ((dir = d), (t.datasets[1].existing.currentPolicies.bucket = "bad.json")), { "bad.json": "{ not json" })).toEqual([
      expect.stringMatching(new RegExp(`^datasets\\[1\\]\\.existing\\.currentPolicies\\.bucket: ${path.join(dir, "bad.json").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is not JSON: `)),
    ]);
    expect(errorsOf((t, d) => ((dir = d), (t.datasets[1].existing.currentPolicies.bucket = "nostatement.json")), { "nostatement.json": '{"Version":"2012-10-17"}' })).toEqual([
      `datasets[1].existing.currentPolicies.bucket: ${path.join(dir, "nostatement.json")} is not a bucket policy document: it has no Statement (value: "nostatement.json")`,
    ]);
    const noPrincipal = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    expect(errorsOf((t, d) => ((dir = d), (t.datasets[1].existing.currentPolicies.bucket = "identity.json")), { "identity.json": noPrincipal })).toEqual([
      `datasets[1].existing.currentPolicies.bucket: ${path.join(dir, "identity.json")} is not a bucket policy document: Statement[0] names no Principal, which a bucket policy statement needs (value: "identity.json")`,
    ]);
  });

  test("what aws s3api get-bucket-policy prints is accepted as it is", () => {
    const printed = JSON.stringify({ Policy: fs.readFileSync(path.join(EXAMPLES, "policies", "corp-lake-raw.bucket.json"), "utf8") });
    expect(errorsOf((t) => (t.datasets[1].existing.currentPolicies.bucket = "printed.json"), { "printed.json": printed })).toEqual([]);
  });

  test("a Sid both the current policy and mlshare define is an error naming it", () => {
    const clash = JSON.parse(fs.readFileSync(path.join(EXAMPLES, "policies", "corp-lake-raw.bucket.json"), "utf8"));
    clash.Statement[1].Sid = "MlshareGrant1Objects";
    let dir = "";
    expect(errorsOf((t, d) => ((dir = d), (t.datasets[1].existing.currentPolicies.bucket = "clash.json")), { "clash.json": JSON.stringify(clash) })).toEqual([
      `datasets[1].existing.currentPolicies.bucket: the Sid "MlshareGrant1Objects" is defined both by the current bucket policy of corp-lake-raw (${path.join(dir, "clash.json")}) and by mlshare; rename it in the current policy (and in AWS) so each statement keeps its own Sid`,
    ]);
  });

  test("a current policy that leaves no room is an error with the sizes", () => {
    const full = JSON.parse(fs.readFileSync(path.join(EXAMPLES, "policies", "corp-lake-raw.bucket.json"), "utf8"));
    full.Statement[0].Resource = Array.from({ length: 600 }, (_, i) => `arn:aws:s3:::corp-lake-raw/team-${i}/*`);
    const errors = errorsOf((t) => (t.datasets[1].existing.currentPolicies.bucket = "full.json"), { "full.json": JSON.stringify(full) });
    expect(errors).toEqual([
      expect.stringMatching(/^datasets\[1\]\.existing\.currentPolicies\.bucket: the adopted bucket policy of corp-lake-raw would be \d+ characters, over the S3 bucket policy \(20 KB\) quota: the current statements \(.*full\.json\) take \d+ and mlshare's \d+; /),
    ]);
  });

  test("datasets of one bucket agree on its policies; a restricted dataset has a key of its own", () => {
    expect(errorsOf((t) => (t.datasets[1].existing = { bucket: "corp-lake-curated", prefix: "sales/", policies: "adopt", currentPolicies: { bucket: "policies/corp-lake-raw.bucket.json" } }))).toEqual([
      `datasets[1].existing.policies: "adopt" differs from "access-points" of dataset "clickstream" in the same bucket "corp-lake-curated" (datasets[0].existing); a bucket's policy is either the owner's (access-points) or adopted (adopt), for all its datasets`,
    ]);
    expect(errorsOf((t) => delete t.datasets[2].existing.kmsKeyArn).filter((e) => e.includes("restricted"))).toEqual([
      `datasets[2].existing.kmsKeyArn: dataset "payroll" is restricted, so its objects are encrypted with a key of its own: give the existing key (kmsKeyArn), or classify it confidential`,
    ]);
    expect(errorsOf((t) => (t.datasets[0].existing.kmsKeyArn = RESTRICTED_KEY)).filter((e) => e.includes("restricted dataset"))).toEqual([
      `datasets[0].existing.kmsKeyArn: the key "${RESTRICTED_KEY}" is restricted dataset "payroll"'s own (datasets[2]); a restricted dataset's key encrypts nothing else`,
    ]);
  });

  const made = (bucket: string, what: string) =>
    `datasets[0].existing.bucket: "${bucket}" is a bucket mlshare makes (${what}); an existing dataset lives in a bucket mlshare does not make, or the bucket would get two policies that replace each other (leave existing out to share under mlshare's data bucket)`;

  test("a bucket mlshare makes is not an existing bucket: the data and log buckets, of any account", () => {
    expect(errorsOf((t) => (t.datasets[0].existing.bucket = `lakeml-data-${ID.lake}-${REGION}`))).toEqual([made(`lakeml-data-${ID.lake}-${REGION}`, 'the data bucket of "lake"')]);
    expect(errorsOf((t) => (t.datasets[0].existing.bucket = `lakeml-logs-${ID.science}-${REGION}`))).toEqual([made(`lakeml-logs-${ID.science}-${REGION}`, 'the log bucket of "science"')]);
  });

  test("nor a managed restricted dataset's bucket, a model artifact set's, or the state bucket", () => {
    const restricted = `lakeml-rd-secrets-${ID.lake}-${REGION}`;
    expect(
      errorsOf((t) => {
        t.datasets.push({ name: "secrets", account: "lake", classification: "restricted", consumers: [{ account: "finance", roles: ["auditor"] }] });
        t.datasets[0].existing.bucket = restricted;
      }),
    ).toEqual([made(restricted, 'the bucket of restricted dataset "secrets"')]);
    const artifacts = `lakeml-ma-models-${ID.science}-${REGION}`;
    expect(
      errorsOf((t) => {
        t.modelArtifacts = [{ name: "models", account: "science", consumers: [{ account: "finance" }] }];
        t.datasets[0].existing.bucket = artifacts;
      }),
    ).toEqual([made(artifacts, 'the bucket of model artifact set "models"')]);
    expect(errorsOf((t) => (t.datasets[0].existing.bucket = t.state.bucket)).map((e) => e.replace(/"[^"]+" is a bucket/, "X is a bucket"))).toEqual([
      made("", "the state bucket").replace(/"" is a bucket/, "X is a bucket"),
    ]);
  });
});

describe("the access review tells the truth about each grant", () => {
  const review = reviewOutput({ manifest: out.manifest, stacks: out.stacks as any }, out.outdir);
  const dataset = async (name: string) => (await review).matrix.find((r) => r.name === name)!;

  test("an access-points dataset is evaluated with the owner's statements, and said to be pending the owner's step", async () => {
    const r = await review;
    const pending = r.findings.filter((f) => f.rule === "EXISTING_DATA_PENDING_OWNER");
    expect(pending.map((f) => f.resource)).toEqual(["lake/clickstream"]);
    expect(pending[0].what).toContain("bucket policy of corp-lake-curated: MlshareDelegateToAccessPoints");
    expect(pending[0].what).toContain(`key policy of ${CURATED_KEY}: MlshareConsumerAccountsDecryptThroughS3`);
    const readers = (await dataset("clickstream")).access.read;
    expect(readers.map((g) => g.principal).sort()).toEqual(["finance/bi-reader", "science/lakeml-sm-alice"]);
    const bucketStep = readers[0].steps!.find((s) => s.step === "s3-bucket")!;
    expect(bucketStep.statements.map((s) => s.policy)).toEqual(["lake/output.existing_data"]);
  });

  test("adopted datasets are evaluated through the adopted documents, the key step included", async () => {
    const r = await review;
    expect(r.findings.filter((f) => f.rule === "EXISTING_DATA_ADOPTED").map((f) => f.resource).sort()).toEqual(["lake/payroll", "lake/sales"]);
    const writer = (await dataset("payroll")).access.write.find((g) => g.principal === "finance/payroll-etl")!;
    expect(writer.steps!.map((s) => s.step)).toEqual(["sts", "s3", "kms"]);
    expect(r.unresolved.filter((u) => u.stack === "lake")).toEqual([]);
  });
});

describe("uploads keep each existing dataset's encryption, through every route", () => {
  const KMS = (key?: string) => ({ "s3:x-amz-server-side-encryption": "aws:kms", ...(key ? { "s3:x-amz-server-side-encryption-aws-kms-key-id": key } : {}) });
  const AES = { "s3:x-amz-server-side-encryption": "AES256" };
  const OTHER_KEY = `arn:aws:kms:${REGION}:${ID.finance}:key/9f9f9f9f-0000-1111-2222-333333333333`;

  test("adopted, with a key: no header (multipart parts) or the dataset's key pass; another key, aws/s3 or SSE-S3 are denied", async () => {
    const put = (context: Record<string, string>) => direct(readerSession, "s3:PutObject", "corp-lake-restricted", "payroll/2024/03.parquet", context);
    expect(await put({})).toBe("Allowed");
    expect(await put(KMS(RESTRICTED_KEY))).toBe("Allowed");
    expect(await put(KMS(OTHER_KEY))).toBe("ExplicitlyDenied");
    expect(await put(KMS())).toBe("ExplicitlyDenied");
    expect(await put(AES)).toBe("ExplicitlyDenied");
  });

  /** The example with finance's bi-reader writing clickstream (access points) and science's analyst writing sales (adopted, SSE-S3). */
  const writers = (() => {
    const dir = tempDir("mlshare-existing-writers-");
    fs.cpSync(path.join(EXAMPLES, "policies"), path.join(dir, "policies"), { recursive: true });
    const t = parse(fs.readFileSync(EXAMPLE, "utf8"));
    t.datasets[0].consumers[1].access = "read-write";
    t.datasets[1].consumers[0].access = "read-write";
    const file = path.join(dir, "topology.json");
    fs.writeFileSync(file, JSON.stringify(t));
    return synthInput(loadTopology(file));
  })();
  const writerPolicies = new StackPolicies(writers);
  const lakeOf = (type: string) => Object.values<any>((writers.stacks.lake as any).resource[type] ?? {});

  test("adopted, SSE-S3: no header or SSE-S3 pass; any KMS key is denied (readers could not decrypt it)", async () => {
    const analyst = asRole(ANALYST, writerPolicies.identityPolicies(ANALYST));
    const policy = JSON.parse(lakeOf("aws_s3_bucket_policy").find((p) => p.bucket === "corp-lake-raw").policy);
    const put = (context: Record<string, string>) =>
      simulate({ principal: analyst.principal, roleArn: ANALYST, action: "s3:PutObject", resource: "arn:aws:s3:::corp-lake-raw/sales/x.parquet", resourceAccount: ID.lake, identity: analyst.identity, resourcePolicy: policy, orgId: ORG, context });
    expect(await put({})).toBe("Allowed");
    expect(await put(AES)).toBe("Allowed");
    expect(await put(KMS(OTHER_KEY))).toBe("ExplicitlyDenied");
    expect(await put(KMS())).toBe("ExplicitlyDenied");
  });

  test("through an access point, with a key: the access point denies another key, aws/s3 and SSE-S3", async () => {
    const bi = asRole(BI, writerPolicies.identityPolicies(BI));
    const apArn = ap("finance");
    const apPolicy = JSON.parse(lakeOf("aws_s3_access_point").find((p) => apArn.endsWith(`/${p.name}`)).policy);
    const put = (context: Record<string, string>) =>
      simulate({ principal: bi.principal, roleArn: BI, action: "s3:PutObject", resource: `${apArn}/object/events/clickstream/x.parquet`, resourceAccount: ID.lake, identity: bi.identity, resourcePolicy: apPolicy, orgId: ORG, context });
    expect(await put({})).toBe("Allowed");
    expect(await put(KMS(CURATED_KEY))).toBe("Allowed");
    expect(await put(KMS(OTHER_KEY))).toBe("ExplicitlyDenied");
    expect(await put(KMS())).toBe("ExplicitlyDenied");
    expect(await put(AES)).toBe("ExplicitlyDenied");
  });
});

describe("policy variables of an adopted policy stay literal", () => {
  const dir = tempDir("mlshare-existing-vars-");
  fs.cpSync(path.join(EXAMPLES, "policies"), path.join(dir, "policies"), { recursive: true });
  const raw = path.join(dir, "policies", "corp-lake-raw.bucket.json");
  const current = JSON.parse(fs.readFileSync(raw, "utf8"));
  const home = "arn:aws:s3:::corp-lake-raw/home/${aws:username}/*";
  current.Statement.push({ Sid: "HomeFolders", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ID.lake}:role/analysts` }, Action: "s3:GetObject", Resource: home });
  fs.writeFileSync(raw, JSON.stringify(current));
  fs.copyFileSync(EXAMPLE, path.join(dir, "topology.yaml"));
  const s = synthInput(loadTopology(path.join(dir, "topology.yaml")));
  const lakeStack = s.stacks.lake as any;

  test("the synthesized policy escapes ${ for Terraform, and the plan holds the policy variable as written", async () => {
    const [policy] = Object.values<any>(lakeStack.resource.aws_s3_bucket_policy).filter((p) => p.bucket === "corp-lake-raw");
    expect(policy.policy).toContain("home/$${aws:username}/*");
    const plan = await planStacks({ lake: withoutImports(lakeStack) });
    expect(plan.error).toBeUndefined();
    const planned = plan.after!.lake.find((r) => r.type === "aws_s3_bucket_policy" && r.values.bucket === "corp-lake-raw")!;
    expect(JSON.parse(planned.values.policy).Statement.find((x: any) => x.Sid === "HomeFolders").Resource).toBe(home);
  });
});
