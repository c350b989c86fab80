/**
 * `pipeline` with existing data and Lake Formation tables: the StackSet parameters that carry
 * them, what the deploy and plan roles may do to the existing buckets and keys the topology
 * adopts (and nothing to those it leaves to their owner), proven with
 * @cloud-copilot/iam-simulate over the synthesized StackSet template (each member's
 * parameter overrides) and the management stack's own roles; a topology without them keeps
 * the roles it had. The tables' side is in pipeline-tables.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { loadTopology, validateTopology } from "../config/load";
import { dataResources } from "../policies/pipeline-data-permissions";
import { checkMemberRoleSizes, memberParameters, memberRoleSizes, PARAMETER_VALUE_LIMIT } from "../policies/pipeline-template";
import { asRole, instanceOverrides, managementRole, memberRoles, stackSetTemplate } from "./helpers/pipeline-roles";
import { resourcesOf, synthInput } from "./helpers/synth";
import { validateStacks, withoutImports } from "./helpers/terraform";
import { tempDir } from "./helpers/tmp";
import { referenceInput } from "./helpers/topology";

const EXAMPLES = path.join(__dirname, "..", "examples");
const out = synthInput(loadTopology(path.join(EXAMPLES, "pipeline.yaml")));

const HUB = "710000000001";
const LAKE = "710000000002";
const DEV = "710000000003";
const PROD = "710000000004";
const ARCHIVE = "arn:aws:s3:::acme-claims-archive";
const ARCHIVE_KEY = `arn:aws:kms:eu-west-1:${LAKE}:key/3e4f5061-7283-94a5-b6c7-d8e9f0a1b2c3`;
const TELEMETRY = "arn:aws:s3:::acme-telemetry";
const TELEMETRY_KEY = `arn:aws:kms:eu-west-1:${LAKE}:key/4f506172-8394-a5b6-c7d8-e9f0a1b2c3d4`;
const OTHER_BUCKET = "arn:aws:s3:::acme-finance-ledger";
const OTHER_KEY = `arn:aws:kms:eu-west-1:${LAKE}:key/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d`;
const CATALOG = `arn:aws:glue:eu-west-1:${LAKE}:catalog`;
const DATABASE = `arn:aws:glue:eu-west-1:${LAKE}:database/claims`;
const TABLE = `arn:aws:glue:eu-west-1:${LAKE}:table/claims/claims`;
const LINK = "acme_pipe_710000000002_claims";

const lake = memberRoles(out, LAKE);
const prod = memberRoles(out, PROD);
const dev = memberRoles(out, DEV);

const as = asRole;

// A key policy delegates to IAM (the account root): what lets an identity policy use the key.
// The adopted key's policy is the one its stack writes; the others are KMS's default policy.
const adoptedKeyPolicy = JSON.parse(Object.values<any>(resourcesOf(out, "data-lake", "aws_kms_key_policy"))[0].policy);
const defaultKeyPolicy = { Version: "2012-10-17", Statement: [{ Sid: "Root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${LAKE}:root` }, Action: "kms:*", Resource: "*" }] };
const keyPolicyOf = (key: string) => (key === ARCHIVE_KEY ? adoptedKeyPolicy : defaultKeyPolicy);

describe("the StackSet carries each member's existing buckets, keys and table names", () => {
  test("data-lake's instance lists its adopted bucket and key and its shared table, with their parts on", () => {
    expect(instanceOverrides(out, LAKE)).toMatchObject({
      AdoptedBucketsPart: "true",
      AdoptedBucketArns: ARCHIVE,
      AdoptedKeysPart: "true",
      AdoptedKeyArns: ARCHIVE_KEY,
      TableSharesPart: "true",
      TableShareArns: [CATALOG, DATABASE, TABLE].join(","),
    });
    // The access-points bucket and its key are not there: the stack does nothing to them.
    expect(JSON.stringify(instanceOverrides(out, LAKE))).not.toMatch(/acme-telemetry|4f506172/);
  });

  test("consumers list their resource link and the table it reaches, and nothing of the provider's data", () => {
    const o = instanceOverrides(out, PROD);
    expect(o.TableLinksPart).toBe("true");
    expect(o.TableLinkArns.split(",")).toEqual(
      [
        `arn:aws:glue:eu-west-1:${PROD}:catalog`,
        `arn:aws:glue:eu-west-1:${PROD}:database/${LINK}`,
        `arn:aws:glue:eu-west-1:${PROD}:table/${LINK}/*`,
        `arn:aws:glue:eu-west-1:${PROD}:userDefinedFunction/${LINK}/*`,
      ].sort(),
    );
    expect(o.SharedTableArns).toBe([CATALOG, DATABASE, TABLE].join(","));
    for (const key of ["AdoptedBucketsPart", "AdoptedKeysPart", "TableSharesPart"]) expect(o[key]).toBeUndefined();
  });

  test("a list too long for a CloudFormation parameter is an error naming the account, the parameter and the sizes", () => {
    const input = parse(fs.readFileSync(path.join(EXAMPLES, "pipeline.yaml"), "utf8"));
    const base = input.tables[0];
    input.tables = Array.from({ length: 40 }, (_, i) => ({ ...base, name: `t${i}`, database: `database_number_${i}`, consumers: [{ account: "ml-prod", roles: ["batch-scoring"] }] }));
    input.sagemaker.domains[0].users[0].tables = [];
    const topology = validateTopology(input, path.join(EXAMPLES, "pipeline.yaml"), EXAMPLES);
    const account = topology.accounts.find((a) => a.key === "ml-prod")!;
    expect(() => memberParameters(topology, account)).toThrow(
      new RegExp(`^pipeline: the StackSet parameter TableLinkArns of account ml-prod is \\d+ bytes, over CloudFormation's ${PARAMETER_VALUE_LIMIT} for a parameter value`),
    );
  });
});

describe("a member's roles stay within IAM's inline quota, measured as CloudFormation makes them", () => {
  const exampleInput = () => parse(fs.readFileSync(path.join(EXAMPLES, "pipeline.yaml"), "utf8"));
  const stripped = (docs: any[]) => docs.reduce((n, d) => n + JSON.stringify(d).replace(/\s+/g, "").length, 0);

  test.each([LAKE, DEV, PROD])("%s: the sizes computed at synth are those of the resolved template", (id) => {
    const account = out.topology.accounts.find((a) => a.id === id)!;
    const roles = memberRoles(out, id);
    expect(memberRoleSizes(out.topology, account)).toEqual({ deploy: stripped(roles.deploy.policies), plan: stripped(roles.plan.policies) });
  });

  test("a member whose lists would pass the quota is refused at synth, naming the role, the account and the sizes", () => {
    const input = exampleInput();
    // 80 existing roles (3,600 bytes of ARNs, within a parameter) named twice by the deploy role.
    input.datasets[0].consumers[1].roles = Array.from({ length: 80 }, (_, i) => `batch-scoring-${String(i).padStart(2, "0")}`);
    const topology = validateTopology(input, path.join(EXAMPLES, "pipeline.yaml"), EXAMPLES);
    const account = topology.accounts.find((a) => a.key === "ml-prod")!;
    expect(() => memberParameters(topology, account)).not.toThrow();
    expect(() => checkMemberRoleSizes(topology, account)).toThrow(
      /^mlshare: the inline policies of the deploy role mlshare-deploy of account ml-prod \(pipeline StackSet\) is \d+ characters, over .*10,240.*name fewer existing roles/,
    );
    expect(memberRoleSizes(topology, account).deploy).toBeGreaterThan(10_240);
  });
});

describe("adopted existing data: the deploy role writes exactly its bucket and key policies (iam-simulate)", () => {
  const can = as(LAKE, lake.deploy);
  const kms = (action: string, key: string, context: Record<string, string> = {}) => can(action, key, context, keyPolicyOf(key));

  test.each(["s3:GetBucketPolicy", "s3:GetBucketPolicyStatus", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"])("%s: the adopted bucket yes, another bucket or the owner's access-points bucket no", async (action) => {
    expect(await can(action, ARCHIVE)).toBe("Allowed");
    expect(await can(action, OTHER_BUCKET)).not.toBe("Allowed");
    expect(await can(action, TELEMETRY)).not.toBe("Allowed");
  });

  test("no other setting of the adopted bucket, and none of its data", async () => {
    for (const action of ["s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock", "s3:PutBucketAcl"]) {
      expect({ action, decision: await can(action, ARCHIVE) }).toEqual({ action, decision: "ImplicitlyDenied" });
    }
    expect(await can("s3:GetObject", `${ARCHIVE}/archive/2024/part-0.parquet`)).not.toBe("Allowed");
    expect(await can("s3:PutObject", `${ARCHIVE}/archive/x`)).not.toBe("Allowed");
  });

  test.each(["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy"])(
    "%s: the adopted key yes, another key or the access-points dataset's key no",
    async (action) => {
      expect(await kms(action, ARCHIVE_KEY)).toBe("Allowed");
      expect(await kms(action, OTHER_KEY)).not.toBe("Allowed");
      expect(await kms(action, TELEMETRY_KEY)).not.toBe("Allowed");
    },
  );

  test("keys are created tagged, as the AWS SDK sends the request (no bypass parameter), never with the lockout bypass", async () => {
    const create = (context: Record<string, string | string[]>) => can("kms:CreateKey", "*", context);
    expect(await create({ "aws:RequestTag/ManagedBy": "mlshare", "aws:TagKeys": ["ManagedBy"] })).toBe("Allowed");
    expect(await create({ "aws:RequestTag/ManagedBy": "mlshare", "aws:TagKeys": ["ManagedBy"], "kms:BypassPolicyLockoutSafetyCheck": "true" })).not.toBe("Allowed");
    expect(await create({ "aws:RequestTag/ManagedBy": "someone", "aws:TagKeys": ["ManagedBy"] })).not.toBe("Allowed");
  });

  test("the key policy only: never the lockout bypass, never the key's life or its use", async () => {
    expect(await kms("kms:PutKeyPolicy", ARCHIVE_KEY, { "kms:BypassPolicyLockoutSafetyCheck": "true" })).not.toBe("Allowed");
    expect(await kms("kms:PutKeyPolicy", ARCHIVE_KEY, { "kms:BypassPolicyLockoutSafetyCheck": "false" })).toBe("Allowed");
    for (const action of ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:Decrypt", "kms:CreateGrant", "kms:TagResource"]) {
      expect({ action, decision: await kms(action, ARCHIVE_KEY) }).toEqual({ action, decision: "ImplicitlyDenied" });
    }
  });

  test("access-points mode: mlshare's access points on the owner's bucket, by their names", async () => {
    const names = Object.values<any>(resourcesOf(out, "data-lake", "aws_s3_access_point"))
      .filter((ap) => ap.bucket === "acme-telemetry")
      .map((ap) => ap.name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const arn = `arn:aws:s3:eu-west-1:${LAKE}:accesspoint/${name}`;
      expect(await can("s3:CreateAccessPoint", arn)).toBe("Allowed");
      expect(await can("s3:PutAccessPointPolicy", arn)).toBe("Allowed");
    }
    expect(await can("s3:CreateAccessPoint", `arn:aws:s3:eu-west-1:${LAKE}:accesspoint/telemetry-bi`)).not.toBe("Allowed");
  });

  test("another account's deploy role has none of it", async () => {
    expect(await as(PROD, prod.deploy)("s3:PutBucketPolicy", ARCHIVE)).not.toBe("Allowed");
    expect(await as(DEV, dev.deploy)("kms:PutKeyPolicy", ARCHIVE_KEY, {}, adoptedKeyPolicy)).not.toBe("Allowed");
  });
});

describe("adopted existing data: the plan role reads the policies, never the data (iam-simulate)", () => {
  const can = as(LAKE, lake.plan);

  test("reads the adopted bucket's policy and the adopted key's, not another bucket's", async () => {
    expect(await can("s3:GetBucketPolicy", ARCHIVE)).toBe("Allowed");
    expect(await can("s3:GetBucketPolicyStatus", ARCHIVE)).toBe("Allowed");
    expect(await can("s3:GetBucketPolicy", OTHER_BUCKET)).not.toBe("Allowed");
    for (const action of ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]) {
      expect({ action, decision: await can(action, ARCHIVE_KEY, {}, adoptedKeyPolicy) }).toEqual({ action, decision: "Allowed" });
    }
  });

  test("is denied the objects and decryption with the adopted and the owner's keys, explicitly", async () => {
    expect(await can("s3:GetObject", `${ARCHIVE}/archive/2024/part-0.parquet`)).toBe("ExplicitlyDenied");
    expect(await can("s3:GetObject", `${TELEMETRY}/events/part-0.json`)).toBe("ExplicitlyDenied");
    expect(await can("kms:Decrypt", ARCHIVE_KEY, {}, adoptedKeyPolicy)).toBe("ExplicitlyDenied");
    expect(await can("kms:Decrypt", TELEMETRY_KEY, {}, defaultKeyPolicy)).toBe("ExplicitlyDenied");
  });

  test("writes nothing", async () => {
    expect(await can("s3:PutBucketPolicy", ARCHIVE)).not.toBe("Allowed");
    expect(await can("s3:DeleteBucketPolicy", ARCHIVE)).not.toBe("Allowed");
    expect(await can("kms:PutKeyPolicy", ARCHIVE_KEY, {}, adoptedKeyPolicy)).not.toBe("Allowed");
  });
});

describe("the management account's own roles name its existing data and tables literally", () => {
  // The management account adopts a bucket and key of its own and reads the shared table.
  const input = parse(fs.readFileSync(path.join(EXAMPLES, "pipeline.yaml"), "utf8"));
  const MGMT_BUCKET = "acme-audit-exports";
  const MGMT_KEY = `arn:aws:kms:eu-west-1:${HUB}:key/6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e`;
  // The key's current policy delegates to IAM policies with named actions (the account root).
  const keyFile = path.join(tempDir("mlshare-pipeline-data-"), "audit.key.json");
  const rootActions = ["kms:Describe*", "kms:Get*", "kms:List*", "kms:PutKeyPolicy", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"];
  fs.writeFileSync(keyFile, JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: rootActions, Resource: "*" }] }));
  input.datasets.push({
    name: "audit-exports",
    account: "management",
    existing: {
      bucket: MGMT_BUCKET,
      prefix: "exports/",
      kmsKeyArn: MGMT_KEY,
      policies: "adopt",
      currentPolicies: { bucket: "policies/acme-claims-archive.bucket.json", key: keyFile },
    },
    consumers: [{ account: "ml-prod", roles: ["batch-scoring"] }],
  });
  input.tables[0].consumers.push({ account: "management", roles: ["auditor"] });
  const topology = validateTopology(input, path.join(EXAMPLES, "pipeline.yaml"), EXAMPLES);
  const mgmtOut = synthInput(topology);
  const deploy = managementRole(mgmtOut, "mlshare-deploy");
  const plan = managementRole(mgmtOut, "mlshare-plan");
  const mgmtLink = `arn:aws:glue:eu-west-1:${HUB}:database/${LINK}`;
  // The key policy the management stack adopts: the current statement and mlshare's.
  const keyPolicy = JSON.parse(Object.values<any>(resourcesOf(mgmtOut, "management", "aws_kms_key_policy"))[0].policy);

  test("its policies hold the literal ARNs, one inline policy per data part", () => {
    expect(deploy.policyNames).toEqual(expect.arrayContaining(["acme-pipe-deploy-adoptedBuckets", "acme-pipe-deploy-adoptedKeys", "acme-pipe-deploy-tableLinks"]));
    expect(deploy.policyNames).not.toContain("acme-pipe-deploy-tableShares");
    const text = JSON.stringify(deploy.policies);
    expect(text).toContain(`"arn:aws:s3:::${MGMT_BUCKET}"`);
    expect(text).toContain(`"${MGMT_KEY}"`);
    expect(text).not.toMatch(/__\w+Arns__|Ref/);
    expect(dataResources(topology, topology.accounts.find((a) => a.key === "management")!).tableLinkArns).toContain(mgmtLink);
  });

  test("deploy: the adopted bucket and key policies and the link, nothing beside them", async () => {
    const can = as(HUB, deploy);
    expect(await can("s3:PutBucketPolicy", `arn:aws:s3:::${MGMT_BUCKET}`)).toBe("Allowed");
    expect(await can("s3:PutBucketPolicy", ARCHIVE)).not.toBe("Allowed");
    expect(await can("kms:PutKeyPolicy", MGMT_KEY, {}, keyPolicy)).toBe("Allowed");
    expect(await can("kms:PutKeyPolicy", `arn:aws:kms:eu-west-1:${HUB}:key/7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f`, {}, keyPolicy)).not.toBe("Allowed");
    expect(await can("glue:CreateDatabase", mgmtLink)).toBe("Allowed");
    expect(await can("glue:CreateDatabase", `arn:aws:glue:eu-west-1:${HUB}:database/other`)).not.toBe("Allowed");
  });

  test("plan: reads them, never the data", async () => {
    const can = as(HUB, plan);
    expect(await can("s3:GetBucketPolicy", `arn:aws:s3:::${MGMT_BUCKET}`)).toBe("Allowed");
    expect(await can("kms:GetKeyPolicy", MGMT_KEY, {}, keyPolicy)).toBe("Allowed");
    expect(await can("glue:GetDatabase", mgmtLink)).toBe("Allowed");
    expect(await can("s3:GetObject", `arn:aws:s3:::${MGMT_BUCKET}/exports/x`)).toBe("ExplicitlyDenied");
    expect(await can("kms:Decrypt", MGMT_KEY, {}, keyPolicy)).toBe("ExplicitlyDenied");
    expect(await can("lakeformation:GetDataAccess", "*")).toBe("ExplicitlyDenied");
  });
});

describe("a topology without existing data or tables keeps the roles it had", () => {
  const input = referenceInput();
  input.accounts.management.deployRole = "mlshare-deploy";
  input.pipeline = { github: { repository: "acme/ml-platform" } };
  const plain = synthInput(input);
  const template = stackSetTemplate(plain);
  const DATA_PARAMS = ["AdoptedBucketArns", "AdoptedKeyArns", "TableShareArns", "TableLinkArns", "SharedTableArns", "AdoptedBucketsPart", "AdoptedKeysPart", "TableSharesPart", "TableLinksPart"];

  test("the template has no data parameter, condition or policy, and no instance overrides one", () => {
    expect(plain.topology.tables).toEqual([]);
    expect(plain.topology.datasets.some((d) => d.existing)).toBe(false);
    for (const p of DATA_PARAMS) expect({ p, present: p in template.Parameters || `${p}On` in template.Conditions }).toEqual({ p, present: false });
    expect(template.Conditions).not.toHaveProperty("AdoptedBucketsPartOn");
    const text = JSON.stringify(template);
    expect(text).not.toMatch(/adoptedBuckets|adoptedKeys|tableShares|tableLinks|lakeformation|glue:/);
    for (const i of Object.values<any>(resourcesOf(plain, "management", "aws_cloudformation_stack_set_instance"))) {
      for (const p of DATA_PARAMS) expect(i.parameter_overrides ?? {}).not.toHaveProperty(p);
    }
  });

  test("the management account's own roles have no data part", () => {
    for (const name of ["mlshare-deploy", "mlshare-plan"]) {
      const role = managementRole(plain, name);
      expect(role.policyNames.filter((n) => /adopted|table/i.test(n))).toEqual([]);
    }
  });

  test("while the example with them has each part, in the template and its roles", () => {
    const withData = stackSetTemplate(out);
    for (const p of DATA_PARAMS) expect({ p, present: p in withData.Parameters }).toEqual({ p, present: true });
    expect(lake.deploy.policyNames).toEqual(expect.arrayContaining(["acme-pipe-deploy-adoptedBuckets", "acme-pipe-deploy-adoptedKeys", "acme-pipe-deploy-tableShares"]));
    expect(lake.plan.policyNames).toEqual(expect.arrayContaining(["acme-pipe-plan-adoptedBuckets", "acme-pipe-plan-tableShares"]));
    expect(prod.deploy.policyNames).toContain("acme-pipe-deploy-tableLinks");
    expect(prod.deploy.policyNames).not.toContain("acme-pipe-deploy-adoptedBuckets");
  });
});

test("every stack of the example passes terraform validate (the StackSet with its data parameters included)", async () => {
  const diagnostics = await validateStacks(Object.fromEntries(Object.keys(out.stacks).map((n) => [n, withoutImports(out.stacks[n])])));
  for (const name of Object.keys(diagnostics)) expect({ stack: name, diagnostics: diagnostics[name] }).toEqual({ stack: name, diagnostics: [] });
}, 120_000);
